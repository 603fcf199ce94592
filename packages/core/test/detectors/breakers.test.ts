/**
 * Breaker blocks: an order block that fails (closed through its far wick)
 * and is followed by a break of structure against it becomes a level in the
 * opposite role, known at that break.
 */
import { describe, expect, it } from "vitest";
import { breakerObjects } from "../../src/index.js";
import { at, OB_ROWS, ohlc, quiet, type Row } from "./bars.js";

// The bull block of bar 15 (body 99.7-100.3, low 99.5) fails at bar 19, whose
// close 99.2 also breaks the swing low 99.5 of bar 15: a bearish breaker.
const FAIL: Row[] = [...OB_ROWS, [100.2, 100.3, 99, 99.2]];

describe("breakers", () => {
  it("a failed bull block plus a bearish break is a bearish breaker at the block's body top, known at the break", () => {
    const [r] = breakerObjects(ohlc(FAIL), { tf: "1m" });
    expect(r).toMatchObject({
      dir: "bear",
      level: 100.3,
      from_ob_time: at(15),
      time: at(19),
      known_time: at(19),
      zone: [99.7, 100.3],
      ce: 100,
    });
    expect(r).toMatchObject({ active: true, invalidated_at: null });
  });
  it("a close back above the failed block's far wick (100.5) invalidates the breaker", () => {
    const b = ohlc([...FAIL, [99.2, 99.9, 99.1, 99.8], [99.8, 100.6, 99.6, 100.5], [100.5, 101, 100.4, 100.8]]);
    expect(breakerObjects(b)[0]).toMatchObject({ invalidated_at: at(22), active: false });
  });
  it("a failed block without a break against it is no breaker; a break later than breakerLookahead bars is too late", () => {
    // Quiet bars with lows at 99: the block's low 99.5 is no swing low, the last quiet bar's 99 is.
    // Bar 19 closes below the block (failed) but above 99 (no break); bar 22 breaks 99, three bars later.
    const rows: Row[] = [
      ...quiet(15, 100, 1),
      ...OB_ROWS.slice(15),
      [100.2, 100.3, 99.1, 99.2],
      ...quiet(2, 99.2, 0.1),
      [99.2, 99.3, 98.5, 98.6],
    ];
    expect(breakerObjects(ohlc(rows.slice(0, 22)))).toEqual([]);
    expect(breakerObjects(ohlc(rows), { breakerLookahead: 5 })).toMatchObject([{ dir: "bear", known_time: at(22) }]);
    expect(breakerObjects(ohlc(rows), { breakerLookahead: 2 })).toEqual([]);
  });
});
