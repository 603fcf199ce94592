import { describe, expect, it } from "vitest";
import { allFaults, runDemo } from "../src/demo.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nyTime } from "../src/calendar.js";
import { generateBars } from "../src/fake/bars.js";
import { FakeAlpaca } from "../src/fake/server.js";
import { journalPath } from "../src/barstore.js";
import { asColumns, expectEqualsReplay, tmp } from "./helpers.js";

const SYMBOLS = ["SPY", "QQQ", "IWM"];

describe("live loop against the fake Alpaca, every fault injected", () => {
  it("receives every served bar exactly once, skips malformed frames, and writes what a replay of the same bars writes", async () => {
    const out = tmp("e2e");
    const logs: string[] = [];
    const minutes = 50;
    let fakeRef: FakeAlpaca | null = null;
    const res = await runDemo({
      out,
      symbols: SYMBOLS,
      minutes,
      speed: 400,
      faults: true,
      log: (m) => logs.push(m),
      fake: { seed: 11 },
      onFake: (f) => (fakeRef = f),
    });
    const fake = fakeRef!;
    // Every fault happened...
    const kinds = new Set(allFaults(minutes).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(["drop", "duplicate", "malformed", "reject406", "rest429", "rest500", "silent"]);
    expect(res.fake.drops).toBeGreaterThanOrEqual(1);
    expect(res.fake.silences).toBeGreaterThanOrEqual(1);
    expect(res.fake.rejected406).toBeGreaterThanOrEqual(1);
    expect(res.fake.rest429).toBe(2);
    expect(res.fake.rest500).toBe(2);
    expect(res.fake.malformedSent).toBeGreaterThan(0);
    expect(res.fake.streamUpdates).toBeGreaterThan(0);
    // ...and was survived: reconnects, 406 waits, REST retries, corrections.
    expect(res.summary.stream.reconnects).toBeGreaterThanOrEqual(3);
    expect(res.summary.stream.limitErrors).toBeGreaterThanOrEqual(1);
    expect(res.summary.stream.watchdogKills).toBeGreaterThanOrEqual(1);
    expect(res.summary.rest.rateLimited).toBe(2);
    expect(res.summary.rest.serverErrors).toBe(2);
    expect(res.summary.corrected).toBeGreaterThan(0);
    expect(res.summary.chain.rewinds).toBeGreaterThan(0);
    // Malformed frames and invalid bars are logged (symbol, time, field) and skipped.
    expect(res.summary.stream.malformed).toBeGreaterThan(0);
    expect(res.summary.invalid).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes("malformed frame skipped (not JSON"))).toBe(true);
    expect(logs.some((l) => /bar SPY 2024-03-15T13:30:00.000Z \(b\) skipped: field v: /.test(l))).toBe(true);
    // Bars with the open outside the high-low range (as Alpaca sends some) were repaired and kept, not dropped.
    const served = Object.values(fake.served()).flat();
    const outside = served.filter((b) => b.o > b.h || b.o < b.l).length;
    expect(outside).toBeGreaterThan(5);
    expect(res.summary.repaired).toBeGreaterThanOrEqual(outside);
    // Live keys on the default paper host: the calendar came from the live host (the paper host answered 403).
    expect(res.tradingUrl).toBe(fake.urls.liveTradingUrl);
    expect(res.fake.calendarRequests).toBeGreaterThanOrEqual(2);
    expect(logs.some((l) => l.includes("refused the keys for the calendar (HTTP 403)"))).toBe(true);
    expect(logs.some((l) => l.includes("assuming weekdays"))).toBe(false);
    // Four bar-less minutes in a row: no watchdog kill beyond the silent-socket faults.
    expect(res.summary.stream.watchdogKills).toBeLessThanOrEqual(res.fake.silences);
    // Exactly once: every served bar with its final values, none journaled twice, nothing left for the reconciliation.
    expect(res.counts.served).toBe(fake.barCount);
    expect(res.counts.served).toBeGreaterThan(120);
    expect(res.counts).toMatchObject({ missing: 0, duplicated: 0 });
    expect(res.counts.received).toBe(res.counts.served);
    expect(res.reconcileFixed).toBe(0);
    expect(res.summary.duplicates).toBeGreaterThan(0);
    // The re-sent original of a corrected bar was recognised as stale.
    expect(res.summary.stale).toBeGreaterThan(0);
    // The files equal a replay of the final bars.
    await expectEqualsReplay(out, fake.day, asColumns(fake.served(), SYMBOLS));
  });
});

describe("live loop's first start on an empty folder (ict)", () => {
  it("fetches the earlier days over REST into their journals: the first day knows yesterday (levels, zones) as a replay from that day does", async () => {
    const out = tmp("history");
    const logs: string[] = [];
    // Two full earlier sessions, served over REST only.
    const d13 = generateBars({ symbols: SYMBOLS, start: nyTime("2024-03-13", "09:30"), minutes: 390, seed: 5, gapRate: 0 });
    const d14 = generateBars({ symbols: SYMBOLS, start: nyTime("2024-03-14", "09:30"), minutes: 390, seed: 6, gapRate: 0 });
    const history = Object.fromEntries(SYMBOLS.map((s) => [s, [...d13[s]!, ...d14[s]!]]));
    let fakeRef: FakeAlpaca | null = null;
    await runDemo({
      out,
      symbols: SYMBOLS,
      minutes: 20,
      speed: 400,
      faults: false,
      log: (m) => logs.push(m),
      fake: { seed: 12, history },
      onFake: (f) => (fakeRef = f),
    });
    const fake = fakeRef!;
    expect(
      logs.some((l) => /history: 2 earlier days \(2340 bars\) fetched over REST/.test(l)),
      logs.join("\n"),
    ).toBe(true);
    for (const d of ["2024-03-13", "2024-03-14"]) expect(existsSync(journalPath(out, d))).toBe(true);
    const cap = JSON.parse(readFileSync(join(out, "data/daily_news/2024-03-15/processed/context_capsules/SPY.json"), "utf8"));
    expect(cap.features.levels.prev_day).toMatchObject({ day: "2024-03-14" });
    // The same files as a replay of the 15th with the earlier days as its history.
    const all = Object.fromEntries(SYMBOLS.map((s) => [s, [...history[s]!, ...fake.served()[s]!]]));
    await expectEqualsReplay(out, fake.day, asColumns(all, SYMBOLS), "2024-03-15");
  });
});
