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
  private starts: Int32Array;
  private keys: Float64Array;
  private kinds: Int32Array;
  private count = 0;

  constructor(capacity = 64) {
    this.starts = new Int32Array(Math.max(4, capacity));
    this.keys = new Float64Array(Math.max(4, capacity));
    this.kinds = new Int32Array(Math.max(4, capacity));
  }

  /** Adds a query; returns its id (the position of its answer). */
  add(start: number, key: number, kind: Touch): number {
    const j = this.count;
    if (j === this.starts.length) this.grow();
    this.starts[j] = start;
    this.keys[j] = key;
    this.kinds[j] = kind;
    this.count = j + 1;
    return j;
  }

  private grow(): void {
    const cap = this.starts.length * 2;
    const s = new Int32Array(cap);
    s.set(this.starts);
    const k = new Float64Array(cap);
    k.set(this.keys);
    const d = new Int32Array(cap);
    d.set(this.kinds);
    this.starts = s;
    this.keys = k;
    this.kinds = d;
  }

  get size(): number {
    return this.count;
  }

  run(wb: WasmBars, alloc: (bytes: number) => number): Int32Array {
    const q = this.count;
    if (q === 0) return new Int32Array(0);
    const e = wb.engine;
    const k = e.kernels;
    const starts = e.putI32(alloc, this.starts.subarray(0, q));
    const keys = e.putF64(alloc, this.keys.subarray(0, q));
    const kinds = e.putI32(alloc, this.kinds.subarray(0, q));
    const out = alloc(q * 4 + 16);
    const scratch = alloc(k.firstTouchScratchBytes(wb.length, q));
    k.firstTouch(wb.ptr.l, wb.ptr.h, wb.ptr.c, wb.length, starts, keys, kinds, q, out, scratch);
    return e.readI32(out, q);
  }
}
