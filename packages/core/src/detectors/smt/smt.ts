import { withBarsPair, type BarsInput, type WasmBars } from "../../runtime/engine.js";
import { intOption } from "../../base/profile.js";
import { structureConfig, type StructureOptions } from "../structure/structure.js";
import { isoUtc } from "../../io/time.js";

/** Options of {@link smt}. */
export interface SmtOptions extends StructureOptions {
  /**
   * Bars within which the two instruments' swings pair up (`ict`), or the
   * trailing window the seed looks at (`seed-v0.1`); the seed's
   * `SMT_WINDOW_BARS`, 12.
   */
  smtWindowBars?: number;
  /** Names for the record's `pair` (`ict`; default "primary" and "ref"). The seed always writes "primary/ref". */
  names?: { primary?: string; ref?: string };
}

/** SMT divergences as columns (bar indices are the primary's). */
export interface SmtColumns {
  /** +1 bullish (at lows), -1 bearish (at highs). */
  readonly dir: Int8Array;
  /** Bar at which the divergence became known (`ict`: the later swing's confirmation; the seed: the last aligned bar). */
  readonly at: Int32Array;
  /** `ict`: 0 when the primary made the new extreme, 1 when the reference did. */
  readonly leader: Uint8Array;
  /** `ict`: previous and last swing bars of the primary, and of the reference (its own bar indices). */
  readonly p1: Int32Array;
  readonly p2: Int32Array;
  readonly r1: Int32Array;
  readonly r2: Int32Array;
}

/** An SMT divergence in the seed's record shape (`ict` adds the fields marked so). */
export interface SmtRecord {
  pair: string;
  type: "bull" | "bear";
  time: string;
  /** Added by the capsule builder. */
  tf?: string;
  /** `ict`: equal to `time`, the bar at which the divergence became known. */
  known_time?: string;
  /** `ict`: which instrument made the new extreme. */
  leader?: "primary" | "ref";
  /** `ict`: the two swings compared on each side: [previous, last] prices and the last swing's time. */
  primary?: { prev: number; last: number; time: string };
  ref?: { prev: number; last: number; time: string };
}

interface SmtResult {
  cols: SmtColumns;
  records: SmtRecord[];
}

function compute(primary: BarsInput, reference: BarsInput, options: SmtOptions | undefined): SmtResult {
  const cfg = structureConfig(options);
  const window = intOption("smtWindowBars", options?.smtWindowBars, 12, 1, 1 << 30);
  return withBarsPair(primary, reference, (wp, wr) => computeOn(wp, wr, cfg, window, options));
}

function computeOn(wp: WasmBars, wr: WasmBars, cfg: ReturnType<typeof structureConfig>, window: number, options: SmtOptions | undefined): SmtResult {
  const e = wp.engine;
  const k = e.kernels;
  const ict = cfg.profile === "ict";
  const empty: SmtResult = {
    cols: { dir: new Int8Array(0), at: new Int32Array(0), leader: new Uint8Array(0), p1: new Int32Array(0), p2: new Int32Array(0), r1: new Int32Array(0), r2: new Int32Array(0) },
    records: [],
  };
  return e.scoped((alloc) => {
    const cap = Math.min(wp.length, wr.length);
    const i1 = alloc(cap * 4 + 16);
    const i2 = alloc(cap * 4 + 16);
    // Only bars at the same timestamps are compared.
    const m = k.alignTimes(wp.ptr.t, wp.length, wr.ptr.t, wr.length, i1, i2);
    const col = () => alloc(m * 8 + 16);
    const hp = col(), lp = col(), hr = col(), lr = col();
    k.gather(wp.ptr.h, i1, m, hp);
    k.gather(wp.ptr.l, i1, m, lp);
    k.gather(wr.ptr.h, i2, m, hr);
    k.gather(wr.ptr.l, i2, m, lr);
    const flags = alloc(m + 16);
    const nOut = alloc(16);
    const buf = () => alloc(m * 4 + 16);
    const phi = buf(), plo = buf(), rhi = buf(), rlo = buf();
    const tP = wp.view("t").slice();
    const tR = wr.view("t").slice();
    const idxP = e.readI32(i1, m);
    const idxR = e.readI32(i2, m);
    const names = ict ? `${options?.names?.primary ?? "primary"}/${options?.names?.ref ?? "ref"}` : "primary/ref";

    if (!ict) {
      // The seed: fewer than 7 aligned bars give nothing; otherwise the last 12
      // aligned bars, strict pivots in each, and the LAST swing prices of the two
      // instruments compared with each other (Q03).
      if (m < 2 * 2 + 3) return empty;
      const w0 = m - Math.min(window, m);
      const wl = m - w0;
      const lastOf = (hPtr: number, lPtr: number, outHi: number, outLo: number) => {
        const nh = k.swings(hPtr + w0 * 8, lPtr + w0 * 8, wl, 2, 0, flags, outHi, outLo, nOut);
        const nl = e.i32[nOut >>> 2]!;
        const F = e.f64;
        const I = e.i32;
        return {
          hi: nh > 0 ? F[(hPtr >>> 3) + w0 + I[(outHi >>> 2) + nh - 1]!]! : null,
          lo: nl > 0 ? F[(lPtr >>> 3) + w0 + I[(outLo >>> 2) + nl - 1]!]! : null,
        };
      };
      const P = lastOf(hp, lp, phi, plo);
      const R = lastOf(hr, lr, rhi, rlo);
      const dirs: number[] = [];
      if (P.hi !== null && R.hi !== null && P.hi > R.hi + cfg.tol) dirs.push(-1);
      if (P.lo !== null && R.lo !== null && P.lo < R.lo - cfg.tol) dirs.push(1);
      const atBar = idxP[m - 1]!;
      const z = () => new Int32Array(dirs.length).fill(-1);
      return {
        cols: { dir: Int8Array.from(dirs), at: new Int32Array(dirs.length).fill(atBar), leader: new Uint8Array(dirs.length), p1: z(), p2: z(), r1: z(), r2: z() },
        records: dirs.map((d) => ({ pair: names, type: d > 0 ? "bull" : "bear", time: isoUtc(tP[atBar]!) })),
      };
    }

    // ict: each instrument against its own previous swing, causally.
    const nPH = k.swings(hp, lp, m, cfg.k, cfg.leftTies ? 1 : 0, flags, phi, plo, nOut);
    const nPL = e.i32[nOut >>> 2]!;
    const nRH = k.swings(hr, lr, m, cfg.k, cfg.leftTies ? 1 : 0, flags, rhi, rlo, nOut);
    const nRL = e.i32[nOut >>> 2]!;
    const o = Array.from({ length: 7 }, buf);
    const ne = k.smtDivergence(hp, lp, hr, lr, m, phi, nPH, plo, nPL, rhi, nRH, rlo, nRL, cfg.k, window, cfg.tol, ...(o as [number, number, number, number, number, number, number]));
    const [dirA, atA, leadA, p1A, p2A, r1A, r2A] = o.map((p) => e.readI32(p, ne));
    const F = e.f64;
    const price = (p: number, j: number) => F[(p >>> 3) + j]!;
    const records: SmtRecord[] = [];
    for (let x = 0; x < ne; x++) {
      const bull = dirA![x]! > 0;
      const sp = bull ? lp : hp;
      const sr = bull ? lr : hr;
      const time = isoUtc(tP[idxP[atA![x]!]!]!);
      records.push({
        pair: names,
        type: bull ? "bull" : "bear",
        time,
        known_time: time,
        leader: leadA![x] ? "ref" : "primary",
        primary: { prev: price(sp, p1A![x]!), last: price(sp, p2A![x]!), time: isoUtc(tP[idxP[p2A![x]!]!]!) },
        ref: { prev: price(sr, r1A![x]!), last: price(sr, r2A![x]!), time: isoUtc(tR[idxR[r2A![x]!]!]!) },
      });
    }
    return {
      cols: {
        dir: Int8Array.from(dirA!),
        at: Int32Array.from(atA!, (j) => idxP[j]!),
        leader: Uint8Array.from(leadA!),
        p1: Int32Array.from(p1A!, (j) => idxP[j]!),
        p2: Int32Array.from(p2A!, (j) => idxP[j]!),
        r1: Int32Array.from(r1A!, (j) => idxR[j]!),
        r2: Int32Array.from(r2A!, (j) => idxR[j]!),
      },
      records,
    };
  });
}

/**
 * SMT divergence of a primary series against a reference, as columns.
 *
 * Market rule: correlated instruments should confirm each other's swings.
 * When one makes a higher high while the other makes a lower (or equal) high,
 * the rally lacks participation: bearish SMT; when one makes a lower low while
 * the other holds a higher low: bullish SMT. Bars are aligned on equal
 * timestamps. In `ict` each instrument is compared with its own previous swing
 * (so it works at any price level, Q03), swings pair up within
 * `smtWindowBars`, and the divergence is known when the later of the two swings
 * is confirmed. `seed-v0.1` reproduces the seed (last swing prices of the two
 * instruments compared with each other).
 */
export function smt(primary: BarsInput, reference: BarsInput, options?: SmtOptions): SmtColumns {
  return compute(primary, reference, options).cols;
}

/** SMT divergences as records in the seed's shape (see {@link smt}). */
export function smtObjects(primary: BarsInput, reference: BarsInput, options?: SmtOptions): SmtRecord[] {
  return compute(primary, reference, options).records;
}
