import type { ZoneAnalysis } from "../../zones/zones.js";
import { swingsSlot } from "../../swings/swings.js";

/**
 * The seed's order-block prelude (rule `orderBlock: "adjacentCandle"`, Q05):
 * every candle is compared with the LAST swing high and the LAST swing low of
 * the whole series (NaN when there is none), a level the series only knows at
 * its end.
 */
export function lastSwingLevels(a: ZoneAnalysis): [high: number, low: number] {
  const e = a.wb.engine;
  const s = a.use(swingsSlot);
  const high = s.nHi > 0 ? e.f64[(a.wb.ptr.h >>> 3) + e.i32[(s.hi >>> 2) + s.nHi - 1]!]! : NaN;
  const low = s.nLo > 0 ? e.f64[(a.wb.ptr.l >>> 3) + e.i32[(s.lo >>> 2) + s.nLo - 1]!]! : NaN;
  return [high, low];
}
