import { analyse, zoneConfig, type Analysis, type ZoneOptions } from "./analysis.js";
import { resident, type BarsInput } from "./engine.js";
import { isoUtc } from "./time.js";
import { Touch, TouchQueries } from "./touch.js";

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
  const { wb, cfg, alloc } = a;
  const ob = a.ob;
  const e = wb.engine;
  const h0 = wb.ptr.h >>> 3, l0 = wb.ptr.l >>> 3, o0 = wb.ptr.o >>> 3, c0 = wb.ptr.c >>> 3;
  const nOb = ob.candle.length;
  // At most one breaker per order block.
  const sel = new Int32Array(nOb);
  const dirs = new Int8Array(nOb);
  const formed = new Int32Array(nOb);
  let m = 0;
  if (!a.ict) {
    // The seed: every invalidated block whose direction differs from the
    // opposite of the series' last BOS (Q17), whatever the timing.
    const ev = a.events;
    const last = ev.index.length ? ev.dir[ev.index.length - 1]! : 0;
    if (last !== 0) {
      const opp = -last;
      for (let j = 0; j < nOb; j++) {
        if (ob.invalidated[j]! >= 0 && ob.dir[j]! !== opp) {
          sel[m] = j;
          dirs[m] = opp;
          formed[m] = -1;
          m++;
        }
      }
    }
  } else {
    // ict: a failed block followed, within `breakerLookahead` bars, by a break of
    // structure against the block's direction (Q17); known at that break (Q18).
    let nf = 0;
    for (let j = 0; j < nOb; j++) if (ob.invalidated[j]! >= 0) nf++;
    const ev = a.events;
    if (nf > 0 && ev.index.length > 0) {
      const failed = new Int32Array(nf);
      const inval = new Int32Array(nf);
      const fdir = new Int32Array(nf);
      for (let j = 0, x = 0; j < nOb; j++) {
        if (ob.invalidated[j]! < 0) continue;
        failed[x] = j;
        inval[x] = ob.invalidated[j]!;
        fdir[x] = ob.dir[j]!;
        x++;
      }
      const out = alloc(nf * 4 + 16);
      e.kernels.breakerMatch(nf, e.putI32(alloc, inval), e.putI32(alloc, fdir), e.putI32(alloc, ev.index), e.putI32(alloc, ev.dir), ev.index.length, cfg.breakerLookahead, out);
      const match = e.readI32(out, nf);
      for (let x = 0; x < nf; x++) {
        if (match[x]! < 0) continue;
        const j = failed[x]!;
        sel[m] = j;
        dirs[m] = -ob.dir[j]!;
        formed[m] = ev.index[match[x]!]!;
        m++;
      }
    }
  }
  const F = e.f64;
  const level = new Float64Array(m);
  for (let x = 0; x < m; x++) {
    const j = sel[x]!;
    const i = ob.candle[j]!;
    // The seed's level: body top for a bearish breaker, bottom for a bullish one (the distal wick if that is 0.0).
    const v = dirs[x]! < 0 ? Math.max(F[o0 + i]!, F[c0 + i]!) : Math.min(F[o0 + i]!, F[c0 + i]!);
    level[x] = v === 0 ? (ob.dir[j]! > 0 ? F[l0 + i]! : F[h0 + i]!) : v;
  }
  const invalidated = new Int32Array(m).fill(-1);
  if (a.ict && m > 0) {
    const q = new TouchQueries(m);
    for (let x = 0; x < m; x++) {
      const i = ob.candle[sel[x]!]!;
      if (dirs[x]! < 0) q.add(formed[x]! + 1, F[h0 + i]! + cfg.tol, Touch.CloseAbove);
      else q.add(formed[x]! + 1, F[l0 + i]! - cfg.tol, Touch.CloseBelow);
    }
    invalidated.set(q.run(wb, alloc));
  }
  return { ob: sel.slice(0, m), dir: dirs.slice(0, m), level, formed: formed.slice(0, m), invalidated };
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
  /** `ict`: the failed block's body [low, high] and its 50 % level. */
  zone?: [number, number];
  ce?: number;
  /** `ict`: first close back beyond the failed block's far wick. */
  invalidated_at?: string | null;
}

/** @internal */
export function breakerRecords(a: Analysis, tf: string): BreakerRecord[] {
  const bb = a.bb;
  const ob = a.ob;
  const t = a.t;
  const wb = a.wb;
  const F = wb.engine.f64;
  const o0 = wb.ptr.o >>> 3, c0 = wb.ptr.c >>> 3;
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
    if (a.ict) {
      const lo = Math.min(F[o0 + i]!, F[c0 + i]!);
      const hi = Math.max(F[o0 + i]!, F[c0 + i]!);
      r.time = isoUtc(t[bb.formed[x]!]!);
      r.known_time = r.time;
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
  const wb = resident(bars);
  return analyse(wb, zoneConfig(options), (a) => a.bb);
}

/** Breaker blocks as records (see {@link breakerBlocks}). */
export function breakerObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): BreakerRecord[] {
  const wb = resident(bars);
  return analyse(wb, zoneConfig(options), (a) => breakerRecords(a, options?.tf ?? ""));
}
