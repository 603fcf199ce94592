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
import type { AtrConfig } from "./atr.js";

/** @internal Streaming ATR state. */
export class AtrStream {
  readonly p: number;
  readonly wilder: boolean;
  /** Rows of partial sums S_w, w = 2^r, one after the other; row r is a ring of 2w values at `off[r]`. */
  private rows: Float64Array;
  private readonly off: Int32Array;
  private readonly nRows: number;
  /** Set bits of the period, lowest first: their rows and lags (p mod w). */
  private readonly partRow: Int32Array;
  private readonly partLag: Int32Array;
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
    this.nRows = 32 - Math.clz32(this.p);
    this.off = new Int32Array(this.nRows + 1);
    for (let r = 0; r < this.nRows; r++) this.off[r + 1] = this.off[r]! + (2 << r);
    this.rows = new Float64Array(this.off[this.nRows]!);
    const rows: number[] = [];
    for (let r = 0; r < this.nRows; r++) if (this.p & (1 << r)) rows.push(r);
    this.partRow = Int32Array.from(rows);
    this.partLag = Int32Array.from(rows, (r) => this.p % (1 << r));
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
    const R = this.rows;
    const off = this.off;
    if (!this.wilder) {
      // Partial sums ending at bar i, in the kernel's tree order: S_2w(i) = S_w(i - w) + S_w(i).
      let s = tr;
      R[i & 1] = s;
      for (let r = 1; r < this.nRows; r++) {
        const w = 1 << (r - 1);
        s = R[off[r - 1]! + ((i - w) & (2 * w - 1))]! + s;
        R[off[r]! + (i & ((2 << r) - 1))] = s;
      }
    }
    if (i < p) {
      this.sum += tr;
      out = this.sum / (i + 1);
    } else if (this.wilder) {
      out = (this.last * (p - 1) + tr) / p;
    } else {
      // The parts of the set bits of p, lowest first; part w ends p mod w bars before i.
      const pr = this.partRow;
      const pl = this.partLag;
      let r = pr[0]!;
      let acc = R[off[r]! + ((i - pl[0]!) & ((2 << r) - 1))]!;
      for (let k = 1; k < pr.length; k++) {
        r = pr[k]!;
        acc = acc + R[off[r]! + ((i - pl[k]!) & ((2 << r) - 1))]!;
      }
      out = acc / p;
    }
    this.prev = this.last;
    this.last = out;
    this.n = i + 1;
    return out;
  }

  save(): unknown {
    return { n: this.n, sum: this.sum, prevC: this.prevC, last: num(this.last), prev: num(this.prev), rows: Array.from(this.rows) };
  }

  load(x: any): void {
    this.n = x.n;
    this.sum = x.sum;
    this.prevC = x.prevC;
    this.last = x.last ?? NaN;
    this.prev = x.prev ?? NaN;
    this.rows = Float64Array.from(x.rows as number[]);
  }
}

/** NaN as null (JSON has no NaN). */
export function num(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
