/**
 * Deliberately naive TypeScript references for the property tests: direct
 * transcriptions of the market rules, one bar at a time, with no shared code
 * with the kernels. Slow on purpose; never used outside the tests.
 */

export interface Ohlc {
  /** Bar times (epoch ms); without them no session break is seen. */
  t?: ArrayLike<number>;
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

// ------------------------------------------------------------- zones (ict) --

export interface RefGap {
  mid: number;
  dir: 1 | -1;
  lo: number;
  hi: number;
  mitigated: number;
  filled: number;
  traded: number;
}

/** First bar t >= from where pred(t) holds, or -1. */
function firstFrom(n: number, from: number, pred: (t: number) => boolean): number {
  for (let t = Math.max(0, from); t < n; t++) if (pred(t)) return t;
  return -1;
}

export function refIctFvg(b: Ohlc, tol = 1e-6, midline = true): RefGap[] {
  const out: RefGap[] = [];
  const n = b.length;
  // A session break: bars further apart than an hour, or than four of the bars' smallest spacing.
  const t = b.t ?? new Float64Array(n);
  let step = Infinity;
  for (let i = 1; i < n; i++) if (t[i]! - t[i - 1]! > 0) step = Math.min(step, t[i]! - t[i - 1]!);
  const brk = Math.max(3_600_000, 4 * step);
  for (let i = 1; i < n - 1; i++) {
    if (t[i]! - t[i - 1]! > brk || t[i + 1]! - t[i]! > brk) continue; // no gap across a break
    let dir: 1 | -1 | 0 = 0;
    let lo = 0;
    let hi = 0;
    if (b.h[i - 1]! + tol < b.l[i + 1]!) [dir, lo, hi] = [1, b.h[i - 1]!, b.l[i + 1]!];
    else if (b.l[i - 1]! - tol > b.h[i + 1]!) [dir, lo, hi] = [-1, b.h[i + 1]!, b.l[i - 1]!];
    if (dir === 0) continue;
    const m = (lo + hi) / 2.0;
    const s = i + 2;
    if (dir > 0) {
      const fill = (midline ? m : lo) + tol;
      out.push({
        mid: i,
        dir,
        lo,
        hi,
        mitigated: firstFrom(n, s, (t) => b.l[t]! <= hi),
        filled: firstFrom(n, s, (t) => b.l[t]! <= fill),
        traded: firstFrom(n, s, (t) => b.c[t]! < lo - tol),
      });
    } else {
      const fill = (midline ? m : hi) - tol;
      out.push({
        mid: i,
        dir,
        lo,
        hi,
        mitigated: firstFrom(n, s, (t) => b.h[t]! >= lo),
        filled: firstFrom(n, s, (t) => b.h[t]! >= fill),
        traded: firstFrom(n, s, (t) => b.c[t]! > hi + tol),
      });
    }
  }
  return out;
}

export interface RefIfvg {
  gap: number;
  dir: 1 | -1;
  retest: number;
  invalidated: number;
}

export function refIctIfvg(b: Ohlc, gaps: RefGap[], window = 8, tol = 1e-6): RefIfvg[] {
  const out: RefIfvg[] = [];
  gaps.forEach((g, j) => {
    if (g.traded < 0) return;
    let r = -1;
    for (let t = g.traded + 1; t < Math.min(b.length, g.traded + 1 + window); t++) {
      if (g.dir > 0 ? b.h[t]! >= g.lo - tol : b.l[t]! <= g.hi + tol) {
        r = t;
        break;
      }
    }
    if (r < 0) return;
    const dir = -g.dir as 1 | -1;
    const inv = firstFrom(b.length, r, (t) => (dir < 0 ? b.c[t]! > g.hi + tol : b.c[t]! < g.lo - tol));
    out.push({ gap: j, dir, retest: r, invalidated: inv });
  });
  return out;
}

export interface RefOb {
  candle: number;
  dir: 1 | -1;
  known: number;
  mitigated: number;
  invalidated: number;
}

/** Directions of the structure events at each bar (the `breaks` input of {@link refIctOb}). */
export function refBreaks(events: RefEvent[]): Map<number, Set<number>> {
  const breaks = new Map<number, Set<number>>();
  for (const e of events) breaks.set(e.bar, (breaks.get(e.bar) ?? new Set()).add(e.dir));
  return breaks;
}

/** breaks[t]: +1 / -1 when a structure event of that direction happened at bar t. */
export function refIctOb(
  b: Ohlc,
  atr: ArrayLike<number>,
  breaks: Map<number, Set<number>>,
  mult = 1.2,
  lookback = 10,
  tol = 1e-6,
): RefOb[] {
  const out: RefOb[] = [];
  const n = b.length;
  const used = { 1: -1, [-1]: -1 } as Record<number, number>;
  for (let d = 1; d < n; d++) {
    const move = b.c[d]! - b.c[d - 1]!;
    for (const dir of [1, -1] as const) {
      if (!(dir * move > 0)) continue;
      if (!(dir * move > mult * atr[d - 1]! || breaks.get(d)?.has(dir))) continue;
      // The last opposite-close candle before d.
      let cand = -1;
      for (let j = d - 1; j >= 0; j--) {
        if (dir > 0 ? b.c[j]! < b.o[j]! : b.c[j]! > b.o[j]!) {
          cand = j;
          break;
        }
      }
      if (cand < 0 || d - cand > lookback || cand <= used[dir]!) continue;
      used[dir] = cand;
      const top = Math.max(b.o[cand]!, b.c[cand]!);
      const bottom = Math.min(b.o[cand]!, b.c[cand]!);
      out.push({
        candle: cand,
        dir,
        known: d,
        mitigated: firstFrom(n, d + 1, (t) => (dir > 0 ? b.l[t]! <= top : b.h[t]! >= bottom)),
        invalidated: firstFrom(n, d + 1, (t) => (dir > 0 ? b.c[t]! < b.l[cand]! - tol : b.c[t]! > b.h[cand]! + tol)),
      });
    }
  }
  // The kernel emits bull before bear at the same displacement bar; both loops above do too.
  return out;
}

export interface RefBreaker {
  ob: number;
  dir: 1 | -1;
  formed: number;
  invalidated: number;
}

export function refIctBreakers(b: Ohlc, obs: RefOb[], events: RefEvent[], lookahead = 5, tol = 1e-6): RefBreaker[] {
  const out: RefBreaker[] = [];
  obs.forEach((o, j) => {
    if (o.invalidated < 0) return;
    const e = events.find((ev) => ev.dir === -o.dir && ev.bar >= o.invalidated && ev.bar <= o.invalidated + lookahead);
    if (!e) return;
    const dir = -o.dir as 1 | -1;
    const inv = firstFrom(b.length, e.bar + 1, (t) => (dir < 0 ? b.c[t]! > b.h[o.candle]! + tol : b.c[t]! < b.l[o.candle]! - tol));
    out.push({ ob: j, dir, formed: e.bar, invalidated: inv });
  });
  return out;
}
