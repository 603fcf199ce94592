/**
 * Swing points, one bar at a time (the batch kernel `swings`).
 *
 * Market rule: bar i is a swing high when its high stands above the highs of
 * the k bars before and after it (with `equalPivots: "later"`, the `ict`
 * default, the later of equal highs counts: left side non-strict); a swing
 * low mirrors it. A pivot needs the k later bars, so it is decided at the
 * close of bar i + k — the bar at which this state reports it.
 */
import type { SwingConfig } from "./swings.js";
import type { BarRing } from "../../runtime/bar-ring.js";

/** @internal Streaming swing state: the pivots confirmed so far (the latest of each side). */
export class SwingStream {
  readonly k: number;
  readonly leftTies: boolean;
  /** Latest confirmed swing high / low: its bar (-1 none) and price. */
  hi = -1;
  hiPrice = NaN;
  lo = -1;
  loPrice = NaN;

  constructor(cfg: SwingConfig) {
    this.k = cfg.k;
    this.leftTies = cfg.leftTies;
  }

  /**
   * Decides pivot i = t − k at the close of bar t. Returns bit 0 for a swing
   * high, bit 1 for a swing low.
   */
  step(ring: BarRing, t: number): number {
    const k = this.k;
    const i = t - k;
    if (i < k) return 0;
    const H = ring.h;
    const L = ring.l;
    const m = ring.mask;
    const hv = H[i & m]!;
    const lv = L[i & m]!;
    let hL = -Infinity;
    let hR = -Infinity;
    let lL = Infinity;
    let lR = Infinity;
    for (let d = 1; d <= k; d++) {
      hL = Math.max(hL, H[(i - d) & m]!);
      hR = Math.max(hR, H[(i + d) & m]!);
      lL = Math.min(lL, L[(i - d) & m]!);
      lR = Math.min(lR, L[(i + d) & m]!);
    }
    const isH = (this.leftTies ? hv >= hL : hv > hL) && hv > hR;
    const isL = (this.leftTies ? lv <= lL : lv < lL) && lv < lR;
    if (isH) {
      this.hi = i;
      this.hiPrice = hv;
    }
    if (isL) {
      this.lo = i;
      this.loPrice = lv;
    }
    return (isH ? 1 : 0) | (isL ? 2 : 0);
  }

  save(): unknown {
    return { hi: this.hi, hiPrice: this.hi >= 0 ? this.hiPrice : null, lo: this.lo, loPrice: this.lo >= 0 ? this.loPrice : null };
  }

  load(x: any): void {
    this.hi = x.hi;
    this.hiPrice = x.hiPrice ?? NaN;
    this.lo = x.lo;
    this.loPrice = x.loPrice ?? NaN;
  }
}
