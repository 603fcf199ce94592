// SMT divergence between two correlated instruments.
//
// Market rule: correlated instruments should confirm each other's swings. When
// one makes a higher high while the other fails to (a lower or equal high),
// the move up lacks participation: bearish SMT. When one makes a lower low
// while the other holds a higher low: bullish SMT. Each instrument is compared
// with its own previous swing, so price levels never mix (Q03).

/**
 * Inner join of two ascending timestamp columns on equal times.
 * Writes the matching row of each side to i1 / i2; returns the count.
 */
export function alignTimes(t1: usize, n1: i32, t2: usize, n2: i32, i1: usize, i2: usize): i32 {
  let a = 0;
  let b = 0;
  let m = 0;
  while (a < n1 && b < n2) {
    const x = load<f64>(t1 + (<usize>a << 3));
    const y = load<f64>(t2 + (<usize>b << 3));
    if (x == y) {
      store<i32>(i1 + (<usize>m << 2), a);
      store<i32>(i2 + (<usize>m << 2), b);
      m++;
      a++;
      b++;
    } else if (x < y) a++;
    else b++;
  }
  return m;
}

/** dst[j] = src[idx[j]] for j < m (a column gathered onto the aligned rows). */
export function gather(src: usize, idx: usize, m: i32, dst: usize): void {
  for (let j = 0; j < m; j++) {
    store<f64>(dst + (<usize>j << 3), load<f64>(src + (<usize>load<i32>(idx + (<usize>j << 2)) << 3)));
  }
}

/**
 * Causal SMT over aligned bars [0, m). At each bar t where a swing of either
 * instrument becomes known (pivot + k == t), the two latest known swing highs
 * of each instrument are compared when they pair up (the latest of each within
 * `window` bars of each other, and the previous of each too):
 *   one makes a higher high (last > previous + tol) while the other does not
 *   (last <= previous + tol)  -> bearish SMT known at t;
 * lows mirrored -> bullish SMT. A pair of swings yields one event.
 * Writes dir[e] (+1 bull / -1 bear), at[e] (t), leader[e] (0: the primary made
 * the new extreme, 1: the reference did), p1/p2/r1/r2 (previous and last pivot
 * bars of primary and reference). Returns the count. Buffers need capacity m.
 */
export function smtDivergence(
  hp: usize, lp: usize, hr: usize, lr: usize, m: i32,
  phi: usize, npHi: i32, plo: usize, npLo: i32,
  rhi: usize, nrHi: i32, rlo: usize, nrLo: i32,
  k: i32, window: i32, tol: f64,
  dir: usize, at: usize, leader: usize, p1: usize, p2: usize, r1: usize, r2: usize,
): i32 {
  let e = 0;
  let a = 0; let b = 0; let cc = 0; let dd = 0; // counts of known pivots per list
  let lastHiP = -1; let lastHiR = -1; let lastLoP = -1; let lastLoR = -1; // last emitted pairs
  for (let t = 0; t < m; t++) {
    let newHi = false;
    let newLo = false;
    while (a < npHi && load<i32>(phi + (<usize>a << 2)) + k <= t) { a++; newHi = true; }
    while (b < nrHi && load<i32>(rhi + (<usize>b << 2)) + k <= t) { b++; newHi = true; }
    while (cc < npLo && load<i32>(plo + (<usize>cc << 2)) + k <= t) { cc++; newLo = true; }
    while (dd < nrLo && load<i32>(rlo + (<usize>dd << 2)) + k <= t) { dd++; newLo = true; }
    if (newHi && a >= 2 && b >= 2) {
      const x1 = load<i32>(phi + (<usize>(a - 2) << 2));
      const x2 = load<i32>(phi + (<usize>(a - 1) << 2));
      const y1 = load<i32>(rhi + (<usize>(b - 2) << 2));
      const y2 = load<i32>(rhi + (<usize>(b - 1) << 2));
      if (abs(x2 - y2) <= window && abs(x1 - y1) <= window && (x2 != lastHiP || y2 != lastHiR)) {
        const pHH = load<f64>(hp + (<usize>x2 << 3)) > load<f64>(hp + (<usize>x1 << 3)) + tol;
        const rHH = load<f64>(hr + (<usize>y2 << 3)) > load<f64>(hr + (<usize>y1 << 3)) + tol;
        if (pHH != rHH) {
          writeEvent(e++, -1, t, pHH ? 0 : 1, x1, x2, y1, y2, dir, at, leader, p1, p2, r1, r2);
          lastHiP = x2;
          lastHiR = y2;
        }
      }
    }
    if (newLo && cc >= 2 && dd >= 2) {
      const x1 = load<i32>(plo + (<usize>(cc - 2) << 2));
      const x2 = load<i32>(plo + (<usize>(cc - 1) << 2));
      const y1 = load<i32>(rlo + (<usize>(dd - 2) << 2));
      const y2 = load<i32>(rlo + (<usize>(dd - 1) << 2));
      if (abs(x2 - y2) <= window && abs(x1 - y1) <= window && (x2 != lastLoP || y2 != lastLoR)) {
        const pLL = load<f64>(lp + (<usize>x2 << 3)) < load<f64>(lp + (<usize>x1 << 3)) - tol;
        const rLL = load<f64>(lr + (<usize>y2 << 3)) < load<f64>(lr + (<usize>y1 << 3)) - tol;
        if (pLL != rLL) {
          writeEvent(e++, 1, t, pLL ? 0 : 1, x1, x2, y1, y2, dir, at, leader, p1, p2, r1, r2);
          lastLoP = x2;
          lastLoR = y2;
        }
      }
    }
  }
  return e;
}

// @ts-ignore: decorator
@inline
function writeEvent(
  e: i32, d: i32, t: i32, lead: i32, x1: i32, x2: i32, y1: i32, y2: i32,
  dir: usize, at: usize, leader: usize, p1: usize, p2: usize, r1: usize, r2: usize,
): void {
  const eo = <usize>e << 2;
  store<i32>(dir + eo, d);
  store<i32>(at + eo, t);
  store<i32>(leader + eo, lead);
  store<i32>(p1 + eo, x1);
  store<i32>(p2 + eo, x2);
  store<i32>(r1 + eo, y1);
  store<i32>(r2 + eo, y2);
}
