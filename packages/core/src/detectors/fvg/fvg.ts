import { analyse, slot } from "../../runtime/analysis.js";
import { sessionBreakMs, touchIndexSlot, zoneConfig, type ZoneAnalysis as Analysis, type ZoneOptions } from "../zones/zones.js";
import { withBars, type BarsInput } from "../../runtime/engine.js";
import { isoUtc, minSpacingMs } from "../../io/time.js";
import { atrSlot } from "../atr/atr.js";

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

/** @internal Gaps and their events resident in WebAssembly memory (i32 / f64 columns of length g). */
export interface FvgBuffers {
  g: number;
  mid: number;
  dir: number;
  lo: number;
  hi: number;
  mitigated: number;
  filled: number;
  traded: number;
}

/** @internal */
export function fvgInto(a: Analysis): FvgBuffers {
  const { wb, cfg, alloc, n } = a;
  const k = wb.engine.kernels;
  const i32 = () => alloc.i32(n);
  const f64 = () => alloc.f64(n);
  const b = { g: 0, mid: i32(), dir: i32(), lo: f64(), hi: f64(), mitigated: i32(), filled: i32(), traded: i32() };
  const useMin = a.rules.gapSizeFilter && cfg.minGapAtr > 0;
  b.g = k.fvgDetect(wb.ptr.h, wb.ptr.l, n, cfg.tol, useMin ? a.use(atrSlot) : 0, useMin ? cfg.minGapAtr : 0, b.mid, b.dir, b.lo, b.hi);
  if (!a.rules.gapsAcrossBreaks && b.g > 0) b.g = dropAcrossBreaks(a, b);
  k.fvgEvents(
    wb.ptr.l,
    wb.ptr.h,
    wb.ptr.c,
    n,
    b.g,
    b.mid,
    b.dir,
    b.lo,
    b.hi,
    cfg.tol,
    cfg.fillPolicy === "midline" ? 1 : 0,
    a.rules.zoneEvents === "firstTouch" ? 1 : 0,
    b.mitigated,
    b.filled,
    b.traded,
    a.use(touchIndexSlot),
  );
  return b;
}

/** Keeps the gaps whose three candles traded without a session break between them (compacted in place); their count. */
function dropAcrossBreaks(a: Analysis, b: FvgBuffers): number {
  const e = a.wb.engine;
  const t = a.wb.view("t");
  const brk = sessionBreakMs(a.cfg.stepMs ?? minSpacingMs(t));
  const I = e.i32;
  const F = e.f64;
  let w = 0;
  for (let x = 0; x < b.g; x++) {
    const i = I[(b.mid >>> 2) + x]!;
    if (t[i]! - t[i - 1]! > brk || t[i + 1]! - t[i]! > brk) continue;
    if (w !== x) {
      I[(b.mid >>> 2) + w] = i;
      I[(b.dir >>> 2) + w] = I[(b.dir >>> 2) + x]!;
      F[(b.lo >>> 3) + w] = F[(b.lo >>> 3) + x]!;
      F[(b.hi >>> 3) + w] = F[(b.hi >>> 3) + x]!;
    }
    w++;
  }
  return w;
}

/** @internal */
export function fvgColumns(a: Analysis): FvgColumns {
  const b = a.use(fvgBufSlot);
  const e = a.wb.engine;
  return {
    mid: e.readI32(b.mid, b.g),
    dir: e.readI8(b.dir, b.g),
    lo: e.readF64(b.lo, b.g),
    hi: e.readF64(b.hi, b.g),
    mitigated: e.readI32(b.mitigated, b.g),
    filled: e.readI32(b.filled, b.g),
    traded: e.readI32(b.traded, b.g),
  };
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
  /** `ict`: the bar (0-based index into the bars) at which it became known. */
  known_index?: number;
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
  const f = a.use(fvgSlot);
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
    if (a.rules.zoneEvents === "firstTouch") {
      r.ce = (f.lo[j]! + f.hi[j]!) / 2.0;
      r.known_time = isoUtc(t[f.mid[j]! + 1]!);
      r.known_index = f.mid[j]! + 1;
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
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => a.use(fvgSlot)));
}

/** Fair value gaps as records (see {@link fvg}); `tf` labels them (default `""`). */
export function fvgObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): FvgRecord[] {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => fvgRecords(a, options?.tf ?? "")));
}

/** @internal */
export const fvgBufSlot = slot("fvgBuf", fvgInto);

/** @internal */
export const fvgSlot = slot("fvg", fvgColumns);
