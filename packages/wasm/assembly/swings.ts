
// Swing points (fractal pivots).
//
// Market rule: bar i is a swing high when its high stands above the highs of
// the k bars on each side, a swing low when its low stands below the lows of
// the k bars on each side. A pivot needs the k bars after it, so it is known
// only at the close of bar i + k (its confirmation bar).
// Ties: `leftTies = 0` is the seed's strict rule (equal highs are never a
// swing); `leftTies = 1` lets the later of equal highs (lows) be the swing, so
// a double top is a swing high (the right side stays strict).

/**
 * Finds swing highs and lows of bars [0, n).
 * flags[i] (u8): bit 0 swing high, bit 1 swing low.
 * hiOut / loOut (i32, capacity n): pivot bar indices in ascending order.
 * Returns the number of swing highs; the number of swing lows is written to
 * `nLoOut` (one i32).
 */
export function swings(h: usize, l: usize, n: i32, k: i32, leftTies: i32, flags: usize, hiOut: usize, loOut: usize, nLoOut: usize): i32 {
  if (n > 0) memory.fill(flags, 0, <usize>n);
  let nh = 0;
  let nl = 0;
  if (k < 1 || n < 2 * k + 1) {
    store<i32>(nLoOut, 0);
    return 0;
  }
  const last = n - 1 - k; // last bar that can be a pivot
  let i = k;
  if (k == 2) {
    // Unrolled common case: two bars a side, two candidate bars per step. The
    // left-side comparison is >= (<= for lows) where later ties count, else >.
    const ties = i64x2.splat(leftTies != 0 ? -1 : 0);
    while (i + 1 <= last) {
      const o = <usize>i << 3;
      const hv = v128.load(h + o);
      const lv = v128.load(l + o);
      const hL = f64x2.pmax(v128.load(h + o - 16), v128.load(h + o - 8));
      const hR = f64x2.pmax(v128.load(h + o + 8), v128.load(h + o + 16));
      const lL = f64x2.pmin(v128.load(l + o - 16), v128.load(l + o - 8));
      const lR = f64x2.pmin(v128.load(l + o + 8), v128.load(l + o + 16));
      const leftH = v128.bitselect(f64x2.ge(hv, hL), f64x2.gt(hv, hL), ties);
      const leftL = v128.bitselect(f64x2.le(lv, lL), f64x2.lt(lv, lL), ties);
      const mh = i64x2.bitmask(v128.and(leftH, f64x2.gt(hv, hR)));
      const ml = i64x2.bitmask(v128.and(leftL, f64x2.lt(lv, lR)));
      store<u16>(flags + <usize>i, <u16>((mh & 1) | ((ml & 1) << 1) | ((mh & 2) << 7) | ((ml & 2) << 8)));
      store<i32>(hiOut + (<usize>nh << 2), i);
      nh += mh & 1;
      store<i32>(hiOut + (<usize>nh << 2), i + 1);
      nh += mh >> 1;
      store<i32>(loOut + (<usize>nl << 2), i);
      nl += ml & 1;
      store<i32>(loOut + (<usize>nl << 2), i + 1);
      nl += ml >> 1;
      i += 2;
    }
  }
  // General k, and the tail of the unrolled case: one bar at a time.
  for (; i <= last; i++) {
    const o = <usize>i << 3;
    const hv = load<f64>(h + o);
    const lv = load<f64>(l + o);
    let hL = -Infinity;
    let hR = -Infinity;
    let lL = Infinity;
    let lR = Infinity;
    for (let d = 1; d <= k; d++) {
      const od = <usize>d << 3;
      hL = max(hL, load<f64>(h + o - od));
      hR = max(hR, load<f64>(h + o + od));
      lL = min(lL, load<f64>(l + o - od));
      lR = min(lR, load<f64>(l + o + od));
    }
    const isH = <i32>((leftTies != 0 ? hv >= hL : hv > hL) && hv > hR);
    const isL = <i32>((leftTies != 0 ? lv <= lL : lv < lL) && lv < lR);
    store<u8>(flags + <usize>i, <u8>(isH | (isL << 1)));
    store<i32>(hiOut + (<usize>nh << 2), i);
    nh += isH;
    store<i32>(loOut + (<usize>nl << 2), i);
    nl += isL;
  }
  store<i32>(nLoOut, nl);
  return nh;
}
