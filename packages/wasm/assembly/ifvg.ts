// Inversion fair value gaps (IFVG).
//
// Market rule: a gap that price closes through has failed; when price then
// comes back to it, the failed gap works in the opposite role — a failed
// bullish gap becomes bearish resistance, a failed bearish gap bullish support
// (Q16). The retest must come after the close through the gap (Q14) and within
// a window of bars (Q15).

/**
 * Builds the IFVGs from the gaps and their trade-through bars, compacted.
 * retestAfterClose 1 (rule inversion "retestAfterClose", profile ict): a retest within `window` bars after the close through the gap
 *   — the first wick back into the gap from the side it was closed through (a
 *   failed bullish gap: high >= lo - tol; a failed bearish one: low <= hi + tol);
 *   the inversion takes the opposite direction and is
 *   invalidated by the first close back beyond its far side from the retest on.
 * retestAfterClose 0 (rule inversion "closeInWindow", the seed): a close inside the gap among the window + 1 bars from the
 *   gap's first candle; direction kept; no invalidation.
 * Writes outGap (index of the gap), outDir, outRetest, outInverted (the
 * trade-through bar, ict), outInvalid; returns the count. Capacity g.
 */
export function ifvgBuild(
  h: usize, l: usize, c: usize, n: i32, g: i32,
  mid: usize, dir: usize, lo: usize, hi: usize, traded: usize,
  window: i32, tol: f64, retestAfterClose: i32,
  outGap: usize, outDir: usize, outRetest: usize, outInverted: usize, outInvalid: usize, idx: usize,
): i32 {
  let m = 0;
  for (let j = 0; j < g; j++) {
    const tr = load<i32>(traded + (<usize>j << 2));
    if (tr < 0) continue;
    const a = load<f64>(lo + (<usize>j << 3));
    const b = load<f64>(hi + (<usize>j << 3));
    const d = load<i32>(dir + (<usize>j << 2));
    const s = retestAfterClose == 0 ? load<i32>(mid + (<usize>j << 2)) - 1 : tr + 1;
    const e = min(n, s + (retestAfterClose == 0 ? window + 1 : window));
    let r = -1;
    for (let t = s; t < e; t++) {
      const o = <usize>t << 3;
      if (retestAfterClose == 0) {
        const ct = load<f64>(c + o);
        if (a - tol <= ct && ct <= b + tol) { r = t; break; }
      } else if (d > 0) {
        if (load<f64>(h + o) >= a - tol) { r = t; break; }
      } else if (load<f64>(l + o) <= b + tol) { r = t; break; }
    }
    if (r < 0) continue;
    const mo = <usize>m << 2;
    store<i32>(outGap + mo, j);
    store<i32>(outDir + mo, retestAfterClose == 0 ? d : -d);
    store<i32>(outRetest + mo, r);
    store<i32>(outInverted + mo, retestAfterClose == 0 ? -1 : tr);
    store<i32>(outInvalid + mo, -1);
    m++;
  }
  if (retestAfterClose != 0 && m > 0) {
    const Q = Queries.create(m);
    for (let x = 0; x < m; x++) {
      const j = load<i32>(outGap + (<usize>x << 2));
      const r = load<i32>(outRetest + (<usize>x << 2));
      if (load<i32>(outDir + (<usize>x << 2)) < 0) Q.add(r, load<f64>(hi + (<usize>j << 3)) + tol, 3);
      else Q.add(r, load<f64>(lo + (<usize>j << 3)) - tol, 2);
    }
    Q.run(l, h, c, n, idx);
    for (let x = 0; x < m; x++) store<i32>(outInvalid + (<usize>x << 2), Q.at(x));
    Q.dispose();
  }
  return m;
}

import { Queries } from "./events";
