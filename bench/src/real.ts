// Real bars for `--real`: BTCUSDT 1-minute bars from the project's shared data
// (../shared/data/real/BTCUSDT_1m/BTCUSDT_1m_<year>.csv.gz, 4.35M rows, header
// t,o,h,l,c,v). They are read in place and never copied into the repository.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { columnsFromCsv } from "@ict/core";
import type { OhlcvArrays } from "./data.js";

/** The shared folder: $ICT_SHARED_DIR, else `shared` beside the repository. */
export function sharedDir(): string {
  return process.env.ICT_SHARED_DIR ?? resolve(fileURLToPath(new URL("../../", import.meta.url)), "..", "shared");
}

/** The yearly BTCUSDT files in order, or null when they are not there. */
export function btcFiles(shared = sharedDir()): string[] | null {
  const dir = join(shared, "data", "real", "BTCUSDT_1m");
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => /^BTCUSDT_1m_\d{4}\.csv(\.gz)?$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  return files.length > 0 ? files : null;
}

/**
 * All BTCUSDT bars, validated by the library's CSV reader, as one series, and
 * the CSV text of the whole series (one header, the files' own lines).
 */
export function loadBtc(files: string[]): { bars: OhlcvArrays; text: string } {
  const texts: string[] = [];
  const parts: OhlcvArrays[] = [];
  for (const f of files) {
    const raw = readFileSync(f);
    const text = (f.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
    const cols = columnsFromCsv(text);
    parts.push({ t: cols.t, o: cols.o, h: cols.h, l: cols.l, c: cols.c, v: cols.v });
    const body = text.slice(text.indexOf("\n") + 1);
    texts.push(body.endsWith("\n") ? body : `${body}\n`);
  }
  const n = parts.reduce((a, p) => a + p.t.length, 0);
  const bars: OhlcvArrays = {
    t: new Float64Array(n),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
  let at = 0;
  for (const p of parts) {
    for (const f of ["t", "o", "h", "l", "c", "v"] as const) bars[f].set(p[f], at);
    at += p.t.length;
  }
  for (let i = 1; i < n; i++) if (!(bars.t[i]! > bars.t[i - 1]!)) throw new Error(`BTCUSDT files overlap or are out of order at row ${i}`);
  return { bars, text: `t,o,h,l,c,v\n${texts.join("")}` };
}

/** The CSV text of the first `rows` rows of a text with a header line. */
export function csvPrefix(text: string, rows: number): { text: string; rows: number } {
  let p = text.indexOf("\n") + 1;
  let r = 0;
  while (r < rows && p > 0 && p < text.length) {
    const e = text.indexOf("\n", p);
    p = e < 0 ? text.length : e + 1;
    r++;
  }
  return { text: text.slice(0, p), rows: r };
}
