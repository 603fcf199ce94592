// Seeded, deterministic synthetic OHLCV bars for the benchmarks.
//
// The same seed always gives the same bars, and a shorter series is a prefix
// of a longer one (1M bars are the first 1M of the 10M), so runs on different
// days and machines time exactly the same work.

/** OHLCV columns, one Float64Array per field (`t` in epoch milliseconds). */
export interface OhlcvArrays {
  t: Float64Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  v: Float64Array;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, 128-bit state):
 * returns uniform floats in [0, 1). Deterministic for a given seed.
 */
export function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Mix the seed into the state before use.
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** Options of {@link generateBars}. */
export interface GenerateOptions {
  /** PRNG seed (default 42). */
  seed?: number;
  /** Price tick: every price is a multiple of it, so equal highs/lows (ties) occur (default 0.01). */
  tick?: number;
  /** First close (default 100). */
  start?: number;
  /** Bar length in milliseconds (default 60 000: one-minute bars). */
  stepMs?: number;
}

/**
 * A random walk of `n` valid bars: each bar opens at the previous close, the
 * log close moves by a roughly normal step (sum of uniforms) with a weak pull
 * back to the start price (so 10M bars stay in a sane price range), and the
 * wicks extend past the body by random amounts. All prices are rounded to the
 * tick; rounding is monotone, so h >= max(o, c) and l <= min(o, c) hold.
 */
export function generateBars(n: number, opts: GenerateOptions = {}): OhlcvArrays {
  const rnd = sfc32(opts.seed ?? 42);
  const tick = opts.tick ?? 0.01;
  const start = opts.start ?? 100;
  const stepMs = opts.stepMs ?? 60_000;
  const t0 = Date.UTC(2020, 0, 1);
  const bars: OhlcvArrays = {
    t: new Float64Array(n),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
  const { t, o, h, l, c, v } = bars;
  const round = (x: number): number => Math.round(x / tick) * tick;
  const sigma = 0.0015; // per-bar volatility of the log price
  const pull = 1e-5; // mean reversion of the log price towards log(start)
  let x = 0; // log(price / start)
  let prevClose = round(start);
  for (let i = 0; i < n; i++) {
    // Approximately N(0, 1): sum of 4 uniforms, centred and scaled (variance 4/12).
    const z = (rnd() + rnd() + rnd() + rnd() - 2) * 1.7320508075688772;
    x += sigma * z - pull * x;
    const open = prevClose;
    const close = round(start * Math.exp(x));
    const body = Math.abs(close - open);
    const wick = (open + close) * 0.5 * sigma;
    t[i] = t0 + i * stepMs;
    o[i] = open;
    c[i] = close;
    h[i] = round(Math.max(open, close) + wick * rnd() * rnd() * 2 + body * 0.1 * rnd());
    l[i] = round(Math.min(open, close) - wick * rnd() * rnd() * 2 - body * 0.1 * rnd());
    v[i] = Math.floor(100 + 900 * rnd());
    prevClose = close;
  }
  return bars;
}

/** Throws if any bar breaks h >= max(o, c), l <= min(o, c) or has a non-finite price. */
export function assertValidBars(b: OhlcvArrays): void {
  const n = b.t.length;
  for (let i = 0; i < n; i++) {
    const o = b.o[i]!;
    const h = b.h[i]!;
    const l = b.l[i]!;
    const c = b.c[i]!;
    if (!(Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c))) {
      throw new Error(`generated bar ${i} has a non-finite price`);
    }
    if (h < o || h < c || l > o || l > c) throw new Error(`generated bar ${i} is invalid: o=${o} h=${h} l=${l} c=${c}`);
  }
}
