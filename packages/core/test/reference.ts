/**
 * Deliberately naive TypeScript references for the property tests: direct
 * transcriptions of the market rules, one bar at a time, with no shared code
 * with the kernels. Slow on purpose; never used outside the tests.
 */

export interface Ohlc {
  o: ArrayLike<number>;
  h: ArrayLike<number>;
  l: ArrayLike<number>;
  c: ArrayLike<number>;
  length: number;
}

export function refTrueRange(b: Ohlc): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const parts = [b.h[i]! - b.l[i]!];
    if (i > 0) parts.push(Math.abs(b.h[i]! - b.c[i - 1]!), Math.abs(b.l[i]! - b.c[i - 1]!));
    out.push(Math.max(...parts));
  }
  return out;
}

export function refAtr(b: Ohlc, period = 14, method: "sma" | "wilder" = "sma"): number[] {
  const tr = refTrueRange(b);
  const out: number[] = [];
  for (let i = 0; i < tr.length; i++) {
    if (method === "wilder" && i >= period) {
      out.push((out[i - 1]! * (period - 1) + tr[i]!) / period);
      continue;
    }
    const from = Math.max(0, i - period + 1);
    let s = 0;
    for (let j = from; j <= i; j++) s += tr[j]!;
    out.push(s / (i - from + 1));
  }
  return out;
}

/** Pivots: strictly above both sides, or (laterTies) at least the left side and strictly above the right. */
export function refSwings(b: Ohlc, k: number, laterTies: boolean): { highs: number[]; lows: number[] } {
  const highs: number[] = [];
  const lows: number[] = [];
  for (let i = k; i < b.length - k; i++) {
    const left = (arr: ArrayLike<number>) => Array.from({ length: k }, (_, d) => arr[i - 1 - d]!);
    const right = (arr: ArrayLike<number>) => Array.from({ length: k }, (_, d) => arr[i + 1 + d]!);
    const hi = b.h[i]!;
    const lo = b.l[i]!;
    const leftOkH = laterTies ? left(b.h).every((x) => hi >= x) : left(b.h).every((x) => hi > x);
    const leftOkL = laterTies ? left(b.l).every((x) => lo <= x) : left(b.l).every((x) => lo < x);
    if (leftOkH && right(b.h).every((x) => hi > x)) highs.push(i);
    if (leftOkL && right(b.l).every((x) => lo < x)) lows.push(i);
  }
  return { highs, lows };
}

export interface RefEvent {
  bar: number;
  dir: 1 | -1;
  swing: number;
  level: number;
}

/** The seed's detect_bos, literally: pivots at their own bar, every close beyond re-asserts, bear checked last. */
export function refSeedLastBos(b: Ohlc, highs: number[], lows: number[], tol = 1e-6): RefEvent | null {
  const sh = new Set(highs);
  const sl = new Set(lows);
  let lastH = -1;
  let lastL = -1;
  let ev: RefEvent | null = null;
  for (let t = 0; t < b.length; t++) {
    if (sh.has(t)) lastH = t;
    if (sl.has(t)) lastL = t;
    if (lastH >= 0 && b.c[t]! > b.h[lastH]! + tol) ev = { bar: t, dir: 1, swing: lastH, level: b.h[lastH]! };
    if (lastL >= 0 && b.c[t]! < b.l[lastL]! - tol) ev = { bar: t, dir: -1, swing: lastL, level: b.l[lastL]! };
  }
  return ev;
}

/**
 * Causal break-once structure, by swing identity: at bar t the reference high
 * is the latest pivot high confirmed by t (pivot + k <= t); it breaks when a
 * close passes it and it has not broken before. Same for lows.
 */
export function refIctEvents(b: Ohlc, highs: number[], lows: number[], k: number, tol = 1e-6): RefEvent[] {
  const broken = new Set<string>();
  const out: RefEvent[] = [];
  for (let t = 0; t < b.length; t++) {
    const rh = highs.filter((s) => s + k <= t).at(-1);
    const rl = lows.filter((s) => s + k <= t).at(-1);
    const bull = rh !== undefined && !broken.has("h" + rh) && b.c[t]! > b.h[rh]! + tol;
    const bear = rl !== undefined && !broken.has("l" + rl) && b.c[t]! < b.l[rl]! - tol;
    if (bull) broken.add("h" + rh);
    if (bear) broken.add("l" + rl);
    if (bull && (!bear || rh! > rl!)) out.push({ bar: t, dir: 1, swing: rh!, level: b.h[rh!]! });
    else if (bear) out.push({ bar: t, dir: -1, swing: rl!, level: b.l[rl!]! });
  }
  return out;
}

export interface RefEq {
  eq: number | null;
  ote: [number, number] | null;
  high: number | null;
  low: number | null;
}

function range(b: Ohlc, lookback: number): { high: number; low: number } {
  let high = -Infinity;
  let low = Infinity;
  for (let i = Math.max(0, b.length - lookback); i < b.length; i++) {
    high = Math.max(high, b.h[i]!);
    low = Math.min(low, b.l[i]!);
  }
  return { high, low };
}

export function refSeedEq(b: Ohlc, highs: number[], lows: number[], last: RefEvent | null): RefEq {
  if (b.length === 0) return { eq: null, ote: null, high: null, low: null };
  let { high, low } = range(b, 50);
  if (last && highs.length && lows.length) {
    high = b.h[highs.at(-1)!]!;
    low = b.l[lows.at(-1)!]!;
  }
  return { eq: (high + low) / 2.0, ote: [low + 0.62 * (high - low), low + 0.79 * (high - low)], high, low };
}

export function refIctEq(b: Ohlc, highs: number[], lows: number[], events: RefEvent[], k: number): RefEq {
  if (b.length === 0) return { eq: null, ote: null, high: null, low: null };
  const last = events.at(-1);
  if (!last) {
    const { high, low } = range(b, 50);
    return { eq: (high + low) / 2.0, ote: null, high, low };
  }
  const pivots = last.dir > 0 ? lows : highs;
  let origin = pivots.filter((s) => s < last.bar && s + k <= last.bar).at(-1);
  if (origin === undefined) {
    origin = Math.max(0, last.bar - 49);
    for (let i = origin; i <= last.bar; i++) {
      if (last.dir > 0 ? b.l[i]! < b.l[origin]! : b.h[i]! > b.h[origin]!) origin = i;
    }
  }
  let high: number;
  let low: number;
  if (last.dir > 0) {
    low = b.l[origin]!;
    high = Math.max(...Array.from({ length: b.length - origin }, (_, j) => b.h[origin! + j]!));
  } else {
    high = b.h[origin]!;
    low = Math.min(...Array.from({ length: b.length - origin }, (_, j) => b.l[origin! + j]!));
  }
  const r = high - low;
  const ote: [number, number] = last.dir > 0 ? [high - 0.79 * r, high - 0.62 * r] : [low + 0.62 * r, low + 0.79 * r];
  return { eq: (high + low) / 2.0, ote, high, low };
}
