/**
 * Base class of every error @ict throws on purpose. Catch it to tell bad input
 * or bad options apart from bugs.
 */
export class IctError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    // Backstop for values quoted without quoteValue(): no message runs to megabytes.
    super(clipText(message, MAX_MESSAGE_CHARS), options);
    this.name = new.target.name;
  }
}

/** Most characters of a value that an error message quotes. */
export const MAX_QUOTED_CHARS = 80;
/** Most characters of a whole error message. */
const MAX_MESSAGE_CHARS = 2000;

function clipText(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
}

/**
 * A value as error messages quote it: strings in JSON quotes, other values as
 * text, cut to {@link MAX_QUOTED_CHARS} characters with `… (N characters)` giving
 * the full length, so a 50 MB field never becomes a 50 MB message.
 */
export function quoteValue(v: unknown): string {
  if (typeof v === "string") {
    if (v.length <= MAX_QUOTED_CHARS) return JSON.stringify(v);
    return `${JSON.stringify(v.slice(0, MAX_QUOTED_CHARS))}… (${v.length} characters)`;
  }
  let s: string;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || v === null || v === undefined) s = String(v);
  else if (ArrayBuffer.isView(v))
    s = `${Object.prototype.toString.call(v).slice(8, -1)}(${(v as unknown as { length?: number }).length ?? v.byteLength})`;
  else {
    try {
      s = JSON.stringify(v) ?? Object.prototype.toString.call(v);
    } catch {
      s = Object.prototype.toString.call(v);
    }
  }
  return clipText(s, MAX_QUOTED_CHARS);
}

/** The bar field an input error is about (`row` for problems with the row as a whole). */
export type BarField = "t" | "o" | "h" | "l" | "c" | "v" | "row";

/**
 * A bar that cannot be used: a price that is not a finite number, a high below
 * the body or a low above it, a negative volume, a timestamp that does not
 * parse, a timestamp seen twice. Names the row and the field.
 */
export class BarValidationError extends IctError {
  /** 0-based index of the bar in the input (data rows, header excluded). */
  readonly row: number;
  /** 1-based line in CSV text, when the input was CSV. */
  readonly line: number | undefined;
  /** The offending field. */
  readonly field: BarField;
  /** The offending value as given. */
  readonly value: unknown;
  /** What is wrong with it. */
  readonly reason: string;

  constructor(row: number, field: BarField, value: unknown, reason: string, line?: number) {
    const where = line !== undefined ? `row ${row} (line ${line})` : `row ${row}`;
    super(`${where}, field "${field}": ${reason} (value: ${quoteValue(value)})`);
    this.row = row;
    this.line = line;
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

/** Two bars share one timestamp; `firstRow` is the other row. */
export class DuplicateTimestampError extends BarValidationError {
  /** 0-based index of the earlier bar with the same timestamp. */
  readonly firstRow: number;
  constructor(row: number, firstRow: number, value: unknown, line?: number) {
    super(row, "t", value, `duplicate timestamp, already used by row ${firstRow}`, line);
    this.firstRow = firstRow;
  }
}

/** CSV text whose shape is wrong (missing header, missing column, wrong cell count). */
export class CsvFormatError extends IctError {
  /** 1-based line number, when the problem has one. */
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
    this.line = line;
  }
}

/** An option outside its domain (a period of 0, an unknown profile...). */
export class OptionError extends IctError {
  /** The option's name. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(`option "${option}": ${message}`);
    this.option = option;
  }
}

/**
 * Parquet input that cannot be read as bars: not a Parquet file, a required
 * column (`t`, `o`, `h`, `l`, `c`) missing, or a column of a type that is not
 * a time or a number.
 */
export class ParquetFormatError extends IctError {
  /** The column concerned, when there is one. */
  readonly column: string | undefined;
  constructor(message: string, column?: string) {
    super(message);
    this.column = column;
  }
}

/** The part of a hand-made {@link Columns} that is malformed (`columns` for the object as a whole). */
export type ColumnsField = "columns" | "length" | "t" | "o" | "h" | "l" | "c" | "v";

/**
 * A `Columns` object handed to a detector that cannot be bars: not an object,
 * a field that is not a `Float64Array`, a `length` that is not a whole number
 * equal to every array's length. Raised at the engine boundary, before
 * anything reaches WebAssembly memory, so the engine stays usable.
 */
export class ColumnsError extends IctError {
  /** The offending field. */
  readonly field: ColumnsField;
  /** The offending value (the array's length for arrays). */
  readonly value: unknown;
  constructor(field: ColumnsField, value: unknown, reason: string) {
    super(`Columns field "${field}": ${reason} (value: ${quoteValue(value)})`);
    this.field = field;
    this.value = value;
  }
}

/**
 * A WebAssembly kernel trapped (out of memory, or a bug). The instance it ran
 * in is discarded: the shared engine is recreated on the next call, an engine
 * from `Engine.create()` refuses further work with {@link EngineDeadError}.
 */
export class EngineTrapError extends IctError {}

/** Work handed to an engine (or to bars resident in it) that was discarded after a trap. */
export class EngineDeadError extends IctError {}

/** A timestamp text that is not a valid ISO 8601 date/time (`2026-02-30`, `2026-13-45`, `24:61`...). */
export class TimeFormatError extends IctError {
  /** What the timestamp was for (an option or field name). */
  readonly what: string;
  /** The text as given. */
  readonly value: unknown;
  constructor(what: string, value: unknown) {
    super(`${what}: not a valid ISO 8601 date or timestamp (value: ${quoteValue(value)})`);
    this.what = what;
    this.value = value;
  }
}
