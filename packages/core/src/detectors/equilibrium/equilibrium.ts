import { withBars, type BarsInput, type WasmBars } from "../../runtime/engine.js";
import { intOption, PROFILE_RULES } from "../../base/profile.js";
import { lastSwingsEquilibrium } from "./seed/last-swings.js";
import type { Equilibrium, EquilibriumOptions } from "./types.js";
import { structureConfig, structureFrom, type StructureConfig, type StructureEvents } from "../structure/structure.js";
import { swingsInto, type SwingBuffers } from "../swings/swings.js";
import { isoUtc } from "../../io/time.js";

export type { Equilibrium, EquilibriumOptions, Leg } from "./types.js";

/** @internal */
export function equilibriumFrom(wb: WasmBars, cfg: StructureConfig, lookback: number, sw: SwingBuffers, ev: StructureEvents): Equilibrium {
  const n = wb.length;
  const from = Math.max(0, n - lookback);
  if (PROFILE_RULES[cfg.profile].equilibriumLeg === "lastSwings") return lastSwingsEquilibrium(wb, from, sw, ev.index.length);
  if (n === 0) return { eq: null, ote: null, leg: null, ote_705: null };
  const k = wb.engine.kernels;
  const rangeHigh = () => k.maxHigh(wb.ptr.h, from, n);
  const rangeLow = () => k.minLow(wb.ptr.l, from, n);
  const ne = ev.index.length;

  if (ne === 0) {
    // No break yet: a plain range has an equilibrium but no direction, so no OTE.
    const high = rangeHigh();
    const low = rangeLow();
    return { eq: (high + low) / 2.0, ote: null, leg: { high, low, dir: null, origin_index: null, origin_time: null }, ote_705: null };
  }
  // The leg of the last break: from its origin swing (the last swing on the
  // other side, confirmed before the break) to the extreme reached since.
  const j = ne - 1;
  const dir = ev.dir[j]!;
  const brk = ev.index[j]!;
  const [low, high, origin] = wb.engine.scoped((alloc) => {
    const out = alloc(32);
    k.impulseLeg(wb.ptr.h, wb.ptr.l, n, dir, brk, dir > 0 ? sw.lo : sw.hi, dir > 0 ? sw.nLo : sw.nHi, cfg.k, lookback, out);
    const F = wb.engine.f64;
    return [F[out >>> 3]!, F[(out >>> 3) + 1]!, F[(out >>> 3) + 2]!] as const;
  });
  const range = high - low;
  const bull = dir > 0;
  const ote: [number, number] = bull ? [high - 0.79 * range, high - 0.62 * range] : [low + 0.62 * range, low + 0.79 * range];
  return {
    eq: (high + low) / 2.0,
    ote,
    leg: { high, low, dir: bull ? "bull" : "bear", origin_index: origin, origin_time: isoUtc(wb.view("t")[origin]!) },
    ote_705: bull ? high - 0.705 * range : low + 0.705 * range,
  };
}

/**
 * Equilibrium (EQ) and optimal trade entry (OTE) zone of the current leg.
 *
 * Market rule: the EQ is the leg's midpoint (premium above, discount below).
 * After a bullish leg low → high the OTE is the 62 %–79 % retracement measured
 * down from the high (70.5 % the sweet spot); after a bearish leg it is
 * measured up from the low. In the `ict` profile the leg is the move that made
 * the last break: from the last swing on the other side confirmed before the
 * break to the extreme reached since (Q10, Q11); with no break yet it is the
 * range of the last `lookback` bars, which has an EQ but no OTE.
 * `seed-v0.1` reproduces the seed: last swing high and last swing low in any
 * order, OTE always measured up from the low.
 */
export function equilibrium(bars: BarsInput, options?: EquilibriumOptions): Equilibrium {
  const cfg = structureConfig(options);
  const lookback = intOption("lookback", options?.lookback, 50, 1, 1 << 30);
  return withBars(bars, (wb) =>
    wb.engine.scoped((alloc) => {
      const sw = swingsInto(wb, cfg, alloc);
      const ev = structureFrom(wb, cfg, sw, alloc);
      return equilibriumFrom(wb, cfg, lookback, sw, ev);
    }),
  );
}
