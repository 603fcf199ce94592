import type { Engine } from "../../../runtime/engine.js";
import { isoUtc } from "../../../io/time.js";
import type { SmtResult } from "../types.js";

/** Aligned high and low columns of the two instruments (pointers into WebAssembly memory). */
interface Aligned {
  hp: number;
  lp: number;
  hr: number;
  lr: number;
}

/** Scratch buffers: pivot flags, swing indices of each side, and the out-count. */
interface Scratch {
  flags: number;
  phi: number;
  plo: number;
  rhi: number;
  rlo: number;
  nOut: number;
}

/**
 * The seed's SMT (rule `smtCompare: "lastSwingsAcross"`, Q03): fewer than 7
 * aligned bars give nothing; otherwise the last `window` aligned bars, strict
 * pivots (k = 2) in each, and the LAST swing prices of the two instruments
 * compared with each other: a primary high above the reference's is bearish,
 * a primary low below the reference's bullish, both known at the last aligned
 * bar.
 */
export function lastSwingsSmt(
  e: Engine,
  m: number,
  window: number,
  tol: number,
  c: Aligned,
  s: Scratch,
  idxP: Int32Array,
  tP: Float64Array,
  pair: string,
): SmtResult {
  const k = e.kernels;
  const none = () => new Int32Array(0);
  if (m < 2 * 2 + 3) {
    return {
      cols: { dir: new Int8Array(0), at: none(), leader: new Uint8Array(0), p1: none(), p2: none(), r1: none(), r2: none() },
      records: [],
    };
  }
  const w0 = m - Math.min(window, m);
  const wl = m - w0;
  const lastOf = (hPtr: number, lPtr: number, outHi: number, outLo: number) => {
    const nh = k.swings(hPtr + w0 * 8, lPtr + w0 * 8, wl, 2, 0, s.flags, outHi, outLo, s.nOut);
    const nl = e.i32[s.nOut >>> 2]!;
    const F = e.f64;
    const I = e.i32;
    return {
      hi: nh > 0 ? F[(hPtr >>> 3) + w0 + I[(outHi >>> 2) + nh - 1]!]! : null,
      lo: nl > 0 ? F[(lPtr >>> 3) + w0 + I[(outLo >>> 2) + nl - 1]!]! : null,
    };
  };
  const P = lastOf(c.hp, c.lp, s.phi, s.plo);
  const R = lastOf(c.hr, c.lr, s.rhi, s.rlo);
  const dirs: number[] = [];
  if (P.hi !== null && R.hi !== null && P.hi > R.hi + tol) dirs.push(-1);
  if (P.lo !== null && R.lo !== null && P.lo < R.lo - tol) dirs.push(1);
  const atBar = idxP[m - 1]!;
  const z = () => new Int32Array(dirs.length).fill(-1);
  return {
    cols: {
      dir: Int8Array.from(dirs),
      at: new Int32Array(dirs.length).fill(atBar),
      leader: new Uint8Array(dirs.length),
      p1: z(),
      p2: z(),
      r1: z(),
      r2: z(),
    },
    records: dirs.map((d) => ({ pair, type: d > 0 ? "bull" : "bear", time: isoUtc(tP[atBar]!) })),
  };
}
