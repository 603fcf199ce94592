/**
 * What the detector streams share while a bar is processed: the bars, the
 * bar's index and time, the events it makes known, and the record lists.
 */
import type { ZoneConfig } from "../analysis.js";
import { isoUtc } from "../time.js";
import type { BarRing } from "./bars.js";
import type { TouchQueue } from "./touch.js";
import type { StreamEvent, StreamEventKind, StreamEventType } from "./types.js";

/** Rank of an event's detector within a bar (the order of the batch record lists). */
export const KIND_RANK: Record<StreamEventKind, number> = { swing: 0, bos: 1, choch: 1, fvg: 2, ifvg: 3, ob: 4, bb: 5 };
/** Rank of an event's type within one record. */
export const TYPE_RANK: Record<StreamEventType, number> = { new: 0, mitigated: 1, filled: 2, traded: 3, retested: 4, invalidated: 5 };

/** @internal The bar being processed and its events. */
export class StepCtx {
  /** Index of the bar being processed. */
  t = 0;
  private iso: string | null = null;
  /** Events of the bar, with their order keys. */
  events: StreamEvent[] = [];
  private keys: number[] = [];

  constructor(
    readonly ring: BarRing,
    readonly cfg: ZoneConfig,
    readonly tf: string,
    readonly touch: TouchQueue,
  ) {}

  begin(t: number): void {
    this.t = t;
    this.iso = null;
    this.events = [];
    this.keys = [];
  }

  /** ISO time of the bar being processed. */
  get time(): string {
    return (this.iso ??= isoUtc(this.ring.t[this.t & this.ring.mask]!));
  }

  /** ISO time of a held bar. */
  timeOf(i: number): string {
    return i === this.t ? this.time : isoUtc(this.ring.t[i & this.ring.mask]!);
  }

  /** Reports an event of record `id` (its position in its detector's list order) at this bar. */
  emit(kind: StreamEventKind, type: StreamEventType, dir: number, anchor: string, id: number): void {
    this.events.push({ kind, type, dir: dir > 0 ? "bull" : "bear", anchor, bar: this.t, time: this.time });
    this.keys.push((KIND_RANK[kind] * 2 ** 40 + id) * 8 + TYPE_RANK[type]);
  }

  /** The bar's events in canonical order: detector, record, type. */
  finish(): StreamEvent[] {
    const ev = this.events;
    if (ev.length > 1) {
      const keys = this.keys;
      const idx = ev.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
      this.events = idx.map((i) => ev[i]!);
    }
    return this.events;
  }
}

/**
 * @internal Records of one detector in their batch order (by `key`), each with
 * the bar at which it became known. Records are immutable values: a record
 * that changes is replaced by a new object.
 */
export class RecordList<R> {
  keys: number[] = [];
  known: number[] = [];
  recs: R[] = [];

  /** Inserts or replaces the record of `key`. */
  put(key: number, known: number, rec: R): void {
    const K = this.keys;
    const n = K.length;
    if (n === 0 || K[n - 1]! < key) {
      K.push(key);
      this.known.push(known);
      this.recs.push(rec);
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (K[m]! < key) lo = m + 1;
      else hi = m;
    }
    if (K[lo] === key) {
      this.recs[lo] = rec;
      this.known[lo] = known;
      return;
    }
    K.splice(lo, 0, key);
    this.known.splice(lo, 0, known);
    this.recs.splice(lo, 0, rec);
  }

  /** Drops the records that became known at bar `from` or later. */
  rollback(from: number): void {
    const K: number[] = [], N: number[] = [], R: R[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      if (this.known[i]! < from) {
        K.push(this.keys[i]!);
        N.push(this.known[i]!);
        R.push(this.recs[i]!);
      }
    }
    this.keys = K;
    this.known = N;
    this.recs = R;
  }

  save(): unknown {
    return { keys: this.keys.slice(), known: this.known.slice(), recs: this.recs.slice() };
  }

  load(x: any): void {
    this.keys = x.keys.slice();
    this.known = x.known.slice();
    this.recs = x.recs.slice();
  }
}
