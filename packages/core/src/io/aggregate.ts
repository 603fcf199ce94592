import { columnsFromBars, type Columns } from "./columns.js";
import { OptionError, quoteValue } from "../base/errors.js";

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
    const epochMin = Math.floor(cols.t[i]! / 60_000);
    const k = epochMin - (((epochMin % minutes) + minutes) % minutes);
    if (k !== key) {
      m++;
      key = k;
      t[m] = k * 60_000;
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
