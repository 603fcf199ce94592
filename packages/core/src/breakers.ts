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
  const F = () => e.f64;
  const h0 = wb.ptr.h >>> 3, l0 = wb.ptr.l >>> 3, o0 = wb.ptr.o >>> 3, c0 = wb.ptr.c >>> 3;
  const bodyTop = (i: number) => Math.max(F()[o0 + i]!, F()[c0 + i]!);
  const bodyBottom = (i: number) => Math.min(F()[o0 + i]!, F()[c0 + i]!);
  const sel: number[] = [];
  const dirs: number[] = [];
  const formed: number[] = [];
  if (!a.ict) {
    // The seed: every invalidated block whose direction differs from the
    // opposite of the series' last BOS (Q17), whatever the timing.
    const ev = a.events;
    const last = ev.index.length ? ev.dir[ev.index.length - 1]! : 0;
    if (last !== 0) {
      const opp = -last;
      for (let j = 0; j < ob.candle.length; j++) {
        if (ob.invalidated[j]! >= 0 && ob.dir[j]! !== opp) {
          sel.push(j);
          dirs.push(opp);
          formed.push(-1);
        }
      }
    }
  } else {
    // ict: a failed block followed, within `breakerLookahead` bars, by a break of
    // structure against the block's direction (Q17); known at that break (Q18).
    const failed: number[] = [];
    for (let j = 0; j < ob.candle.length; j++) if (ob.invalidated[j]! >= 0) failed.push(j);
    const ev = a.events;
    if (failed.length > 0 && ev.index.length > 0) {
      const out = alloc(failed.length * 4 + 16);
      e.kernels.breakerMatch(
        failed.length,
        e.putI32(alloc, failed.map((j) => ob.invalidated[j]!)),
        e.putI32(alloc, failed.map((j) => ob.dir[j]!)),
        e.putI32(alloc, ev.index),
        e.putI32(alloc, ev.dir),
        ev.index.length,
        cfg.breakerLookahead,
        out,
      );
      const m = e.readI32(out, failed.length);
      failed.forEach((j, x) => {
        if (m[x]! >= 0) {
          sel.push(j);
          dirs.push(-ob.dir[j]!);
          formed.push(ev.index[m[x]!]!);
        }
      });
    }
  }
  const level = Float64Array.from(sel, (j, x) => {
    const i = ob.candle[j]!;
    // The seed's level: body top for a bearish breaker, bottom for a bullish one (the distal wick if that is 0.0).
    const v = dirs[x]! < 0 ? bodyTop(i) : bodyBottom(i);
    return v === 0 ? (ob.dir[j]! > 0 ? F()[l0 + i]! : F()[h0 + i]!) : v;
  });
  const invalidated = new Int32Array(sel.length).fill(-1);
  if (a.ict && sel.length > 0) {
    const q = new TouchQueries();
    sel.forEach((j, x) => {
      const i = ob.candle[j]!;
      if (dirs[x]! < 0) q.add(formed[x]! + 1, F()[h0 + i]! + cfg.tol, Touch.CloseAbove);
      else q.add(formed[x]! + 1, F()[l0 + i]! - cfg.tol, Touch.CloseBelow);
    });
    invalidated.set(q.run(wb, alloc));
  }
  return { ob: Int32Array.from(sel), dir: Int8Array.from(dirs), level, formed: Int32Array.from(formed), invalidated };
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
