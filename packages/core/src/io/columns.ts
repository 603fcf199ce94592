import { BarValidationError, DuplicateTimestampError, OptionError, quoteValue, type BarField } from "../base/errors.js";
import { boolOption } from "../base/profile.js";
import { repairOhlc } from "./repair.js";
import { isTimeZone, toEpochMs, wallToUtc, zoneless } from "./time.js";
import { checkMapping, resolveFields, type BarFieldName, type ColumnMapping } from "./fields.js";

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
  /**
   * Where each field is when the file or the objects name it otherwise than
   * the accepted names (`t|time|timestamp|ts|date|datetime`, `o|open`,
   * `h|high`, `l|low`, `c|close`, `v|volume|vol`, any case), e.g.
   * `{ t: "Date/Time", c: "Last" }`. Used by the CSV, JSON and Parquet readers.
   */
  columns?: ColumnMapping;
  /**
   * The time zone of times written without one (`2024-03-12 09:30:00`), an
   * IANA name such as `"America/New_York"`; default UTC. Times with a zone
   * (`Z`, `+01:00`) and epoch numbers are instants already.
   */
  tz?: string;
  /**
   * Called with a message when the input holds times without a zone and no
   * `tz` was given (they were read as UTC). Default: `console.warn`, once per
   * process.
   */
  onWarning?: (message: string) => void;
}

/** Reader options, validated, as the row checks use them. */
interface ReadConfig {
  /** Lowest price accepted. */
  lo: number;
  allowNonPositive: boolean;
  repair: boolean;
  onRepair: ((row: number, line: number | undefined) => void) | undefined;
  columns: ColumnMapping | undefined;
  tz: string | undefined;
  onWarning: ((message: string) => void) | undefined;
}

const STRICT: ReadConfig = {
  lo: MIN_PRICE,
  allowNonPositive: false,
  repair: false,
  onRepair: undefined,
  columns: undefined,
  tz: undefined,
  onWarning: undefined,
};

/** Validates {@link ReadOptions} (an unknown type is an {@link OptionError} naming the option). */
/** @internal */
export function readConfig(o: ReadOptions | undefined): ReadConfig {
  if (o === undefined) return STRICT;
  if (o === null || typeof o !== "object") throw new OptionError("options", `must be an object, got ${quoteValue(o)}`);
  const allowNonPositive = boolOption("allowNonPositive", o.allowNonPositive, false);
  const repair = boolOption("repairOhlc", o.repairOhlc, false);
  if (o.onRepair !== undefined && typeof o.onRepair !== "function")
    throw new OptionError("onRepair", `must be a function, got ${quoteValue(o.onRepair)}`);
  if (o.tz !== undefined && (typeof o.tz !== "string" || !isTimeZone(o.tz)))
    throw new OptionError("tz", `must be an IANA time zone such as "America/New_York" or "UTC", got ${quoteValue(o.tz)}`);
  if (o.onWarning !== undefined && typeof o.onWarning !== "function")
    throw new OptionError("onWarning", `must be a function, got ${quoteValue(o.onWarning)}`);
  return {
    lo: allowNonPositive ? -MAX_PRICE : MIN_PRICE,
    allowNonPositive,
    repair,
    onRepair: o.onRepair,
    columns: checkMapping(o.columns),
    tz: o.tz,
    onWarning: o.onWarning,
  };
}

/** Scratch bar for {@link repairOhlc} (one rule for every reader). */
/** @internal */
export const scratch = { o: 0, h: 0, l: 0, c: 0 };

/**
 * Applies the OHLC repair rule to one parsed row when the reader was asked
 * to; returns whether the row changed (its new high and low are then in
 * `scratch`).
 */
/** @internal */
export function repairRow(cfg: ReadConfig, row: number, o: number, h: number, l: number, c: number, line?: number): boolean {
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

/** @internal */
export function makeColumns(n: number): {
  t: Float64Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  v: Float64Array;
} {
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
/** @internal */
export function checkBar(cfg: ReadConfig, row: number, o: number, h: number, l: number, c: number, v: number, line?: number): void {
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
let warned = false;

/**
 * @internal Times without a zone: read in `cfg.tz` when given (every time of
 * the input must then be zone-less), else left as UTC with a warning.
 */
export function applyTz(cfg: ReadConfig, t: Float64Array, n: number, zonelessRows: number): void {
  if (zonelessRows === 0) return;
  if (cfg.tz === undefined) {
    const msg = `${zonelessRows} time${zonelessRows === 1 ? " has" : "s have"} no zone and ${zonelessRows === 1 ? "was" : "were"} read as UTC; pass tz (e.g. "America/New_York") to read them as local times`;
    if (cfg.onWarning) cfg.onWarning(msg);
    else if (!warned) {
      warned = true;
      console.warn(`@ict/core: ${msg}`);
    }
    return;
  }
  if (cfg.tz === "UTC") return;
  if (zonelessRows !== n)
    throw new OptionError(
      "tz",
      `applies to times without a zone, but ${n - zonelessRows} of the ${n} times have one: give every time a zone, or none`,
    );
  for (let i = 0; i < n; i++) t[i] = wallToUtc(t[i]!, cfg.tz);
}

/** @internal */
export function finish(
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
function barInto(cfg: ReadConfig, b: unknown, i: number, out: Float64Array, keys?: Record<BarFieldName, string>): void {
  if (b === null || typeof b !== "object" || Array.isArray(b)) {
    throw new BarValidationError(i, "row", b, "a bar must be an object with t, o, h, l, c and optionally v");
  }
  const r = b as Record<string, unknown>;
  const tv = keys === undefined ? r.t : r[keys.t];
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
  if (keys === undefined) rowInto(cfg, i, t, r.o, r.h, r.l, r.c, r.v === null ? undefined : r.v, out);
  else {
    const v = keys.v === "" ? undefined : r[keys.v];
    rowInto(cfg, i, t, r[keys.o], r[keys.h], r[keys.l], r[keys.c], v === null ? undefined : v, out);
  }
}

/**
 * The property of each field in bar objects shaped like `sample`, when they
 * are not plain `t,o,h,l,c[,v]` (e.g. `{Date, Open, High, Low, Close,
 * Volume}` or a mapping); undefined for plain objects. `v` is "" when absent.
 */
function objectKeys(sample: unknown, mapping: ColumnMapping | undefined): Record<BarFieldName, string> | undefined {
  if (sample === null || typeof sample !== "object" || Array.isArray(sample)) return undefined;
  const own = sample as Record<string, unknown>;
  if (mapping === undefined && "t" in own && "o" in own && "h" in own && "l" in own && "c" in own) return undefined;
  const names = Object.keys(own);
  const at = resolveFields(names, mapping, (m) => {
    throw new BarValidationError(0, "row", sample, `bar objects: ${m}`);
  });
  const name = (i: number) => (i < 0 ? "" : names[i]!);
  return { t: name(at.t), o: name(at.o), h: name(at.h), l: name(at.l), c: name(at.c), v: name(at.v) };
}

/** Stores one validated row. */
/** @internal */
export function putRow(
  cols: ReturnType<typeof makeColumns>,
  i: number,
  t: number,
  o: number,
  h: number,
  l: number,
  c: number,
  v: number,
): void {
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
  const keys = n > 0 ? objectKeys(bars[0], cfg.columns) : undefined;
  const z0 = zoneless.count;
  for (let i = 0; i < n; i++) {
    barInto(cfg, bars[i], i, row6, keys);
    putRow(cols, i, row6[0]!, row6[1]!, row6[2]!, row6[3]!, row6[4]!, row6[5]!);
  }
  applyTz(cfg, cols.t, n, zoneless.count - z0);
  return finish(cols, n, (r) => (bars[r] as Record<string, unknown>)[keys?.t ?? "t"]);
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
