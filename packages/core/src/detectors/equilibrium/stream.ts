/**
 * Equilibrium and the OTE zone of the current leg, one bar at a time (the
 * batch `equilibriumFrom`, `ict` profile, and the kernel `impulseLeg`).
 *
 * Market rule: the leg is the move that made the last break — from its origin
 * (the latest swing on the other side confirmed at or before the break; else
 * the extreme bar of the `lookback` bars up to the break) to the extreme
 * reached since. EQ is its midpoint; after a bullish leg the OTE is the
 * 62–79 % retracement measured down from the high (70.5 % reported), after a
 * bearish one up from the low. With no break yet, the range of the last
 * `lookback` bars gives an EQ and no OTE.
 */
import type { Equilibrium } from "./equilibrium.js";
import { isoUtc } from "../../io/time.js";
import type { BarRing } from "../../runtime/bar-ring.js";
import type { SwingStream } from "../swings/stream.js";

/** @internal Streaming equilibrium state. */
export class EquilibriumStream {
  readonly lookback: number;
  /** Highest high since the latest confirmed swing low, lowest low since the latest swing high. */
  private maxHSinceLo = NaN;
  private minLSinceHi = NaN;
  /** The leg of the last break (dir 0: none yet). */
  private dir = 0;
  private origin = -1;
  private originTime = "";
  private high = NaN;
  private low = NaN;

  constructor(lookback: number) {
    this.lookback = lookback;
  }

  /** Bar t closed: `flags` the swings decided at t, `brk` the direction of the break at t (0 none). */
  step(ring: BarRing, t: number, flags: number, brk: number, sw: SwingStream): void {
    const m = ring.mask;
    const H = ring.h;
    const L = ring.l;
    const h = H[t & m]!;
    const l = L[t & m]!;
    // Running extremes since the latest pivots (what a leg from them would reach).
    if (flags & 2) {
      let x = -Infinity;
      for (let i = sw.lo; i <= t; i++) x = Math.max(x, H[i & m]!);
      this.maxHSinceLo = x;
    } else if (sw.lo >= 0) this.maxHSinceLo = Math.max(this.maxHSinceLo, h);
    if (flags & 1) {
      let x = Infinity;
      for (let i = sw.hi; i <= t; i++) x = Math.min(x, L[i & m]!);
      this.minLSinceHi = x;
    } else if (sw.hi >= 0) this.minLSinceHi = Math.min(this.minLSinceHi, l);
    if (brk === 0) {
      if (this.dir > 0) this.high = Math.max(this.high, h);
      else if (this.dir < 0) this.low = Math.min(this.low, l);
      return;
    }
    this.dir = brk;
    const piv = brk > 0 ? sw.lo : sw.hi;
    let origin = piv;
    if (origin < 0) {
      // No swing on the other side yet: the extreme bar of the look-back window (earliest on ties).
      const from = Math.max(0, t - this.lookback + 1);
      origin = from;
      if (brk > 0) {
        let x = L[from & m]!;
        for (let i = from + 1; i <= t; i++)
          if (L[i & m]! < x) {
            x = L[i & m]!;
            origin = i;
          }
      } else {
        let x = H[from & m]!;
        for (let i = from + 1; i <= t; i++)
          if (H[i & m]! > x) {
            x = H[i & m]!;
            origin = i;
          }
      }
    }
    this.origin = origin;
    this.originTime = isoUtc(ring.t[origin & m]!);
    if (brk > 0) {
      this.low = L[origin & m]!;
      if (piv >= 0) this.high = this.maxHSinceLo;
      else {
        let x = -Infinity;
        for (let i = origin; i <= t; i++) x = Math.max(x, H[i & m]!);
        this.high = x;
      }
    } else {
      this.high = H[origin & m]!;
      if (piv >= 0) this.low = this.minLSinceHi;
      else {
        let x = Infinity;
        for (let i = origin; i <= t; i++) x = Math.min(x, L[i & m]!);
        this.low = x;
      }
    }
  }

  /** The `swings` record (`ict` keys) of bars [0, n). */
  value(ring: BarRing, n: number): Equilibrium {
    if (n === 0) return { eq: null, ote: null, leg: null, ote_705: null };
    if (this.dir === 0) {
      const m = ring.mask;
      let high = -Infinity;
      let low = Infinity;
      for (let i = Math.max(0, n - this.lookback); i < n; i++) {
        high = Math.max(high, ring.h[i & m]!);
        low = Math.min(low, ring.l[i & m]!);
      }
      return { eq: (high + low) / 2.0, ote: null, leg: { high, low, dir: null, origin_index: null, origin_time: null }, ote_705: null };
    }
    const high = this.high;
    const low = this.low;
    const range = high - low;
    const bull = this.dir > 0;
    const ote: [number, number] = bull ? [high - 0.79 * range, high - 0.62 * range] : [low + 0.62 * range, low + 0.79 * range];
    return {
      eq: (high + low) / 2.0,
      ote,
      leg: { high, low, dir: bull ? "bull" : "bear", origin_index: this.origin, origin_time: this.originTime },
      ote_705: bull ? high - 0.705 * range : low + 0.705 * range,
    };
  }

  save(): unknown {
    const n = (x: number) => (Number.isNaN(x) ? null : x);
    return {
      maxHSinceLo: n(this.maxHSinceLo),
      minLSinceHi: n(this.minLSinceHi),
      dir: this.dir,
      origin: this.origin,
      originTime: this.originTime,
      high: n(this.high),
      low: n(this.low),
    };
  }

  load(x: any): void {
    this.maxHSinceLo = x.maxHSinceLo ?? NaN;
    this.minLSinceHi = x.minLSinceHi ?? NaN;
    this.dir = x.dir;
    this.origin = x.origin;
    this.originTime = x.originTime;
    this.high = x.high ?? NaN;
    this.low = x.low ?? NaN;
  }
}
