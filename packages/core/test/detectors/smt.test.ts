/**
 * SMT divergence: correlated instruments should confirm each other's swings.
 * One making a higher high while the other makes a lower high is bearish
 * (the rally lacks participation); a lower low against a higher low bullish.
 */
import { describe, expect, it } from "vitest";
import { smtObjects } from "../../src/index.js";
import { at, ohlc, type Row } from "./bars.js";

/** Bars whose highs are `highs` (lows 2 below, open = close = midpoint), scaled by `s`. */
const fromHighs = (highs: number[], s = 1): Row[] => highs.map((h) => [(h - 1) * s, h * s, (h - 2) * s, (h - 1) * s]);

// Swing highs at bars 2 and 7 in both; the primary's second is higher, the reference's lower.
const P = [100, 102, 105, 103, 101, 102, 103, 106, 104, 102, 101];
const R = [100, 102, 105, 103, 101, 102, 103, 104, 103, 101, 100];

describe("smt", () => {
  it("primary higher high, reference lower high: bearish, known when the later swing is confirmed (bar 9)", () => {
    const recs = smtObjects(ohlc(fromHighs(P)), ohlc(fromHighs(R)), { names: { primary: "QQQ", ref: "SPY" } });
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      pair: "QQQ/SPY",
      type: "bear",
      dir: "bear",
      time: at(9),
      known_time: at(9),
      known_index: 9,
      leader: "primary",
    });
    expect(recs[0]!.primary).toEqual({ prev: 105, last: 106, time: at(7) });
    expect(recs[0]!.ref).toEqual({ prev: 105, last: 104, time: at(7) });
  });
  it("the same divergence whatever the reference's price level: each instrument is compared with its own previous swing", () => {
    const a = smtObjects(ohlc(fromHighs(P)), ohlc(fromHighs(R)));
    const b = smtObjects(ohlc(fromHighs(P)), ohlc(fromHighs(R, 4.37)));
    expect(b.map((r) => [r.type, r.time, r.leader])).toEqual(a.map((r) => [r.type, r.time, r.leader]));
  });
  it("both making higher highs is confirmation, not divergence", () => {
    expect(smtObjects(ohlc(fromHighs(P)), ohlc(fromHighs(P)))).toEqual([]);
  });
  it("lows mirror it: a lower low against a higher low is bullish", () => {
    const mirror = (xs: number[]) => fromHighs(xs).map(([o, h, l, c]) => [300 - o, 300 - l, 300 - h, 300 - c] as Row);
    const recs = smtObjects(ohlc(mirror(P)), ohlc(mirror(R)));
    expect(recs.map((r) => [r.type, r.time])).toEqual([["bull", at(9)]]);
  });
  it("invalidated by the primary's first close beyond the extreme of its two swings (a bearish SMT above its higher high), causally", () => {
    // After the divergence the primary closes at 106 (at the level: not beyond), then at 107 (beyond: bar 13).
    const P2 = [...P, 104, 107, 108];
    const R2 = [...R, 101, 102, 103];
    const full = smtObjects(ohlc(fromHighs(P2)), ohlc(fromHighs(R2)))[0]!;
    expect(full).toMatchObject({ type: "bear", known_index: 9, level: 106, invalidated_at: at(13) });
    // Known only from bar 13 on: the prefix up to bar 12 has no end yet.
    const before = smtObjects(ohlc(fromHighs(P2.slice(0, 13))), ohlc(fromHighs(R2.slice(0, 13))))[0]!;
    expect(before).toMatchObject({ known_index: 9, level: 106, invalidated_at: null });
    // Bullish mirror: below the lower low.
    const mirror = (xs: number[]) => fromHighs(xs).map(([o, h, l, c]) => [300 - o, 300 - l, 300 - h, 300 - c] as Row);
    expect(smtObjects(ohlc(mirror(P2)), ohlc(mirror(R2)))[0]).toMatchObject({ type: "bull", level: 194, invalidated_at: at(13) });
    // The seed's records have no end.
    expect(smtObjects(ohlc(fromHighs(P2)), ohlc(fromHighs(R2)), { profile: "seed-v0.1" }).every((r) => !("invalidated_at" in r))).toBe(
      true,
    );
  });
});
