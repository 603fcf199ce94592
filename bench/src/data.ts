// Seeded, deterministic synthetic OHLCV bars for the benchmarks.
//
// The same seed always gives the same bars, and a shorter series is a prefix
// of a longer one (1M bars are the first 1M of the 10M), so runs on different
// days and machines time exactly the same work.
import { sfc32FromSeed, type OhlcvArrays } from "@ict/testkit";

export type { OhlcvArrays };

/** sfc32 seeded from one number (@ict/testkit): uniform floats in [0, 1), deterministic for a given seed. */
export const sfc32 = sfc32FromSeed;

/** V8's longest string (2^29 - 24 UTF-16 units on 64-bit builds). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/**
 * CSV text `t,o,h,l,c,v` of the bars (ISO times with Z, as the data files
 * have them), built in chunks. Stops early, before V8's string limit, and
 * says how many rows it holds.
 */
export function csvText(b: OhlcvArrays, n = b.t.length): { text: string; rows: number } {
  const parts: string[] = ["t,o,h,l,c,v\n"];
  let length = parts[0]!.length;
  let rows = 0;
  const CHUNK = 50_000;
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    const lines = new Array<string>(e - s);
    for (let i = s; i < e; i++)
      lines[i - s] = `${new Date(b.t[i]!).toISOString().slice(0, 19)}Z,${b.o[i]},${b.h[i]},${b.l[i]},${b.c[i]},${b.v[i]}\n`;
    const chunk = lines.join("");
    if (length + chunk.length > MAX_STRING_LENGTH - 1024) {
      // Add what still fits, line by line.
      for (const line of lines) {
        if (length + line.length > MAX_STRING_LENGTH - 1024) break;
        parts.push(line);
        length += line.length;
        rows++;
      }
      break;
    }
    parts.push(chunk);
    length += chunk.length;
    rows = e;
  }
  return { text: parts.join(""), rows };
}
