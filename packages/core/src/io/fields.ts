/**
 * The names a bar field goes by in files and objects, one set for every
 * reader (CSV headers, JSON bar objects, Parquet columns), matched without
 * regard to case, and the user's own mapping when a file names them otherwise.
 */
import { OptionError, quoteValue } from "../base/errors.js";

/** A bar field. */
export type BarFieldName = "t" | "o" | "h" | "l" | "c" | "v";

/** Accepted names per field (any case): `t|time|timestamp|ts|date|datetime`, `o|open`, `h|high`, `l|low`, `c|close`, `v|volume|vol`. */
export const FIELD_ALIASES: Readonly<Record<BarFieldName, readonly string[]>> = Object.freeze({
  t: ["t", "time", "timestamp", "ts", "datetime", "date"],
  o: ["o", "open"],
  h: ["h", "high"],
  l: ["l", "low"],
  c: ["c", "close"],
  v: ["v", "volume", "vol"],
});

const FIELDS: readonly BarFieldName[] = ["t", "o", "h", "l", "c", "v"];

/** A column mapping: the source name of each field whose name is not one of {@link FIELD_ALIASES} (e.g. `{ t: "Date/Time" }`). */
export type ColumnMapping = Partial<Record<BarFieldName, string>>;

/** Checks a column mapping option: an object of field → non-empty name. */
export function checkMapping(m: unknown): ColumnMapping | undefined {
  if (m === undefined) return undefined;
  if (m === null || typeof m !== "object" || Array.isArray(m))
    throw new OptionError("columns", `must be an object mapping t, o, h, l, c, v to column names, got ${quoteValue(m)}`);
  for (const [k, v] of Object.entries(m)) {
    if (!(FIELDS as readonly string[]).includes(k))
      throw new OptionError("columns", `has an unknown field ${quoteValue(k)} (the fields are t, o, h, l, c, v)`);
    if (typeof v !== "string" || v.trim() === "")
      throw new OptionError("columns", `the name for ${k} must be a non-empty string, got ${quoteValue(v)}`);
  }
  return m as ColumnMapping;
}

/**
 * Which source column holds each field: -1 for a missing optional `v`. The
 * mapping wins; otherwise the first name of the field's aliases present (the
 * exact one-letter name first). Throws `what(message)` for a missing field or
 * a mapped name the source does not have (with the field).
 */
export function resolveFields(
  names: readonly string[],
  mapping: ColumnMapping | undefined,
  fail: (message: string, field: BarFieldName) => never,
): Record<BarFieldName, number> {
  const lower = names.map((n) => n.trim().toLowerCase());
  const out = {} as Record<BarFieldName, number>;
  for (const f of FIELDS) {
    const mapped = mapping?.[f];
    if (mapped !== undefined) {
      const i = lower.indexOf(mapped.trim().toLowerCase());
      if (i < 0) fail(`the column ${quoteValue(mapped)} mapped to ${f} is not there (columns: ${names.slice(0, 12).join(", ")})`, f);
      out[f] = i;
      continue;
    }
    let at = -1;
    for (const a of FIELD_ALIASES[f]) {
      at = lower.indexOf(a);
      if (at >= 0) break;
    }
    if (at < 0 && f !== "v")
      fail(
        `no "${f}" column: expected one of ${FIELD_ALIASES[f].join(", ")} (any case), or a mapping such as { columns: { ${f}: "YourName" } } (columns: ${names.slice(0, 12).join(", ")})`,
        f,
      );
    out[f] = at;
  }
  return out;
}
