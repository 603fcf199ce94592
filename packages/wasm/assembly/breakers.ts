// Breaker blocks.
//
// Market rule: an order block that fails (price closes through its far side)
// and is followed by a break of structure against the block's direction
// becomes a breaker: the failed bullish block, retested from below, is
// bearish resistance, and vice versa (Q17).

/**
 * Builds the breakers from the order blocks, compacted (at most one per block).
 * failedThenBreak 1 (rule breaker "failedThenBreak", profile ict): a failed block (invalidated at v) followed, within `lookahead`
 *   bars of v, by a structure event against its direction; the
 *   breaker is known at that event and invalidated by the first close back
 *   beyond the block's far wick (above its high for a bearish breaker).
 * failedThenBreak 0 (rule breaker "anyInvalidated", the seed): every invalidated block whose direction differs from the
 *   opposite of `lastDir` (the series' last BOS, Q17); formed -1.
 * Level: the body top for a bearish breaker, the bottom for a bullish one (the
 * block's distal wick when that is 0.0, as the seed).
 */
export function breakerBuild(
  o: usize, h: usize, l: usize, c: usize, n: i32,
  nOb: i32, candle: usize, obDir: usize, obInval: usize,
  evBar: usize, evDir: usize, ne: i32, lastDir: i32, lookahead: i32, tol: f64, failedThenBreak: i32,
  outOb: usize, outDir: usize, outLevel: usize, outFormed: usize, outInvalid: usize, idx: usize,
): i32 {
  let m = 0;
  const opp = -lastDir;
  for (let j = 0; j < nOb; j++) {
    const v = load<i32>(obInval + (<usize>j << 2));
    if (v < 0) continue;
    const od = load<i32>(obDir + (<usize>j << 2));
    let formed = -1;
    let bd = 0;
    if (failedThenBreak == 0) {
      if (lastDir == 0 || od == opp) continue;
      bd = opp;
    } else {
      // First event at or after v (binary search), then the window.
      let a = 0;
      let b = ne;
      while (a < b) {
        const mm = (a + b) >>> 1;
        if (load<i32>(evBar + (<usize>mm << 2)) < v) a = mm + 1;
        else b = mm;
      }
      for (let e = a; e < ne; e++) {
        const eb = load<i32>(evBar + (<usize>e << 2));
        if (eb > v + lookahead) break;
        if (load<i32>(evDir + (<usize>e << 2)) == -od) { formed = eb; break; }
      }
      if (formed < 0) continue;
      bd = -od;
    }
    const i = load<i32>(candle + (<usize>j << 2));
    const oi = load<f64>(o + (<usize>i << 3));
    const ci = load<f64>(c + (<usize>i << 3));
    let level = bd < 0 ? max(oi, ci) : min(oi, ci);
    if (level == 0) level = od > 0 ? load<f64>(l + (<usize>i << 3)) : load<f64>(h + (<usize>i << 3));
    const mo = <usize>m << 2;
    store<i32>(outOb + mo, j);
    store<i32>(outDir + mo, bd);
    store<f64>(outLevel + (<usize>m << 3), level);
    store<i32>(outFormed + mo, formed);
    store<i32>(outInvalid + mo, -1);
    m++;
  }
  if (failedThenBreak != 0 && m > 0) {
    const Q = Queries.create(m);
    for (let x = 0; x < m; x++) {
      const i = load<i32>(candle + (<usize>load<i32>(outOb + (<usize>x << 2)) << 2));
      const s = load<i32>(outFormed + (<usize>x << 2)) + 1;
      if (load<i32>(outDir + (<usize>x << 2)) < 0) Q.add(s, load<f64>(h + (<usize>i << 3)) + tol, 3);
      else Q.add(s, load<f64>(l + (<usize>i << 3)) - tol, 2);
    }
    Q.run(l, h, c, n, idx);
    for (let x = 0; x < m; x++) store<i32>(outInvalid + (<usize>x << 2), Q.at(x));
    Q.dispose();
  }
  return m;
}

import { Queries } from "./events";
