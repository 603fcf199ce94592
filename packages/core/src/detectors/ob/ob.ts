import { analyse, slot } from "../../runtime/analysis.js";
import { zoneConfig, type ZoneAnalysis as Analysis, type ZoneOptions } from "../zones/zones.js";
import { withBars, type BarsInput } from "../../runtime/engine.js";
import { isoUtc } from "../../io/time.js";
import { atrSlot } from "../atr/atr.js";
import { structureBufSlot } from "../structure/structure.js";
import { lastSwingLevels } from "./seed/last-swing-levels.js";
import { touchIndexSlot } from "../zones/zones.js";

/** Order blocks as columns, in order of discovery. */
export interface ObColumns {
  /** The block's candle. */
  readonly candle: Int32Array;
  /** +1 bullish, -1 bearish. */
  readonly dir: Int8Array;
  /** The displacement bar: the block is known at its close. */
  readonly known: Int32Array;
  /** First bar after the displacement whose wick returns into the body (`ict`), -1 if none. */
  readonly mitigated: Int32Array;
  /**
   * First bar that closes beyond the far wick (`ict`); for `seed-v0.1` the
   * last bar when the last close is beyond it, else -1.
   */
  readonly invalidated: Int32Array;
}

/** @internal Order blocks and their events resident in WebAssembly memory. */
export interface ObBuffers {
  g: number;
  candle: number;
  dir: number;
  known: number;
  mitigated: number;
  invalidated: number;
}

/** @internal */
export function obInto(a: Analysis): ObBuffers {
  const { wb, cfg, alloc, n } = a;
  const e = wb.engine;
  const k = e.kernels;
  let sh = NaN;
  let sl = NaN;
  let breaks = 0;
  if (a.rules.orderBlock === "adjacentCandle") {
    [sh, sl] = lastSwingLevels(a);
  } else {
    // Breaks of structure by bar, from confirmed swings only: bit 0 bullish, bit 1 bearish.
    const sb = a.use(structureBufSlot);
    breaks = alloc.u8(n);
    const u8 = e.u8;
    const i32 = e.i32;
    u8.fill(0, breaks, breaks + n);
    for (let j = 0; j < sb.ne; j++) u8[breaks + i32[(sb.bar >>> 2) + j]!] |= i32[(sb.dir >>> 2) + j]! > 0 ? 1 : 2;
  }
  const atr = a.use(atrSlot);
  const buf = () => alloc.i32(n);
  const b = { g: 0, candle: buf(), dir: buf(), known: buf(), mitigated: buf(), invalidated: buf() };
  b.g = k.obDetect(
    wb.ptr.o,
    wb.ptr.c,
    n,
    atr,
    cfg.displacementAtrMult,
    cfg.tol,
    a.rules.orderBlock === "displacement" ? 1 : 0,
    sh,
    sl,
    breaks,
    cfg.obLookback,
    b.candle,
    b.dir,
    b.known,
  );
  k.obEvents(
    wb.ptr.o,
    wb.ptr.h,
    wb.ptr.l,
    wb.ptr.c,
    n,
    b.g,
    b.candle,
    b.dir,
    b.known,
    cfg.tol,
    a.rules.zoneEvents === "firstTouch" ? 1 : 0,
    b.mitigated,
    b.invalidated,
    a.use(touchIndexSlot),
  );
  return b;
}

/** @internal */
export function obColumns(a: Analysis): ObColumns {
  const b = a.use(obBufSlot);
  const e = a.wb.engine;
  return {
    candle: e.readI32(b.candle, b.g),
    dir: e.readI8(b.dir, b.g),
    known: e.readI32(b.known, b.g),
    mitigated: e.readI32(b.mitigated, b.g),
    invalidated: e.readI32(b.invalidated, b.g),
  };
}

/** An order block in the seed's record shape (`ict` adds the fields marked so). */
export interface ObRecord {
  tf: string;
  dir: "bull" | "bear";
  /** Time of the block's candle. */
  time: string;
  /** [min(o, c), max(o, c)] of the candle. */
  body: [number, number];
  /** The far wick: the low of a bullish block, the high of a bearish one. */
  distal: number;
  active: boolean;
  kind: "OB";
  invalidated: boolean;
  /** `ict`: the body's 50 % level (mean threshold). */
  ce?: number;
  /** `ict`: close of the displacement bar, when the block became known. */
  known_time?: string;
  /** `ict`: the bar (0-based index into the bars) at which it became known. */
  known_index?: number;
  /** `ict`: first wick back into the body. */
  mitigated_at?: string | null;
  /** `ict`: first close beyond the distal wick. */
  invalidated_at?: string | null;
}

/** @internal */
export function obRecords(a: Analysis, tf: string): ObRecord[] {
  const b = a.use(obSlot);
  const t = a.t;
  const wb = a.wb;
  const F = wb.engine.f64;
  const h0 = wb.ptr.h >>> 3,
    l0 = wb.ptr.l >>> 3,
    o0 = wb.ptr.o >>> 3,
    c0 = wb.ptr.c >>> 3;
  const out: ObRecord[] = new Array(b.candle.length);
  for (let j = 0; j < b.candle.length; j++) {
    const i = b.candle[j]!;
    const bull = b.dir[j]! > 0;
    const lo = Math.min(F[o0 + i]!, F[c0 + i]!);
    const hi = Math.max(F[o0 + i]!, F[c0 + i]!);
    const inv = b.invalidated[j]! >= 0;
    const r: ObRecord = {
      tf,
      dir: bull ? "bull" : "bear",
      time: isoUtc(t[i]!),
      body: [lo, hi],
      distal: bull ? F[l0 + i]! : F[h0 + i]!,
      active: !inv,
      kind: "OB",
      invalidated: inv,
    };
    if (a.rules.zoneEvents === "firstTouch") {
      r.ce = (lo + hi) / 2.0;
      r.known_time = isoUtc(t[b.known[j]!]!);
      r.known_index = b.known[j]!;
      r.mitigated_at = b.mitigated[j]! >= 0 ? isoUtc(t[b.mitigated[j]!]!) : null;
      r.invalidated_at = inv ? isoUtc(t[b.invalidated[j]!]!) : null;
    }
    out[j] = r;
  }
  return out;
}

/**
 * Order blocks, as columns.
 *
 * Market rule: an order block is the last opposite-close candle before a
 * displacement; its body is where the move's orders were filled and its far
 * wick (distal) is the level whose loss (a close beyond it) invalidates it.
 * In `ict` a displacement is a close-to-close move in the block's direction
 * larger than `displacementAtrMult` ATRs, or one that breaks structure (from
 * swings confirmed before it, Q05); its block is the last opposite-close
 * candle within `obLookback` bars (dojis are neither up nor down), one block
 * per displacement leg (Q06), known at the displacement's close.
 * `seed-v0.1` reproduces the seed's rules (next-candle move or the series'
 * last swing, judged against the last close).
 */
export function orderBlocks(bars: BarsInput, options?: ZoneOptions): ObColumns {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => a.use(obSlot)));
}

/** Order blocks as records (see {@link orderBlocks}). */
export function orderBlockObjects(bars: BarsInput, options?: ZoneOptions & { tf?: string }): ObRecord[] {
  return withBars(bars, (wb) => analyse(wb, zoneConfig(options), (a) => obRecords(a, options?.tf ?? "")));
}

/** @internal */
export const obBufSlot = slot("obBuf", obInto);

/** @internal */
export const obSlot = slot("ob", obColumns);
