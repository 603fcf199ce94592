/**
 * The days an `ict` capsule's 1m and 5m detectors see: the day and the
 * earlier days of the zone history, so a gap, block or breaker formed
 * yesterday afternoon is still there at today's open, with the structure and
 * ATR it formed in, and stays tracked until it is filled, invalidated or its
 * time-to-live (bars of the instrument's sessions) runs out.
 */
import { nyWallToUtc, parseIsoMs, sliceColumns, type Columns, type InstrumentClass, type SmtRecord, type TfFeatures } from "@ict/core";
import { concatColumns, historyStart } from "./htf.js";

/**
 * New York days (with bars) of earlier 1m bars the 1m and 5m detectors see
 * before the day. Two: a 5m zone lives 78 bars by default (one regular
 * session), so a zone formed late on the day before a half day still
 * reaches the next day's open.
 */
export const ZONE_HISTORY_DAYS = 2;

/** @internal The part of a symbol's earlier 1m bars that the 1m and 5m detectors see (null: none). */
export function zoneHistory(history: Columns | null | undefined, days: number): Columns | null {
  if (!history || history.length === 0 || days <= 0) return null;
  const start = historyStart(history, days);
  return start === history.length ? null : sliceColumns(history, start, history.length);
}

/** @internal The bars the 1m detectors see: the zone history, then the day's bars. */
export function zoneWindow(history: Columns | null | undefined, day: Columns, days: number): Columns {
  const h = zoneHistory(history, days);
  return h === null ? day : concatColumns(h, day);
}

/**
 * @internal When the trading day `YYYY-MM-DD` of an instrument class starts
 * (epoch ms): New York midnight, or for futures 18:00 New York the evening
 * before (the CME day; no clock change falls between 18:00 and midnight).
 */
export function dayStartMs(dayEt: string, instrument: InstrumentClass): number {
  return nyWallToUtc(dayEt, 0) - (instrument === "futures" ? 6 * 3_600_000 : 0);
}

const at = (iso: unknown): number => (typeof iso === "string" ? parseIsoMs(iso) : NaN);

/**
 * Whether a record still belongs in the day's capsule: known during the day,
 * or known earlier and not ended before the day began (`end`: when it was
 * filled or invalidated, NaN while it lives).
 */
function kept(known: number, end: number, dayStart: number): boolean {
  return !(known < dayStart) || Number.isNaN(end) || end >= dayStart;
}

/** When a gap ended: filled, or closed through, whichever came first. */
const fvgEnd = (r: { filled_at?: string | null; traded_through_at?: string | null }): number => {
  const f = at(r.filled_at);
  const t = at(r.traded_through_at);
  return Number.isNaN(f) ? t : Number.isNaN(t) ? f : Math.min(f, t);
};

/**
 * @internal Keeps an earlier day's records only while they live: the lists
 * of records known before `dayStart` lose those filled or invalidated before
 * it (the tracker had ended them by then). A list without such records is
 * returned as it is; `memo` hands out the same filtered list for the same
 * list (a stream shares a list while it is unchanged).
 */
export class DayFilter {
  private readonly memo = new WeakMap<readonly object[], readonly object[]>();

  constructor(readonly dayStart: number) {}

  /** Whether each record (never modified in place: a change is a new object) is kept, judged once. */
  private readonly verdicts = new WeakMap<object, boolean>();

  private list<T extends object>(arr: readonly T[], known: (r: T) => number, end: (r: T) => number): T[] {
    const hit = this.memo.get(arr);
    if (hit !== undefined) return hit as T[];
    const keep = (r: T): boolean => {
      let v = this.verdicts.get(r);
      if (v === undefined) this.verdicts.set(r, (v = kept(known(r), end(r), this.dayStart)));
      return v;
    };
    let out: readonly T[] = arr;
    for (let i = 0; i < arr.length; i++) {
      if (!keep(arr[i]!)) {
        out = arr.filter(keep);
        break;
      }
    }
    this.memo.set(arr, out);
    return out as T[];
  }

  /** A timeframe's features with its earlier days' ended zones left out (the equilibrium alias kept). */
  features(f: TfFeatures): TfFeatures {
    const fvg = this.list(f.fvg, (r) => at(r.known_time), fvgEnd);
    const ifvg = this.list(
      f.ifvg,
      (r) => at(r.known_time ?? r.retested_at),
      (r) => at(r.invalidated_at),
    );
    const ob = this.list(
      f.ob,
      (r) => at(r.known_time),
      (r) => at(r.invalidated_at),
    );
    const bb = this.list(
      f.bb,
      (r) => at(r.known_time),
      (r) => at(r.invalidated_at),
    );
    if (fvg === f.fvg && ifvg === f.ifvg && ob === f.ob && bb === f.bb) return f;
    const out: TfFeatures = { ...f, fvg, ifvg, ob, bb };
    return Object.defineProperty(out, "equilibrium", { value: f.swings, enumerable: false });
  }

  /** SMT divergences of earlier days while not invalidated before the day. */
  smt(list: readonly SmtRecord[]): SmtRecord[] {
    return this.list(
      list,
      (r) => at(r.known_time ?? r.time),
      (r) => at((r as { invalidated_at?: string | null }).invalidated_at),
    );
  }
}
