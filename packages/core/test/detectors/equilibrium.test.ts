/**
 * Equilibrium and OTE: the midpoint of the dealing range (premium above,
 * discount below) and the 62–79 % retracement of the leg that broke
 * structure, measured back from the leg's end.
 */
import { describe, expect, it } from "vitest";
import { equilibrium } from "../../src/index.js";
import { at, ohlc, quiet } from "./bars.js";

// Swing high 105 (bar 2), swing low 98 (bar 6), bull BOS at bar 9 (close 106.5, high 107).
const rows: [number, number, number, number][] = [
  [100, 101, 99, 100.5],
  [100.5, 102, 100, 101.5],
  [101.5, 105, 101, 104],
  [104, 104.5, 101, 102],
  [102, 103, 100, 100.5],
  [100.5, 101, 99, 99.5],
  [99.5, 100, 98, 98.5],
  [98.5, 101.6, 98.5, 101.5],
  [101.5, 104, 101.5, 103.5],
  [103.5, 107, 103, 106.5],
];

describe("equilibrium", () => {
  it("after a bullish break the leg runs from the swing low before it (98) to the high since (107); OTE measured down from the high", () => {
    const e = equilibrium(ohlc(rows));
    expect(e.leg).toEqual({ high: 107, low: 98, dir: "bull", origin_index: 6, origin_time: at(6) });
    expect(e.eq).toBe(102.5);
    expect(e.ote![0]).toBeCloseTo(107 - 0.79 * 9, 12);
    expect(e.ote![1]).toBeCloseTo(107 - 0.62 * 9, 12);
    expect(e.ote_705).toBeCloseTo(107 - 0.705 * 9, 12);
  });
  it("the leg's end follows price: a higher high after the break extends it", () => {
    const e = equilibrium(ohlc([...rows, [106.5, 109, 106, 108.5]]));
    expect(e.leg).toMatchObject({ high: 109, low: 98, dir: "bull" });
    expect(e.eq).toBe(103.5);
  });
  it("a bearish leg mirrors it: OTE measured up from the low", () => {
    const mirror = rows.map(([o, h, l, c]) => [200 - o, 200 - l, 200 - h, 200 - c] as [number, number, number, number]);
    const e = equilibrium(ohlc(mirror));
    expect(e.leg).toMatchObject({ high: 102, low: 93, dir: "bear", origin_index: 6 });
    expect(e.ote![0]).toBeCloseTo(93 + 0.62 * 9, 12);
    expect(e.ote![1]).toBeCloseTo(93 + 0.79 * 9, 12);
  });
  it("no break yet: the range of the last `lookback` bars has an EQ but no direction, so no OTE", () => {
    const e = equilibrium(ohlc(quiet(20, 100)), { lookback: 10 });
    expect(e).toEqual({
      eq: 100,
      ote: null,
      leg: { high: 100.5, low: 99.5, dir: null, origin_index: null, origin_time: null },
      ote_705: null,
    });
  });
});
