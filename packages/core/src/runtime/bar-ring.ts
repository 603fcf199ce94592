/**
 * The bars a stream keeps: the last `capacity` bars in a ring (enough for the
 * detectors' look-backs and for replaying the revision window).
 */

/** @internal A ring of the last bars, addressed by absolute bar index. */
export class BarRing {
  readonly mask: number;
  readonly t: Float64Array;
  readonly o: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly c: Float64Array;
  readonly v: Float64Array;
  /** Bars written so far (the next bar's index). */
  n = 0;

  constructor(minCapacity: number) {
    let cap = 64;
    while (cap < minCapacity) cap *= 2;
    this.mask = cap - 1;
    this.t = new Float64Array(cap);
    this.o = new Float64Array(cap);
    this.h = new Float64Array(cap);
    this.l = new Float64Array(cap);
    this.c = new Float64Array(cap);
    this.v = new Float64Array(cap);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Oldest bar index still held. */
  get oldest(): number {
    return Math.max(0, this.n - this.mask - 1);
  }

  /** Writes bar `i` (i <= n) from `b` = [t, o, h, l, c, v]; bars after it are dropped. */
  set(i: number, b: Float64Array): void {
    const s = i & this.mask;
    this.t[s] = b[0]!;
    this.o[s] = b[1]!;
    this.h[s] = b[2]!;
    this.l[s] = b[3]!;
    this.c[s] = b[4]!;
    this.v[s] = b[5]!;
    this.n = i + 1;
  }

  /** Bar `i` as [t, o, h, l, c, v] into `out`. */
  get(i: number, out: Float64Array): Float64Array {
    const s = i & this.mask;
    out[0] = this.t[s]!;
    out[1] = this.o[s]!;
    out[2] = this.h[s]!;
    out[3] = this.l[s]!;
    out[4] = this.c[s]!;
    out[5] = this.v[s]!;
    return out;
  }

  /** Index of the held bar at time `t`, or -1 (times ascend). */
  indexOf(t: number): number {
    let lo = this.oldest;
    let hi = this.n - 1;
    const m = this.mask;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = this.t[mid & m]!;
      if (x === t) return mid;
      if (x < t) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The held bars as JSON-able columns (oldest first). */
  save(): { from: number; t: number[]; o: number[]; h: number[]; l: number[]; c: number[]; v: number[] } {
    const from = this.oldest;
    const out = { from, t: [] as number[], o: [] as number[], h: [] as number[], l: [] as number[], c: [] as number[], v: [] as number[] };
    for (let i = from; i < this.n; i++) {
      const s = i & this.mask;
      out.t.push(this.t[s]!);
      out.o.push(this.o[s]!);
      out.h.push(this.h[s]!);
      out.l.push(this.l[s]!);
      out.c.push(this.c[s]!);
      out.v.push(this.v[s]!);
    }
    return out;
  }

  /** Restores what {@link save} wrote. */
  load(x: { from: number; t: number[]; o: number[]; h: number[]; l: number[]; c: number[]; v: number[] }): void {
    const b = new Float64Array(6);
    for (let j = 0; j < x.t.length; j++) {
      b[0] = x.t[j]!;
      b[1] = x.o[j]!;
      b[2] = x.h[j]!;
      b[3] = x.l[j]!;
      b[4] = x.c[j]!;
      b[5] = x.v[j]!;
      this.set(x.from + j, b);
    }
    this.n = x.from + x.t.length;
  }
}
