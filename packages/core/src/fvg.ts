import { analyse, zoneConfig, type Analysis, type ZoneOptions } from "./analysis.js";
import { resident, type BarsInput } from "./engine.js";
import { isoUtc } from "./time.js";
import { Touch, TouchQueries } from "./touch.js";

/**
 * Fair value gaps as columns, by middle candle. Event columns hold the bar at
 * which the event happened, -1 if it has not (yet). With `seed-v0.1` the only
 * judgement is the seed's: against the last close, so `filled` and `traded`
 * are either the last bar or -1, and `mitigated` is always -1.
 */
export interface FvgColumns {
  /** Middle candle i: the gap spans candles i-1..i+1 and exists from the close of i+1. */
  readonly mid: Int32Array;
  /** +1 bullish, -1 bearish. */
  readonly dir: Int8Array;
  /** Lower and upper edge of the gap. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** First bar whose wick trades into the gap. */
  readonly mitigated: Int32Array;
  /** First bar that reaches the fill level (the 50 % level, or the far edge with `fillPolicy: "full"`). */
  readonly filled: Int32Array;
  /** First bar that closes beyond the far edge (the gap failed; see IFVG). */
  readonly traded: Int32Array;
}

/** @internal */
export function fvgColumns(a: Analysis): FvgColumns {
  const { wb, cfg, alloc, n } = a;
  const e = wb.engine;
  const k = e.kernels;
  const midP = alloc(n * 4 + 16);
  const dirP = alloc(n * 4 + 16);
  const loP = alloc(n * 8 + 16);
  const hiP = alloc(n * 8 + 16);
  const useMin = a.ict && cfg.minGapAtr > 0;
  const g = k.fvgDetect(wb.ptr.h, wb.ptr.l, n, cfg.tol, useMin ? a.atrPtr : 0, useMin ? cfg.minGapAtr : 0, midP, dirP, loP, hiP);
  const mid = e.readI32(midP, g);
  const dir = e.readI8(dirP, g);
  const lo = e.readF64(loP, g);
  const hi = e.readF64(hiP, g);
  const mitigated = new Int32Array(g).fill(-1);
  const filled = new Int32Array(g).fill(-1);
  const traded = new Int32Array(g).fill(-1);
  const tol = cfg.tol;
  const midline = cfg.fillPolicy === "midline";
  if (!a.ict) {
    // The seed: status against the last close only (Q12, Q13).
    const last = n - 1;
    const cl = n > 0 ? e.f64[(wb.ptr.c >>> 3) + last]! : NaN;
    for (let j = 0; j < g; j++) {
      const m = (lo[j]! + hi[j]!) / 2.0;
      const bull = dir[j]! > 0;
      const isFilled = midline ? (bull ? cl <= m + tol : cl >= m - tol) : bull ? cl <= lo[j]! + tol : cl >= hi[j]! - tol;
      if (isFilled) filled[j] = last;
      if (bull ? cl < lo[j]! - tol : cl > hi[j]! + tol) traded[j] = last;
    }
    return { mid, dir, lo, hi, mitigated, filled, traded };
  }
  // ict: each event is the first bar after the gap exists where price does it.
  const q = new TouchQueries(3 * g);
  for (let j = 0; j < g; j++) {
    const start = mid[j]! + 2;
    const m = (lo[j]! + hi[j]!) / 2.0;
    if (dir[j]! > 0) {
      q.add(start, hi[j]!, Touch.LowAtOrBelow);
      q.add(start, (midline ? m : lo[j]!) + tol, Touch.LowAtOrBelow);
      q.add(start, lo[j]! - tol, Touch.CloseBelow);
    } else {
      q.add(start, lo[j]!, Touch.HighAtOrAbove);
      q.add(start, (midline ? m : hi[j]!) - tol, Touch.HighAtOrAbove);
      q.add(start, hi[j]! + tol, Touch.CloseAbove);
    }
  }
  const ans = q.run(wb, alloc);
  for (let j = 0; j < g; j++) {
    mitigated[j] = ans[3 * j]!;
    filled[j] = ans[3 * j + 1]!;
    traded[j] = ans[3 * j + 2]!;
  }
  return { mid, dir, lo, hi, mitigated, filled, traded };
}

/** A fair value gap in the seed's record shape (`ict` adds the fields marked so). */
export interface FvgRecord {
  tf: string;
  dir: "bull" | "bear";
  /** Time of the gap's first candle (the seed's anchor). */
  start: string;
  /** [lower, upper] edge. */
  gap: [number, number];
  filled: boolean;
  active: boolean;
  kind: "FVG";
  traded_through: boolean;
  /** `ict`: the 50 % level (consequent encroachment). */
  ce?: number;
  /** `ict`: close of the third candle, when the gap became known. */
  known_time?: string;
  /** `ict`: first wick into the gap. */
  mitigated_at?: string | null;
  /** `ict`: first touch of the fill level; a filled gap stays filled. */
  filled_at?: string | null;
  /** `ict`: first close beyond the far edge. */
  traded_through_at?: string | null;
}

const at = (t: Float64Array, i: number): string | null => (i >= 0 ? isoUtc(t[i]!) : null);

/** @internal */
export function fvgRecords(a: Analysis, tf: string): FvgRecord[] {
  const f = a.fvg;
  const t = a.t;
  const out: FvgRecord[] = new Array(f.mid.length);
  for (let j = 0; j < f.mid.length; j++) {
    const filled = f.filled[j]! >= 0;
    const traded = f.traded[j]! >= 0;
    const r: FvgRecord = {
      tf,
      dir: f.dir[j]! > 0 ? "bull" : "bear",
      start: isoUtc(t[f.mid[j]! - 1]!),
      gap: [f.lo[j]!, f.hi[j]!],
      filled,
      active: !filled,
      kind: "FVG",
      traded_through: traded,
    };
    if (a.ict) {
      r.ce = (f.lo[j]! + f.hi[j]!) / 2.0;
      r.known_time = isoUtc(t[f.mid[j]! + 1]!);
      r.mitigated_at = at(t, f.mitigated[j]!);
      r.filled_at = at(t, f.filled[j]!);
      r.traded_through_at = at(t, f.traded[j]!);
    }
    out[j] = r;
  }
  return out;
}

/**
 * Fair value gaps, as columns.
 *
 * Market rule: candles i-1, i, i+1 leave a bullish gap when the high of i-1
 * stays below the low of i+1 (the range between was traded only one way), a
 * bearish gap when the low of i-1 stays above the high of i+1. The gap exists
 * from the close of i+1. In `ict` its life is a series of events on the bar
 * path (Q12, Q13): mitigated (a wick into it), filled (its 50 % level — or far
 * edge with `fillPolicy: "full"` — reached; sticky), traded through (a close
 * beyond the far edge). `seed-v0.1` judges only the last close.
 */
export function fvg(bars: BarsInput, options?: ZoneOptions): FvgColumns {
  const wb = resident(bars);
  return analyse(wb, zoneConfig(options), (a) => a.fvg);
}

/** Fair value gaps as records (see {@link fvg}); `tf` labels them (default `""`). */
export function fvgObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): FvgRecord[] {
  const wb = resident(bars);
  return analyse(wb, zoneConfig(options), (a) => fvgRecords(a, options?.tf ?? ""));
}
