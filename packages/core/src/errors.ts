/**
 * Base class of every error @ict throws on purpose. Catch it to tell bad input
 * or bad options apart from bugs.
 */
export class IctError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
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
    super(`${where}, field "${field}": ${reason} (value: ${showValue(value)})`);
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

function showValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    return Object.prototype.toString.call(v);
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
