/**
 * The incremental watchlist against the pure tick: after every bar of seeded
 * random sessions and real ones, with random late corrections of recent bars,
 * `watchlist.tick(now)` is byte for byte `tick(...)` over the same bars, clock
 * and previous context (capsules, context and prompts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { columnsFromArrays, columnsFromCsv, computeFeatures, resampleNy, sliceColumns, type Columns } from "@ict/core";
import { describe, expect, it } from "vitest";
import { createWatchlist, nyDate, tick, type ContextDoc } from "../src/index.js";
import { HAS_SHARED, NO_SHARED_REASON, rng, SHARED } from "../../core/test/helpers.js";
import { tickWalkBars } from "@ict/testkit";

interface Bar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

const barsOf = (c: Columns | ReturnType<typeof tickWalkBars>, n = (c as Columns).length ?? c.t.length): Bar[] =>
  Array.from({ length: n }, (_, i) => ({ t: c.t[i]!, o: c.o[i]!, h: c.h[i]!, l: c.l[i]!, c: c.c[i]!, v: c.v[i]! }));

const colsOf = (bars: readonly Bar[]): Columns =>
  columnsFromArrays({
    t: bars.map((b) => b.t),
    o: bars.map((b) => b.o),
    h: bars.map((b) => b.h),
    l: bars.map((b) => b.l),
    c: bars.map((b) => b.c),
    v: bars.map((b) => b.v),
  });

/**
 * Replays `sessions` (per symbol, its bars of one New York day) minute by
 * minute through both paths and compares after every minute. With
 * `revisions`, now and then a bar among the last 30 of a symbol is corrected
 * (as Alpaca's updatedBars do) before the tick.
 */
function compare(
  symbols: string[],
  sessions: Record<string, Bar[]>,
  seed: number,
  revisions: boolean,
  label: string,
  restartEvery = 0,
  history?: Record<string, Columns>,
  smtPairs?: Record<string, string>,
  start: ContextDoc | null = null,
): { revised: number; context: ContextDoc | null } {
  const r = rng(seed);
  const times = [...new Set(symbols.flatMap((s) => sessions[s]!.map((b) => b.t)))].sort((a, b) => a - b);
  const dayEt = nyDate(times[0]!);
  let wl = createWatchlist({ watchlist: symbols, dayEt, history1m: history, smtPairs, context: start });
  const known: Record<string, Bar[]> = Object.fromEntries(symbols.map((s) => [s, []]));
  const next: Record<string, number> = Object.fromEntries(symbols.map((s) => [s, 0]));
  let context: ContextDoc | null = start;
  let revised = 0;
  let minute = 0;
  for (const now of times) {
    if (restartEvery > 0 && ++minute % restartEvery === 0) {
      // A restart: a new watchlist from the last context as read back from its file, fed the bars known so far.
      wl = createWatchlist({
        watchlist: symbols,
        dayEt,
        context: JSON.parse(JSON.stringify(context)) as ContextDoc,
        history1m: history,
        smtPairs,
      });
      for (const s of symbols) for (const b of known[s]!) wl.push(s, b);
    }
    for (const s of symbols) {
      const b = sessions[s]![next[s]!];
      if (b !== undefined && b.t === now) {
        known[s]!.push({ ...b });
        wl.push(s, b);
        next[s]!++;
      }
    }
    if (revisions && r() < 0.15) {
      const s = symbols[Math.floor(r() * symbols.length)]!;
      const k = known[s]!;
      if (k.length > 0) {
        const at = k.length - 1 - Math.floor(r() * Math.min(30, k.length));
        const b = k[at]!;
        // A corrected print: the close moves inside a widened range, volume changes.
        const bump = Math.round((r() - 0.5) * 60) / 100;
        const c = Math.max(0.01, Math.round((b.c + bump) * 100) / 100);
        k[at] = { ...b, c, h: Math.max(b.h, c), l: Math.min(b.l, c), v: b.v + Math.floor(r() * 500) };
        wl.push(s, k[at]!);
        revised++;
      }
    }
    const want = tick({
      watchlist: symbols,
      bars1m: Object.fromEntries(symbols.map((s) => [s, colsOf(known[s]!)])),
      now,
      dayEt,
      context,
      history1m: history,
      smtPairs,
    });
    const got = wl.tick(now);
    const a = JSON.stringify(got),
      b = JSON.stringify(want);
    if (a !== b) expect(got, `${label}: tick at ${new Date(now).toISOString()}`).toEqual(want);
    expect(a.length).toBe(b.length);
    context = want.context;
  }
  return { revised, context };
}

/** A seeded random session per symbol, each missing a few random minutes (thin prints). */
function randomSession(symbols: string[], n: number, seed: number): Record<string, Bar[]> {
  const r = rng(seed * 7 + 1);
  return Object.fromEntries(symbols.map((s, k) => [s, barsOf(tickWalkBars(n, seed * 31 + k)).filter((_, i) => i === 0 || r() > 0.03)]));
}

describe("createWatchlist equals tick on every prefix", () => {
  const symbols = ["SPY", "QQQ", "IWM"];
  for (const seed of [1, 2, 3]) {
    it(`seeded random session ${seed} (SPY, QQQ, IWM; SMT against SPY), with late corrections`, () => {
      const { revised } = compare(symbols, randomSession(symbols, seed === 1 ? 390 : 160, seed), seed, true, `seed ${seed}`);
      expect(revised).toBeGreaterThan(5);
    }, 240_000);
  }

  it("a watchlist started mid-session from the JSON context and the bars so far continues as tick (restarts every 37 minutes)", () => {
    const { revised } = compare(symbols, randomSession(symbols, 300, 5), 5, true, "restarts", 37);
    expect(revised).toBeGreaterThan(5);
  }, 240_000);

  it("with the previous days as history: levels (previous day and week, gaps) and sessions equal tick's", () => {
    // Three seeded sessions on consecutive days; the first two are the history of the third.
    const days = [0, 1, 2].map((d) => randomSession(symbols, 390, 20 + d));
    const shift = (bars: Bar[], d: number) => bars.map((b) => ({ ...b, t: b.t + d * 86_400_000 }));
    const history = Object.fromEntries(symbols.map((s) => [s, colsOf([...shift(days[0]![s]!, -2), ...shift(days[1]![s]!, -1)])]));
    const today = Object.fromEntries(symbols.map((s) => [s, days[2]![s]!.slice(0, 200)]));
    compare(symbols, today, 20, true, "history", 0, history);
    const wl = createWatchlist({ watchlist: symbols, dayEt: nyDate(today.SPY![0]!.t), history1m: history });
    for (const b of today.SPY!) wl.push("SPY", b);
    const f = wl.tick(today.SPY![199]!.t).capsules.SPY!.features;
    expect(f.levels).toMatchObject({ instrument: "equity", prev_day: { day: nyDate(today.SPY![0]!.t - 86_400_000) } });
    expect(f.sessions!.map((x) => x.name)).toContain("regular");
    expect(f.session_now!.length).toBeGreaterThan(0);
  }, 240_000);

  it("three days in a row, each from the previous day's last context with the days before as history (zones carried overnight)", () => {
    const days = [0, 1, 2].map((d) => randomSession(symbols, 390, 40 + d));
    const shift = (bars: Bar[], d: number) => bars.map((b) => ({ ...b, t: b.t + d * 86_400_000 }));
    // Consecutive New York days (a Tuesday to Thursday), each continuing from the previous close.
    const sessions = days.map((d, k) => Object.fromEntries(symbols.map((s) => [s, shift(d[s]!, k)])));
    let context: ContextDoc | null = null;
    let carried = 0;
    for (let k = 0; k < 3; k++) {
      const history = k === 0 ? undefined : Object.fromEntries(symbols.map((s) => [s, colsOf(sessions.slice(0, k).flatMap((d) => d[s]!))]));
      if (context !== null)
        carried += context.symbols.flatMap((x) => x.state?.confluences ?? []).filter((c) => c.status === "active").length;
      const start: ContextDoc | null = context === null ? null : (JSON.parse(JSON.stringify(context)) as ContextDoc);
      ({ context } = compare(symbols, sessions[k]!, 40 + k, k === 2, `day ${k + 1}`, 0, history, undefined, start));
    }
    expect(carried).toBeGreaterThan(0);
  }, 240_000);

  it("futures (ES, NQ): the daily and 4h buckets run from 18:00 New York (the CME day), across midnight, equal tick; daily ATR from an independent grouping", () => {
    const ny = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00Z`) + 5 * 3_600_000; // January: EST
    const minutes = (day: string, from: string, to: string) => {
      const out: number[] = [];
      for (let t = ny(day, from); t < ny(day, to); t += 60_000) out.push(t);
      return out;
    };
    // Around the clock but the 17:00-18:00 halt.
    const fullDay = (day: string) => [...minutes(day, "00:00", "17:00"), ...minutes(day, "18:00", "23:59"), ny(day, "23:59")];
    const priced = (times: number[], seed: number): Bar[] => {
      const w = barsOf(tickWalkBars(times.length, seed));
      return w.map((b, i) => ({ ...b, t: times[i]! }));
    };
    const fut = ["ES", "NQ"];
    const hist = Object.fromEntries(fut.map((s, k) => [s, priced([...fullDay("2024-01-08"), ...fullDay("2024-01-09")], 60 + k)]));
    // The day: past midnight (a bucket begun at 18:00 the evening before), the close into the halt, the next CME day's open.
    const times = [
      ...minutes("2024-01-10", "00:00", "01:30"),
      ...minutes("2024-01-10", "16:30", "17:00"),
      ...minutes("2024-01-10", "18:00", "19:00"),
    ];
    const today = Object.fromEntries(fut.map((s, k) => [s, priced(times, 70 + k)]));
    const history = Object.fromEntries(fut.map((s) => [s, colsOf(hist[s]!)]));
    compare(fut, today, 60, true, "futures", 0, history, { NQ: "ES" });
    // The daily ATR in the capsule is that of bars grouped by CME day (18:00 to 17:00), computed apart.
    const out = tick({
      watchlist: fut,
      bars1m: { ES: colsOf(today.ES!), NQ: colsOf(today.NQ!) },
      now: times.at(-1)!,
      history1m: history,
      smtPairs: { NQ: "ES" },
    });
    const all = [...hist.ES!, ...today.ES!];
    const cme = new Map<string, Bar[]>();
    for (const b of all) {
      const local = new Date(b.t - 5 * 3_600_000);
      const key = new Date(local.getTime() + (local.getUTCHours() >= 18 ? 86_400_000 : 0)).toISOString().slice(0, 10);
      cme.set(key, [...(cme.get(key) ?? []), b]);
    }
    const daily = [...cme.entries()].map(([day, bs]) => ({
      t: ny(day, "00:00") - 6 * 3_600_000,
      o: bs[0]!.o,
      h: Math.max(...bs.map((b) => b.h)),
      l: Math.min(...bs.map((b) => b.l)),
      c: bs.at(-1)!.c,
      v: bs.reduce((a, b) => a + b.v, 0),
    }));
    expect(daily).toHaveLength(4); // the 8th, 9th, 10th and the 11th (opened at 18:00 on the 10th)
    expect(out.capsules.ES!.features.htf!["1d"].atr_last).toBe(computeFeatures(colsOf(daily), { tf: "1d" }).atr_last);
    // A midnight-aligned daily bar would differ.
    expect(out.capsules.ES!.features.htf!["1d"].atr_last).not.toBe(computeFeatures(resampleNy(colsOf(all), 1440), { tf: "1d" }).atr_last);
  }, 240_000);

  it("configured SMT pairs (SPY and IWM against QQQ): records name both symbols; a pair outside the watchlist is refused", () => {
    const sessions = randomSession(symbols, 200, 31);
    compare(symbols, sessions, 31, true, "pairs", 0, undefined, { SPY: "QQQ", IWM: "QQQ" });
    const wl = createWatchlist({ watchlist: symbols, dayEt: nyDate(sessions.SPY![0]!.t), smtPairs: { SPY: "QQQ" } });
    for (const b of sessions.SPY!) wl.push("SPY", b);
    for (const b of sessions.QQQ!) wl.push("QQQ", b);
    const out = wl.tick(sessions.SPY!.at(-1)!.t);
    const pairs = new Set(out.capsules.SPY!.features.smt.map((r) => (r as { pair?: string }).pair));
    expect([...pairs]).toEqual(["SPY/QQQ"]);
    expect(out.capsules.QQQ!.features.smt).toEqual([]);
    expect(() => createWatchlist({ watchlist: symbols, dayEt: "2024-01-02", smtPairs: { NQ: "ES" } })).toThrow(/smtPairs.*NQ/);
    expect(() => tick({ watchlist: ["SPY"], bars1m: {}, now: 0, dayEt: "2024-01-02", smtPairs: { SPY: "SPY" } })).toThrow(
      /two different symbols/,
    );
  }, 240_000);

  it("a symbol without bars, and a symbol whose reference has none yet", () => {
    const s = randomSession(["QQQ"], 40, 9);
    compare(["SPY", "QQQ", "IWM"], { SPY: [], QQQ: s.QQQ!, IWM: [] }, 9, false, "sparse");
  });

  it("refuses the seed's profile, bars out of order and a bad bar (nothing half-pushed)", () => {
    expect(() => createWatchlist({ watchlist: ["SPY"], dayEt: "2024-01-02", profile: "seed-v0.1" as never })).toThrow(/not incremental/);
    const wl = createWatchlist({ watchlist: ["SPY"], dayEt: "2024-01-02" });
    const [a, b] = barsOf(tickWalkBars(2, 4));
    wl.push("SPY", b!);
    expect(() => wl.push("SPY", a!)).toThrow(/revises no bar/);
    expect(() => wl.push("SPY", { ...b!, h: b!.l - 1 })).toThrow();
    const want = tick({ watchlist: ["SPY"], bars1m: { SPY: colsOf([b!]) }, now: b!.t, dayEt: "2024-01-02" });
    expect(JSON.stringify(wl.tick(b!.t))).toBe(JSON.stringify(want));
    expect(() => createWatchlist({ watchlist: ["../x"], dayEt: "2024-01-02" })).toThrow(/invalid symbol/);
  });
});

describe.skipIf(!HAS_SHARED && !process.env.CI)(`real sessions${HAS_SHARED ? "" : ` (skipped: ${NO_SHARED_REASON})`}`, () => {
  it("../shared is present (required in CI)", () => {
    expect(HAS_SHARED).toBe(true);
  });

  it("SPY and QQQ extended hours on 2025-11-04 after 10 days across the DST change: 15m/1h/4h/1d and levels equal tick every 15 minutes", () => {
    const symbols = ["SPY", "QQQ"];
    const all: Record<string, Columns> = {};
    for (const s of symbols)
      all[s] = columnsFromCsv(
        gunzipSync(readFileSync(join(SHARED, `data/real/${s}_1m/${s}_1m_20250811_20260120_polygon_eth.csv.gz`))).toString("utf8"),
      );
    const day = "2025-11-04";
    const history: Record<string, Columns> = {};
    const today: Record<string, Bar[]> = {};
    for (const s of symbols) {
      const c = all[s]!;
      const first = Array.prototype.findIndex.call(c.t, (t: number) => nyDate(t) >= "2025-10-21");
      const start = Array.prototype.findIndex.call(c.t, (t: number) => nyDate(t) >= day);
      let end = start;
      while (end < c.length && nyDate(c.t[end]!) === day) end++;
      history[s] = sliceColumns(c, first, start);
      today[s] = barsOf(sliceColumns(c, start, end));
    }
    const wl = createWatchlist({ watchlist: symbols, dayEt: day, history1m: history });
    const times = [...new Set(symbols.flatMap((s) => today[s]!.map((b) => b.t)))].sort((a, b) => a - b);
    const known: Record<string, Bar[]> = { SPY: [], QQQ: [] };
    let context: ContextDoc | null = null;
    let compared = 0;
    for (const [k, now] of times.entries()) {
      for (const s of symbols) {
        const b = today[s]!.find((x) => x.t === now);
        if (b) {
          known[s]!.push(b);
          wl.push(s, b);
        }
      }
      const got = wl.tick(now);
      if (k % 15 === 14 || k === times.length - 1) {
        const want = tick({
          watchlist: symbols,
          bars1m: Object.fromEntries(symbols.map((s) => [s, colsOf(known[s]!)])),
          now,
          dayEt: day,
          context,
          history1m: history,
        });
        expect(JSON.stringify(got.capsules), new Date(now).toISOString()).toBe(JSON.stringify(want.capsules));
        expect(JSON.stringify(got.prompts)).toBe(JSON.stringify(want.prompts));
        compared++;
      }
      // The context chains from the watchlist's own previous tick, which equals tick's (checked on the capsules above and in the other tests).
      context = JSON.parse(JSON.stringify(got.context)) as ContextDoc;
    }
    expect(compared).toBeGreaterThan(40);
    const f = wl.tick(times[times.length - 1]!).capsules.SPY!.features;
    expect(Object.keys(f.htf!)).toEqual(["15m", "1h", "4h", "1d"]);
    expect(f.htf!["1d"].ms).toBeDefined();
  }, 240_000);

  it("SPY, QQQ and IWM 1m, two real sessions, every minute, with late corrections", () => {
    const symbols = ["SPY", "QQQ", "IWM"];
    const all: Record<string, Columns> = {};
    for (const s of symbols) {
      const dir = join(SHARED, "data", "real", `${s}_1m`);
      all[s] = columnsFromCsv(
        readFileSync(
          join(
            dir,
            readdirSync(dir).find((f) => f.endsWith("_yahoo.csv"))!,
          ),
          "utf8",
        ),
      );
    }
    const days = [...new Set(Array.from(all.SPY!.t, (t) => nyDate(t)))].slice(0, 2);
    for (const day of days) {
      const sessions = Object.fromEntries(
        symbols.map((s) => {
          const c = all[s]!;
          const idx = Array.from(c.t.keys()).filter((i) => nyDate(c.t[i]!) === day);
          return [s, barsOf(sliceColumns(c, idx[0]!, idx[idx.length - 1]! + 1))];
        }),
      );
      compare(symbols, sessions, day.length, true, `real ${day}`);
    }
  }, 600_000);
});
