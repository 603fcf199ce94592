// Inversion fair value gaps (IFVG).
//
// Market rule: a gap that price closes through has failed; when price then
// comes back to it, the failed gap works in the opposite role — a failed
// bullish gap becomes bearish resistance, a failed bearish gap bullish support
// (Q16). The retest must come after the close through the gap (Q14) and within
// a window of bars (Q15).

/**
 * Retest search after a trade-through, for each failed gap j with
 * start[j] >= 0 (else out -1): the first bar r in [start[j], start[j] + window)
 * where price is back at the gap.
 *   mode 0 (the seed): a close inside [lo - tol, hi + tol].
 *   mode 1 (ict): a wick back into the gap from the side it was closed through
 *   (a failed bullish gap: high >= lo - tol; a failed bearish one: low <= hi + tol).
 * dir[j]: the original gap's direction.
 */
export function gapRetest(
  h: usize, l: usize, c: usize, n: i32, q: i32,
  start: usize, dir: usize, lo: usize, hi: usize,
  window: i32, tol: f64, mode: i32, out: usize,
): void {
  for (let j = 0; j < q; j++) {
    const s = load<i32>(start + (<usize>j << 2));
    let r = -1;
    if (s >= 0) {
      const a = load<f64>(lo + (<usize>j << 3));
      const b = load<f64>(hi + (<usize>j << 3));
      const d = load<i32>(dir + (<usize>j << 2));
      const e = min(n, s + window);
      for (let t = s; t < e; t++) {
        const o = <usize>t << 3;
        const ct = load<f64>(c + o);
        if (mode == 0) {
          if (a - tol <= ct && ct <= b + tol) { r = t; break; }
        } else if (d > 0) {
          if (load<f64>(h + o) >= a - tol) { r = t; break; }
        } else {
          if (load<f64>(l + o) <= b + tol) { r = t; break; }
        }
      }
    }
    store<i32>(out + (<usize>j << 2), r);
  }
}
