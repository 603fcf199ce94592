// Plain TypeScript baselines: the loops a TypeScript developer would write on
// Float64Array columns, computing the SAME outputs as the WebAssembly kernels
// (packages/wasm/assembly/atr.ts and swings.ts). They live in the benchmark
// only; the library always runs the kernels.

/**
 * ATR, simple mean of the last `period` true ranges, of every bar into `out`
 * (the first period-1 bars average the bars seen so far), like kernel
 * `atr(..., method 0)`.
 *
 * One pass with a running sum and a ring buffer of the last `period` true
 * ranges. (The kernel sums each window afresh as a tree of partial sums, so
 * the two differ only by rounding: checked to 1e-9 relative.)
 * `ring` is scratch of at least `period` values.
 */
export function atrTs(
  h: Float64Array,
  l: Float64Array,
  c: Float64Array,
  n: number,
  period: number,
  out: Float64Array,
  ring: Float64Array,
): void {
  if (n <= 0) return;
  const p = period;
  // First bar: its true range is its own range.
  let tr = h[0]! - l[0]!;
  let sum = tr;
  let prevC = c[0]!;
  ring[0] = tr;
  out[0] = sum;
  // Partial windows (bars 1 .. period-1): mean of the bars seen so far.
  const head = Math.min(n, p);
  for (let i = 1; i < head; i++) {
    const hv = h[i]!;
    const lv = l[i]!;
    tr = Math.max(hv - lv, Math.abs(hv - prevC), Math.abs(lv - prevC));
    prevC = c[i]!;
    ring[i] = tr;
    sum += tr;
    out[i] = sum / (i + 1);
  }
  // Full windows: add the new true range, drop the one `period` bars back
  // (ring[slot] holds TR[i - period] and is replaced by TR[i]).
  let slot = 0;
  for (let i = head; i < n; i++) {
    const hv = h[i]!;
    const lv = l[i]!;
    tr = Math.max(hv - lv, Math.abs(hv - prevC), Math.abs(lv - prevC));
    prevC = c[i]!;
    sum += tr - ring[slot]!;
    ring[slot] = tr;
    if (++slot === p) slot = 0;
    out[i] = sum / p;
  }
}

/**
 * ATR with Wilder's smoothing, like kernel `atr(..., method 1)`: the first
 * `period` bars as {@link atrTs} (partial means, then the first full mean),
 * then atr = (atr[-1] * (period - 1) + tr) / period.
 */
export function atrWilderTs(h: Float64Array, l: Float64Array, c: Float64Array, n: number, period: number, out: Float64Array): void {
  if (n <= 0) return;
  const p = period;
  let sum = 0;
  let prevC = 0;
  const head = Math.min(n, p);
  for (let i = 0; i < head; i++) {
    const hv = h[i]!;
    const lv = l[i]!;
    const tr = i === 0 ? hv - lv : Math.max(hv - lv, Math.abs(hv - prevC), Math.abs(lv - prevC));
    prevC = c[i]!;
    sum += tr;
    out[i] = sum / (i + 1);
  }
  let prev = out[head - 1]!;
  const fp1 = p - 1;
  for (let i = head; i < n; i++) {
    const hv = h[i]!;
    const lv = l[i]!;
    const tr = Math.max(hv - lv, Math.abs(hv - prevC), Math.abs(lv - prevC));
    prevC = c[i]!;
    prev = (prev * fp1 + tr) / p;
    out[i] = prev;
  }
}

/** Swing outputs of the baseline (same layout as the kernel's buffers). */
export interface SwingsTsOut {
  /** flags[i]: bit 0 swing high, bit 1 swing low (length n). */
  flags: Uint8Array;
  /** Swing-high bar indices, ascending (capacity n). */
  hi: Int32Array;
  /** Swing-low bar indices, ascending (capacity n). */
  lo: Int32Array;
}

/**
 * Swing points with k = 2 bars each side, like kernel `swings(h, l, n, 2,
 * leftTies, ...)`: bar i is a swing high when h[i] is above h[i+1], h[i+2]
 * and above (leftTies = 0) or at/above (leftTies = 1) h[i-1], h[i-2]; swing
 * lows mirror it on the lows. Writes flags and index lists; returns
 * [number of swing highs, number of swing lows].
 *
 * Written branch-free (comparisons as 0/1, indices written unconditionally and
 * the count advanced by the flag): on random-walk data that is about 1.5-2x
 * faster in V8 than the short-circuit `&&` / `if (isH) hi[nh++] = i` form,
 * whose branches mispredict, so the baseline is the faster of the two.
 */
export function swingsK2Ts(h: Float64Array, l: Float64Array, n: number, leftTies: boolean, out: SwingsTsOut): [number, number] {
  const { flags, hi, lo } = out;
  flags.fill(0, 0, n);
  let nh = 0;
  let nl = 0;
  const last = n - 3; // last bar with two bars after it
  if (leftTies) {
    for (let i = 2; i <= last; i++) {
      const hv = h[i]!;
      const lv = l[i]!;
      const isH = +(hv >= h[i - 1]!) & +(hv >= h[i - 2]!) & +(hv > h[i + 1]!) & +(hv > h[i + 2]!);
      const isL = +(lv <= l[i - 1]!) & +(lv <= l[i - 2]!) & +(lv < l[i + 1]!) & +(lv < l[i + 2]!);
      hi[nh] = i;
      nh += isH;
      lo[nl] = i;
      nl += isL;
      flags[i] = isH | (isL << 1);
    }
  } else {
    for (let i = 2; i <= last; i++) {
      const hv = h[i]!;
      const lv = l[i]!;
      const isH = +(hv > h[i - 1]!) & +(hv > h[i - 2]!) & +(hv > h[i + 1]!) & +(hv > h[i + 2]!);
      const isL = +(lv < l[i - 1]!) & +(lv < l[i - 2]!) & +(lv < l[i + 1]!) & +(lv < l[i + 2]!);
      hi[nh] = i;
      nh += isH;
      lo[nl] = i;
      nl += isL;
      flags[i] = isH | (isL << 1);
    }
  }
  return [nh, nl];
}

/** Fair value gaps of the baseline (same layout as the kernel's buffers, capacity n). */
export interface FvgTsOut {
  /** Middle candle of each gap. */
  mid: Int32Array;
  /** +1 bullish, -1 bearish. */
  dir: Int32Array;
  /** Lower and upper edge. */
  lo: Float64Array;
  hi: Float64Array;
}

/**
 * Fair value gap detection, like kernel `fvgDetect(h, l, n, tol, 0, 0, ...)`:
 * middle candle i (1 .. n-2) leaves a bullish gap [h[i-1], l[i+1]] when
 * h[i-1] + tol < l[i+1], else a bearish gap [h[i+1], l[i-1]] when
 * l[i-1] - tol > h[i+1]. Returns the number of gaps.
 *
 * The plain loop with a branch per candle: gaps are rare (a few percent of
 * candles), so the branch predicts well and this is the fast JavaScript form.
 */
export function fvgTs(h: Float64Array, l: Float64Array, n: number, tol: number, out: FvgTsOut): number {
  const { mid, dir, lo, hi } = out;
  let g = 0;
  for (let i = 1; i <= n - 2; i++) {
    const hp = h[i - 1]!;
    const ln = l[i + 1]!;
    if (hp + tol < ln) {
      mid[g] = i;
      dir[g] = 1;
      lo[g] = hp;
      hi[g] = ln;
      g++;
      continue;
    }
    const lp = l[i - 1]!;
    const hn = h[i + 1]!;
    if (lp - tol > hn) {
      mid[g] = i;
      dir[g] = -1;
      lo[g] = hn;
      hi[g] = lp;
      g++;
    }
  }
  return g;
}
