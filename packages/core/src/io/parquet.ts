import { parquetMetadata, parquetRead, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { applyTz, columnsFromArrays, readConfig, type Columns, type ReadOptions } from "./columns.js";
import { BarValidationError, ParquetFormatError } from "../base/errors.js";
import { toEpochMs, zoneless } from "./time.js";
import { checkMapping, resolveFields, type BarFieldName } from "./fields.js";

/** A Parquet time value as epoch ms: TIMESTAMP (read as Date), INT64 epoch (s/ms/µs/ns by magnitude), or ISO text. */
function timeOf(x: unknown): number {
  if (x instanceof Date) return x.getTime();
  if (typeof x === "bigint") return toEpochMs(Number(x));
  return toEpochMs(x);
}

function numberOf(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return Number(x);
  return NaN;
}

/**
 * Bars from a Parquet file (the whole file in memory: an `ArrayBuffer` or a
 * `Uint8Array` such as a Node `Buffer`), read with `hyparquet` (any codec:
 * snappy, gzip, zstd, brotli, lz4). Columns named as in every reader
 * (`t|time|timestamp|ts|date|datetime`, `o|open`, … any case, or the
 * `columns` mapping of {@link ReadOptions}; `v` optional, 0 when absent). `t` may be a Parquet TIMESTAMP, an INT64 epoch
 * (seconds, ms, µs or ns, told apart by magnitude as for numbers elsewhere)
 * or ISO 8601 text. Validated and sorted like every other input: a bad bar
 * throws a {@link BarValidationError} naming the row (0-based) and field; a
 * file that is not Parquet or lacks a column throws a {@link ParquetFormatError}.
 * `options` as for every reader ({@link ReadOptions}: negative prices, OHLC repair).
 */
export async function columnsFromParquet(file: ArrayBuffer | Uint8Array, options?: ReadOptions): Promise<Columns> {
  // A Node Buffer may be a view into a larger pooled block: read exactly its bytes.
  const buf: ArrayBuffer = ArrayBuffer.isView(file)
    ? file.byteOffset === 0 && file.byteLength === file.buffer.byteLength && !(file.buffer instanceof SharedArrayBuffer)
      ? (file.buffer as ArrayBuffer)
      : (new Uint8Array(file).buffer as ArrayBuffer)
    : file;
  let metadata;
  try {
    metadata = parquetMetadata(buf);
  } catch (e) {
    throw new ParquetFormatError(`not a readable Parquet file: ${(e as Error).message}`);
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const at = resolveFields(names, checkMapping(options?.columns), (m, f) => {
    throw new ParquetFormatError(`Parquet file: ${m}`, f);
  });
  const pick: Partial<Record<BarFieldName, string>> = {};
  for (const f of ["t", "o", "h", "l", "c", "v"] as const) if (at[f] >= 0) pick[f] = names[at[f]]!;
  const n = Number(metadata.num_rows);
  const t = new Float64Array(n);
  const rawT = new Array<unknown>(n);
  const num: Record<string, Float64Array> = {};
  for (const f of ["o", "h", "l", "c", "v"] as const) if (pick[f] !== undefined) num[f] = new Float64Array(n);
  const fieldOf = new Map<string, BarFieldName>();
  for (const [f, name] of Object.entries(pick)) fieldOf.set(name, f as BarFieldName);
  try {
    await parquetRead({
      file: buf,
      metadata,
      columns: Object.values(pick),
      compressors,
      onChunk({ columnName, columnData, rowStart }) {
        const f = fieldOf.get(columnName);
        if (f === undefined) return;
        if (f === "t") {
          // Converted after the read: hyparquet does not await this callback, so it must not throw.
          for (let i = 0; i < columnData.length; i++) rawT[rowStart + i] = columnData[i];
        } else {
          const out = num[f]!;
          if (columnData instanceof Float64Array || columnData instanceof Float32Array || columnData instanceof Int32Array)
            out.set(columnData, rowStart);
          else for (let i = 0; i < columnData.length; i++) out[rowStart + i] = numberOf(columnData[i]);
        }
      },
    });
  } catch (e) {
    if (e instanceof BarValidationError) throw e;
    throw new ParquetFormatError(`cannot read the Parquet file: ${(e as Error).message}`);
  }
  const z0 = zoneless.count;
  for (let i = 0; i < n; i++) {
    const ms = timeOf(rawT[i]);
    if (Number.isNaN(ms)) throw new BarValidationError(i, "t", rawT[i] ?? null, "must be a timestamp, epoch number or ISO 8601 text");
    t[i] = ms;
  }
  applyTz(readConfig(options), t, n, zoneless.count - z0);
  return columnsFromArrays({ t, o: num.o!, h: num.h!, l: num.l!, c: num.c!, v: num.v }, options);
}
