/**
 * Candle views of a symbol's 1m bars (1m or 5m) and the time helpers of the
 * page. Times are chart times (UTC seconds); everything shown is New York time.
 */
import type { StageRun, SymbolPayload } from "../types.js";

/** Candles at one timeframe, as columns. */
export interface BarView {
  /** Bar length in seconds (60 or 300). */
  step: number;
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  /** Time of the last 1m bar inside each bar: the tick at which the bar's last stage was known. */
  last: number[];
}

const NY_HM = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const NY_DAY = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", month: "short", day: "numeric" });
const NY_FULL = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** `HH:MM` in New York. */
export const hm = (s: number): string => NY_HM.format(new Date(s * 1000));
/** `Mon D` in New York. */
export const nyDay = (s: number): string => NY_DAY.format(new Date(s * 1000));
/** Date and time in New York. */
export const nyFull = (s: number): string => NY_FULL.format(new Date(s * 1000)) + " NY";

/** A price with the precision a trader reads (2 decimals, more below 10). */
export function px(p: number): string {
  return p.toFixed(Math.abs(p) < 10 ? 4 : 2);
}

/**
 * The candles of a symbol at `step` seconds. 5m bars bucket the 1m bars on
 * UTC 5-minute boundaries (as the engine's aggregate): open of the first,
 * high and low of all, close of the last. Bars without prices are skipped.
 */
export function viewOf(s: SymbolPayload, step: number): BarView {
  const v: BarView = { step, t: [], o: [], h: [], l: [], c: [], last: [] };
  let key: number | null = null;
  let m = -1;
  for (let i = 0; i < s.t.length; i++) {
    const o = s.o[i],
      h = s.h[i],
      l = s.l[i],
      c = s.c[i];
    if (o == null || h == null || l == null || c == null) continue;
    const ti = s.t[i]!;
    const k = step === 60 ? ti : ti - (((ti % step) + step) % step);
    if (k !== key) {
      key = k;
      m++;
      v.t.push(k);
      v.o.push(o);
      v.h.push(h);
      v.l.push(l);
      v.c.push(c);
      v.last.push(ti);
    } else {
      if (h > v.h[m]!) v.h[m] = h;
      if (l < v.l[m]!) v.l[m] = l;
      v.c[m] = c;
      v.last[m] = ti;
    }
  }
  return v;
}

/** Logical position (fractional bar index) of a time in a view. */
export function logicalOf(v: BarView, ts: number): number {
  const t = v.t,
    n = t.length;
  if (n === 0) return 0;
  if (ts < t[0]!) return (ts - t[0]!) / v.step;
  let lo = 0,
    hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t[mid]! <= ts) lo = mid;
    else hi = mid - 1;
  }
  let frac = (ts - t[lo]!) / v.step;
  if (lo < n - 1 && frac > 0.999) frac = 0.999;
  return lo + frac;
}

/** The stage run in force at a time (the last run that started at or before it), null before the first. */
export function stageAt(stages: readonly StageRun[], ts: number): StageRun | null {
  let lo = 0,
    hi = stages.length - 1,
    found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (stages[mid]!.t <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? null : stages[found]!;
}

/** Creates an element with attributes and text (text is never parsed as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string> | null,
  text?: string | number | null,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (attrs) for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]!);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** The part of the time scale the overlays use. */
export interface LogicalScale {
  logicalToCoordinate(logical: never): number | null;
}

/**
 * CSS x of a fractional logical position, interpolated between the two
 * whole bars around it (the library resolves only whole logical indices
 * reliably), null when off the scale.
 */
export function xOfLogical(ts: LogicalScale, l: number): number | null {
  const i = Math.floor(l);
  const a = ts.logicalToCoordinate(i as never);
  if (a === null) return null;
  if (l === i) return a;
  const b = ts.logicalToCoordinate((i + 1) as never);
  return b === null ? null : a + (l - i) * (b - a);
}
