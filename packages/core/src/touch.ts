import type { WasmBars } from "./engine.js";

/** What a level query waits for (see the `firstTouch` kernel). */
export const Touch = {
  /** A low at or below the key (a wick down into a level). */
  LowAtOrBelow: 0,
  /** A high at or above the key. */
  HighAtOrAbove: 1,
  /** A close below the key. */
  CloseBelow: 2,
  /** A close above the key. */
  CloseAbove: 3,
} as const;
export type Touch = (typeof Touch)[keyof typeof Touch];

/**
 * @internal Collects level queries and answers them in one sweep of the
 * `firstTouch` kernel: for each, the first bar at or after its start where the
 * condition holds (-1 if never).
 */
export class TouchQueries {
  private starts: number[] = [];
  private keys: number[] = [];
  private kinds: number[] = [];

  /** Adds a query; returns its id (the position of its answer). */
  add(start: number, key: number, kind: Touch): number {
    this.starts.push(start);
    this.keys.push(key);
    this.kinds.push(kind);
    return this.starts.length - 1;
  }

  get size(): number {
    return this.starts.length;
  }

  run(wb: WasmBars, alloc: (bytes: number) => number): Int32Array {
    const q = this.starts.length;
    if (q === 0) return new Int32Array(0);
    const e = wb.engine;
    const k = e.kernels;
    const starts = e.putI32(alloc, this.starts);
    const keys = e.putF64(alloc, this.keys);
    const kinds = e.putI32(alloc, this.kinds);
    const out = alloc(q * 4 + 16);
    const scratch = alloc(k.firstTouchScratchBytes(wb.length, q));
    k.firstTouch(wb.ptr.l, wb.ptr.h, wb.ptr.c, wb.length, starts, keys, kinds, q, out, scratch);
    return e.readI32(out, q);
  }
}
