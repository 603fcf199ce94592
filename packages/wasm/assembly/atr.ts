// Average True Range.
//
// Market rule: the true range of a bar is the largest of its own range (h - l)
// and the gaps to the previous close (|h - c[-1]|, |l - c[-1]|); the first bar
// has no previous close, so its true range is its own range. ATR is the mean
// of the last `period` true ranges. Like the seed (pandas rolling mean with
// min_periods=1), the first period-1 bars average the bars seen so far.
// Wilder's variant smooths instead: atr = (atr[-1] * (period - 1) + tr) / period,
// seeded with the simple mean once `period` bars exist.

/** Block of outputs processed at once; its scratch rows stay in L1/L2. */
const BLOCK: i32 = 1024;

/**
 * Bytes of scratch that `atr` needs for a given period: one row of true ranges
 * for a block plus its window overlap.
 */
export function atrScratchBytes(period: i32): usize {
  return <usize>(BLOCK + period + 4) << 3;
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
 */
export function atr(h: usize, l: usize, c: usize, n: i32, period: i32, method: i32, out: usize, scratch: usize): void {
  if (n <= 0) return;
  if (period < 1) period = 1;
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
  if (n <= period) return;
  if (method == 1) {
    wilder(h, l, c, n, period, out);
    return;
  }
  // Full windows, block by block. Window of output i covers TR[i-p+1 .. i].
  const p = period;
  const inv = f64x2.splat(<f64>p);
  let s = period; // first output of the block (outputs < period done above)
  while (s < n) {
    const e = min(n, s + BLOCK);
    const first = s - p + 1; // first TR index needed (>= 1)
    const len = e - first; // TR values in the block row
    trueRangeBlock(h, l, c, first, e, scratch);
    // Row width w holds sums of w consecutive TRs: row[j] = TR[first+j .. first+j+w-1].
    // Build widths 1, 2, 4, ... in place, adding each set bit of p into out.
    let w = 1;
    let started = false;
    let rowLen = len;
    const nOut = e - s;
    while (w <= p) {
      if ((p & w) != 0) {
        // This part covers the window's positions [p - (p mod 2w), p - (p mod 2w) + w).
        const off = p - (p % (w << 1));
        const src = scratch + (<usize>off << 3);
        const dst = out + (<usize>s << 3);
        if (!started) {
          memory.copy(dst, src, <usize>nOut << 3);
          started = true;
        } else {
          let j = 0;
          for (; j + 1 < nOut; j += 2) {
            const jo = <usize>j << 3;
            v128.store(dst + jo, f64x2.add(v128.load(dst + jo), v128.load(src + jo)));
          }
          if (j < nOut) {
            const jo = <usize>j << 3;
            store<f64>(dst + jo, load<f64>(dst + jo) + load<f64>(src + jo));
          }
        }
      }
      const w2 = w << 1;
      if (w2 > p) break;
      // row(2w)[j] = row(w)[j] + row(w)[j + w], in place (j ascending reads ahead).
      const newLen = rowLen - w;
      let j = 0;
      const wo = <usize>w << 3;
      for (; j + 1 < newLen; j += 2) {
        const jo = scratch + (<usize>j << 3);
        v128.store(jo, f64x2.add(v128.load(jo), v128.load(jo + wo)));
      }
      if (j < newLen) {
        const jo = scratch + (<usize>j << 3);
        store<f64>(jo, load<f64>(jo) + load<f64>(jo + wo));
      }
      rowLen = newLen;
      w = w2;
    }
    // Mean.
    const dst = out + (<usize>s << 3);
    let j = 0;
    for (; j + 1 < nOut; j += 2) {
      const jo = dst + (<usize>j << 3);
      v128.store(jo, f64x2.div(v128.load(jo), inv));
    }
    if (j < nOut) {
      const jo = dst + (<usize>j << 3);
      store<f64>(jo, load<f64>(jo) / <f64>p);
    }
    s = e;
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
