/**
 * The CSV reader: a header naming t, o, h, l, c (and v) in any order, one bar
 * per row, validated row by row like every other input (typed errors naming
 * the row, line, field and value).
 */
import { BarValidationError, CsvFormatError, quoteValue, type BarField } from "../base/errors.js";
import {
  applyTz,
  checkBar,
  columnsFromBars,
  finish,
  makeColumns,
  putRow,
  readConfig,
  repairRow,
  scratch,
  type Columns,
  type ReadOptions,
} from "./columns.js";
import { DECIMAL_RE, numEnd, parseDecimal, plainDecimal } from "./decimal.js";
import { resolveFields } from "./fields.js";
import { parseIsoMs, toEpochMs, zoneless } from "./time.js";

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function digit2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Fast path for the common `YYYY-MM-DDTHH:MM:SSZ` (or `+00:00`, or no zone)
 * timestamp; other shapes go through {@link parseIsoMs}, numbers are epoch ms.
 */
function parseCsvTime(s: string, a: number, b: number): number {
  const len = b - a;
  if (
    (len === 20 && s.charCodeAt(b - 1) === 90) ||
    len === 19 ||
    (len === 25 && s.charCodeAt(a + 19) === 43 && s.startsWith("00:00", a + 20))
  ) {
    const y1 = digit2(s, a);
    const y2 = digit2(s, a + 2);
    const mo = digit2(s, a + 5);
    const d = digit2(s, a + 8);
    const hh = digit2(s, a + 11);
    const mi = digit2(s, a + 14);
    const ss = digit2(s, a + 17);
    const sep = s.charCodeAt(a + 10);
    if (
      y1 >= 0 &&
      y2 >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      hh >= 0 &&
      hh <= 23 &&
      mi >= 0 &&
      mi <= 59 &&
      ss >= 0 &&
      ss <= 59 &&
      s.charCodeAt(a + 4) === 45 &&
      s.charCodeAt(a + 7) === 45 &&
      (sep === 84 || sep === 32) &&
      s.charCodeAt(a + 13) === 58 &&
      s.charCodeAt(a + 16) === 58
    ) {
      const y = y1 * 100 + y2;
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      const dim = mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
      if (d <= dim) {
        // Days since 1970-01-01 (proleptic Gregorian).
        const yy = y - 1;
        const days =
          365 * (y - 1970) +
          (Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) - 477) +
          DAYS_BEFORE_MONTH[mo - 1]! +
          (mo > 2 && leap ? 1 : 0) +
          d -
          1;
        if (len === 19) zoneless.count++;
        return ((days * 24 + hh) * 60 + mi) * 60_000 + ss * 1000;
      }
      return NaN;
    }
  }
  const text = s.slice(a, b);
  const c0 = text.charCodeAt(0);
  if (text.length > 0 && text.length < 24 && ((c0 >= 48 && c0 <= 57) || c0 === 45) && /^-?\d+(\.\d+)?$/.test(text))
    return toEpochMs(Number(text));
  return parseIsoMs(unquote(text));
}

function unquote(x: string): string {
  const t = x.trim();
  return t.length >= 2 && t.charCodeAt(0) === 34 && t.charCodeAt(t.length - 1) === 34 ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/**
 * The date part of the last `YYYY-MM-DDTHH:MM:SSZ` time parsed in full, and
 * its midnight (epoch ms): rows of one day share it, so only the time of day
 * is read again.
 */
let dayText = "";
let dayMs = 0;

/** Time of day (ms) of a `YYYY-MM-DDTHH:MM:SSZ` cell at s[a...], or -1 when the cell is not of that form after its date. */
function timeOfDay(s: string, a: number): number {
  const sep = s.charCodeAt(a + 10);
  if ((sep !== 84 && sep !== 32) || s.charCodeAt(a + 13) !== 58 || s.charCodeAt(a + 16) !== 58 || s.charCodeAt(a + 19) !== 90) return -1;
  const hh = digit2(s, a + 11);
  const mi = digit2(s, a + 14);
  const ss = digit2(s, a + 17);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return -1;
  return ((hh * 60 + mi) * 60 + ss) * 1000;
}

/** Whether s[a, a + 10) has the shape `DDDD-DD-DD`. */
function dateShape(s: string, a: number): boolean {
  return (
    digit2(s, a) >= 0 &&
    digit2(s, a + 2) >= 0 &&
    s.charCodeAt(a + 4) === 45 &&
    digit2(s, a + 5) >= 0 &&
    s.charCodeAt(a + 7) === 45 &&
    digit2(s, a + 8) >= 0
  );
}

/**
 * One row on the fast path for the usual header `t,o,h,l,c` or `t,o,h,l,c,v`
 * (nv = 5 or 6 cells): the same rules as {@link fastRow}, without the
 * per-cell role lookup, and with the date of `YYYY-MM-DDTHH:MM:SSZ` times
 * taken from the previous row when it is the same. Returns the position of
 * the row's end character, or -1 to take the general path.
 */
function stdRow(text: string, pos: number, len: number, ncols: number, vals: Float64Array): number {
  // t: the common 20-character UTC form with the previous row's date, else the full parser.
  let t: number;
  let p: number;
  const tod = text.charCodeAt(pos + 20) === 44 && dayText.length === 10 && text.startsWith(dayText, pos) ? timeOfDay(text, pos) : -1;
  if (tod >= 0) {
    t = dayMs + tod;
    p = pos + 20;
  } else {
    p = pos;
    while (p < len) {
      const ch = text.charCodeAt(p);
      if (ch === 44 || ch === 10 || ch === 13) break;
      p++;
    }
    t = parseCsvTime(text, pos, p);
    if (Number.isNaN(t)) return -1;
    if (p - pos === 20 && dateShape(text, pos)) {
      const td = timeOfDay(text, pos);
      if (td >= 0) {
        // Parsed by the fast form of parseCsvTime: midnight of this date is t - td.
        dayText = text.slice(pos, pos + 10);
        dayMs = t - td;
      }
    }
  }
  if (text.charCodeAt(p) !== 44) return -1;
  vals[1] = t;
  const o = plainDecimal(text, p + 1);
  if (text.charCodeAt(numEnd) !== 44 || Number.isNaN(o)) return -1;
  const h = plainDecimal(text, numEnd + 1);
  if (text.charCodeAt(numEnd) !== 44 || Number.isNaN(h)) return -1;
  const l = plainDecimal(text, numEnd + 1);
  if (text.charCodeAt(numEnd) !== 44 || Number.isNaN(l)) return -1;
  const c = plainDecimal(text, numEnd + 1);
  if (Number.isNaN(c)) return -1;
  let v = 0;
  if (ncols === 6) {
    if (text.charCodeAt(numEnd) !== 44) return -1;
    v = plainDecimal(text, numEnd + 1);
    if (Number.isNaN(v)) return -1;
  }
  p = numEnd;
  const ch = text.charCodeAt(p);
  if (!(p === len || ch === 10 || (ch === 13 && (text.charCodeAt(p + 1) === 10 || p + 1 === len)))) return -1;
  vals[2] = o;
  vals[3] = h;
  vals[4] = l;
  vals[5] = c;
  vals[6] = v;
  return p;
}

/**
 * One CSV row on the fast path: plain cells, decimals of up to 15 significant
 * digits, common timestamps. Values go to vals[1..6] (t o h l c v); returns
 * the position of the row's end character, or -1 to take the general path.
 */
function fastRow(text: string, pos: number, len: number, roles: Int8Array, ncols: number, vals: Float64Array): number {
  let ok = true;
  let p = pos;
  vals[6] = 0;
  for (let k = 0; k < ncols && ok; k++) {
    const role = roles[k]!;
    const a = p;
    if (role >= 2) {
      const v = plainDecimal(text, p);
      if (Number.isNaN(v)) {
        ok = false;
        break;
      }
      vals[role] = v;
      p = numEnd;
    } else if (role === 1) {
      while (p < len) {
        const ch = text.charCodeAt(p);
        if (ch === 44 || ch === 10 || ch === 13) break;
        p++;
      }
      const t = parseCsvTime(text, a, p);
      if (Number.isNaN(t)) {
        ok = false;
        break;
      }
      vals[1] = t;
    } else {
      while (p < len) {
        const ch = text.charCodeAt(p);
        if (ch === 44 || ch === 10 || ch === 13 || ch === 34) break;
        p++;
      }
      if (text.charCodeAt(p) === 34) ok = false;
    }
    if (!ok) break;
    // The cell must end here: a comma between cells, the line's end after the last.
    const ch = text.charCodeAt(p);
    if (k < ncols - 1) {
      if (ch !== 44) ok = false;
      else p++;
    } else if (!(p === len || ch === 10 || (ch === 13 && text.charCodeAt(p + 1) === 10) || (ch === 13 && p + 1 === len))) ok = false;
  }
  return ok ? p : -1;
}

/** Row lines [0, n) at lineBase + row, and row n at `line`. */
function rowLines(cap: number, n: number, lineBase: number, line: number): Int32Array {
  const lines = new Int32Array(cap);
  for (let i = 0; i < n; i++) lines[i] = lineBase + i;
  lines[n] = line;
  return lines;
}

/**
 * Parses CSV text with a header naming the columns `t,o,h,l,c` and optionally
 * `v` (in any order; other columns are ignored), validates every row and
 * returns columns sorted by time. An empty `v` cell reads as 0.
 * Throws {@link CsvFormatError} for a malformed file (an empty or blank
 * text is one: "empty input"; a header without rows is zero bars) and
 * {@link BarValidationError} (with `row` and `line`) for a bad value.
 * See {@link ReadOptions} for negative prices and OHLC repair.
 */
export function columnsFromCsv(text: string, options?: ReadOptions): Columns {
  const cfg = readConfig(options);
  const z0 = zoneless.count;
  if (typeof text !== "string") throw new CsvFormatError(`input must be text, got ${quoteValue(text)}`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  // Header: the first non-empty line.
  let header: string[] | null = null;
  while (pos < len && header === null) {
    let e = text.indexOf("\n", pos);
    if (e < 0) e = len;
    const raw = text.slice(pos, e).replace(/\r$/, "");
    lineNo++;
    pos = e + 1;
    if (raw.trim() !== "") header = raw.split(",").map((x) => unquote(x).toLowerCase());
  }
  if (header === null) throw new CsvFormatError("empty input: no header line (expected t,o,h,l,c,v)");
  const col: Record<string, number> = Object.create(null) as Record<string, number>;
  header.forEach((name, i) => {
    if (Object.prototype.hasOwnProperty.call(col, name))
      throw new CsvFormatError(`column ${quoteValue(name)} appears twice in the header`, lineNo);
    col[name] = i;
  });
  const headerLine = lineNo;
  const at = resolveFields(header, cfg.columns, (m) => {
    throw new CsvFormatError(`the header: ${m}`, headerLine);
  });
  const ncols = header.length;
  const it = at.t,
    io = at.o,
    ih = at.h,
    il = at.l,
    ic = at.c;
  const iv = at.v;

  // Upper bound of rows: count newlines once.
  let cap = 1;
  for (let i = text.indexOf("\n", pos); i >= 0; i = text.indexOf("\n", i + 1)) cap++;
  let cols = makeColumns(cap);
  // Line of each row, for error messages: lineBase + row until the first skipped
  // line, then stored row by row.
  let lines: Int32Array | null = null;
  let lineBase = -1;
  const starts = new Int32Array(ncols + 1);
  // Role of each column: 0 ignored, 1 t, 2..6 o h l c v.
  const roles = new Int8Array(ncols);
  roles[it] = 1;
  roles[io] = 2;
  roles[ih] = 3;
  roles[il] = 4;
  roles[ic] = 5;
  if (iv >= 0) roles[iv] = 6;
  const vals = new Float64Array(7);
  // The usual header t,o,h,l,c[,v] has a dedicated row parser.
  const std = it === 0 && io === 1 && ih === 2 && il === 3 && ic === 4 && (ncols === 5 || (ncols === 6 && iv === 5));
  let n = 0;
  while (pos < len) {
    lineNo++;
    const lineStart = pos;
    // Fast path: plain cells, decimals of up to 15 significant digits, one pass.
    const p = std ? stdRow(text, pos, len, ncols, vals) : fastRow(text, pos, len, roles, ncols, vals);
    const ok = p >= 0;
    if (ok) {
      const next = p >= len ? len : text.charCodeAt(p) === 13 ? p + 2 : p + 1;
      const row = n;
      if (cfg.repair && repairRow(cfg, row, vals[2]!, vals[3]!, vals[4]!, vals[5]!, lineNo)) {
        vals[3] = scratch.h;
        vals[4] = scratch.l;
      }
      checkBar(cfg, row, vals[2]!, vals[3]!, vals[4]!, vals[5]!, vals[6]!, lineNo);
      putRow(cols, n, vals[1]!, vals[2]!, vals[3]!, vals[4]!, vals[5]!, vals[6]!);
      if (lines !== null) lines[n] = lineNo;
      else if (lineBase < 0) lineBase = lineNo - n;
      else if (lineNo - n !== lineBase) lines = rowLines(cap, n, lineBase, lineNo);
      n++;
      pos = next;
      continue;
    }
    // General path: blank lines, quotes, spaces, exponents, long decimals, errors.
    let e = text.indexOf("\n", lineStart);
    if (e < 0) e = len;
    let end = e;
    if (end > lineStart && text.charCodeAt(end - 1) === 13) end--;
    pos = e + 1;
    if (end === lineStart) continue; // blank line
    // Cell boundaries.
    let k = 0;
    starts[0] = lineStart;
    for (let i = lineStart; i < end; i++) {
      if (text.charCodeAt(i) === 44) {
        k++;
        if (k >= ncols) break;
        starts[k] = i + 1;
      }
    }
    if (k !== ncols - 1) {
      if (text.slice(lineStart, end).trim() === "") continue;
      throw new CsvFormatError(`expected ${ncols} cells, found ${k >= ncols ? "more" : k + 1}`, lineNo);
    }
    starts[ncols] = end + 1;
    const row = n;
    const cellEnd = (j: number) => starts[j + 1]! - 1;
    const num = (j: number, f: BarField): number => {
      const a = starts[j]!;
      const b = cellEnd(j);
      const v = parseDecimal(text, a, b);
      if (Number.isNaN(v) || !Number.isFinite(v)) {
        const raw = text.slice(a, b);
        if (Number.isNaN(v)) {
          const uq = unquote(raw);
          const v2 = DECIMAL_RE.test(uq) ? Number(uq) : NaN;
          if (Number.isFinite(v2)) return v2;
        }
        throw new BarValidationError(row, f, raw, raw.trim() === "" ? "is empty" : "is not a finite decimal number", lineNo);
      }
      return v;
    };
    const t = parseCsvTime(text, starts[it]!, cellEnd(it));
    if (Number.isNaN(t))
      throw new BarValidationError(
        row,
        "t",
        text.slice(starts[it]!, cellEnd(it)),
        "is not an ISO 8601 timestamp or epoch milliseconds",
        lineNo,
      );
    const o = num(io, "o");
    let h = num(ih, "h");
    let l = num(il, "l");
    const c = num(ic, "c");
    const v = iv < 0 || starts[iv] === cellEnd(iv) ? 0 : num(iv, "v");
    if (cfg.repair && repairRow(cfg, row, o, h, l, c, lineNo)) {
      h = scratch.h;
      l = scratch.l;
    }
    checkBar(cfg, row, o, h, l, c, v, lineNo);
    putRow(cols, n, t, o, h, l, c, v);
    if (lines !== null) lines[n] = lineNo;
    else if (lineBase < 0) lineBase = lineNo - n;
    else if (lineNo - n !== lineBase) lines = rowLines(cap, n, lineBase, lineNo);
    n++;
  }
  if (n < cap) {
    // A few unused slots (the trailing newline, blank lines) are left in place; many are released.
    const cut = cap - n > 64 + (cap >> 6) ? (a: Float64Array) => a.slice(0, n) : (a: Float64Array) => a.subarray(0, n);
    cols = { t: cut(cols.t), o: cut(cols.o), h: cut(cols.h), l: cut(cols.l), c: cut(cols.c), v: cut(cols.v) };
  }
  const lineArr = lines;
  applyTz(cfg, cols.t, n, zoneless.count - z0);
  return finish(
    cols,
    n,
    (r) => new Date(cols.t[r]!).toISOString(),
    (r) => (lineArr !== null ? lineArr[r]! : lineBase + r),
  );
}

/**
 * Reads bars from text: a JSON array of bar objects (or `{ "bars": [...] }`),
 * or CSV with a `t,o,h,l,c,v` header. An empty or blank text is a
 * {@link CsvFormatError} ("empty input"). See {@link ReadOptions}.
 */
export function columnsFromText(text: string, options?: ReadOptions): Columns {
  if (typeof text !== "string") throw new CsvFormatError(`input must be text, got ${quoteValue(text)}`);
  const s = text.trimStart();
  if (s.startsWith("[") || s.startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new CsvFormatError(`not valid JSON: ${(e as Error).message}`);
    }
    if (data !== null && typeof data === "object" && !Array.isArray(data) && Array.isArray((data as { bars?: unknown }).bars)) {
      data = (data as { bars: unknown[] }).bars;
    }
    if (!Array.isArray(data)) throw new CsvFormatError('JSON input must be an array of bars or an object with a "bars" array');
    return columnsFromBars(data, options);
  }
  return columnsFromCsv(text, options);
}
