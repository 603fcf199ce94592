/** Swings: a high with `k` lower highs on each side (a low likewise), known only k bars later. */
import { describe, expect, it } from "vitest";
import { swingPoints, swings } from "../../src/index.js";
import { at, ohlc } from "./bars.js";

const bar = (h: number, l: number) => [(h + l) / 2, h, l, (h + l) / 2] as const;

describe("swings", () => {
  it("a peak with two lower highs each side is a swing high, known at its confirmation bar (k = 2)", () => {
    const b = ohlc([bar(101, 99), bar(102, 100), bar(105, 101), bar(103, 100), bar(102, 99), bar(101, 98)]);
    const s = swings(b);
    expect(Array.from(s.highs)).toEqual([2]);
    const p = swingPoints(b).find((x) => x.kind === "high")!;
    expect(p).toMatchObject({ index: 2, price: 105, time: at(2), known_index: 4, known_time: at(4) });
  });
  it("a trough likewise is a swing low", () => {
    const b = ohlc([bar(105, 103), bar(104, 102), bar(103, 99), bar(104, 101), bar(105, 102)]);
    expect(swingPoints(b)).toEqual([{ kind: "low", index: 2, price: 99, time: at(2), known_index: 4, known_time: at(4) }]);
  });
  it("no swing before k bars have followed it: the last bars of a series cannot be swings yet", () => {
    const b = ohlc([bar(101, 99), bar(102, 100), bar(105, 101), bar(103, 100)]);
    expect(swingPoints(b)).toEqual([]);
  });
  it("a double top: the later equal high is the swing in ict (equalPivots 'later'); strict pivots see none", () => {
    const b = ohlc([bar(101, 99), bar(102, 100), bar(105, 101), bar(105, 101), bar(103, 100), bar(102, 99)]);
    expect(Array.from(swings(b).highs)).toEqual([3]);
    expect(Array.from(swings(b, { equalPivots: "strict" }).highs)).toEqual([]);
  });
  it("k sets the bars needed on each side", () => {
    const b = ohlc([bar(101, 99), bar(105, 101), bar(103, 100), bar(104, 100), bar(102, 99)]);
    expect(Array.from(swings(b, { k: 1 }).highs)).toEqual([1, 3]);
    expect(Array.from(swings(b, { k: 2 }).highs)).toEqual([]);
  });
});
