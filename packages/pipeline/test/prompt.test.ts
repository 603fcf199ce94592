/**
 * The `ict` prompt's market sections: hand-built levels and zones give the
 * expected lines (nearest levels per side with their distance in ATR, one
 * line per price, the time a level was taken, zones with distance and age,
 * repeats merged); the seed's prompt has no such sections; the model is asked
 * on the prompt's substance only (promptKey); on full real days every prompt
 * stays within the stated budget.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { columnsFromCsv, isoUtc } from "@ict/core";
import { describe, expect, it } from "vitest";
import { buildPrompt, createWatchlist, nyDate, PROMPT_BUDGET, promptKey, type SymbolState } from "../src/index.js";
import { HAS_SHARED, NO_SHARED_REASON, SHARED } from "../../core/test/helpers.js";

const NOW = Date.UTC(2024, 0, 3, 15, 42); // 10:42 New York
const min = (m: number) => isoUtc(NOW - m * 60_000);

const state: SymbolState = {
  symbol: "SPY",
  state: {
    htf_stage: "confirmed",
    ltf_stage: "scanning",
    bias: "bull",
    price: 100,
    eq_5m: 99,
    price_vs_eq: "premium",
    last_update_utc: isoUtc(NOW),
    confluences: [
      { id: "FVG:5m:a", kind: "FVG", tf: "5m", dir: "bull", gap: [99, 99.5], status: "active", known_time: min(30) },
      { id: "FVG:1m:b", kind: "FVG", tf: "1m", dir: "bull", gap: [99.9, 100.2], status: "active", known_time: min(3) },
      { id: "OB:5m:c", kind: "OB", tf: "5m", dir: "bear", body: [102, 102.5], status: "active", known_time: min(60) },
      { id: "OB:5m:d", kind: "OB", tf: "5m", dir: "bear", body: [102, 102.5], status: "active", known_time: min(50) },
      { id: "FVG:1m:e", kind: "FVG", tf: "1m", dir: "bear", gap: [100.6, 101], status: "filled", known_time: min(20) },
      { id: "BOS:5m:f", kind: "BOS", tf: "5m", dir: "bull", level: 99.8, status: "active", known_time: min(10) },
    ] as never,
  },
  active_confluences: ["FVG(5m bull @ 99.00–99.50)", "FVG(1m bull @ 99.90–100.20)", "OB(5m bear @ 102.00–102.50)"],
};

const features = {
  tf_5m: { atr_last: 0.5 },
  tf_1m: { atr_last: 0.1 },
  session_now: ["regular", "silver_bullet_am", "london_close"],
  levels: {
    prev_day: { day: "2024-01-02", open: 98, close: 98.5, high: 101, low: 97, high_taken_at: null, low_taken_at: null },
    overnight: { high: 101, low: 98.2, high_taken_at: null, low_taken_at: null },
    rth_open: { price: 99.6, time: isoUtc(Date.UTC(2024, 0, 3, 14, 30)), taken_at: isoUtc(Date.UTC(2024, 0, 3, 14, 41)) },
    opening_gap: {
      kind: "RTH",
      dir: "up",
      low: 98.5,
      high: 99.6,
      ce: 99.05,
      from_time: "x",
      to_time: "y",
      ce_taken_at: null,
      filled_at: null,
    },
    key: 123, // a user key level
  },
  sessions: [
    {
      name: "ny_am",
      start: isoUtc(Date.UTC(2024, 0, 3, 12)),
      end: isoUtc(Date.UTC(2024, 0, 3, 15)),
      high: 100.4,
      low: 98.9,
      high_taken_at: null,
      low_taken_at: null,
    },
    {
      name: "regular",
      start: isoUtc(Date.UTC(2024, 0, 3, 14, 30)),
      end: isoUtc(Date.UTC(2024, 0, 3, 21)),
      high: 100.4,
      low: 99.4,
      high_taken_at: null,
      low_taken_at: null,
    },
  ],
};

const section = (prompt: string, name: string) => JSON.parse(new RegExp(`## ${name}\\n([^\\n]*)`).exec(prompt)![1]!);

describe("the ict prompt's market sections", () => {
  const p = buildPrompt(state, { profile: "ict", market: { symbol: "SPY", now: NOW, features: features as never } });

  it("MARKET: symbol, New York time, price, the ATR of the distances, the current sessions", () => {
    expect(section(p, "MARKET")).toEqual({
      symbol: "SPY",
      time_et: "2024-01-03 10:42",
      price: 100,
      atr_5m: 0.5,
      session: ["regular", "silver_bullet_am", "london_close"],
    });
  });

  it("LEVELS: the nearest on each side with distance in ATR; one line per price; taken times in New York time; the gap", () => {
    expect(section(p, "LEVELS")).toEqual({
      // 100.40 is the finished ny_am session's high (the regular session is still running); PDH and ONH share 101.
      above: ["ny_am high 100.40 (+0.8 ATR)", "PDH/ONH 101.00 (+2.0 ATR)"],
      below: [
        "09:30 open 99.60 (-0.8 ATR), taken 09:41",
        "RTH gap CE 99.05 (-1.9 ATR)",
        "ny_am low 98.90 (-2.2 ATR)",
        "PDC 98.50 (-3.0 ATR)",
      ],
      gap: "RTH up 98.50-99.60, open",
    });
  });

  it("ZONES: active zones nearest first, with distance in ATR and age; repeats merged; terminal ones and breaks left out", () => {
    expect(section(p, "ZONES")).toEqual([
      "FVG(1m bull @ 99.90-100.20) price inside, 3m old",
      "FVG(5m bull @ 99.00-99.50) -1.0 ATR, 30m old",
      "OB(5m bear @ 102.00-102.50) +4.0 ATR, 60m old (x2)",
    ]);
  });

  it("the stage sections follow unchanged; promptKey is them alone, so a new clock or price does not ask the model again", () => {
    const seedLike = buildPrompt(state, { profile: "ict" });
    expect(p.endsWith(seedLike)).toBe(true);
    expect(promptKey(p)).toBe(seedLike);
    const later = buildPrompt(
      { ...state, state: { ...state.state!, price: 100.3 } },
      { profile: "ict", market: { symbol: "SPY", now: NOW + 60_000, features: features as never } },
    );
    expect(later).not.toBe(p);
    expect(promptKey(later)).toBe(promptKey(p));
    // Over 12 active confluences, the newest 12 are named and the rest counted.
    const many = { ...state, active_confluences: Array.from({ length: 15 }, (_, i) => `FVG(1m bull @ ${i}.00–${i}.50)`) };
    const listed = section(buildPrompt(many, { profile: "ict" }), "ACTIVE_CONFLUENCES");
    expect(listed).toEqual([...many.active_confluences.slice(3), "+3 older"]);
    expect(section(buildPrompt(many, { profile: "seed-v0.1" }), "ACTIVE_CONFLUENCES")).toHaveLength(15);
    expect(buildPrompt(state, { profile: "seed-v0.1", market: { symbol: "SPY", now: NOW, features: features as never } })).not.toMatch(
      /## MARKET/,
    );
  });
});

describe.skipIf(!HAS_SHARED && !process.env.CI)(`prompt budget on real days${HAS_SHARED ? "" : ` (skipped: ${NO_SHARED_REASON})`}`, () => {
  it("../shared is present (required in CI)", () => {
    expect(HAS_SHARED).toBe(true);
  });

  it(`SPY 1m extended hours, two full days after 10 days of history: every prompt within ${PROMPT_BUDGET} characters`, () => {
    const all = columnsFromCsv(
      gunzipSync(readFileSync(join(SHARED, "data/real/SPY_1m/SPY_1m_20250811_20260120_polygon_eth.csv.gz"))).toString("utf8"),
    );
    const days = [...new Set(Array.from(all.t.subarray(0, 60_000), (t) => nyDate(t)))];
    let longest = 0;
    let count = 0;
    let named = 0;
    for (const day of days.slice(10, 12)) {
      const first = Array.prototype.findIndex.call(all.t, (t: number) => nyDate(t) >= days[days.indexOf(day) - 10]!);
      const start = Array.prototype.findIndex.call(all.t, (t: number) => nyDate(t) >= day);
      let end = start;
      while (end < all.length && nyDate(all.t[end]!) === day) end++;
      const history = {
        SPY: {
          ...all,
          length: start - first,
          t: all.t.subarray(first, start),
          o: all.o.subarray(first, start),
          h: all.h.subarray(first, start),
          l: all.l.subarray(first, start),
          c: all.c.subarray(first, start),
          v: all.v.subarray(first, start),
        },
      };
      const wl = createWatchlist({ watchlist: ["SPY"], dayEt: day, history1m: history });
      for (let i = start; i < end; i++) {
        wl.push("SPY", { t: all.t[i]!, o: all.o[i]!, h: all.h[i]!, l: all.l[i]!, c: all.c[i]!, v: all.v[i]! });
        const prompt = wl.tick(all.t[i]!).prompts.SPY!;
        longest = Math.max(longest, prompt.length);
        if (/"PD[HL]\/?[^"]* \d/.test(prompt)) named++;
        count++;
        if (prompt.length > PROMPT_BUDGET) expect(prompt.length, `${isoUtc(all.t[i]!)}: ${prompt}`).toBeLessThanOrEqual(PROMPT_BUDGET);
      }
    }
    expect(count).toBeGreaterThan(1000);
    // The previous day's high or low is among the nearest levels for part of the days.
    expect(named).toBeGreaterThan(50);
    expect(longest).toBeGreaterThan(300);
    console.log(`prompt length: longest ${longest} characters over ${count} ticks (budget ${PROMPT_BUDGET})`);
  }, 240_000);
});
