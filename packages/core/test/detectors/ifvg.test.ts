/**
 * Inversion FVGs: a gap that price closes through has failed; when price comes
 * back to it, it works in the opposite role (a failed bullish gap is bearish
 * resistance), known at the retest.
 */
import { describe, expect, it } from "vitest";
import { ifvgObjects } from "../../src/index.js";
import { at, ohlc } from "./bars.js";

type Row = [number, number, number, number];
// A bullish gap [100, 101] (bars 0-2), closed through at bar 4 (close 99.7).
const base: Row[] = [
  [99.5, 100, 99, 99.8],
  [99.8, 102, 99.8, 101.8],
  [101.8, 102.5, 101, 102.2],
  [102.2, 102.4, 101.2, 101.5],
  [101.5, 101.6, 99.5, 99.7],
];

describe("ifvg", () => {
  it("a failed bullish gap retested from below is bearish resistance, known at the retest", () => {
    const b = ohlc([...base, [99.7, 99.9, 99.2, 99.4], [99.4, 100.4, 99.3, 99.8], [99.8, 99.9, 98.8, 99]]);
    const [r] = ifvgObjects(b, { tf: "1m" });
    expect(r).toMatchObject({
      dir: "bear",
      flip_role: "resistance",
      gap: [100, 101],
      start: at(0),
      traded_through_at: at(4),
      retested_at: at(6),
      known_time: at(6),
      invalidated_at: null,
      active: true,
    });
  });
  it("no retest, no IFVG: a gap closed through that price never returns to is only a failed gap", () => {
    const b = ohlc([...base, [99.7, 99.9, 99.2, 99.4], [99.4, 99.6, 98.9, 99]]);
    expect(ifvgObjects(b)).toEqual([]);
  });
  it("a retest later than ifvgRetestBars bars after the close through is too late", () => {
    const drift: Row[] = Array.from({ length: 4 }, () => [99.4, 99.6, 99.2, 99.4]);
    const b = ohlc([...base, ...drift, [99.4, 100.4, 99.3, 99.8]]);
    expect(ifvgObjects(b, { ifvgRetestBars: 8 })).toHaveLength(1);
    expect(ifvgObjects(b, { ifvgRetestBars: 3 })).toEqual([]);
  });
  it("a close back above the far side invalidates the resistance", () => {
    const b = ohlc([...base, [99.7, 100.4, 99.3, 99.8], [99.8, 101.5, 99.7, 101.3]]);
    expect(ifvgObjects(b)[0]).toMatchObject({ retested_at: at(5), invalidated_at: at(6), active: false });
  });
});
