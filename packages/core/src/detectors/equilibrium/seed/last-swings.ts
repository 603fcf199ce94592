import type { WasmBars } from "../../../runtime/engine.js";
import type { SwingBuffers } from "../../swings/swings.js";
import type { Equilibrium } from "../types.js";

/**
 * The seed's leg (rule `equilibriumLeg: "lastSwings"`, Q10, Q11): with a
 * last break and both kinds of swing, the last swing high and the last swing
 * low of the whole series, whatever their order; otherwise the range of the
 * last `lookback` bars. The OTE is always measured up from the low.
 */
export function lastSwingsEquilibrium(wb: WasmBars, from: number, sw: SwingBuffers, breaks: number): Equilibrium {
  const n = wb.length;
  if (n === 0) return { eq: null, ote: null, leg: null };
  const k = wb.engine.kernels;
  let high: number;
  let low: number;
  if (breaks > 0 && sw.nHi > 0 && sw.nLo > 0) {
    const i32 = wb.engine.i32;
    const f64 = wb.engine.f64;
    high = f64[(wb.ptr.h >>> 3) + i32[(sw.hi >>> 2) + sw.nHi - 1]!]!;
    low = f64[(wb.ptr.l >>> 3) + i32[(sw.lo >>> 2) + sw.nLo - 1]!]!;
  } else {
    high = k.maxHigh(wb.ptr.h, from, n);
    low = k.minLow(wb.ptr.l, from, n);
  }
  return {
    eq: (high + low) / 2.0,
    ote: [low + 0.62 * (high - low), low + 0.79 * (high - low)],
    leg: { high, low },
  };
}
