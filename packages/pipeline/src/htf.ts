/**
 * Higher timeframes of an `ict` capsule: 15m, 1h, 4h and the daily bar on New
 * York-aligned buckets, each with its market structure and bias (the
 * direction of its last break) and its equilibrium. They see the day's bars
 * and a number of earlier New York days, as many as make them meaningful.
 */
import {
  columnsFromArrays,
  computeFeatures,
  nyDate,
  resampleNy,
  sliceColumns,
  type Columns,
  type Equilibrium,
  type InstrumentClass,
  type MarketStructure,
  type TfFeatures,
} from "@ict/core";

/** The higher timeframes, finest first. */
export type HtfName = "15m" | "1h" | "4h" | "1d";
export const HTFS: readonly HtfName[] = ["15m", "1h", "4h", "1d"];

/** Minutes of each higher timeframe. */
export const HTF_MINUTES: Readonly<Record<HtfName, number>> = { "15m": 15, "1h": 60, "4h": 240, "1d": 1440 };

/**
 * New York days of earlier bars (with bars) each higher timeframe sees before
 * the day: a week of 15m bars, two of 1h, six of 4h, 65 daily bars.
 */
export const HTF_HISTORY_DAYS: Readonly<Record<HtfName, number>> = { "15m": 5, "1h": 10, "4h": 30, "1d": 65 };

/**
 * The New York minute each instrument class's trading day starts at, from
 * which its higher-timeframe buckets are counted: midnight for equities and
 * crypto, 18:00 for futures (the CME day: the daily bar runs 18:00 to 18:00,
 * the 4h bars start at 18:00, 22:00, 02:00, …).
 */
export const HTF_DAY_START_MINUTE: Readonly<Record<InstrumentClass, number>> = Object.freeze({ equity: 0, futures: 18 * 60, crypto: 0 });

/** A higher timeframe in the capsule: its structure, its bias (the direction of its last break) and its equilibrium. */
export interface HtfView {
  tf: string;
  bias: "bull" | "bear" | null;
  atr_last: number | null;
  ms: MarketStructure;
  swings: Equilibrium;
}

/** @internal The capsule's view of a timeframe's features. */
export function htfView(f: TfFeatures): HtfView {
  const dir = f.ms.last_bos;
  return { tf: f.tf, bias: dir === "bull" || dir === "bear" ? dir : null, atr_last: f.atr_last, ms: f.ms, swings: f.swings };
}

/** The first row of the last `days` New York days (that have bars) of `cols`: where a history of that many days starts. */
export function historyStart(cols: Columns, days: number): number {
  let i = cols.length;
  let seen = 0;
  let day = "";
  while (i > 0) {
    const d = nyDate(cols.t[i - 1]!);
    if (d !== day) {
      if (seen === days) break;
      seen++;
      day = d;
    }
    i--;
  }
  return i;
}

/** @internal Two bar series one after the other (the first entirely earlier). */
export function concatColumns(a: Columns, b: Columns): Columns {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return columnsFromArrays({ t: cat(a.t, b.t), o: cat(a.o, b.o), h: cat(a.h, b.h), l: cat(a.l, b.l), c: cat(a.c, b.c), v: cat(a.v, b.v) });
}

/** @internal The history a higher timeframe sees: the last {@link HTF_HISTORY_DAYS} days of `history`. */
export function htfHistory(history: Columns | null | undefined, tf: HtfName): Columns | null {
  if (!history || history.length === 0) return null;
  return sliceColumns(history, historyStart(history, HTF_HISTORY_DAYS[tf]), history.length);
}

/** @internal The higher timeframes of a capsule, recomputed from the bars (what `tick` does). */
export function htfBatch(history: Columns | null | undefined, day: Columns, instrument: InstrumentClass): Record<HtfName, HtfView> {
  const out = {} as Record<HtfName, HtfView>;
  const start = HTF_DAY_START_MINUTE[instrument];
  for (const tf of HTFS) {
    const h = htfHistory(history, tf);
    // The New York-aligned buckets first (what the watchlist's streams are fed), then the timeframe's features.
    out[tf] = htfView(computeFeatures(resampleNy(h === null ? day : concatColumns(h, day), HTF_MINUTES[tf], start), { tf }));
  }
  return out;
}
