import { withBarsPair, type BarsInput, type WasmBars } from "../../runtime/engine.js";
import { intOption, PROFILE_RULES } from "../../base/profile.js";
import { lastSwingsSmt } from "./seed/last-swings.js";
import type { SmtColumns, SmtOptions, SmtRecord, SmtResult } from "./types.js";
import { structureConfig } from "../structure/structure.js";
import { isoUtc } from "../../io/time.js";

export type { SmtColumns, SmtOptions, SmtRecord } from "./types.js";

function compute(primary: BarsInput, reference: BarsInput, options: SmtOptions | undefined): SmtResult {
  const cfg = structureConfig(options);
  const window = intOption("smtWindowBars", options?.smtWindowBars, 12, 1, 1 << 30);
  return withBarsPair(primary, reference, (wp, wr) => computeOn(wp, wr, cfg, window, options));
}

function computeOn(
  wp: WasmBars,
  wr: WasmBars,
  cfg: ReturnType<typeof structureConfig>,
  window: number,
  options: SmtOptions | undefined,
): SmtResult {
  const e = wp.engine;
  const k = e.kernels;
  const rules = PROFILE_RULES[cfg.profile];
  return e.scoped((alloc) => {
    const cap = Math.min(wp.length, wr.length);
    const i1 = alloc.i32(cap);
    const i2 = alloc.i32(cap);
    // Only bars at the same timestamps are compared.
    const m = k.alignTimes(wp.ptr.t, wp.length, wr.ptr.t, wr.length, i1, i2);
    const col = () => alloc.f64(m);
    const hp = col(),
      lp = col(),
      hr = col(),
      lr = col();
    k.gather(wp.ptr.h, i1, m, hp);
    k.gather(wp.ptr.l, i1, m, lp);
    k.gather(wr.ptr.h, i2, m, hr);
    k.gather(wr.ptr.l, i2, m, lr);
    const flags = alloc.u8(m);
    const nOut = alloc(16);
    const buf = () => alloc.i32(m);
    const phi = buf(),
      plo = buf(),
      rhi = buf(),
      rlo = buf();
    const tP = wp.view("t").slice();
    const tR = wr.view("t").slice();
    const idxP = e.readI32(i1, m);
    const idxR = e.readI32(i2, m);
    const names = rules.extendedRecords ? `${options?.names?.primary ?? "primary"}/${options?.names?.ref ?? "ref"}` : "primary/ref";

    if (rules.smtCompare === "lastSwingsAcross")
      return lastSwingsSmt(e, m, window, cfg.tol, { hp, lp, hr, lr }, { flags, phi, plo, rhi, rlo, nOut }, idxP, tP, names);

    // ict: each instrument against its own previous swing, causally.
    const nPH = k.swings(hp, lp, m, cfg.k, cfg.leftTies ? 1 : 0, flags, phi, plo, nOut);
    const nPL = e.i32[nOut >>> 2]!;
    const nRH = k.swings(hr, lr, m, cfg.k, cfg.leftTies ? 1 : 0, flags, rhi, rlo, nOut);
    const nRL = e.i32[nOut >>> 2]!;
    const o = Array.from({ length: 7 }, buf);
    const ne = k.smtDivergence(
      hp,
      lp,
      hr,
      lr,
      m,
      phi,
      nPH,
      plo,
      nPL,
      rhi,
      nRH,
      rlo,
      nRL,
      cfg.k,
      window,
      cfg.tol,
      ...(o as [number, number, number, number, number, number, number]),
    );
    const [dirA, atA, leadA, p1A, p2A, r1A, r2A] = o.map((p) => e.readI32(p, ne));
    const F = e.f64;
    const price = (p: number, j: number) => F[(p >>> 3) + j]!;
    const records: SmtRecord[] = [];
    const invalidated = new Int32Array(ne).fill(-1);
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
        dir: bull ? "bull" : "bear",
        known_index: idxP[atA![x]!]!,
        leader: leadA![x] ? "ref" : "primary",
        primary: { prev: price(sp, p1A![x]!), last: price(sp, p2A![x]!), time: isoUtc(tP[idxP[p2A![x]!]!]!) },
        ref: { prev: price(sr, r1A![x]!), last: price(sr, r2A![x]!), time: isoUtc(tR[idxR[r2A![x]!]!]!) },
      });
    }
    if (rules.smtInvalidation === "closeBeyondExtreme" && ne > 0) {
      // The first close beyond each divergence's extreme after it became known: one first-touch query each.
      const starts = alloc.i32(ne),
        keys = alloc.f64(ne),
        kinds = alloc.i32(ne),
        first = alloc.i32(ne);
      const scratch = alloc(k.firstTouchScratchBytes(wp.length, ne));
      const I = e.i32,
        D = e.f64;
      for (let x = 0; x < ne; x++) {
        const r = records[x]!;
        const bull = r.dir === "bull";
        r.level = bull ? Math.min(r.primary!.prev, r.primary!.last) : Math.max(r.primary!.prev, r.primary!.last);
        I[(starts >>> 2) + x] = r.known_index! + 1;
        D[(keys >>> 3) + x] = r.level;
        I[(kinds >>> 2) + x] = bull ? 2 : 3; // a close below (bull) or above (bear) the level
      }
      k.firstTouch(wp.ptr.l, wp.ptr.h, wp.ptr.c, wp.length, starts, keys, kinds, ne, first, scratch);
      const at = e.readI32(first, ne);
      for (let x = 0; x < ne; x++) {
        invalidated[x] = at[x]!;
        records[x]!.invalidated_at = at[x]! >= 0 ? isoUtc(tP[at[x]!]!) : null;
      }
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
        ...(rules.smtInvalidation === "closeBeyondExtreme" ? { invalidated } : {}),
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
 * is confirmed; it is invalidated by the primary's first close beyond the
 * extreme of its two swings (a bullish SMT below its lower low, a bearish one
 * above its higher high). `seed-v0.1` reproduces the seed (last swing prices of the two
 * instruments compared with each other).
 */
export function smt(primary: BarsInput, reference: BarsInput, options?: SmtOptions): SmtColumns {
  return compute(primary, reference, options).cols;
}

/** SMT divergences as records in the seed's shape (see {@link smt}). */
export function smtObjects(primary: BarsInput, reference: BarsInput, options?: SmtOptions): SmtRecord[] {
  return compute(primary, reference, options).records;
}
