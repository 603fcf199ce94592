import { BarValidationError, CsvFormatError, DuplicateTimestampError, OptionError, quoteValue, type BarField } from "../base/errors.js";
import { boolOption } from "../base/profile.js";
import { repairOhlc } from "./repair.js";
import { parseIsoMs, toEpochMs } from "./time.js";

/**
 * One OHLCV bar as users hand it in: `t` is the bar's start, an ISO 8601
 * string (a string without a zone is UTC) or an epoch number (milliseconds;
 * seconds, microseconds and nanoseconds recognised by magnitude); `v` may be
 * left out and then reads as 0.
 */
export interface Bar {
  t: string | number;
  o: number;
  h: number;
  l: number;
  c: number;
  v?: number;
}

/**
 * Validated bars as one `Float64Array` per field, sorted by time with unique
 * timestamps (`t` in epoch milliseconds, UTC). Every price is finite and
 * within the limits of {@link ReadOptions}, every high is at or above the
 * body, every low at or below it, volumes are >= 0. All six arrays have
 * `length` values. Detector functions copy the arrays into WebAssembly memory
 * on every call (and free the copy before returning), so a change made in
 * place is seen by the next call; the readers' validation is not re-run then,
 * only the shape is checked (`checkColumns`).
 */
export interface Columns {
  readonly length: number;
  readonly t: Float64Array;
  readonly o: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly c: Float64Array;
  readonly v: Float64Array;
}

const FIELDS = ["t", "o", "h", "l", "c", "v"] as const;

/**
 * Largest price magnitude accepted: 1e15. Beyond it a bar's range h − l and
 * the sums of ranges in the ATR leave the range where doubles hold a price to
 * the cent (and near 1e308 they overflow to Infinity), so such a number is a
 * corrupt file rather than a quote.
 */
export const MAX_PRICE = 1e15;

/**
 * Smallest positive price accepted by default: 1e-12. Quotes of the smallest
 * tokens are around 1e-8; below 1e-12 the absolute tolerance of the zone
 * rules (1e-6) swallows whole price levels, so the number is taken for a
 * corrupt file. With `allowNonPositive` this lower bound is lifted.
 */
export const MIN_PRICE = 1e-12;

/** Largest volume accepted: 1e18 (sums of volumes over a day stay exact to the unit far beyond any market's). */
export const MAX_VOLUME = 1e18;

/**
 * Options shared by every reader (`columnsFromBars`, `columnsFromArrays`,
 * `columnsFromCsv`, `columnsFromText`, `columnsFromParquet`).
 */
export interface ReadOptions {
  /**
   * Accept prices of 0 and below, for instruments that can trade there
   * (spreads, some futures and power prices). Default false: a price must be
   * at least {@link MIN_PRICE}, since 0 or a negative price in an equity or
   * crypto file is a data error. In both cases |price| <= {@link MAX_PRICE}.
   */
  allowNonPositive?: boolean;
  /**
   * Repair bars whose open or close lies outside the high–low range before
   * validating them: the high becomes max(o, h, c), the low min(o, l, c)
   * (`repairOhlc`; vendors such as Alpaca publish such bars when trade
   * conditions exclude some trades from the high and low). Default false:
   * user files stay strict and such a bar is a {@link BarValidationError}.
   */
  repairOhlc?: boolean;
  /**
   * Called once for every repaired bar with its 0-based input row (data rows,
   * header excluded) and, for CSV, its 1-based line: count them to report
   * how many bars were changed.
   */
  onRepair?: (row: number, line: number | undefined) => void;
}

/** Reader options, validated, as the row checks use them. */
interface ReadConfig {
  /** Lowest price accepted. */
  lo: number;
  allowNonPositive: boolean;
  repair: boolean;
  onRepair: ((row: number, line: number | undefined) => void) | undefined;
}

const STRICT: ReadConfig = { lo: MIN_PRICE, allowNonPositive: false, repair: false, onRepair: undefined };

/** Validates {@link ReadOptions} (an unknown type is an {@link OptionError} naming the option). */
function readConfig(o: ReadOptions | undefined): ReadConfig {
  if (o === undefined) return STRICT;
  if (o === null || typeof o !== "object") throw new OptionError("options", `must be an object, got ${quoteValue(o)}`);
  const allowNonPositive = boolOption("allowNonPositive", o.allowNonPositive, false);
  const repair = boolOption("repairOhlc", o.repairOhlc, false);
  if (o.onRepair !== undefined && typeof o.onRepair !== "function")
    throw new OptionError("onRepair", `must be a function, got ${quoteValue(o.onRepair)}`);
  return { lo: allowNonPositive ? -MAX_PRICE : MIN_PRICE, allowNonPositive, repair, onRepair: o.onRepair };
}

/** Scratch bar for {@link repairOhlc} (one rule for every reader). */
const scratch = { o: 0, h: 0, l: 0, c: 0 };

/**
 * Applies the OHLC repair rule to one parsed row when the reader was asked
 * to; returns whether the row changed (its new high and low are then in
 * `scratch`).
 */
function repairRow(cfg: ReadConfig, row: number, o: number, h: number, l: number, c: number, line?: number): boolean {
  scratch.o = o;
  scratch.h = h;
  scratch.l = l;
  scratch.c = c;
  if (!repairOhlc(scratch)) return false;
  cfg.onRepair?.(row, line);
  return true;
}

/** Why a price is outside the accepted range, or null when it is inside. */
function priceProblem(p: number, cfg: ReadConfig): string | null {
  if (p >= cfg.lo && p <= MAX_PRICE) return null;
  if (!Number.isFinite(p)) return "is not a finite number";
  if (Math.abs(p) > MAX_PRICE) return `has a magnitude above ${MAX_PRICE.toExponential()} (the price limit)`;
  if (p <= 0) return "is not a positive price (pass allowNonPositive for instruments that trade at or below zero)";
  return `is below ${MIN_PRICE}, the smallest price accepted (pass allowNonPositive to lift the limit)`;
}

function makeColumns(n: number): { t: Float64Array; o: Float64Array; h: Float64Array; l: Float64Array; c: Float64Array; v: Float64Array } {
  return {
    t: new Float64Array(n),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
}

/**
 * Checks one bar: every price finite and within the price limits (see
 * {@link ReadOptions}), a high that reaches the body's top, a low that reaches
 * the body's bottom, a finite volume from 0 to {@link MAX_VOLUME}.
 */
function checkBar(cfg: ReadConfig, row: number, o: number, h: number, l: number, c: number, v: number, line?: number): void {
  if (!(o >= cfg.lo && o <= MAX_PRICE && h >= cfg.lo && h <= MAX_PRICE && l >= cfg.lo && l <= MAX_PRICE && c >= cfg.lo && c <= MAX_PRICE)) {
    for (const [f, p] of [
      ["o", o],
      ["h", h],
      ["l", l],
      ["c", c],
    ] as const) {
      const why = priceProblem(p, cfg);
      if (why !== null) throw new BarValidationError(row, f, p, why, line);
    }
  }
  if (!(v <= MAX_VOLUME))
    throw new BarValidationError(
      row,
      "v",
      v,
      Number.isFinite(v) ? `is above ${MAX_VOLUME.toExponential()} (the volume limit)` : "is not a finite number",
      line,
    );
  if (h < o || h < c) throw new BarValidationError(row, "h", h, `high is below max(o, c) = ${Math.max(o, c)}`, line);
  if (l > o || l > c) throw new BarValidationError(row, "l", l, `low is above min(o, c) = ${Math.min(o, c)}`, line);
  if (v < 0) throw new BarValidationError(row, "v", v, "volume is negative", line);
}

/**
 * Sorts by time (stable: rows keep their input order on equal times) and
 * rejects duplicate timestamps, naming both rows. `lineOf` maps rows to CSV
 * lines for the error message.
 */
function finish(
  cols: ReturnType<typeof makeColumns>,
  n: number,
  rawT: (row: number) => unknown,
  lineOf?: (row: number) => number,
): Columns {
  const t = cols.t;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (!(t[i]! > t[i - 1]!)) {
      sorted = false;
      break;
    }
  }
  let order: Int32Array | null = null;
  if (!sorted) {
    // Unsorted input is sorted (as the seed does); equal times keep row order.
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => t[a]! - t[b]! || a - b);
    for (let i = 1; i < n; i++) {
      const a = order[i - 1]!;
      const b = order[i]!;
      if (t[a] === t[b]) {
        const [first, second] = a < b ? [a, b] : [b, a];
        throw new DuplicateTimestampError(second, first, rawT(second), lineOf?.(second));
      }
    }
    const out = makeColumns(n);
    for (const f of FIELDS) {
      const src = cols[f];
      const dst = out[f];
      for (let i = 0; i < n; i++) dst[i] = src[order[i]!]!;
    }
    return freeze(out, n);
  }
  return freeze(cols, n);
}

function freeze(cols: ReturnType<typeof makeColumns>, n: number): Columns {
  return Object.freeze({ length: n, ...cols });
}

function priceField(row: number, field: BarField, value: unknown): number {
  if (typeof value !== "number") {
    const what = value === undefined ? "is missing" : value === null ? "is null" : `is a ${typeof value}, not a number`;
    throw new BarValidationError(row, field, value, what);
  }
  if (!Number.isFinite(value)) throw new BarValidationError(row, field, value, "is not a finite number");
  return value;
}

/** Validates one row's prices and volume (undefined volume reads as 0), repairs it when asked, and stores it. */
function setRow(
  cfg: ReadConfig,
  cols: ReturnType<typeof makeColumns>,
  i: number,
  t: number,
  o: unknown,
  h: unknown,
  l: unknown,
  c: unknown,
  v: unknown,
): void {
  rowInto(cfg, i, t, o, h, l, c, v, row6);
  putRow(cols, i, row6[0]!, row6[1]!, row6[2]!, row6[3]!, row6[4]!, row6[5]!);
}

/** One validated row: [t, o, h, l, c, v]. */
const row6 = new Float64Array(6);

/** Validates one row's prices and volume (undefined volume reads as 0), repairs it when asked, and writes [t,o,h,l,c,v] to `out`. */
function rowInto(
  cfg: ReadConfig,
  i: number,
  t: number,
  o: unknown,
  h: unknown,
  l: unknown,
  c: unknown,
  v: unknown,
  out: Float64Array,
): void {
  const po = priceField(i, "o", o);
  let ph = priceField(i, "h", h);
  let pl = priceField(i, "l", l);
  const pc = priceField(i, "c", c);
  const pv = v === undefined ? 0 : priceField(i, "v", v);
  if (cfg.repair && repairRow(cfg, i, po, ph, pl, pc)) {
    ph = scratch.h;
    pl = scratch.l;
  }
  checkBar(cfg, i, po, ph, pl, pc, pv);
  out[0] = t;
  out[1] = po;
  out[2] = ph;
  out[3] = pl;
  out[4] = pc;
  out[5] = pv;
}

/** Validates one bar object (time and row) with the rules of {@link columnsFromBars} into `out` = [t, o, h, l, c, v]. */
function barInto(cfg: ReadConfig, b: unknown, i: number, out: Float64Array): void {
  if (b === null || typeof b !== "object" || Array.isArray(b)) {
    throw new BarValidationError(i, "row", b, "a bar must be an object with t, o, h, l, c and optionally v");
  }
  const r = b as Record<string, unknown>;
  const tv = r.t;
  // A Date is an instant already (NaN when invalid).
  const t = tv instanceof Date ? tv.getTime() : toEpochMs(tv);
  if (Number.isNaN(t)) {
    const what =
      tv === undefined
        ? "is missing"
        : typeof tv === "string"
          ? "is not an ISO 8601 timestamp"
          : "must be an ISO 8601 string, a Date or epoch milliseconds";
    throw new BarValidationError(i, "t", tv, what);
  }
  rowInto(cfg, i, t, r.o, r.h, r.l, r.c, r.v === null ? undefined : r.v, out);
}

/** Stores one validated row. */
function putRow(cols: ReturnType<typeof makeColumns>, i: number, t: number, o: number, h: number, l: number, c: number, v: number): void {
  cols.t[i] = t;
  cols.o[i] = o;
  cols.h[i] = h;
  cols.l[i] = l;
  cols.c[i] = c;
  cols.v[i] = v;
}

/**
 * Validates bar objects and returns them as columns, sorted by time.
 * Numbers must be JSON numbers: numeric strings and booleans are rejected
 * (the seed coerces them silently, Q29). A missing or null `v` reads as 0.
 * Throws {@link BarValidationError} naming the row and field of the first bad value.
 * See {@link ReadOptions} for negative prices and OHLC repair.
 */
export function columnsFromBars(bars: readonly unknown[], options?: ReadOptions): Columns {
  const cfg = readConfig(options);
  if (!Array.isArray(bars)) throw new BarValidationError(0, "row", bars, "bars must be an array of {t,o,h,l,c,v} objects");
  const n = bars.length;
  const cols = makeColumns(n);
  for (let i = 0; i < n; i++) {
    barInto(cfg, bars[i], i, row6);
    putRow(cols, i, row6[0]!, row6[1]!, row6[2]!, row6[3]!, row6[4]!, row6[5]!);
  }
  return finish(cols, n, (r) => (bars[r] as Record<string, unknown>).t);
}

/**
 * @internal Validates one bar object with the rules of {@link columnsFromBars}
 * (same typed errors, `row` naming it) and writes `t, o, h, l, c, v` (t in
 * epoch ms) into `out`. A `Date` is accepted for `t`.
 */
export function validateBarInto(b: unknown, row: number, out: Float64Array, options?: ReadOptions): void {
  barInto(readConfig(options), b, row, out);
}

/**
 * Validates typed arrays (for example from a columnar file) and returns them as
 * columns, sorted by time. `t` is epoch milliseconds; `v` may be omitted (0).
 * See {@link ReadOptions} for negative prices and OHLC repair.
 */
export function columnsFromArrays(
  a: {
    t: ArrayLike<number>;
    o: ArrayLike<number>;
    h: ArrayLike<number>;
    l: ArrayLike<number>;
    c: ArrayLike<number>;
    v?: ArrayLike<number>;
  },
  options?: ReadOptions,
): Columns {
  const cfg = readConfig(options);
  const n = a.t.length;
  for (const f of ["o", "h", "l", "c", "v"] as const) {
    const col = a[f];
    if (col !== undefined && col.length !== n)
      throw new BarValidationError(Math.min(n, col.length), f, col.length, `column "${f}" has ${col.length} values, "t" has ${n}`);
  }
  const cols = makeColumns(n);
  for (let i = 0; i < n; i++) {
    const t = toEpochMs(a.t[i]);
    if (Number.isNaN(t)) throw new BarValidationError(i, "t", a.t[i], "must be finite epoch milliseconds");
    setRow(cfg, cols, i, t, a.o[i], a.h[i], a.l[i], a.c[i], a.v === undefined ? undefined : a.v[i]);
  }
  return finish(cols, n, (r) => a.t[r]);
}

/**
 * The bars [from, to) of `cols` as columns sharing the same memory (no copy).
 * A prefix is exactly what a live loop had seen at that bar.
 */
export function sliceColumns(cols: Columns, from: number, to: number): Columns {
  const a = Math.max(0, Math.min(from, cols.length));
  const b = Math.max(a, Math.min(to, cols.length));
  return Object.freeze({
    length: b - a,
    t: cols.t.subarray(a, b),
    o: cols.o.subarray(a, b),
    h: cols.h.subarray(a, b),
    l: cols.l.subarray(a, b),
    c: cols.c.subarray(a, b),
    v: cols.v.subarray(a, b),
  });
}

/** The bars of `cols` as objects with ISO times (`Z` form) — the inverse of {@link columnsFromBars}. */
export function barsFromColumns(cols: Columns): Array<{ t: string; o: number; h: number; l: number; c: number; v: number }> {
  const out = new Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    out[i] = { t: new Date(cols.t[i]!).toISOString(), o: cols.o[i]!, h: cols.h[i]!, l: cols.l[i]!, c: cols.c[i]!, v: cols.v[i]! };
  }
  return out;
}

// ---------------------------------------------------------------- CSV ------

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a decimal number in s[a, b). Plain decimals of up to 15 significant
 * digits take the exact fast path (integer / power of ten, correctly rounded);
 * everything else goes through `Number`. Returns NaN for text that is not a
 * decimal number (including "NaN", "Infinity", hex and empty cells).
 */
function parseDecimal(s: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  let ch = s.charCodeAt(i);
  if (ch === 45 /* - */ || ch === 43 /* + */) {
    neg = ch === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  let any = false;
  for (; i < b; i++) {
    ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      mant = mant * 10 + (ch - 48);
      any = true;
      if (mant !== 0) digits++;
      if (seenDot) frac++;
    } else if (ch === 46 && !seenDot) {
      seenDot = true;
    } else {
      break;
    }
  }
  if (i === b && any && digits <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac]!;
    return neg ? -v : v;
  }
  const text = s.slice(a, b).trim();
  return DECIMAL_RE.test(text) ? Number(text) : NaN;
}

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

/** End position of the last {@link plainDecimal}. */
let numEnd = 0;

/**
 * A plain decimal `[-]digits[.digits]` at s[p...] (at least one digit), ending
 * at the first other character (its position goes to `numEnd`). NaN when the
 * cell does not start that way (the general path decides). The digits are
 * summed as an integer: while that integer stays below 2^53 every step is
 * exact, and dividing it by an exact power of ten (at most 10^22) is one
 * correctly rounded operation, so the result is the double `Number()` gives.
 * Longer numbers go through `Number()` itself.
 */
function plainDecimal(s: string, p: number): number {
  const a = p;
  let ch = s.charCodeAt(p);
  const neg = ch === 45;
  if (neg) ch = s.charCodeAt(++p);
  const d0 = p;
  let mant = 0;
  while (ch >= 48 && ch <= 57) {
    mant = mant * 10 + (ch - 48);
    ch = s.charCodeAt(++p);
  }
  let frac = 0;
  let digits = p - d0;
  if (ch === 46) {
    const f0 = ++p;
    ch = s.charCodeAt(p);
    while (ch >= 48 && ch <= 57) {
      mant = mant * 10 + (ch - 48);
      ch = s.charCodeAt(++p);
    }
    frac = p - f0;
    digits += frac;
  }
  numEnd = p;
  if (digits === 0) return NaN;
  if (mant >= 9007199254740992 || frac > 22) return Number(s.slice(a, p));
  const v = frac === 0 ? mant : mant / POW10[frac]!;
  return neg ? -v : v;
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
      let ch = text.charCodeAt(p);
      let neg = false;
      if (ch === 45) {
        neg = true;
        ch = text.charCodeAt(++p);
      }
      let mant = 0;
      let digits = 0;
      let any = false;
      let frac = -1;
      for (;;) {
        if (ch >= 48 && ch <= 57) {
          mant = mant * 10 + (ch - 48);
          any = true;
          if (mant !== 0) digits++;
          if (frac >= 0) frac++;
        } else if (ch === 46 && frac < 0) {
          frac = 0;
        } else break;
        ch = text.charCodeAt(++p);
      }
      if (!any) {
        ok = false;
        break;
      }
      if (digits > 15 || frac > 22) {
        // A plain decimal too long for the exact integer / power-of-ten path.
        vals[role] = Number(text.slice(a, p));
      } else {
        const v = frac <= 0 ? mant : mant / POW10[frac]!;
        vals[role] = neg ? -v : v;
      }
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
  for (const f of ["t", "o", "h", "l", "c"]) {
    if (!(f in col)) throw new CsvFormatError(`the header has no "${f}" column (expected t,o,h,l,c,v)`, lineNo);
  }
  const ncols = header.length;
  const it = col.t!,
    io = col.o!,
    ih = col.h!,
    il = col.l!,
    ic = col.c!;
  const iv = col.v ?? -1;

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
