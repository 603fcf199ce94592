import { analyse, zoneConfig, type Analysis, type ZoneOptions } from "./analysis.js";
import { resident, type BarsInput } from "./engine.js";
import { isoUtc } from "./time.js";
import { Touch, TouchQueries } from "./touch.js";

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
  const f = a.fvg;
  const e = wb.engine;
  // Candidates: the gaps that price closed through.
  let q = 0;
  for (let j = 0; j < f.mid.length; j++) if (f.traded[j]! >= 0) q++;
  const empty = { gap: new Int32Array(0), dir: new Int8Array(0), inverted: new Int32Array(0), retest: new Int32Array(0), invalidated: new Int32Array(0) };
  if (q === 0) return empty;
  const cand = new Int32Array(q);
  const starts = new Int32Array(q);
  const cdir = new Int32Array(q);
  const clo = new Float64Array(q);
  const chi = new Float64Array(q);
  for (let j = 0, x = 0; j < f.mid.length; j++) {
    if (f.traded[j]! < 0) continue;
    cand[x] = j;
    // The retest window: the seed searches the 9 bars from the gap's first candle
    // (Q14, Q15); ict the `ifvgRetestBars` bars after the close through it.
    starts[x] = a.ict ? f.traded[j]! + 1 : f.mid[j]! - 1;
    cdir[x] = f.dir[j]!;
    clo[x] = f.lo[j]!;
    chi[x] = f.hi[j]!;
    x++;
  }
  const window = a.ict ? cfg.ifvgRetestBars : cfg.ifvgRetestBars + 1;
  const out = alloc(q * 4 + 16);
  e.kernels.gapRetest(
    wb.ptr.h, wb.ptr.l, wb.ptr.c, n, q,
    e.putI32(alloc, starts), e.putI32(alloc, cdir), e.putF64(alloc, clo), e.putF64(alloc, chi),
    window, cfg.tol, a.ict ? 1 : 0, out,
  );
  const r = e.readI32(out, q);
  let m = 0;
  for (let x = 0; x < q; x++) if (r[x]! >= 0) m++;
  const gap = new Int32Array(m);
  const dir = new Int8Array(m);
  const retest = new Int32Array(m);
  const inverted = new Int32Array(m);
  for (let x = 0, y = 0; x < q; x++) {
    if (r[x]! < 0) continue;
    const j = cand[x]!;
    gap[y] = j;
    // A failed gap works in the opposite role (Q16); the seed keeps its direction.
    dir[y] = a.ict ? -f.dir[j]! : f.dir[j]!;
    retest[y] = r[x]!;
    inverted[y] = a.ict ? f.traded[j]! : -1;
    y++;
  }
  const invalidated = new Int32Array(gap.length).fill(-1);
  if (a.ict && gap.length > 0) {
    const tq = new TouchQueries(gap.length);
    for (let x = 0; x < gap.length; x++) {
      const j = gap[x]!;
      // From the retest bar on: a retest that itself closes back beyond the gap is an inversion that failed at once.
      if (dir[x]! < 0) tq.add(retest[x]!, f.hi[j]! + cfg.tol, Touch.CloseAbove);
      else tq.add(retest[x]!, f.lo[j]! - cfg.tol, Touch.CloseBelow);
    }
    invalidated.set(tq.run(wb, alloc));
  }
  return { gap, dir, inverted, retest, invalidated };
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
  /** `ict`: first close beyond the IFVG's far side, from the retest bar on. */
  invalidated_at?: string | null;
}

/** @internal */
export function ifvgRecords(a: Analysis, tf: string): IfvgRecord[] {
  const v = a.ifvg;
  const f = a.fvg;
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
    if (a.ict) {
      r.ce = (f.lo[j]! + f.hi[j]!) / 2.0;
      r.traded_through_at = isoUtc(t[v.inverted[x]!]!);
      r.known_time = r.retested_at;
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
  const wb = resident(bars);
  return analyse(wb, zoneConfig(options), (a) => a.ifvg);
}

/** Inversion fair value gaps as records (see {@link ifvg}). */
export function ifvgObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): IfvgRecord[] {
  const wb = resident(bars);
  return analyse(wb, zoneConfig(options), (a) => ifvgRecords(a, options?.tf ?? ""));
}
