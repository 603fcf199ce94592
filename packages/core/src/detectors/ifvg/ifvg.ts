import { analyse, slot } from "../../runtime/analysis.js";
import { zoneConfig, type ZoneAnalysis as Analysis, type ZoneOptions } from "../zones/zones.js";
import { withBars, type BarsInput } from "../../runtime/engine.js";
import { isoUtc } from "../../io/time.js";
import { fvgBufSlot, fvgSlot } from "../fvg/fvg.js";
import { touchIndexSlot } from "../zones/zones.js";

/**
 * Inversion fair value gaps as columns, in the order of their gaps.
 */
export interface IfvgColumns {
  /** Index of the failed gap in the FVG columns. */
  readonly gap: Int32Array;
  /** Direction of the inversion: +1 support (bullish), -1 resistance (bearish). */
  readonly dir: Int8Array;
  /** Bar of the close through the gap (`ict`; -1 for `seed-v0.1`, which has no bar for it). */
  readonly inverted: Int32Array;
  /** Bar of the retest: when the IFVG became known. */
  readonly retest: Int32Array;
  /** First close back beyond the IFVG's far side from the retest bar on (`ict`), -1 if none. */
  readonly invalidated: Int32Array;
}

/** @internal */
export function ifvgColumns(a: Analysis): IfvgColumns {
  const { wb, cfg, alloc, n } = a;
  const f = a.use(fvgBufSlot);
  const e = wb.engine;
  const g = f.g;
  const buf = () => alloc.i32(g);
  const gap = buf(),
    dir = buf(),
    retest = buf(),
    inverted = buf(),
    invalid = buf();
  // ict: the retest window is `ifvgRetestBars` bars after the close through the gap;
  // the seed: the window + 1 bars from the gap's first candle (Q14, Q15).
  const m = e.kernels.ifvgBuild(
    wb.ptr.h,
    wb.ptr.l,
    wb.ptr.c,
    n,
    g,
    f.mid,
    f.dir,
    f.lo,
    f.hi,
    f.traded,
    cfg.ifvgRetestBars,
    cfg.tol,
    a.rules.inversion === "retestAfterClose" ? 1 : 0,
    gap,
    dir,
    retest,
    inverted,
    invalid,
    a.use(touchIndexSlot),
  );
  return {
    gap: e.readI32(gap, m),
    dir: e.readI8(dir, m),
    inverted: e.readI32(inverted, m),
    retest: e.readI32(retest, m),
    invalidated: e.readI32(invalid, m),
  };
}

/** An inversion fair value gap in the seed's record shape (`ict` adds the fields marked so). */
export interface IfvgRecord {
  tf: string;
  /** `ict`: the inverted direction (a failed bullish gap is bearish); the seed keeps the gap's. */
  dir: "bull" | "bear";
  gap: [number, number];
  /** Time of the gap's first candle. */
  start: string;
  flip_role: "support" | "resistance";
  active: boolean;
  kind: "IFVG";
  /** Time of the retest (when the IFVG became known). */
  retested_at: string;
  /** `ict`: the 50 % level of the gap. */
  ce?: number;
  /** `ict`: the close through the original gap. */
  traded_through_at?: string;
  /** `ict`: equal to `retested_at`. */
  known_time?: string;
  /** `ict`: the bar (0-based index into the bars) at which it became known. */
  known_index?: number;
  /** `ict`: first close beyond the IFVG's far side, from the retest bar on. */
  invalidated_at?: string | null;
}

/** @internal */
export function ifvgRecords(a: Analysis, tf: string): IfvgRecord[] {
  const v = a.use(ifvgSlot);
  const f = a.use(fvgSlot);
  const t = a.t;
  const out: IfvgRecord[] = new Array(v.gap.length);
  for (let x = 0; x < v.gap.length; x++) {
    const j = v.gap[x]!;
    const bull = v.dir[x]! > 0;
    const inv = v.invalidated[x]!;
    const r: IfvgRecord = {
      tf,
      dir: bull ? "bull" : "bear",
      gap: [f.lo[j]!, f.hi[j]!],
      start: isoUtc(t[f.mid[j]! - 1]!),
      flip_role: bull ? "support" : "resistance",
      active: inv < 0,
      kind: "IFVG",
      retested_at: isoUtc(t[v.retest[x]!]!),
    };
    if (a.rules.zoneEvents === "firstTouch") {
      r.ce = (f.lo[j]! + f.hi[j]!) / 2.0;
      r.traded_through_at = isoUtc(t[v.inverted[x]!]!);
      r.known_time = r.retested_at;
      r.known_index = v.retest[x]!;
      r.invalidated_at = inv >= 0 ? isoUtc(t[inv]!) : null;
    }
    out[x] = r;
  }
  return out;
}

/**
 * Inversion fair value gaps, as columns.
 *
 * Market rule: a gap that price closes through has failed; when price comes
 * back to it, it works in the opposite role — a failed bullish gap is bearish
 * resistance, a failed bearish gap bullish support. In `ict` the retest is the
 * first wick back into the gap within `ifvgRetestBars` bars after the close
 * through it (Q14, Q15), the IFVG takes the inverted direction (Q16) and is
 * known at the retest; it is invalidated by a close back beyond its far side
 * (possibly the retest bar itself). `seed-v0.1` reproduces the seed: a close
 * inside the gap among the 9 bars from its first candle, direction kept.
 */
export function ifvg(bars: BarsInput, options?: ZoneOptions): IfvgColumns {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => a.use(ifvgSlot)));
}

/** Inversion fair value gaps as records (see {@link ifvg}). */
export function ifvgObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): IfvgRecord[] {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => ifvgRecords(a, options?.tf ?? "")));
}

/** @internal */
export const ifvgSlot = slot("ifvg", ifvgColumns);
