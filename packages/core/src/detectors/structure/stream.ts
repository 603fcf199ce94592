/**
 * Breaks of structure and changes of character, one bar at a time (the batch
 * kernel `structure`, `ict` profile).
 *
 * Market rule: a close above the latest confirmed swing high (by more than
 * `tol`) breaks it upward, a close below the latest confirmed swing low breaks
 * it downward. A pivot counts from its confirmation bar (Q07), a level breaks
 * once (Q08), a close beyond both levels is the break of the more recently
 * formed swing (Q09). A break in the direction of the previous one is a BOS,
 * against it a CHoCH.
 */
import type { MarketStructure } from "./structure.js";
import type { SwingStream } from "../swings/stream.js";

/** @internal Streaming structure state. */
export class StructureStream {
  readonly tol: number;
  private aH = -1;
  private lvlH = NaN;
  private armedH = false;
  private aL = -1;
  private lvlL = NaN;
  private armedL = false;
  /** Breaks so far. */
  count = 0;
  /** The last break: bar, direction (+1 / -1), level, broken swing, CHoCH flag, time. */
  lastIndex = -1;
  lastDir = 0;
  lastLevel = NaN;
  lastSwing = -1;
  lastChoch = false;
  lastTime = "";

  constructor(tol: number) {
    this.tol = tol;
  }

  /**
   * The close of bar t, after the swings decided at t (`flags`). Returns the
   * direction of the break at t (+1 / -1), or 0.
   */
  step(t: number, close: number, flags: number, sw: SwingStream): number {
    if (flags & 1) {
      this.aH = sw.hi;
      this.lvlH = sw.hiPrice;
      this.armedH = true;
    }
    if (flags & 2) {
      this.aL = sw.lo;
      this.lvlL = sw.loPrice;
      this.armedL = true;
    }
    const bull = this.armedH && close > this.lvlH + this.tol;
    const bear = this.armedL && close < this.lvlL - this.tol;
    if (!bull && !bear) return 0;
    const up = bull && (!bear || this.aH > this.aL);
    const dir = up ? 1 : -1;
    this.lastChoch = this.count > 0 && dir !== this.lastDir;
    this.lastIndex = t;
    this.lastDir = dir;
    this.lastLevel = up ? this.lvlH : this.lvlL;
    this.lastSwing = up ? this.aH : this.aL;
    this.count++;
    if (bull) this.armedH = false;
    if (bear) this.armedL = false;
    return dir;
  }

  /** The `ms` record (`ict` keys). */
  ms(): MarketStructure {
    if (this.count === 0)
      return { trend: null, last_bos: null, last_bos_time: null, last_bos_level: null, last_bos_kind: null, last_bos_index: null };
    const bull = this.lastDir > 0;
    return {
      trend: bull ? "up" : "down",
      last_bos: bull ? "bull" : "bear",
      last_bos_time: this.lastTime,
      last_bos_level: this.lastLevel,
      last_bos_kind: this.lastChoch ? "CHOCH" : "BOS",
      last_bos_index: this.lastIndex,
    };
  }

  save(): unknown {
    const n = (x: number) => (Number.isNaN(x) ? null : x);
    return {
      aH: this.aH,
      lvlH: n(this.lvlH),
      armedH: this.armedH,
      aL: this.aL,
      lvlL: n(this.lvlL),
      armedL: this.armedL,
      count: this.count,
      lastIndex: this.lastIndex,
      lastDir: this.lastDir,
      lastLevel: n(this.lastLevel),
      lastSwing: this.lastSwing,
      lastChoch: this.lastChoch,
      lastTime: this.lastTime,
    };
  }

  load(x: any): void {
    this.aH = x.aH;
    this.lvlH = x.lvlH ?? NaN;
    this.armedH = x.armedH;
    this.aL = x.aL;
    this.lvlL = x.lvlL ?? NaN;
    this.armedL = x.armedL;
    this.count = x.count;
    this.lastIndex = x.lastIndex;
    this.lastDir = x.lastDir;
    this.lastLevel = x.lastLevel ?? NaN;
    this.lastSwing = x.lastSwing;
    this.lastChoch = x.lastChoch;
    this.lastTime = x.lastTime;
  }
}
