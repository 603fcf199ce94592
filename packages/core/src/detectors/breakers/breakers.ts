import { analyse, slot } from "../../runtime/analysis.js";
import { zoneConfig, type ZoneAnalysis as Analysis, type ZoneOptions } from "../zones/zones.js";
import { withBars, type BarsInput } from "../../runtime/engine.js";
import { isoUtc } from "../../io/time.js";
import { obBufSlot, obSlot } from "../ob/ob.js";
import { structureBufSlot } from "../structure/structure.js";
import { touchIndexSlot } from "../zones/zones.js";

/** Breaker blocks as columns, in the order of their order blocks. */
export interface BreakerColumns {
  /** Index of the failed block in the order-block columns. */
  readonly ob: Int32Array;
  /** +1 bullish breaker (from a failed bearish block), -1 bearish. */
  readonly dir: Int8Array;
  /** The breaker's level: the block's body top (bearish) or bottom (bullish). */
  readonly level: Float64Array;
  /** `ict`: the bar of the break of structure that made it a breaker (when it became known); -1 for `seed-v0.1`. */
  readonly formed: Int32Array;
  /** `ict`: first close back beyond the failed block's far wick, -1 if none. */
  readonly invalidated: Int32Array;
}

/** @internal */
export function breakerColumns(a: Analysis): BreakerColumns {
  const { wb, cfg, alloc, n } = a;
  const e = wb.engine;
  const ob = a.use(obBufSlot);
  const sb = a.use(structureBufSlot);
  const i32 = e.i32;
  // The seed pairs blocks with the series' last break only (Q17).
  const lastDir = sb.ne > 0 ? i32[(sb.dir >>> 2) + sb.ne - 1]! : 0;
  const buf = () => alloc.i32(ob.g);
  const sel = buf(),
    dir = buf(),
    formed = buf(),
    invalid = buf();
  const level = alloc.f64(ob.g);
  const m = e.kernels.breakerBuild(
    wb.ptr.o,
    wb.ptr.h,
    wb.ptr.l,
    wb.ptr.c,
    n,
    ob.g,
    ob.candle,
    ob.dir,
    ob.invalidated,
    sb.bar,
    sb.dir,
    sb.ne,
    lastDir,
    cfg.breakerLookahead,
    cfg.tol,
    a.rules.breaker === "failedThenBreak" ? 1 : 0,
    sel,
    dir,
    level,
    formed,
    invalid,
    a.use(touchIndexSlot),
  );
  return {
    ob: e.readI32(sel, m),
    dir: e.readI8(dir, m),
    level: e.readF64(level, m),
    formed: e.readI32(formed, m),
    invalidated: e.readI32(invalid, m),
  };
}

/** A breaker block in the seed's record shape (`ict` adds the fields marked so). */
export interface BreakerRecord {
  tf: string;
  dir: "bull" | "bear";
  level: number;
  /** Time of the failed order block's candle. */
  from_ob_time: string;
  active: boolean;
  kind: "BB";
  /** `ict`: the break of structure that formed it (when it became known, Q18). */
  time?: string;
  known_time?: string;
  /** `ict`: the bar (0-based index into the bars) at which it became known. */
  known_index?: number;
  /** `ict`: the failed block's body [low, high] and its 50 % level. */
  zone?: [number, number];
  ce?: number;
  /** `ict`: first close back beyond the failed block's far wick. */
  invalidated_at?: string | null;
}

/** @internal */
export function breakerRecords(a: Analysis, tf: string): BreakerRecord[] {
  const bb = a.use(bbSlot);
  const ob = a.use(obSlot);
  const t = a.t;
  const wb = a.wb;
  const F = wb.engine.f64;
  const o0 = wb.ptr.o >>> 3,
    c0 = wb.ptr.c >>> 3;
  const out: BreakerRecord[] = new Array(bb.ob.length);
  for (let x = 0; x < bb.ob.length; x++) {
    const i = ob.candle[bb.ob[x]!]!;
    const r: BreakerRecord = {
      tf,
      dir: bb.dir[x]! > 0 ? "bull" : "bear",
      level: bb.level[x]!,
      from_ob_time: isoUtc(t[i]!),
      active: bb.invalidated[x]! < 0,
      kind: "BB",
    };
    if (a.rules.zoneEvents === "firstTouch") {
      const lo = Math.min(F[o0 + i]!, F[c0 + i]!);
      const hi = Math.max(F[o0 + i]!, F[c0 + i]!);
      r.time = isoUtc(t[bb.formed[x]!]!);
      r.known_time = r.time;
      r.known_index = bb.formed[x]!;
      r.zone = [lo, hi];
      r.ce = (lo + hi) / 2.0;
      r.invalidated_at = bb.invalidated[x]! >= 0 ? isoUtc(t[bb.invalidated[x]!]!) : null;
    }
    out[x] = r;
  }
  return out;
}

/**
 * Breaker blocks, as columns.
 *
 * Market rule: an order block that fails — price closes through its far
 * wick — and is followed by a break of structure against the block's
 * direction becomes a breaker in the opposite role: a failed bullish block is
 * bearish resistance when price returns to it, and vice versa. In `ict` the
 * break must come within `breakerLookahead` bars of the failure (Q17) and the
 * breaker carries its formation time (Q18). `seed-v0.1` reproduces the seed.
 */
export function breakerBlocks(bars: BarsInput, options?: ZoneOptions): BreakerColumns {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => a.use(bbSlot)));
}

/** Breaker blocks as records (see {@link breakerBlocks}). */
export function breakerObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): BreakerRecord[] {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => breakerRecords(a, options?.tf ?? "")));
}

/** @internal */
export const bbSlot = slot("bb", breakerColumns);
