// Seeded, deterministic synthetic OHLCV bars for the benchmarks.
//
// The same seed always gives the same bars, and a shorter series is a prefix
// of a longer one (1M bars are the first 1M of the 10M), so runs on different
// days and machines time exactly the same work.
import { sfc32FromSeed } from "@ict/testkit";

/** OHLCV columns, one Float64Array per field (`t` in epoch milliseconds). */
export interface OhlcvArrays {
  t: Float64Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  v: Float64Array;
}

/** sfc32 seeded from one number (@ict/testkit): uniform floats in [0, 1), deterministic for a given seed. */
export const sfc32 = sfc32FromSeed;

/** Options of {@link generateBars}. */
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
export function generateBars(n: number, opts: GenerateOptions = {}): OhlcvArrays {
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
export function generateReference(p: OhlcvArrays, seed = 4242): OhlcvArrays {
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
export function prefix(b: OhlcvArrays, n: number): OhlcvArrays {
  return {
    t: b.t.subarray(0, n),
    o: b.o.subarray(0, n),
    h: b.h.subarray(0, n),
    l: b.l.subarray(0, n),
    c: b.c.subarray(0, n),
    v: b.v.subarray(0, n),
  };
}

/** V8's longest string (2^29 - 24 UTF-16 units on 64-bit builds). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/**
 * CSV text `t,o,h,l,c,v` of the bars (ISO times with Z, as the data files
 * have them), built in chunks. Stops early, before V8's string limit, and
 * says how many rows it holds.
 */
export function csvText(b: OhlcvArrays, n = b.t.length): { text: string; rows: number } {
  const parts: string[] = ["t,o,h,l,c,v\n"];
  let length = parts[0]!.length;
  let rows = 0;
  const CHUNK = 50_000;
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    const lines = new Array<string>(e - s);
    for (let i = s; i < e; i++)
      lines[i - s] = `${new Date(b.t[i]!).toISOString().slice(0, 19)}Z,${b.o[i]},${b.h[i]},${b.l[i]},${b.c[i]},${b.v[i]}\n`;
    const chunk = lines.join("");
    if (length + chunk.length > MAX_STRING_LENGTH - 1024) {
      // Add what still fits, line by line.
      for (const line of lines) {
        if (length + line.length > MAX_STRING_LENGTH - 1024) break;
        parts.push(line);
        length += line.length;
        rows++;
      }
      break;
    }
    parts.push(chunk);
    length += chunk.length;
    rows = e;
  }
  return { text: parts.join(""), rows };
}
