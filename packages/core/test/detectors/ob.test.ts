/**
 * Order blocks: the last opposite candle before a displacement (a move of
 * more than `displacementAtrMult` ATRs, or a break of structure), known at the
 * displacement; mitigated by a wick back into its body, invalidated by a close
 * beyond its far wick.
 */
import { describe, expect, it } from "vitest";
import { orderBlockObjects, orderBlocks } from "../../src/index.js";
import { at, OB_ROWS, ohlc, quiet, type Row } from "./bars.js";

describe("ob", () => {
  it("the last down candle before a bullish displacement is a bullish block, known at the displacement", () => {
    const [r] = orderBlockObjects(ohlc(OB_ROWS.slice(0, 17)), { tf: "1m" });
    expect(r).toMatchObject({ dir: "bull", time: at(15), body: [99.7, 100.3], distal: 99.5, ce: 100, known_time: at(16), active: true });
    expect(r).toMatchObject({ mitigated_at: null, invalidated_at: null });
  });
  it("the last up candle before a bearish displacement is a bearish block; the wick back into the bull block mitigates it", () => {
    const recs = orderBlockObjects(ohlc(OB_ROWS), { tf: "1m" });
    expect(recs.map((r) => [r.dir, r.time, r.known_time])).toEqual([
      ["bull", at(15), at(16)],
      ["bear", at(17), at(18)],
    ]);
    expect(recs[0]).toMatchObject({ mitigated_at: at(18), invalidated_at: null, active: true });
  });
  it("a close below the bull block's far wick invalidates it", () => {
    const b = ohlc([...OB_ROWS, [100.2, 100.3, 99, 99.2]]);
    expect(orderBlockObjects(b)[0]).toMatchObject({ invalidated_at: at(19), invalidated: true, active: false });
    expect(orderBlocks(b).invalidated[0]).toBe(19);
  });
  it("a move smaller than displacementAtrMult ATRs (and no break) makes no block", () => {
    expect(orderBlockObjects(ohlc(OB_ROWS.slice(0, 17)), { displacementAtrMult: 5 })).toEqual([]);
  });
  it("a candle more than obLookback bars before the displacement is not its block", () => {
    const rows: Row[] = [...quiet(14, 100), [100.3, 100.5, 99.5, 99.7], ...quiet(3, 99.7, 0.2), [99.7, 103.2, 99.6, 103]];
    expect(orderBlockObjects(ohlc(rows), { obLookback: 10 })).toHaveLength(1);
    expect(orderBlockObjects(ohlc(rows), { obLookback: 3 })).toEqual([]);
  });
});
