/**
 * What the detector streams share while a bar is processed: the bars, the
 * bar's index and time, the events it makes known, and the record lists.
 */
import type { ZoneConfig } from "./zones.js";
import { isoUtc } from "../../io/time.js";
import type { BarRing } from "../../runtime/bar-ring.js";
import type { TouchQueue } from "./touch-stream.js";
import type { StreamEvent, StreamEventKind, StreamEventType } from "../../base/stream-events.js";

/** Rank of an event's detector within a bar (the order of the batch record lists). */
export const KIND_RANK: Record<StreamEventKind, number> = { swing: 0, bos: 1, choch: 1, fvg: 2, ifvg: 3, ob: 4, bb: 5 };
/** Rank of an event's type within one record. */
export const TYPE_RANK: Record<StreamEventType, number> = { new: 0, mitigated: 1, filled: 2, traded: 3, retested: 4, invalidated: 5 };

/**
 * @internal The undo log of the working state between checkpoints: every
 * change of a zone, a live set or a record list pushes the closure that undoes
 * it, so returning to a checkpoint costs the changes made since, not the size
 * of the state.
 */
export class Journal {
  /** The undo closures, one chunk per checkpoint interval (chunk i starts at position starts[i]). */
  private chunks: (() => void)[][] = [[]];
  private starts: number[] = [0];
  private cur: (() => void)[] = this.chunks[0]!;

  /** Current position. */
  get pos(): number {
    return this.starts[this.starts.length - 1]! + this.cur.length;
  }

  add(undo: () => void): void {
    this.cur.push(undo);
  }

  /** Starts a new chunk at the current position (a checkpoint); returns the position. */
  mark(): number {
    const p = this.pos;
    if (this.cur.length > 0) {
      this.cur = [];
      this.chunks.push(this.cur);
      this.starts.push(p);
    }
    return p;
  }

  /** Undoes every change after position `pos`, newest first. */
  undoTo(pos: number): void {
    for (;;) {
      const k = this.chunks.length - 1;
      const start = this.starts[k]!;
      const c = this.chunks[k]!;
      while (start + c.length > pos && c.length > 0) c.pop()!();
      if (start < pos || k === 0) break;
      this.chunks.pop();
      this.starts.pop();
    }
    this.cur = this.chunks[this.chunks.length - 1]!;
  }

  /** Forgets the changes before `pos` (no checkpoint before it is kept; `pos` is a mark). */
  dropBefore(pos: number): void {
    let k = 0;
    while (k + 1 < this.starts.length && this.starts[k + 1]! <= pos) k++;
    if (k > 0) {
      this.chunks.splice(0, k);
      this.starts.splice(0, k);
    }
  }

  /** Forgets everything (a restored state starts a new log at `pos`). */
  reset(pos: number): void {
    this.cur = [];
    this.chunks = [this.cur];
    this.starts = [pos];
  }
}

const NO_EVENTS: StreamEvent[] = Object.freeze([]) as unknown as StreamEvent[];

/** @internal The bar being processed and its events. */
export class StepCtx {
  readonly journal = new Journal();

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
    if (this.events.length > 0) {
      this.events = [];
      this.keys = [];
    }
  }

  /** ISO time of the bar being processed. */
  get time(): string {
    return (this.iso ??= isoUtc(this.ring.t[this.t & this.ring.mask]!));
  }

  /** Epoch ms of the bar being processed. */
  get ms(): number {
    return this.ring.t[this.t & this.ring.mask]!;
  }

  /** Epoch ms of a held bar. */
  msOf(i: number): number {
    return this.ring.t[i & this.ring.mask]!;
  }

  /** Undoably records that status `bar` (with its time `at`) of `z`, unset so far (-1), is being set. */
  setOnce<Z>(z: Z, bar: keyof Z, at: keyof Z): void {
    this.journal.add(() => {
      (z as any)[bar] = -1;
      (z as any)[at] = -1;
    });
  }

  /** `map.set(key, value)`, undoably. */
  mapSet<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    this.journal.add(() => (had ? map.set(key, old as V) : map.delete(key)));
  }

  /** `map.delete(key)`, undoably. */
  mapDelete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const old = map.get(key) as V;
    map.delete(key);
    this.journal.add(() => map.set(key, old));
  }

  /** Reports an event of record `id` (its position in its detector's list order) at this bar. */
  emit(kind: StreamEventKind, type: StreamEventType, dir: number, anchor: string, id: number): void {
    this.events.push({ kind, type, dir: dir > 0 ? "bull" : "bear", anchor, bar: this.t, time: this.time });
    this.keys.push((KIND_RANK[kind] * 2 ** 40 + id) * 8 + TYPE_RANK[type]);
  }

  /** The bar's events in canonical order: detector, record, type (treat as read-only: a bar without events shares one empty list). */
  finish(): StreamEvent[] {
    const ev = this.events;
    const n = ev.length;
    if (n === 0) return NO_EVENTS;
    const keys = this.keys;
    // Insertion sort: a bar has few events, mostly already in order.
    for (let i = 1; i < n; i++) {
      const k = keys[i]!;
      const e = ev[i]!;
      let j = i - 1;
      while (j >= 0 && keys[j]! > k) {
        keys[j + 1] = keys[j]!;
        ev[j + 1] = ev[j]!;
        j--;
      }
      keys[j + 1] = k;
      ev[j + 1] = e;
    }
    return ev;
  }
}

/**
 * @internal Records of one detector in their batch order (by `key`), each with
 * the bar at which it became known. A record is built from its zone when
 * first read after a change ({@link materialize}); records are immutable
 * values: a record that changes is replaced by a new object.
 */
export class RecordList<R, Z = unknown> {
  keys: number[] = [];
  known: number[] = [];
  /** The built records (stale where `dirty` names their key). */
  recs: R[] = [];
  /** The zone of each entry (null once it can no longer change, or after a restore). */
  zones: (Z | null)[] = [];
  private dirty: number[] = [];
  /** Bumped by every change (callers reuse their copy of `recs` while it holds). */
  version = 0;
  journal: Journal | null = null;

  /**
   * `build` makes the record of a zone; `final` tells a zone that can no
   * longer change (its zone is then let go once its record is built).
   */
  constructor(
    private readonly build: (z: Z) => R,
    private readonly final: (z: Z) => boolean,
  ) {}

  /** Inserts or marks for rebuilding the record of `key` (zone `z`). */
  put(key: number, known: number, z: Z): void {
    this.version++;
    this.dirty.push(key);
    const K = this.keys;
    const n = K.length;
    const j = this.journal;
    if (n === 0 || K[n - 1]! < key) {
      K.push(key);
      this.known.push(known);
      this.recs.push(null as R);
      this.zones.push(z);
      j?.add(() => {
        this.version++;
        this.keys.pop();
        this.known.pop();
        this.recs.pop();
        this.zones.pop();
      });
      return;
    }
    const lo = this.find(key);
    if (K[lo] === key) {
      // The zone object is the same; its fields are restored by their own undo. Rebuild on undo.
      this.zones[lo] = z;
      j?.add(() => {
        this.version++;
        this.zones[this.find(key)] = z;
        this.dirty.push(key);
      });
      return;
    }
    K.splice(lo, 0, key);
    this.known.splice(lo, 0, known);
    this.recs.splice(lo, 0, null as R);
    this.zones.splice(lo, 0, z);
    j?.add(() => {
      this.version++;
      const i = this.find(key);
      this.keys.splice(i, 1);
      this.known.splice(i, 1);
      this.recs.splice(i, 1);
      this.zones.splice(i, 1);
    });
  }

  /** Builds the records changed since the last call; returns `recs`. */
  materialize(): R[] {
    const d = this.dirty;
    if (d.length > 0) {
      const K = this.keys;
      for (const key of d) {
        const i = this.find(key);
        const z = this.zones[i];
        if (K[i] === key && z != null) {
          this.recs[i] = this.build(z);
          if (this.final(z)) this.zones[i] = null;
        }
      }
      this.dirty = [];
    }
    return this.recs;
  }

  private find(key: number): number {
    const K = this.keys;
    const n = K.length;
    if (n > 0 && K[n - 1] === key) return n - 1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (K[m]! < key) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  save(): unknown {
    return { keys: this.keys.slice(), known: this.known.slice(), recs: this.materialize().slice() };
  }

  load(x: any): void {
    this.version++;
    this.keys = x.keys.slice();
    this.known = x.known.slice();
    this.recs = x.recs.slice();
    this.zones = this.keys.map(() => null);
    this.dirty = [];
  }
}
