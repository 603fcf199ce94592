/**
 * The live loop's bars: per New York day and symbol, the 1m bars received so
 * far, keyed by (symbol, t). A bar seen again with the same values is a
 * duplicate and dropped; with other values (an `updatedBars` message, or a
 * REST backfill that knows later trades) it replaces the stored bar — and so
 * the 5m bucket aggregated from it. Every accepted change is appended to a
 * per-day journal (`raw/bars_1m.jsonl`, one JSON line per bar, flushed to
 * disk before anything derived from it is written), from which a restarted
 * process rebuilds the store; a torn last line (a kill mid-write) is cut off.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { BarValidationError, columnsFromArrays, columnsFromBars, parseIsoMs, type Columns } from "@ict/core";
import { checkDay, nyDate } from "@ict/pipeline";
import type { AlpacaBar } from "./alpaca/types.js";

/** A validated 1m bar (`t` epoch ms, start of the minute). */
export interface StoredBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n?: number;
  vw?: number;
}

/** Where a bar came from: the stream (`b`, corrected `u`) or a REST backfill. */
export type BarSource = "b" | "u" | "rest";

/** What {@link BarStore.apply} did with a bar. */
export type ApplyResult = "new" | "duplicate" | "corrected" | "stale";

/**
 * Validates an Alpaca bar: `t` an RFC 3339 minute, prices finite with the
 * high at or above the body and the low at or below it, volume >= 0 (the
 * @ict/core rules). Throws {@link BarValidationError} naming the field.
 */
export function parseAlpacaBar(raw: AlpacaBar): StoredBar {
  if (raw === null || typeof raw !== "object") throw new BarValidationError(0, "row", raw, "a bar must be an object");
  const t = typeof raw.t === "string" ? parseIsoMs(raw.t) : NaN;
  if (Number.isNaN(t)) throw new BarValidationError(0, "t", raw.t, "is not an RFC 3339 time");
  if (t % 60_000 !== 0) throw new BarValidationError(0, "t", raw.t, "is not the start of a minute");
  columnsFromBars([{ t, o: raw.o, h: raw.h, l: raw.l, c: raw.c, v: raw.v }]);
  const b: StoredBar = { t, o: raw.o, h: raw.h, l: raw.l, c: raw.c, v: raw.v };
  if (typeof raw.n === "number" && Number.isFinite(raw.n)) b.n = raw.n;
  if (typeof raw.vw === "number" && Number.isFinite(raw.vw)) b.vw = raw.vw;
  return b;
}

function sameBar(a: StoredBar, b: StoredBar): boolean {
  return a.o === b.o && a.h === b.h && a.l === b.l && a.c === b.c && a.v === b.v && a.n === b.n && a.vw === b.vw;
}

interface SymbolDay {
  byT: Map<number, StoredBar>;
  /** Where each stored bar came from and when it was known (stream: received; REST: request sent). */
  meta: Map<number, { src: BarSource; knownAt: number }>;
  sorted: StoredBar[] | null;
  cols: Columns | null;
}

/** Counters of a store. */
export interface StoreStats {
  added: number;
  duplicates: number;
  corrected: number;
  /** Bars older than the stored version, dropped. */
  stale: number;
  invalid: number;
}

/** Bars per New York day and symbol, deduplicated on (symbol, t). */
export class BarStore {
  readonly stats: StoreStats = { added: 0, duplicates: 0, corrected: 0, stale: 0, invalid: 0 };
  private readonly days = new Map<string, Map<string, SymbolDay>>();

  private slot(day: string, sym: string): SymbolDay {
    let d = this.days.get(day);
    if (!d) this.days.set(day, (d = new Map()));
    let s = d.get(sym);
    if (!s) d.set(sym, (s = { byT: new Map(), meta: new Map(), sorted: null, cols: null }));
    return s;
  }

  /**
   * Stores a validated bar. A different bar at the same (symbol, t) replaces
   * the stored one when it is newer: an updated bar (`u`) always is; a plain
   * stream bar (`b`) is not newer than an updated or REST one (a re-sent
   * original); a REST bar is, unless the stored version arrived after the
   * request was sent (`knownAt`). Without `src` (a journal replay) the bar
   * replaces unconditionally: the journal holds only accepted changes.
   */
  apply(sym: string, bar: StoredBar, src?: BarSource, knownAt = 0): ApplyResult {
    const s = this.slot(nyDate(bar.t), sym);
    const old = s.byT.get(bar.t);
    if (old && sameBar(old, bar)) {
      this.stats.duplicates++;
      return "duplicate";
    }
    const m = s.meta.get(bar.t);
    if (old && m && src !== undefined) {
      const stale = src === "b" ? m.src !== "b" : src === "rest" ? m.knownAt > knownAt : false;
      if (stale) {
        this.stats.stale++;
        return "stale";
      }
    }
    s.meta.set(bar.t, { src: src ?? "rest", knownAt });
    s.byT.set(bar.t, bar);
    s.sorted = null;
    s.cols = null;
    if (old) {
      this.stats.corrected++;
      return "corrected";
    }
    this.stats.added++;
    return "new";
  }

  /** The stored bar at (symbol, t), if any. */
  get(sym: string, t: number): StoredBar | undefined {
    return this.days.get(nyDate(t))?.get(sym)?.byT.get(t);
  }

  /** A symbol's bars of a day, in time order. */
  bars(day: string, sym: string): readonly StoredBar[] {
    const s = this.days.get(day)?.get(sym);
    if (!s) return [];
    return (s.sorted ??= [...s.byT.values()].sort((a, b) => a.t - b.t));
  }

  /** A symbol's bars of a day as @ict/core columns (cached until the next change). */
  columns(day: string, sym: string): Columns {
    const s = this.slot(day, sym);
    if (!s.cols) {
      const b = this.bars(day, sym);
      s.cols = columnsFromArrays({
        t: b.map((x) => x.t),
        o: b.map((x) => x.o),
        h: b.map((x) => x.h),
        l: b.map((x) => x.l),
        c: b.map((x) => x.c),
        v: b.map((x) => x.v),
      });
    }
    return s.cols;
  }

  /** Every distinct bar time of a day (over all symbols), ascending: the day's ticks. */
  times(day: string): number[] {
    const set = new Set<number>();
    for (const s of this.days.get(day)?.values() ?? []) for (const t of s.byT.keys()) set.add(t);
    return [...set].sort((a, b) => a - b);
  }

  /** The latest bar time of a symbol on a day (-Infinity when none). */
  lastT(day: string, sym: string): number {
    const b = this.bars(day, sym);
    return b.length ? b[b.length - 1]!.t : -Infinity;
  }

  /** Days with bars, ascending. */
  dayList(): string[] {
    return [...this.days.keys()].sort();
  }

  /** Number of (symbol, t) bars of a day. */
  count(day: string): number {
    let n = 0;
    for (const s of this.days.get(day)?.values() ?? []) n += s.byT.size;
    return n;
  }
}

/** One journal line: a bar of a symbol and where it came from. */
export interface JournalRecord extends AlpacaBar {
  S: string;
  src: BarSource;
}

/** `ROOT/data/daily_news/<day>/raw/bars_1m.jsonl`. */
export function journalPath(root: string, day: string): string {
  return join(root, "data", "daily_news", checkDay(day), "raw", "bars_1m.jsonl");
}

/** The complete, parseable lines of a journal, read without opening it for appending (an earlier day's). */
export function readJournal(path: string): JournalRecord[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const out: JournalRecord[] = [];
  for (const line of text.slice(0, text.lastIndexOf("\n") + 1).split("\n")) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      /* a line that is not JSON: the day's own run reported it */
    }
  }
  return out;
}

/**
 * An append-only JSON-lines file flushed to disk at every append. Opening it
 * reads the complete lines and cuts off a torn tail (a process killed in the
 * middle of a write leaves at most one partial last line).
 */
export class Journal {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  /** Reads every complete line (skipping and reporting any line that is not JSON), truncates a torn tail, opens for appending. */
  open(warn: (msg: string) => void = () => {}): JournalRecord[] {
    mkdirSync(dirname(this.path), { recursive: true });
    const out: JournalRecord[] = [];
    let keep = 0;
    if (existsSync(this.path)) {
      const buf = readFileSync(this.path);
      const lastNl = buf.lastIndexOf(0x0a);
      keep = lastNl + 1;
      const text = buf.subarray(0, keep).toString("utf8");
      let lineNo = 0;
      for (const line of text.split("\n")) {
        lineNo++;
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as JournalRecord);
        } catch {
          warn(`journal ${this.path}: line ${lineNo} is not JSON; skipped`);
        }
      }
      if (keep < buf.length) warn(`journal ${this.path}: cut a torn last line of ${buf.length - keep} bytes`);
    }
    this.fd = openSync(this.path, existsSync(this.path) ? "r+" : "w+");
    ftruncateSync(this.fd, keep);
    return out;
  }

  /** Appends records and flushes them to disk. */
  append(records: readonly JournalRecord[]): void {
    if (this.fd === null) throw new Error(`journal ${this.path} is not open`);
    if (records.length === 0) return;
    const buf = Buffer.from(records.map((r) => JSON.stringify(r)).join("\n") + "\n", "utf8");
    const end = fstatSync(this.fd).size;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, end + off);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
