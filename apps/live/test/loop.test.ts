import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { virtualClock } from "../src/clock.js";
import { generateBars } from "../src/fake/bars.js";
import { nyTime } from "../src/calendar.js";
import { LiveLoop } from "../src/loop.js";
import { asColumns, expectEqualsReplay, tmp } from "./helpers.js";

describe("live loop without a network", () => {
  it("rolls over to the next New York day: each day's files equal a replay of that day", async () => {
    const symbols = ["SPY", "QQQ"];
    const d1 = generateBars({ symbols, start: nyTime("2024-03-14", "15:40"), minutes: 12, seed: 1, gapRate: 0 });
    const d2 = generateBars({ symbols, start: nyTime("2024-03-15", "09:30"), minutes: 12, seed: 2, gapRate: 0 });
    const out = tmp("rollover");
    const logs: string[] = [];
    const loop = new LiveLoop({
      symbols,
      out,
      alpaca: {
        keyId: "k",
        secretKey: "s",
        feed: "iex",
        dataUrl: "http://127.0.0.1:9",
        tradingUrl: "http://127.0.0.1:9",
        streamUrl: "ws://127.0.0.1:9/v2",
      },
      clock: virtualClock(nyTime("2024-03-14", "15:40"), 1),
      debounceMs: 0,
      log: (m) => logs.push(m),
    });
    for (const day of [d1, d2]) {
      for (let i = 0; i < 12; i++) {
        for (const S of symbols) expect(loop.ingest(S, day[S]![i]!, "b")).toBe("new");
        await new Promise((r) => setImmediate(r));
      }
    }
    // A bar of the closed day, a bad bar and an unwatched symbol are not taken.
    expect(loop.ingest("SPY", d1.SPY![3]!, "b")).toBe("ignored");
    expect(loop.ingest("SPY", { ...d2.SPY![0]!, v: -1 }, "b")).toBe("invalid");
    expect(loop.ingest("IWM", d2.SPY![0]!, "b")).toBe("ignored");
    expect(logs.some((l) => /bar SPY 2024-03-15T13:30:00.000Z \(b\) skipped: field v/.test(l))).toBe(true);
    await loop.stop();
    expect(loop.currentDay).toBe("2024-03-15");
    // One replay of both days: the second day's levels know the first (the live loop reads the first day's journal).
    const both = asColumns({ SPY: [...d1.SPY!, ...d2.SPY!], QQQ: [...d1.QQQ!, ...d2.QQQ!] }, symbols);
    await expectEqualsReplay(out, "2024-03-14", both);
    await expectEqualsReplay(out, "2024-03-15", both);
    const cap = JSON.parse(readFileSync(join(out, "data/daily_news/2024-03-15/processed/context_capsules/SPY.json"), "utf8"));
    expect(cap.features.levels.prev_day).toMatchObject({ day: "2024-03-14" });
    // Day 1's open zones are tracked into day 2 (its context carried over the night, as in the replay).
    const ctx = JSON.parse(readFileSync(join(out, "data/daily_news/2024-03-15/processed/current_context.json"), "utf8"));
    const carried = ctx.symbols.flatMap((s: any) => s.state.confluences).filter((c: any) => c.first_seen_utc < "2024-03-15");
    expect(carried.length).toBeGreaterThan(0);
  });
});
