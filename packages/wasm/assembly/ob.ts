// Order blocks.
//
// Market rule: an order block is the last opposite-close candle before a
// displacement — for a bullish block, the last down-close candle before price
// moves up with force; its body is where the move's orders were filled, its
// far wick (the low, for a bullish block) the level whose loss invalidates it.
//
// displacement 0 (rule orderBlock "adjacentCandle", the seed v0.1): candle i (i = 1..n-2) is a bullish block when it
//   closes down (c < o; dojis count as up, Q06) and the next close rises by
//   more than mult x ATR[i], or closes above `sh` (the series' LAST swing high,
//   Q05) even when that close is lower; bearish mirrored with `sl`.
// displacement 1 (rule orderBlock "displacement", profile ict): bar d displaces upward when it closes above the previous
//   close by more than mult x ATR[d-1], or closes above the previous close and
//   breaks structure upward at d (breaks[d] bit 0, from confirmed swings only).
//   Its block is the last down-close candle (c < o strictly; dojis are neither)
//   within `lookback` bars before d; a candle is a block at most once per
//   direction (one block per displacement leg, Q06). Known at the close of d.

/**
 * Writes candle[g], dir[g] (+1 / -1) and known[g] (the displacement bar) for
 * each block, in order of discovery. Buffers need capacity n. Returns the count.
 */
export function obDetect(
  o: usize, c: usize, n: i32, atr: usize, mult: f64, tol: f64, displacement: i32,
  sh: f64, sl: f64, breaks: usize, lookback: i32,
  candle: usize, dir: usize, known: usize,
): i32 {
  let g = 0;
  if (displacement == 0) {
    const hasSh = !isNaN(sh);
    const hasSl = !isNaN(sl);
    for (let i = 1; i < n - 1; i++) {
      const oo = <usize>i << 3;
      const ci = load<f64>(c + oo);
      const cn = load<f64>(c + oo + 8);
      const thr = mult * load<f64>(atr + oo);
      const down = ci < load<f64>(o + oo);
      let d = 0;
      if (down && (cn - ci > thr || (hasSh && cn > sh + tol))) d = 1;
      if (!down && (ci - cn > thr || (hasSl && cn < sl - tol))) d = -1;
      if (d != 0) {
        store<i32>(candle + (<usize>g << 2), i);
        store<i32>(dir + (<usize>g << 2), d);
        store<i32>(known + (<usize>g << 2), i + 1);
        g++;
      }
    }
    return g;
  }
  let lastDown = -1;
  let lastUp = -1;
  let usedBull = -1;
  let usedBear = -1;
  if (n > 0) {
    const c0 = load<f64>(c);
    const o0 = load<f64>(o);
    if (c0 < o0) lastDown = 0;
    else if (c0 > o0) lastUp = 0;
  }
  // Branch-free: a displacement bar is not predictable, so every bar writes a
  // candidate block at g and g advances only when the bar displaces.
  for (let d = 1; d < n; d++) {
    const od = <usize>d << 3;
    const cd = load<f64>(c + od);
    const move = cd - load<f64>(c + od - 8);
    const thr = mult * load<f64>(atr + od - 8);
    const br = <i32>load<u8>(breaks + <usize>d);
    const bull = <i32>(move > 0) & (<i32>(move > thr) | (br & 1)) & <i32>(lastDown > usedBull) & <i32>(d - lastDown <= lookback);
    const bear = <i32>(move < 0) & (<i32>(-move > thr) | ((br >> 1) & 1)) & <i32>(lastUp > usedBear) & <i32>(d - lastUp <= lookback);
    const gi = <usize>g << 2;
    store<i32>(candle + gi, select<i32>(lastDown, lastUp, bull != 0));
    store<i32>(dir + gi, select<i32>(1, -1, bull != 0));
    store<i32>(known + gi, d);
    usedBull = select<i32>(lastDown, usedBull, bull != 0);
    usedBear = select<i32>(lastUp, usedBear, bear != 0);
    g += bull | bear;
    // The last down-close and up-close candles so far (dojis are neither).
    const od0 = load<f64>(o + od);
    lastDown = select<i32>(d, lastDown, cd < od0);
    lastUp = select<i32>(d, lastUp, cd > od0);
  }
  return g;
}

/**
 * The life of each block after its displacement.
 * byFirstTouch 1 (rule zoneEvents "firstTouch", profile ict): the first bar whose wick returns into the body (mitigated) and
 *   the first close beyond the distal wick (invalidated), from the bar after
 *   the displacement.
 * byFirstTouch 0 (rule zoneEvents "lastClose", the seed): invalidated is the last bar when the last close is beyond
 *   the distal wick (Q12), else -1; mitigated is -1.
 */
export function obEvents(
  o: usize, h: usize, l: usize, c: usize, n: i32, g: i32,
  candle: usize, dir: usize, known: usize, tol: f64, byFirstTouch: i32,
  outMit: usize, outInv: usize, idx: usize,
): void {
  if (byFirstTouch == 0) {
    const last = n - 1;
    const cl = load<f64>(c + (<usize>last << 3));
    for (let j = 0; j < g; j++) {
      const i = load<i32>(candle + (<usize>j << 2));
      const bull = load<i32>(dir + (<usize>j << 2)) > 0;
      const inv = bull ? cl < load<f64>(l + (<usize>i << 3)) - tol : cl > load<f64>(h + (<usize>i << 3)) + tol;
      store<i32>(outMit + (<usize>j << 2), -1);
      store<i32>(outInv + (<usize>j << 2), inv ? last : -1);
    }
    return;
  }
  const Q = Queries.create(2 * g);
  for (let j = 0; j < g; j++) {
    const i = load<i32>(candle + (<usize>j << 2));
    const s = load<i32>(known + (<usize>j << 2)) + 1;
    const oi = load<f64>(o + (<usize>i << 3));
    const ci = load<f64>(c + (<usize>i << 3));
    if (load<i32>(dir + (<usize>j << 2)) > 0) {
      Q.add(s, max(oi, ci), 0);
      Q.add(s, load<f64>(l + (<usize>i << 3)) - tol, 2);
    } else {
      Q.add(s, min(oi, ci), 1);
      Q.add(s, load<f64>(h + (<usize>i << 3)) + tol, 3);
    }
  }
  Q.run(l, h, c, n, idx);
  for (let j = 0; j < g; j++) {
    store<i32>(outMit + (<usize>j << 2), Q.at(2 * j));
    store<i32>(outInv + (<usize>j << 2), Q.at(2 * j + 1));
  }
  Q.dispose();
}

import { Queries } from "./events";
