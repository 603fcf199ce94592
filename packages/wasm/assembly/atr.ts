// Average True Range.
//
// Market rule: the true range of a bar is the largest of its own range (h - l)
// and the gaps to the previous close (|h - c[-1]|, |l - c[-1]|); the first bar
// has no previous close, so its true range is its own range. ATR is the mean
// of the last `period` true ranges. Like the seed (pandas rolling mean with
// min_periods=1), the first period-1 bars average the bars seen so far.
// Wilder's variant smooths instead: atr = (atr[-1] * (period - 1) + tr) / period,
// seeded with the simple mean once `period` bars exist.

/**
 * Periods below this take the one-pass register path (`smallPeriod`); longer
 * ones the block path with partial-sum rows in scratch. Both add each window
 * in the same fixed order, so they give the same bits.
 */
const SMALL: i32 = 32;

/** Block of outputs processed at once; its scratch rows stay in L1/L2. */
const BLOCK: i32 = 512;

/** Largest power of two <= p, and the number of doubling rows (log2 of it, + 1). */
// @ts-ignore: decorator
@inline
function rowsFor(p: i32): i32 {
  return 32 - clz<i32>(p);
}

/**
 * Bytes of scratch that `atr` needs for a given period: one row per power of
 * two up to the period (widths 1, 2, 4, ...), each a block plus its window overlap.
 */
export function atrScratchBytes(period: i32): usize {
  if (period < 1) period = 1;
  return <usize>rowsFor(period) * (<usize>(BLOCK + period + 4) << 3) + 64;
}

/**
 * True range of bars [from, to) into `dst` (dst[j] = TR[from + j]), from >= 1.
 * Branch-free f64x2: max(h - l, |h - pc|, |l - pc|) two bars at a time.
 */
// @ts-ignore: decorator
@inline
function trueRangeBlock(h: usize, l: usize, c: usize, from: i32, to: i32, dst: usize): void {
  let i = from;
  let d = dst;
  const end2 = to - 1;
  while (i < end2) {
    const o = <usize>i << 3;
    const hv = v128.load(h + o);
    const lv = v128.load(l + o);
    const pc = v128.load(c + o - 8);
    const hl = f64x2.sub(hv, lv);
    const hc = f64x2.abs(f64x2.sub(hv, pc));
    const lc = f64x2.abs(f64x2.sub(lv, pc));
    v128.store(d, f64x2.pmax(hl, f64x2.pmax(hc, lc)));
    i += 2;
    d += 16;
  }
  if (i < to) {
    const o = <usize>i << 3;
    const hv = load<f64>(h + o);
    const lv = load<f64>(l + o);
    const pc = load<f64>(c + o - 8);
    store<f64>(d, max(hv - lv, max(abs(hv - pc), abs(lv - pc))));
  }
}

/** True ranges of bars e and e + 1 (e >= 1) as one f64x2, branch-free. */
// @ts-ignore: decorator
@inline
function trPair(h: usize, l: usize, c: usize, e: i32): v128 {
  const o = <usize>e << 3;
  const hv = v128.load(h + o);
  const lv = v128.load(l + o);
  const pc = v128.load(c + o - 8);
  return f64x2.pmax(f64x2.sub(hv, lv), f64x2.pmax(f64x2.abs(f64x2.sub(hv, pc)), f64x2.abs(f64x2.sub(lv, pc))));
}

/** True range of bar i >= 1. */
// @ts-ignore: decorator
@inline
function trAt(h: usize, l: usize, c: usize, i: i32): f64 {
  const o = <usize>i << 3;
  const hv = load<f64>(h + o);
  const lv = load<f64>(l + o);
  const pc = load<f64>(c + o - 8);
  return max(hv - lv, max(abs(hv - pc), abs(lv - pc)));
}

/** Sum of the w (a power of two) true ranges ending at bar `end`, as the rows build it: left half + right half. */
function treeSum(h: usize, l: usize, c: usize, end: i32, w: i32): f64 {
  if (w == 1) return trAt(h, l, c, end);
  const half = w >> 1;
  return treeSum(h, l, c, end - half, half) + treeSum(h, l, c, end, half);
}

/**
 * Window sum of output i in the kernel's fixed order (one output, scalar): the
 * part of each set bit w of p, lowest first; part w ends p mod w bars before i.
 */
function windowSum(h: usize, l: usize, c: usize, i: i32, p: i32): f64 {
  let s: f64 = 0;
  let first = true;
  for (let w = 1; w <= p; w <<= 1) {
    if ((p & w) == 0) continue;
    const x = treeSum(h, l, c, i - (p % w), w);
    s = first ? x : s + x;
    first = false;
  }
  return s;
}

/** True range of every bar into `out` (TR[0] = h[0] - l[0]). */
export function trueRange(h: usize, l: usize, c: usize, n: i32, out: usize): void {
  if (n <= 0) return;
  store<f64>(out, load<f64>(h) - load<f64>(l));
  if (n > 1) trueRangeBlock(h, l, c, 1, n, out + 8);
}

/**
 * ATR of every bar into `out`.
 * method 0: simple mean of the last `period` true ranges (partial windows at
 * the start). method 1: Wilder's smoothing.
 * `scratch` must hold `atrScratchBytes(period)` bytes.
 *
 * The simple mean sums each window afresh as a fixed tree of power-of-two
 * partial sums, so a value depends only on its own window: no drift over long
 * series, exact zero for a window of zero ranges, and the same bits whatever
 * the length of the series (a prefix gives the same values as the whole).
 * Periods below SMALL keep the tree in registers in one pass over the bars
 * (`smallPeriod`); longer ones build its rows in scratch block by block.
 */
export function atr(h: usize, l: usize, c: usize, n: i32, period: i32, method: i32, out: usize, scratch: usize): void {
  if (n <= 0) return;
  if (period < 1) period = 1;
  // Short periods: full windows in one pass. It runs first because its warm-up
  // writes bars < period, which the prologue below then overwrites.
  const small = method != 1 && period < SMALL && n > period;
  if (small) smallPeriods(h, l, c, n, period, out);
  // Prologue: partial windows (and the first full one), summed in bar order.
  const head = min(n, period);
  let sum: f64 = 0;
  let prevC: f64 = 0;
  for (let i = 0; i < head; i++) {
    const o = <usize>i << 3;
    const hv = load<f64>(h + o);
    const lv = load<f64>(l + o);
    let tr = hv - lv;
    if (i > 0) tr = max(tr, max(abs(hv - prevC), abs(lv - prevC)));
    prevC = load<f64>(c + o);
    sum += tr;
    store<f64>(out + o, sum / <f64>(i + 1));
  }
  if (n <= period || small) return;
  if (method == 1) {
    wilder(h, l, c, n, period, out);
    return;
  }
  // Full windows, block by block. Window of output i covers TR[i-p+1 .. i].
  // Row w (w = 1, 2, 4, ...) holds sums of w consecutive true ranges:
  // row_w[j] = TR[first+j .. first+j+w-1]; the window sum is the sum of the rows
  // of p's set bits, each at its offset in the window, added in a fixed order
  // (lowest bit first), then one pass divides.
  const p = period;
  const nRows = rowsFor(p);
  const rowBytes = <usize>(BLOCK + p + 4) << 3;
  // Pointers of the parts (row of a set bit, advanced by its offset in the window).
  let a0: usize = 0, a1: usize = 0, a2: usize = 0, a3: usize = 0;
  let parts = 0;
  for (let r = 0; r < nRows; r++) {
    const w = 1 << r;
    if ((p & w) == 0) continue;
    const off = p - (p % (w << 1));
    const ptr = scratch + <usize>r * rowBytes + (<usize>off << 3);
    if (parts == 0) a0 = ptr;
    else if (parts == 1) a1 = ptr;
    else if (parts == 2) a2 = ptr;
    else if (parts == 3) a3 = ptr;
    parts++;
  }
  const vp = f64x2.splat(<f64>p);
  const fp = <f64>p;
  let s = period; // first output of the block (outputs < period done above)
  while (s < n) {
    const e = min(n, s + BLOCK);
    const first = s - p + 1; // first TR index needed (>= 1)
    let rowLen = e - first;
    trueRangeBlock(h, l, c, first, e, scratch);
    for (let r = 1; r < nRows; r++) {
      // row_{2w}[j] = row_w[j] + row_w[j + w]
      const w = 1 << (r - 1);
      const src = scratch + <usize>(r - 1) * rowBytes;
      const dst = src + rowBytes;
      const wo = <usize>w << 3;
      const newLen = rowLen - w;
      let j = 0;
      for (; j + 1 < newLen; j += 2) {
        const jo = <usize>j << 3;
        v128.store(dst + jo, f64x2.add(v128.load(src + jo), v128.load(src + jo + wo)));
      }
      if (j < newLen) {
        const jo = <usize>j << 3;
        store<f64>(dst + jo, load<f64>(src + jo) + load<f64>(src + jo + wo));
      }
      rowLen = newLen;
    }
    const nOut = e - s;
    const dst = out + (<usize>s << 3);
    if (parts <= 4) {
      fusedMean(dst, nOut, parts, a0, a1, a2, a3, vp, fp);
    } else {
      // Periods with more than four set bits: add the parts one by one.
      let first = true;
      for (let r = 0; r < nRows; r++) {
        const w = 1 << r;
        if ((p & w) == 0) continue;
        const off = p - (p % (w << 1));
        const src = scratch + <usize>r * rowBytes + (<usize>off << 3);
        for (let j = 0; j < nOut; j++) {
          const jo = <usize>j << 3;
          store<f64>(dst + jo, first ? load<f64>(src + jo) : load<f64>(dst + jo) + load<f64>(src + jo));
        }
        first = false;
      }
      for (let j = 0; j < nOut; j++) store<f64>(dst + (<usize>j << 3), load<f64>(dst + (<usize>j << 3)) / fp);
    }
    s = e;
  }
}

/** out[j] = (((a0[j] + a1[j]) + a2[j]) + a3[j]) / p over the parts present, two at a time. */
// @ts-ignore: decorator
@inline
function fusedMean(dst: usize, nOut: i32, parts: i32, a0: usize, a1: usize, a2: usize, a3: usize, vp: v128, fp: f64): void {
  let j = 0;
  if (parts == 1) {
    for (; j + 1 < nOut; j += 2) {
      const jo = <usize>j << 3;
      v128.store(dst + jo, f64x2.div(v128.load(a0 + jo), vp));
    }
  } else if (parts == 2) {
    for (; j + 1 < nOut; j += 2) {
      const jo = <usize>j << 3;
      v128.store(dst + jo, f64x2.div(f64x2.add(v128.load(a0 + jo), v128.load(a1 + jo)), vp));
    }
  } else if (parts == 3) {
    for (; j + 1 < nOut; j += 2) {
      const jo = <usize>j << 3;
      const x = f64x2.add(f64x2.add(v128.load(a0 + jo), v128.load(a1 + jo)), v128.load(a2 + jo));
      v128.store(dst + jo, f64x2.div(x, vp));
    }
  } else {
    for (; j + 1 < nOut; j += 2) {
      const jo = <usize>j << 3;
      const x = f64x2.add(f64x2.add(f64x2.add(v128.load(a0 + jo), v128.load(a1 + jo)), v128.load(a2 + jo)), v128.load(a3 + jo));
      v128.store(dst + jo, f64x2.div(x, vp));
    }
  }
  if (j < nOut) {
    const jo = <usize>j << 3;
    let x = load<f64>(a0 + jo);
    if (parts > 1) x += load<f64>(a1 + jo);
    if (parts > 2) x += load<f64>(a2 + jo);
    if (parts > 3) x += load<f64>(a3 + jo);
    store<f64>(dst + jo, x / fp);
  }
}

/**
 * Lanes [x(e - lag), x(e - lag + 1)] of a row from its history in registers:
 * x0 holds x at (e, e + 1), x1 at (e - 2, e - 1), ... (lag is a constant).
 */
// @ts-ignore: decorator
@inline
function pick(lag: i32, x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128, x8: v128): v128 {
  const k = lag >> 1;
  const a = k == 0 ? x0 : k == 1 ? x1 : k == 2 ? x2 : k == 3 ? x3 : k == 4 ? x4 : k == 5 ? x5 : k == 6 ? x6 : x7;
  if ((lag & 1) == 0) return a;
  const b = k == 0 ? x1 : k == 1 ? x2 : k == 2 ? x3 : k == 3 ? x4 : k == 4 ? x5 : k == 5 ? x6 : k == 6 ? x7 : x8;
  return v128.shuffle<f64>(b, a, 1, 2);
}

/**
 * Full windows (outputs P .. n-1, n > P) of a period P < 32 that is a constant
 * after inlining, in one pass over the bars, two outputs per step.
 *
 * S_w(e), the sum of the w true ranges ending at bar e, is the block path's
 * row_w entry for the same bars, built the same way: S_1 = TR,
 * S_2w(e) = S_w(e - w) + S_w(e). Each step computes the true ranges of bars
 * (e, e + 1) and S_2 .. S_16 for both lanes, keeping the few earlier values
 * that later steps need in registers (S_2 from the previous true-range pair by
 * a lane shuffle). The window sum is the part of each set bit w of P, lowest
 * first, part w being S_w ending P mod w bars before e; then one division by P.
 * So every output is the same fixed sum of its own window's true ranges, with
 * nothing carried from one window to the next.
 *
 * Steps start at bar 1 or 2 (e has P's parity) from zero history; the outputs
 * of the steps before bar P are warm-up and are overwritten by the prologue.
 */
// @ts-ignore: decorator
@inline
function smallPeriod(h: usize, l: usize, c: usize, n: i32, out: usize, P: i32): void {
  const vp = f64x2.splat(<f64>P);
  const z = f64x2.splat(0);
  const e0 = 2 - (P & 1);
  let t1 = e0 == 2 ? f64x2.replace_lane(z, 1, trAt(h, l, c, 1)) : z; // TR at e-2, e-1
  let s2a = z; // S_2 at e-2
  let s4a = z, s4b = z; // S_4 at e-2, e-4
  let s8a = z, s8b = z, s8c = z, s8d = z; // S_8 at e-2 .. e-8
  let q1 = z, q2 = z, q3 = z, q4 = z, q5 = z, q6 = z, q7 = z, q8 = z; // S_16 at e-2 .. e-16
  let e = e0;
  for (; e + 1 < n; e += 2) {
    const t = trPair(h, l, c, e);
    const s2 = f64x2.add(v128.shuffle<f64>(t1, t, 1, 2), t);
    const s4 = f64x2.add(s2a, s2);
    const s8 = f64x2.add(s4b, s4);
    const s16 = f64x2.add(s8d, s8);
    // Parts lowest bit first (the conditions are constants: unused rows vanish).
    let acc = t;
    let started = (P & 1) != 0;
    if (P & 2) {
      const x = pick(P & 1, s2, s2a, z, z, z, z, z, z, z);
      acc = started ? f64x2.add(acc, x) : x;
      started = true;
    }
    if (P & 4) {
      const x = pick(P & 3, s4, s4a, s4b, z, z, z, z, z, z);
      acc = started ? f64x2.add(acc, x) : x;
      started = true;
    }
    if (P & 8) {
      const x = pick(P & 7, s8, s8a, s8b, s8c, s8d, z, z, z, z);
      acc = started ? f64x2.add(acc, x) : x;
      started = true;
    }
    if (P & 16) {
      const x = pick(P & 15, s16, q1, q2, q3, q4, q5, q6, q7, q8);
      acc = started ? f64x2.add(acc, x) : x;
    }
    v128.store(out + (<usize>e << 3), f64x2.div(acc, vp));
    t1 = t;
    s2a = s2;
    s4b = s4a; s4a = s4;
    s8d = s8c; s8c = s8b; s8b = s8a; s8a = s8;
    q8 = q7; q7 = q6; q6 = q5; q5 = q4; q4 = q3; q3 = q2; q2 = q1; q1 = s16;
  }
  // A last odd output: the same sum, scalar.
  if (e < n) store<f64>(out + (<usize>e << 3), windowSum(h, l, c, e, P) / <f64>P);
}

/** `smallPeriod` specialised for each period 1 .. SMALL-1. */
function smallPeriods(h: usize, l: usize, c: usize, n: i32, p: i32, out: usize): void {
  switch (p) {
    case 1: smallPeriod(h, l, c, n, out, 1); break;
    case 2: smallPeriod(h, l, c, n, out, 2); break;
    case 3: smallPeriod(h, l, c, n, out, 3); break;
    case 4: smallPeriod(h, l, c, n, out, 4); break;
    case 5: smallPeriod(h, l, c, n, out, 5); break;
    case 6: smallPeriod(h, l, c, n, out, 6); break;
    case 7: smallPeriod(h, l, c, n, out, 7); break;
    case 8: smallPeriod(h, l, c, n, out, 8); break;
    case 9: smallPeriod(h, l, c, n, out, 9); break;
    case 10: smallPeriod(h, l, c, n, out, 10); break;
    case 11: smallPeriod(h, l, c, n, out, 11); break;
    case 12: smallPeriod(h, l, c, n, out, 12); break;
    case 13: smallPeriod(h, l, c, n, out, 13); break;
    case 14: smallPeriod(h, l, c, n, out, 14); break;
    case 15: smallPeriod(h, l, c, n, out, 15); break;
    case 16: smallPeriod(h, l, c, n, out, 16); break;
    case 17: smallPeriod(h, l, c, n, out, 17); break;
    case 18: smallPeriod(h, l, c, n, out, 18); break;
    case 19: smallPeriod(h, l, c, n, out, 19); break;
    case 20: smallPeriod(h, l, c, n, out, 20); break;
    case 21: smallPeriod(h, l, c, n, out, 21); break;
    case 22: smallPeriod(h, l, c, n, out, 22); break;
    case 23: smallPeriod(h, l, c, n, out, 23); break;
    case 24: smallPeriod(h, l, c, n, out, 24); break;
    case 25: smallPeriod(h, l, c, n, out, 25); break;
    case 26: smallPeriod(h, l, c, n, out, 26); break;
    case 27: smallPeriod(h, l, c, n, out, 27); break;
    case 28: smallPeriod(h, l, c, n, out, 28); break;
    case 29: smallPeriod(h, l, c, n, out, 29); break;
    case 30: smallPeriod(h, l, c, n, out, 30); break;
    default: smallPeriod(h, l, c, n, out, 31);
  }
}

function wilder(h: usize, l: usize, c: usize, n: i32, p: i32, out: usize): void {
  let prev = load<f64>(out + (<usize>(p - 1) << 3));
  let prevC = load<f64>(c + (<usize>(p - 1) << 3));
  const fp = <f64>p;
  const fp1 = <f64>(p - 1);
  for (let i = p; i < n; i++) {
    const o = <usize>i << 3;
    const hv = load<f64>(h + o);
    const lv = load<f64>(l + o);
    const tr = max(hv - lv, max(abs(hv - prevC), abs(lv - prevC)));
    prevC = load<f64>(c + o);
    prev = (prev * fp1 + tr) / fp;
    store<f64>(out + o, prev);
  }
}
