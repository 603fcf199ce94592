import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  BarValidationError,
  columnsFromBars,
  columnsFromCsv,
  CsvFormatError,
  DuplicateTimestampError,
  IctError,
  quoteValue,
  type Columns,
  type ReadOptions,
} from "@ict/core";
import { columnsFromParquet } from "@ict/core/parquet";
import { nyDate } from "@ict/pipeline";

/** An error the user can act on: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** A problem in the input that the run works around (it goes on), reported on stderr and counted. */
export interface InputWarning {
  kind: "bad-row" | "duplicate" | "gap" | "no-bars" | "repaired" | "zone";
  message: string;
}

/** How a bars file tolerates bad rows. */
export interface LoadOptions {
  /** `skip`: drop a bad row with a warning and go on; `stop`: the first bad row is fatal (exit 2). */
  badRows?: "skip" | "stop";
  /** Most bad rows skipped before the file is refused as a whole. */
  maxBadRows?: number;
  /**
   * Repair bars whose open or close lies outside the high–low range (high =
   * max(o, h, c), low = min(o, l, c)) instead of refusing them; the number of
   * bars repaired is reported as one `repaired` warning. Default false: user
   * files stay strict.
   */
  repairOhlc?: boolean;
  /** Time zone of times written without one (an IANA name); default UTC, with a `zone` warning when such times are read. */
  tz?: string;
  warn?: (w: InputWarning) => void;
}

const MAX_BAD_ROWS = 100;

function isParquet(buf: Buffer): boolean {
  return buf.length >= 8 && buf.toString("latin1", 0, 4) === "PAR1" && buf.toString("latin1", buf.length - 4) === "PAR1";
}

/** Original row/line numbers of a bad row, given the rows/lines already dropped (sorted, original numbering). */
function original(n: number, dropped: number[]): number {
  let o = n;
  for (const d of dropped) if (d <= o) o++;
  return o;
}

function describe(path: string, e: BarValidationError, row: number, line: number | undefined): string {
  const where = line !== undefined ? `row ${row} (line ${line})` : `row ${row}`;
  const reason = e.reason.length <= 160 ? e.reason : `${e.reason.slice(0, 160)}…`;
  return `${path}: ${where}, field "${e.field}": ${reason} (value: ${quoteValue(e.value)})`;
}

/** A library message as the CLI prints it: at most 300 characters (it may quote a whole header or field). */
function cut(m: string): string {
  return m.length <= 300 ? m : `${m.slice(0, 300)}… (${m.length} characters)`;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of the path is not a folder",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "name too long",
  EIO: "input/output error",
};

/**
 * Reads one bars file into validated columns: CSV (header `t,o,h,l,c,v`),
 * a JSON array of bars, or Parquet; CSV and JSON may be gzip-compressed
 * (detected from the bytes, not the name). A bad row — a price that is not a
 * number, a high below the body, a timestamp seen twice — is named with the
 * file, row, line and field; with `badRows: "skip"` (the default) it is
 * dropped with a warning and the file is read without it (a dropped bar is a
 * gap, as a missing bar would be), with `stop` it is fatal. A file that
 * cannot be read at all (missing, not gzip, not CSV/JSON/Parquet, no `t`
 * column, more than `maxBadRows` bad rows, no bars at all) throws a
 * {@link UsageError}. Values are quoted in messages up to 80 characters.
 */
export async function loadBarsFile(path: string, o: LoadOptions = {}): Promise<Columns> {
  let buf: Buffer;
  try {
    buf = path === "-" ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${path}: ${code ?? (e as Error).message}${code && READ_ERRORS[code] ? ` (${READ_ERRORS[code]})` : ""}`,
    );
  }
  if (buf.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) throw new UsageError(`${path}: no bars (the file is empty)`);
  const cols = await readBuffer(path, buf, o);
  // An empty file has no day and no last bar: nothing can be computed from it (it would be a capsule of 1970-01-01).
  if (cols.length === 0) throw new UsageError(`${path}: no bars (the file is empty or holds only a header)`);
  return cols;
}

async function readBuffer(path: string, buf: Buffer, o: LoadOptions): Promise<Columns> {
  let repaired = 0;
  let zoneWarning: string | null = null;
  const readOptions: ReadOptions = {
    ...(o.repairOhlc === true ? { repairOhlc: true, onRepair: () => void repaired++ } : {}),
    ...(o.tz !== undefined ? { tz: o.tz } : {}),
    onWarning: (m) => void (zoneWarning = m),
  };
  const done = (c: Columns): Columns => {
    if (zoneWarning !== null) o.warn?.({ kind: "zone", message: `${path}: ${zoneWarning} (--tz)` });
    if (repaired > 0) {
      o.warn?.({
        kind: "repaired",
        message: `${path}: ${repaired} bar(s) with the open or close outside the high-low range repaired (high = max(o,h,c), low = min(o,l,c))`,
      });
    }
    return c;
  };
  const badRows = o.badRows ?? "skip";
  const maxBad = o.maxBadRows ?? MAX_BAD_ROWS;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new UsageError(`${path}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  if (isParquet(buf)) {
    try {
      return done(await columnsFromParquet(buf, readOptions));
    } catch (e) {
      // A Parquet file is refused as a whole: its rows have no text to drop and re-read.
      if (e instanceof BarValidationError) throw new UsageError(describe(path, e, e.row, undefined));
      if (e instanceof IctError) throw new UsageError(`${path}: ${cut(e.message)}`);
      throw e;
    }
  }
  const text = buf.toString("utf8");
  const trimmed = text.trimStart();
  const refuse = (e: BarValidationError, row: number, line: number | undefined, skipped: number) => {
    const more = skipped > 0 ? ` (after ${skipped} bad rows skipped)` : "";
    return new UsageError(describe(path, e, row, line) + more);
  };
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let rows: unknown[];
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(doc)) throw new UsageError(`${path}: the JSON is not an array of bars`);
    rows = doc;
    const dropped: number[] = [];
    for (;;) {
      try {
        repaired = 0;
        return done(columnsFromBars(rows, readOptions));
      } catch (e) {
        if (!(e instanceof BarValidationError)) throw e instanceof IctError ? new UsageError(`${path}: ${cut(e.message)}`) : e;
        const row = original(e.row, dropped);
        if (badRows === "stop" || dropped.length >= maxBad) throw refuse(e, row, undefined, dropped.length);
        o.warn?.({
          kind: e instanceof DuplicateTimestampError ? "duplicate" : "bad-row",
          message: `${describe(path, e, row, undefined)}; row skipped`,
        });
        rows.splice(e.row, 1);
        dropped.push(row);
        dropped.sort((a, b) => a - b);
      }
    }
  }
  // CSV: drop the offending line and read again (a few bad rows in a long file cost a few re-reads).
  let cur = text;
  const droppedLines: number[] = [];
  const droppedRows: number[] = [];
  for (;;) {
    try {
      repaired = 0;
      return done(columnsFromCsv(cur, readOptions));
    } catch (e) {
      if (e instanceof CsvFormatError) throw new UsageError(`${path}: ${cut(e.message)}`);
      if (!(e instanceof BarValidationError)) throw e instanceof IctError ? new UsageError(`${path}: ${cut(e.message)}`) : e;
      const line = e.line !== undefined ? original(e.line, droppedLines) : undefined;
      const row = original(e.row, droppedRows);
      if (badRows === "stop" || droppedLines.length >= maxBad || e.line === undefined) throw refuse(e, row, line, droppedLines.length);
      o.warn?.({
        kind: e instanceof DuplicateTimestampError ? "duplicate" : "bad-row",
        message: `${describe(path, e, row, line)}; row skipped`,
      });
      cur = dropLine(cur, e.line);
      droppedLines.push(line!);
      droppedLines.sort((a, b) => a - b);
      droppedRows.push(row);
      droppedRows.sort((a, b) => a - b);
    }
  }
}

/** The text without its 1-based line `n`. */
function dropLine(text: string, n: number): string {
  let start = 0;
  for (let k = 1; k < n; k++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return text;
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return end < 0 ? text.slice(0, start) : text.slice(0, start) + text.slice(end + 1);
}

const MINUTE = 60_000;

function etClock(ms: number): string {
  return new Date(ms).toLocaleTimeString("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", hour12: false });
}

/**
 * Checks the bars of a replay before it starts. Fatal (throws
 * {@link UsageError}): a file whose bars are not 1-minute bars (the median
 * spacing within a day is not one minute). Warnings (the run goes on): a gap
 * inside a New York day (bars missing between two bars; the replay ticks on
 * the bars there are, as the live loop would), and a day on which one symbol
 * has no bars while others do (its capsule that day is empty).
 */
export function checkReplayBars(
  bars: Record<string, Columns>,
  warn: (w: InputWarning) => void,
  range: { from?: string; to?: string } = {},
): void {
  const daysOf = new Map<string, Set<string>>();
  const inRange = (d: string) => (!range.from || d >= range.from) && (!range.to || d <= range.to);
  for (const [sym, c] of Object.entries(bars)) {
    const days = new Set<string>();
    const steps: number[] = [];
    const gapsByDay = new Map<string, Array<[number, number]>>();
    let prevDay = "";
    for (let i = 0; i < c.length; i++) {
      const day = nyDate(c.t[i]!);
      if (!inRange(day)) {
        prevDay = "";
        continue;
      }
      days.add(day);
      if (day === prevDay) {
        const dt = c.t[i]! - c.t[i - 1]!;
        if (steps.length < 10_000) steps.push(dt);
        if (dt > MINUTE) {
          let g = gapsByDay.get(day);
          if (!g) gapsByDay.set(day, (g = []));
          g.push([c.t[i - 1]!, c.t[i]!]);
        }
      }
      prevDay = day;
    }
    if (steps.length > 0) {
      steps.sort((a, b) => a - b);
      const median = steps[steps.length >> 1]!;
      if (median !== MINUTE)
        throw new UsageError(`${sym}: bars are ${median / MINUTE} minutes apart (median within a day); the replay needs 1-minute bars`);
    }
    for (const [day, gaps] of gapsByDay) {
      const missing = gaps.reduce((s, [a, b]) => s + (b - a) / MINUTE - 1, 0);
      const first = gaps
        .slice(0, 3)
        .map(([a, b]) => `${(b - a) / MINUTE - 1} after ${etClock(a)}`)
        .join(", ");
      warn({
        kind: "gap",
        message: `${sym} ${day}: ${gaps.length} gap(s), ${missing} bar(s) missing (${first}${gaps.length > 3 ? ", …" : ""} ET); ticking on the bars there are`,
      });
    }
    daysOf.set(sym, days);
  }
  const all = new Set<string>();
  for (const d of daysOf.values()) for (const x of d) all.add(x);
  for (const day of [...all].sort()) {
    for (const [sym, d] of daysOf)
      if (!d.has(day)) warn({ kind: "no-bars", message: `${sym} ${day}: no bars that day; its capsule is empty` });
  }
}
