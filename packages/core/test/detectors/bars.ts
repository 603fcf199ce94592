import { columnsFromArrays, isoUtc, type Columns } from "../../src/index.js";

/** Start of the hand-built fixtures: 2024-01-02 09:30 New York. */
export const T0 = Date.UTC(2024, 0, 2, 14, 30);

/** One-minute bars from `[open, high, low, close]` rows (volume 1000), starting at {@link T0}. */
export function ohlc(rows: readonly (readonly [number, number, number, number])[]): Columns {
  const n = rows.length;
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return columnsFromArrays({
    t: Float64Array.from({ length: n }, (_, i) => T0 + i * 60_000),
    o: col(0),
    h: col(1),
    l: col(2),
    c: col(3),
    v: new Float64Array(n).fill(1000),
  });
}

/** Bars that trade only between `lo` and `hi` around `mid` (open = close = mid): quiet filler. */
export function quiet(count: number, mid: number, half = 0.5): [number, number, number, number][] {
  return Array.from({ length: count }, () => [mid, mid + half, mid - half, mid] as [number, number, number, number]);
}

/** The ISO time of fixture bar `i`. */
export const at = (i: number) => isoUtc(T0 + i * 60_000);

/** An `[open, high, low, close]` row. */
export type Row = [number, number, number, number];

// 15 quiet bars (range 1: ATR 1), a down candle (bar 15), a displacement up
// (bar 16, close-to-close +3.3), a small up candle (17) and a drop (18).
export const OB_ROWS: Row[] = [
  ...quiet(15, 100),
  [100.3, 100.5, 99.5, 99.7], // 15: the last down candle
  [99.7, 103.2, 99.6, 103], // 16: displacement up
  [103, 103.5, 102.5, 103.2], // 17: the last up candle
  [103.2, 103.4, 100, 100.2], // 18: displacement down; a wick to 100 into bar 15's body
];
