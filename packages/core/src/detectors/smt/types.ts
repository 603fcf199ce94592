import type { StructureOptions } from "../structure/structure.js";

/** Options of {@link smt}. */
export interface SmtOptions extends StructureOptions {
  /**
   * Bars within which the two instruments' swings pair up (`ict`), or the
   * trailing window the seed looks at (`seed-v0.1`); the seed's
   * `SMT_WINDOW_BARS`, 12.
   */
  smtWindowBars?: number;
  /** Names for the record's `pair` (`ict`; default "primary" and "ref"). The seed always writes "primary/ref". */
  names?: { primary?: string; ref?: string };
}

/** SMT divergences as columns (bar indices are the primary's). */
export interface SmtColumns {
  /** +1 bullish (at lows), -1 bearish (at highs). */
  readonly dir: Int8Array;
  /** Bar at which the divergence became known (`ict`: the later swing's confirmation; the seed: the last aligned bar). */
  readonly at: Int32Array;
  /** `ict`: 0 when the primary made the new extreme, 1 when the reference did. */
  readonly leader: Uint8Array;
  /** `ict`: previous and last swing bars of the primary, and of the reference (its own bar indices). */
  readonly p1: Int32Array;
  readonly p2: Int32Array;
  readonly r1: Int32Array;
  readonly r2: Int32Array;
  /** `ict`: first bar of the primary closing beyond the divergence's extreme (-1: none yet). */
  readonly invalidated?: Int32Array;
}

/** An SMT divergence in the seed's record shape (`ict` adds the fields marked so). */
export interface SmtRecord {
  pair: string;
  type: "bull" | "bear";
  time: string;
  /** Added by the capsule builder. */
  tf?: string;
  /** `ict`: equal to `time`, the bar at which the divergence became known. */
  known_time?: string;
  /** `ict`: the direction under the name every other record uses (`type` is the seed's). */
  dir?: "bull" | "bear";
  /** `ict`: the bar of the primary (0-based) at which it became known. */
  known_index?: number;
  /** `ict`: which instrument made the new extreme. */
  leader?: "primary" | "ref";
  /** `ict`: the two swings compared on each side: [previous, last] prices and the last swing's time. */
  primary?: { prev: number; last: number; time: string };
  ref?: { prev: number; last: number; time: string };
  /**
   * `ict`: the primary's extreme of the two swings (the lower low of a
   * bullish divergence, the higher high of a bearish one): the move the
   * divergence calls for fails if price closes beyond it.
   */
  level?: number;
  /** `ict`: the first close of the primary beyond `level` after the divergence became known (null while none). */
  invalidated_at?: string | null;
}

/** @internal Columns and records of one SMT computation. */
export interface SmtResult {
  cols: SmtColumns;
  records: SmtRecord[];
}
