
// Equilibrium and the optimal trade entry (OTE) zone of a dealing range.
//
// Market rule: the equilibrium (EQ) of a range is its midpoint: above it is
// premium, below it discount. After a bullish leg low -> high, the OTE zone is
// the 62 %-79 % retracement measured down from the high (70.5 % its sweet
// spot); after a bearish leg it is measured up from the low.

/** Highest high of bars [from, to). */
export function maxHigh(h: usize, from: i32, to: i32): f64 {
  let m = f64x2.splat(-Infinity);
  let i = from;
  for (; i + 1 < to; i += 2) m = f64x2.pmax(m, v128.load(h + (<usize>i << 3)));
  let r = max(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (i < to) r = max(r, load<f64>(h + (<usize>i << 3)));
  return r;
}

/** Lowest low of bars [from, to). */
export function minLow(l: usize, from: i32, to: i32): f64 {
  let m = f64x2.splat(Infinity);
  let i = from;
  for (; i + 1 < to; i += 2) m = f64x2.pmin(m, v128.load(l + (<usize>i << 3)));
  let r = min(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (i < to) r = min(r, load<f64>(l + (<usize>i << 3)));
  return r;
}

/**
 * The leg of the last break, measured causally.
 * dir +1 (bullish break at bar `brk`): origin = the last swing low usable
 * before the break (pivot bar + delay <= brk, pivot bar < brk), leg low = its
 * low, leg high = the highest high from the origin to the last bar.
 * dir -1 mirrors it. Without a usable origin swing, the origin is the extreme
 * bar of the `lookback` bars up to the break.
 * Writes three f64 to `out`: the leg low, the leg high and the origin bar.
 */
export function impulseLeg(
  h: usize, l: usize, n: i32, dir: i32, brk: i32,
  pivIdx: usize, nPiv: i32, delay: i32, lookback: i32, out: usize,
): void {
  let origin = -1;
  for (let p = nPiv - 1; p >= 0; p--) {
    const s = load<i32>(pivIdx + (<usize>p << 2));
    if (s < brk && s + delay <= brk) {
      origin = s;
      break;
    }
  }
  const from = max(0, brk - lookback + 1);
  if (origin < 0) {
    // The extreme bar of the lookback window (the earliest one on ties).
    origin = from;
    if (dir > 0) {
      let m = load<f64>(l + (<usize>from << 3));
      for (let i = from + 1; i <= brk; i++) {
        const v = load<f64>(l + (<usize>i << 3));
        if (v < m) { m = v; origin = i; }
      }
    } else {
      let m = load<f64>(h + (<usize>from << 3));
      for (let i = from + 1; i <= brk; i++) {
        const v = load<f64>(h + (<usize>i << 3));
        if (v > m) { m = v; origin = i; }
      }
    }
  }
  if (dir > 0) {
    store<f64>(out, load<f64>(l + (<usize>origin << 3)));
    store<f64>(out + 8, maxHigh(h, origin, n));
  } else {
    store<f64>(out, minLow(l, origin, n));
    store<f64>(out + 8, load<f64>(h + (<usize>origin << 3)));
  }
  store<f64>(out + 16, <f64>origin);
}
