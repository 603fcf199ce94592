/**
 * The seeded bar generators of the tests, the browser checks and the bench,
 * in one place (each a random walk of valid OHLCV bars with its own texture;
 * the same seed gives the same bars everywhere).
 */
import { mulberry32, sfc32FromSeed } from "./prng.js";

/** OHLCV columns, one Float64Array per field (`t` in epoch milliseconds). */
export interface OhlcvArrays {
  t: Float64Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  v: Float64Array;
}

const sfc32 = sfc32FromSeed;

/**
 * Seeded random-walk bars on a 0.01 tick (valid: h >= max(o,c), l <= min(o,c)),
 * one minute apart. `flatness` is the chance a bar repeats the previous close
 * exactly (ties and zero ranges, which stress the strict/equal rules).
 */
export function tickWalkBars(n: number, seed: number, flatness = 0.05): OhlcvArrays {
  const r = mulberry32(seed);
  const t = new Float64Array(n),
    o = new Float64Array(n),
    h = new Float64Array(n),
    l = new Float64Array(n),
    c = new Float64Array(n),
    v = new Float64Array(n);
  let p = 100 + Math.floor(r() * 10000) / 100;
  const t0 = Date.UTC(2024, 0, 2, 14, 30);
  for (let i = 0; i < n; i++) {
    t[i] = t0 + i * 60_000;
    const open = p;
    if (r() < flatness) {
      o[i] = h[i] = l[i] = c[i] = open;
    } else {
      const step = Math.round((r() - 0.5) * 40) / 100;
      const close = Math.max(1, Math.round((open + step) * 100) / 100);
      o[i] = open;
      c[i] = close;
      h[i] = Math.round((Math.max(open, close) + Math.floor(r() * 15) / 100) * 100) / 100;
      l[i] = Math.max(0.01, Math.round((Math.min(open, close) - Math.floor(r() * 15) / 100) * 100) / 100);
      if (r() < 0.05) h[i] = Math.max(open, close); // equal highs and lows appear
      p = close;
    }
    v[i] = Math.floor(r() * 1000);
  }
  return { t, o, h, l, c, v };
}

/**
 * Deterministic random-walk 1-minute bars. Prices sit on a 0.25 tick grid so
 * equal highs / lows (double tops, the `equalPivots` rule) occur often; opens
 * gap from the previous close now and then (true range > h - l); volatility
 * drifts through calm and wild regimes so ATR and structure have texture.
 */
export function regimeWalkBars(n: number, seed: number): OhlcvArrays {
  const rnd = mulberry32(seed);
  const tick = 0.25;
  const snap = (x: number) => Math.round(x / tick) * tick;
  const cols: OhlcvArrays = {
    t: new Float64Array(n),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
  const t0 = Date.UTC(2024, 0, 2, 0, 0, 0);
  let prevClose = 4800;
  let vol = 1.5;
  for (let i = 0; i < n; i++) {
    vol = Math.min(8, Math.max(0.25, vol * (1 + (rnd() - 0.5) * 0.1)));
    const gap = rnd() < 0.05 ? (rnd() - 0.5) * 6 * vol : 0;
    const o = Math.max(tick, snap(prevClose + gap));
    const c = Math.max(tick, snap(o + (rnd() - 0.5) * 2 * vol));
    const h = snap(Math.max(o, c) + rnd() * vol);
    const l = Math.max(tick / 2, snap(Math.min(o, c) - rnd() * vol));
    cols.t[i] = t0 + i * 60_000;
    cols.o[i] = o;
    cols.h[i] = Math.max(h, o, c);
    cols.l[i] = Math.min(l, o, c);
    cols.c[i] = c;
    cols.v[i] = Math.floor(rnd() * 5000) + (rnd() < 0.01 ? 0.5 : 0);
    prevClose = c;
  }
  return cols;
}

/** Options of {@link logWalkBars}. */
export interface GenerateOptions {
  /** PRNG seed (default 42). */
  seed?: number;
  /** Ticks per price unit: every price is a whole number of 1/ticksPerUnit, so equal highs/lows (ties) occur (default 100: a 0.01 tick). */
  ticksPerUnit?: number;
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
 * (Deterministic across engines: only +, -, *, /, Math.round, Math.exp of
 * V8, which the Node and Chromium of one machine share.)
 */
export function logWalkBars(n: number, opts: GenerateOptions = {}): OhlcvArrays {
  const rnd = sfc32(opts.seed ?? 42);
  const perUnit = opts.ticksPerUnit ?? 100;
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
  // k / perUnit (one correctly rounded division) is the double nearest to the
  // decimal, so String(price) is the short decimal a data file would hold.
  const round = (x: number): number => Math.round(x * perUnit) / perUnit;
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

/**
 * A correlated second instrument for SMT: the primary's bars times a slowly
 * wandering factor exp(e), e an AR(1) noise (seeded). All four prices of a bar
 * are scaled by the same positive factor, so every bar stays valid; the swings
 * of the two series mostly coincide and sometimes diverge, as for two index
 * futures. Prices are rounded to 0.01 (rounding is monotone).
 */
export function correlatedReference(p: OhlcvArrays, seed = 4242): OhlcvArrays {
  const n = p.t.length;
  const rnd = sfc32(seed);
  const out: OhlcvArrays = {
    t: p.t.slice(),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
  const round = (x: number): number => Math.round(x * 100) / 100;
  let e = 0;
  for (let i = 0; i < n; i++) {
    e = 0.995 * e + 0.0006 * (rnd() + rnd() + rnd() + rnd() - 2) * 1.7320508075688772;
    const f = 0.5 * Math.exp(e);
    out.o[i] = round(p.o[i]! * f);
    out.h[i] = round(p.h[i]! * f);
    out.l[i] = round(p.l[i]! * f);
    out.c[i] = round(p.c[i]! * f);
    out.v[i] = Math.floor(p.v[i]! * (0.5 + rnd()));
  }
  return out;
}

/** The first n bars (views, no copy). */
export function prefixBars(b: OhlcvArrays, n: number): OhlcvArrays {
  return {
    t: b.t.subarray(0, n),
    o: b.o.subarray(0, n),
    h: b.h.subarray(0, n),
    l: b.l.subarray(0, n),
    c: b.c.subarray(0, n),
    v: b.v.subarray(0, n),
  };
}
