// Fair value gaps and their inversions.
//
// Market rule: three consecutive candles leave a fair value gap when the first
// candle's high stays below the third candle's low (bullish: price left the
// range [h[i-1], l[i+1]] untraded on its way up) or the first candle's low
// stays above the third candle's high (bearish: [h[i+1], l[i-1]]). The gap
// exists from the close of the third candle. An optional minimum size, in
// multiples of the ATR known at that close, filters small gaps.

/**
 * Finds the gaps of bars [0, n) by their middle candle i = 1..n-2, bullish
 * before bearish (at most one of the two holds for valid bars).
 * Writes mid[g] (i32, the middle candle), dir[g] (+1 / -1), lo[g], hi[g].
 * atr: pointer to ATR values (used when minGapAtr > 0, else may be 0).
 * Returns the number of gaps. Buffers need capacity n.
 */
export function fvgDetect(
  h: usize, l: usize, n: i32, tol: f64, atr: usize, minGapAtr: f64,
  mid: usize, dir: usize, lo: usize, hi: usize,
): i32 {
  let g = 0;
  if (n < 3) return 0;
  const useMin = minGapAtr > 0 && atr != 0;
  let i = 1;
  const vt = f64x2.splat(tol);
  // Two middle candles per step: masks of bullish and bearish gaps, compacted
  // without branches (every slot is written, the count advances by the mask).
  if (!useMin) {
    for (; i + 1 <= n - 2; i += 2) {
      const o = <usize>i << 3;
      const hPrev = v128.load(h + o - 8);
      const lPrev = v128.load(l + o - 8);
      const hNext = v128.load(h + o + 8);
      const lNext = v128.load(l + o + 8);
      const bull = i64x2.bitmask(f64x2.lt(f64x2.add(hPrev, vt), lNext));
      const bear = i64x2.bitmask(f64x2.gt(f64x2.sub(lPrev, vt), hNext));
      // Both lanes are written every step (a gap is not predictable); the
      // edges come from the same vectors: lo = h[i-1] (bull) or h[i+1] (bear),
      // hi = l[i+1] (bull) or l[i-1] (bear).
      const mb = f64x2.lt(f64x2.add(hPrev, vt), lNext);
      const loV = v128.bitselect(hPrev, hNext, mb);
      const hiV = v128.bitselect(lNext, lPrev, mb);
      const b0 = bull & 1, s0 = bear & 1;
      let gi = <usize>g << 2;
      let go = <usize>g << 3;
      store<i32>(mid + gi, i);
      store<i32>(dir + gi, b0 - s0);
      store<f64>(lo + go, f64x2.extract_lane(loV, 0));
      store<f64>(hi + go, f64x2.extract_lane(hiV, 0));
      g += b0 | s0;
      const b1 = bull >> 1, s1 = bear >> 1;
      gi = <usize>g << 2;
      go = <usize>g << 3;
      store<i32>(mid + gi, i + 1);
      store<i32>(dir + gi, b1 - s1);
      store<f64>(lo + go, f64x2.extract_lane(loV, 1));
      store<f64>(hi + go, f64x2.extract_lane(hiV, 1));
      g += b1 | s1;
    }
  }
  for (; i <= n - 2; i++) {
    const o = <usize>i << 3;
    const hp = load<f64>(h + o - 8);
    const lp = load<f64>(l + o - 8);
    const hn = load<f64>(h + o + 8);
    const ln = load<f64>(l + o + 8);
    let d = 0;
    let a: f64 = 0;
    let b: f64 = 0;
    if (hp + tol < ln) {
      d = 1; a = hp; b = ln;
    } else if (lp - tol > hn) {
      d = -1; a = hn; b = lp;
    }
    if (d == 0) continue;
    if (useMin && b - a < minGapAtr * load<f64>(atr + o + 8)) continue;
    store<i32>(mid + (<usize>g << 2), i);
    store<i32>(dir + (<usize>g << 2), d);
    store<f64>(lo + (<usize>g << 3), a);
    store<f64>(hi + (<usize>g << 3), b);
    g++;
  }
  return g;
}

/**
 * The life of each gap on the bar path.
 * byFirstTouch 1 (rule zoneEvents "firstTouch", profile ict): from the bar after the third candle, the first bar whose wick
 *   enters the gap (mitigated), the first that reaches the fill level (the 50 %
 *   level with `midline`, else the far edge; filled, and it stays filled), the
 *   first that closes beyond the far edge (traded through).
 * byFirstTouch 0 (rule zoneEvents "lastClose", the seed): the last close only — filled / traded are the last bar or
 *   -1, mitigated is -1 (Q12, Q13).
 */
export function fvgEvents(
  l: usize, h: usize, c: usize, n: i32, g: i32,
  mid: usize, dir: usize, lo: usize, hi: usize, tol: f64, midline: i32, byFirstTouch: i32,
  outMit: usize, outFill: usize, outTraded: usize, idx: usize,
): void {
  if (byFirstTouch == 0) {
    const last = n - 1;
    const cl = n > 0 ? load<f64>(c + (<usize>last << 3)) : 0;
    for (let j = 0; j < g; j++) {
      const a = load<f64>(lo + (<usize>j << 3));
      const b = load<f64>(hi + (<usize>j << 3));
      const m = (a + b) / 2.0;
      const bull = load<i32>(dir + (<usize>j << 2)) > 0;
      const filled = midline != 0 ? (bull ? cl <= m + tol : cl >= m - tol) : bull ? cl <= a + tol : cl >= b - tol;
      const traded = bull ? cl < a - tol : cl > b + tol;
      store<i32>(outMit + (<usize>j << 2), -1);
      store<i32>(outFill + (<usize>j << 2), filled ? last : -1);
      store<i32>(outTraded + (<usize>j << 2), traded ? last : -1);
    }
    return;
  }
  const Q = Queries.create(3 * g);
  for (let j = 0; j < g; j++) {
    const s = load<i32>(mid + (<usize>j << 2)) + 2;
    const a = load<f64>(lo + (<usize>j << 3));
    const b = load<f64>(hi + (<usize>j << 3));
    const m = (a + b) / 2.0;
    if (load<i32>(dir + (<usize>j << 2)) > 0) {
      Q.add(s, b, 0);
      Q.add(s, (midline != 0 ? m : a) + tol, 0);
      Q.add(s, a - tol, 2);
    } else {
      Q.add(s, a, 1);
      Q.add(s, (midline != 0 ? m : b) - tol, 1);
      Q.add(s, b + tol, 3);
    }
  }
  Q.run(l, h, c, n, idx);
  for (let j = 0; j < g; j++) {
    store<i32>(outMit + (<usize>j << 2), Q.at(3 * j));
    store<i32>(outFill + (<usize>j << 2), Q.at(3 * j + 1));
    store<i32>(outTraded + (<usize>j << 2), Q.at(3 * j + 2));
  }
  Q.dispose();
}

import { Queries } from "./events";
