/**
 * Average True Range, one bar at a time, bit for bit the batch kernel's
 * values (`packages/wasm/assembly/atr.ts`).
 *
 * Market rule: a bar's true range is the largest of its range (h − l) and its
 * gaps to the previous close; the first bar's is its range. ATR is the mean of
 * the last `period` true ranges, the first bars averaging what exists so far;
 * `wilder` smooths instead, seeded with that mean. The kernel adds each full
 * window as a fixed tree of power-of-two partial sums (S_1 = TR,
 * S_2w(e) = S_w(e − w) + S_w(e)), the parts of the set bits of the period
 * added lowest first; this state keeps the recent partial sums of every width
 * in small rings and adds the same parts in the same order.
 */
import type { AtrConfig } from "../atr.js";

/** @internal Streaming ATR state. */
export class AtrStream {
  readonly p: number;
  readonly wilder: boolean;
  /** Rows of partial sums S_w, w = 2^r; row r is a ring of 2w values. */
  private rows: Float64Array[];
  /** Set bits of the period, lowest first, as row numbers. */
  private parts: number[];
  /** Bars seen. */
  n = 0;
  private sum = 0;
  private prevC = 0;
  /** ATR of the last bar and of the one before it (NaN before them). */
  last = NaN;
  prev = NaN;

  constructor(cfg: AtrConfig) {
    this.p = cfg.period;
    this.wilder = cfg.method === "wilder";
    const nRows = 32 - Math.clz32(this.p);
    this.rows = [];
    this.parts = [];
    for (let r = 0; r < nRows; r++) {
      this.rows.push(new Float64Array(2 << r));
      if (this.p & (1 << r)) this.parts.push(r);
    }
  }

  /** Adds bar i = n (h, l, c) and returns its ATR. */
  push(h: number, l: number, c: number): number {
    const i = this.n;
    const p = this.p;
    let tr = h - l;
    if (i > 0) {
      const pc = this.prevC;
      tr = Math.max(tr, Math.max(Math.abs(h - pc), Math.abs(l - pc)));
    }
    this.prevC = c;
    let out: number;
    if (!this.wilder) {
      // Partial sums ending at bar i, in the kernel's tree order.
      const rows = this.rows;
      let s = tr;
      rows[0]![i & 1] = s;
      for (let r = 1; r < rows.length; r++) {
        const w = 1 << (r - 1);
        const below = rows[r - 1]!;
        s = below[(i - w) & (2 * w - 1)]! + s;
        rows[r]![i & ((2 << r) - 1)] = s;
      }
    }
    if (i < p) {
      this.sum += tr;
      out = this.sum / (i + 1);
    } else if (this.wilder) {
      out = (this.last * (p - 1) + tr) / p;
    } else {
      const rows = this.rows;
      let acc = 0;
      let first = true;
      for (const r of this.parts) {
        const w = 1 << r;
        const x = rows[r]![(i - (p % w)) & (2 * w - 1)]!;
        acc = first ? x : acc + x;
        first = false;
      }
      out = acc / p;
    }
    this.prev = this.last;
    this.last = out;
    this.n = i + 1;
    return out;
  }

  save(): unknown {
    return { n: this.n, sum: this.sum, prevC: this.prevC, last: num(this.last), prev: num(this.prev), rows: this.rows.map((r) => Array.from(r)) };
  }

  load(x: any): void {
    this.n = x.n;
    this.sum = x.sum;
    this.prevC = x.prevC;
    this.last = x.last ?? NaN;
    this.prev = x.prev ?? NaN;
    this.rows = (x.rows as number[][]).map((r) => Float64Array.from(r));
  }
}

/** NaN as null (JSON has no NaN). */
export function num(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
