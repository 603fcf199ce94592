import { columnsFromBars, type Columns } from "./columns.js";
import { OptionError, quoteValue } from "../base/errors.js";
import { nyOffsetMs, tfOption } from "./time.js";

/**
 * Aggregates bars into `minutes`-minute bars on UTC boundaries: each bar goes
 * to the bucket that starts at floor(t, minutes); the bucket opens at its
 * first bar's open, its high and low are the extremes, it closes at its last
 * bar's close and its volume is the sum. A trailing bucket that is still
 * incomplete is kept (it is what a live feed shows), as the seed oracle does.
 * Seconds inside a minute are ignored for the bucket key, as the seed does.
 */
export function aggregate(cols: Columns, minutes: number): Columns {
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new OptionError("minutes", `must be a whole number >= 1, got ${quoteValue(minutes)}`);
  return bucketed(cols, (t) => {
    const epochMin = Math.floor(t / 60_000);
    return (epochMin - (((epochMin % minutes) + minutes) % minutes)) * 60_000;
  });
}

/**
 * Bars merged by bucket (`keyOf(t)`: the bucket's start, non-decreasing over
 * sorted bars): the first bar's open, the extremes, the last close, the summed
 * volume.
 */
function bucketed(cols: Columns, keyOf: (t: number) => number): Columns {
  const n = cols.length;
  const t = new Float64Array(n),
    o = new Float64Array(n),
    h = new Float64Array(n),
    l = new Float64Array(n),
    c = new Float64Array(n),
    v = new Float64Array(n);
  let m = -1;
  let key = NaN;
  for (let i = 0; i < n; i++) {
    const k = keyOf(cols.t[i]!);
    if (k !== key) {
      m++;
      key = k;
      t[m] = k;
      o[m] = cols.o[i]!;
      h[m] = cols.h[i]!;
      l[m] = cols.l[i]!;
      c[m] = cols.c[i]!;
      v[m] = cols.v[i]!;
    } else {
      if (cols.h[i]! > h[m]!) h[m] = cols.h[i]!;
      if (cols.l[i]! < l[m]!) l[m] = cols.l[i]!;
      c[m] = cols.c[i]!;
      v[m] = v[m]! + cols.v[i]!;
    }
  }
  const len = m + 1;
  return Object.freeze({
    length: len,
    t: t.slice(0, len),
    o: o.slice(0, len),
    h: h.slice(0, len),
    l: l.slice(0, len),
    c: c.slice(0, len),
    v: v.slice(0, len),
  });
}

/** {@link aggregate} for bar objects (validated first). */
export function aggregateBars(bars: readonly unknown[], minutes: number): Columns {
  return aggregate(columnsFromBars(bars), minutes);
}

/**
 * Bars of `minutes` minutes aligned on New York time: a bucket starts at a
 * multiple of `minutes` counted from New York midnight (for 1 to 60 minutes
 * and whole hours dividing a day this is also the UTC grid shifted by the
 * day's offset; a daily bar runs from New York midnight to midnight, across
 * daylight saving). Open, high, low, close and volume as {@link aggregate}.
 * `dayStartMinute`: the New York minute the instrument's trading day starts
 * at, from which the buckets are counted (default 0, midnight; CME futures:
 * 1080, so the daily bar runs 18:00 to 18:00 and the 4h bars start at 18:00,
 * 22:00, 02:00, …).
 */
export function resampleNy(cols: Columns, minutes: number, dayStartMinute = 0): Columns {
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new OptionError("minutes", `must be a whole number >= 1, got ${quoteValue(minutes)}`);
  if (!Number.isInteger(dayStartMinute) || dayStartMinute < 0 || dayStartMinute >= 1440)
    throw new OptionError("dayStartMinute", `must be a whole minute of the day from 0 to 1439, got ${quoteValue(dayStartMinute)}`);
  return bucketed(cols, (time) => nyBucketStart(time, minutes, dayStartMinute));
}

/**
 * The start (epoch ms) of the New York-aligned `minutes`-minute bucket of an
 * instant: a multiple of `minutes` counted from New York midnight (or from
 * `dayStartMinute` past it), the rule of {@link resampleNy} (a streaming
 * aggregate keys its bars with it).
 */
export function nyBucketStart(time: number, minutes: number, dayStartMinute = 0): number {
  const step = minutes * 60_000;
  const shift = dayStartMinute * 60_000;
  // The bucket's start in New York wall time, then back to UTC with the offset in force then.
  const ti = Math.floor(time / 60_000) * 60_000;
  const local = ti + nyOffsetMs(ti) - shift;
  const localKey = local - (((local % step) + step) % step) + shift;
  return localKey - nyOffsetMs(localKey + 5 * 3_600_000);
}

/**
 * Bars resampled to a timeframe label (`"5m"`, `"15m"`, `"1h"`, `"4h"`,
 * `"1d"`, …) on New York-aligned buckets (see {@link resampleNy}).
 */
export function resample(cols: Columns, tf: string): Columns {
  return resampleNy(cols, tfOption(tf));
}
