/** ATR: the average true range, the unit every zone filter is measured in. */
import { describe, expect, it } from "vitest";
import { atr, trueRange } from "../../src/index.js";
import { ohlc } from "./bars.js";

// A quiet bar, a gap up (the range misses the previous close), a gap down.
const b = ohlc([
  [100, 101, 99, 100.5], // TR = 2 (high - low)
  [103, 104, 102.5, 103.5], // gap up: TR = 104 - 100.5 = 3.5
  [99, 99.5, 98, 98.5], // gap down: TR = 103.5 - 98 = 5.5
  [98.5, 99, 98, 98.8], // TR = 1
]);

describe("atr", () => {
  it("true range: the bar's range, widened to the previous close across a gap", () => {
    expect(Array.from(trueRange(b))).toEqual([2, 3.5, 5.5, 1]);
  });
  it("simple mean over `period` bars, partial at the start (the seed's rolling mean with min_periods=1)", () => {
    const a = atr(b, { period: 2 });
    expect(Array.from(a)).toEqual([2, (2 + 3.5) / 2, (3.5 + 5.5) / 2, (5.5 + 1) / 2]);
  });
  it("Wilder's smoothing: the mean until `period` bars, then (previous × (p − 1) + TR) / p", () => {
    const a = atr(b, { period: 2, method: "wilder" });
    expect(a[1]).toBeCloseTo((2 + 3.5) / 2, 12);
    expect(a[2]).toBeCloseTo((a[1]! * 1 + 5.5) / 2, 12);
    expect(a[3]).toBeCloseTo((a[2]! * 1 + 1) / 2, 12);
  });
  it("a bad period is a typed error naming the option", () => {
    expect(() => atr(b, { period: 0 })).toThrow(/period/);
  });
});
