// Bench suite: Reading bars.
import { columnsFromParquet } from "@ict/core/parquet";
import { columnsFromCsv } from "@ict/core";
import { type SuiteEnv, checkSame, fail, fmtBars, timed } from "../common.js";

/** Reading bars (one size; verification first, then timing). */
export async function readSuites(env: SuiteEnv): Promise<void> {
  const { ctx, o, records, hasParquet, source, skipped } = env;
  const { n, bars } = ctx;
  if (ctx.all) {
    let csv: { text: string; rows: number } | null = source.csv(n);
    if (csv.rows < n) {
      const msg = `CSV at ${fmtBars(n)}: the text of ${n} rows exceeds V8's longest string; timed on the first ${csv.rows} rows`;
      o.log(`  note: ${msg}`);
      skipped.push(msg);
    }
    const rows = csv.rows;
    const parsed = columnsFromCsv(csv.text);
    if (parsed.length !== rows) fail(`CSV: parsed ${parsed.length} rows, expected ${rows}`);
    for (const f of ["t", "o", "h", "l", "c", "v"] as const) checkSame(`CSV column ${f}`, bars[f], parsed[f], rows);
    const text = csv.text;
    const bytes = Buffer.byteLength(text, "latin1");
    csv = null;
    const scale = n / rows; // records are per row: convert back from n
    await timed(ctx, o, records, "read CSV -> columns", [{ name: "columnsFromCsv", fn: () => columnsFromCsv(text) }], {
      each: (r) => {
        r.bars = rows;
        r.nsPerBar *= scale;
        r.barsPerSec /= scale;
        r.rowsPerSec = r.barsPerSec;
        r.mbPerSec = (bytes / 1e6) * (r.barsPerSec / rows);
        r.inputBytes = bytes;
        r.note = `${(r.rowsPerSec / 1e6).toFixed(2)} M rows/s, ${r.mbPerSec.toFixed(0)} MB/s`;
      },
    });
  }
  if (ctx.heavy && hasParquet) {
    const { parquetWriteBuffer } = await import("hyparquet-writer");
    const t0 = performance.now();
    const pq = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          // Epoch-ms numbers for TIMESTAMP (the writer stores TIMESTAMP_MILLIS; Dates would cost minutes at 10M).
          { name: "t", data: bars.t, type: "TIMESTAMP" },
          ...(["o", "h", "l", "c", "v"] as const).map((f) => ({ name: f, data: bars[f], type: "DOUBLE" as const })),
        ],
      }),
    );
    o.log(
      `  wrote ${(pq.byteLength / 1e6).toFixed(1)} MB of Parquet (snappy, TIMESTAMP + DOUBLE) with hyparquet-writer in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`,
    );
    const read = columnsFromParquet;
    const got = await read(pq);
    if (got.length !== n) fail(`Parquet: read ${got.length} rows, expected ${n}`);
    for (const f of ["t", "o", "h", "l", "c", "v"] as const) checkSame(`Parquet column ${f}`, bars[f], got[f], n);
    await timed(ctx, o, records, "read Parquet -> columns", [{ name: "columnsFromParquet", fn: () => read(pq), async: true }], {
      each: (r) => {
        r.rowsPerSec = r.barsPerSec;
        r.mbPerSec = (pq.byteLength / 1e6) * (r.barsPerSec / n);
        r.inputBytes = pq.byteLength;
        r.note = `${(r.rowsPerSec / 1e6).toFixed(2)} M rows/s, ${r.mbPerSec.toFixed(0)} MB/s`;
      },
    });
  } else if (!hasParquet && ctx.heavy && n === 10_000) {
    skipped.push("Parquet -> columns: @ict/core has no columnsFromParquet export in this build");
    o.log("  Parquet suite skipped: @ict/core has no columnsFromParquet export in this build");
  }
}
