import { slot, type Analysis } from "../../runtime/analysis.js";
import { withBars, type BarsInput, type WasmBars, type ScopeAlloc } from "../../runtime/engine.js";
import { numOption, PRICE_TOL, PROFILE_RULES } from "../../base/profile.js";
import {
  SWING_OPTION_KEYS,
  swingConfig,
  swingsInto,
  swingsSlot,
  type SwingBuffers,
  type SwingConfig,
  type SwingOptions,
} from "../swings/swings.js";
import { isoUtc } from "../../io/time.js";

/** Options of the structure detector. */
export interface StructureOptions extends SwingOptions {
  /** A close must pass a level by more than this absolute amount (default 1e-6, the seed's `PRICE_TOL`). */
  tol?: number;
}

/** The keys of {@link StructureOptions}. */
export const STRUCTURE_OPTION_KEYS = [...SWING_OPTION_KEYS, "tol"] as const;

/** @internal */
export interface StructureConfig extends SwingConfig {
  tol: number;
  /** Pivots usable from their confirmation bar (ict) or their own bar (seed). */
  causal: boolean;
  /** A level breaks once (ict) or every close beyond it re-asserts (seed). */
  consume: boolean;
  /** Both levels crossed: newest swing wins (ict) or bear wins (seed). */
  newestWins: boolean;
}

/** @internal */
export function structureConfig(o: StructureOptions | undefined): StructureConfig {
  const s = swingConfig(o);
  const causal = PROFILE_RULES[s.profile].causalStructure;
  return { ...s, tol: numOption("tol", o?.tol, PRICE_TOL), causal, consume: causal, newestWins: causal };
}

/**
 * Structure events as columns, in bar order. For the `ict` profile one event
 * per break; for `seed-v0.1` one per close beyond the current level (the
 * seed's reading, whose last event is its `last_bos`).
 */
export interface StructureEvents {
  /** Bar whose close broke the level (also the bar at which the event is known). */
  readonly index: Int32Array;
  /** +1 bullish, -1 bearish. */
  readonly dir: Int8Array;
  /** Bar of the broken swing point. */
  readonly swing: Int32Array;
  /** The broken level (the swing's high or low). */
  readonly level: Float64Array;
  /** 1 when the break goes against the prevailing trend (CHoCH), 0 for a BOS. */
  readonly choch: Uint8Array;
}

/** @internal Structure events resident in WebAssembly memory (bar and direction as i32, level as f64). */
export interface StructureBuffers {
  ne: number;
  bar: number;
  dir: number;
  swing: number;
  level: number;
}

/** @internal Runs the structure kernel over resident swings. */
export function structureInto(wb: WasmBars, cfg: StructureConfig, sw: SwingBuffers, alloc: ScopeAlloc): StructureBuffers {
  const n = wb.length;
  const bar = alloc.i32(n);
  const dir = alloc.i32(n);
  const swing = alloc.i32(n);
  const level = alloc.f64(n);
  const ne = wb.engine.kernels.structure(
    wb.ptr.c,
    wb.ptr.h,
    wb.ptr.l,
    n,
    sw.hi,
    sw.nHi,
    sw.lo,
    sw.nLo,
    cfg.causal ? cfg.k : 0,
    cfg.consume ? 1 : 0,
    cfg.newestWins ? 1 : 0,
    cfg.tol,
    bar,
    dir,
    swing,
    sw.flags,
    level,
  );
  return { ne, bar, dir, swing, level };
}

/** @internal Structure events as columns, from the resident buffers. */
export function structureColumns(wb: WasmBars, sb: StructureBuffers): StructureEvents {
  const e = wb.engine;
  const ne = sb.ne;
  const index = e.readI32(sb.bar, ne);
  const dirs = e.readI8(sb.dir, ne);
  const swings = e.readI32(sb.swing, ne);
  const level = e.readF64(sb.level, ne);
  const choch = new Uint8Array(ne);
  // A break against the direction of the previous break is a change of character.
  for (let j = 1; j < ne; j++) choch[j] = dirs[j] !== dirs[j - 1] ? 1 : 0;
  return { index, dir: dirs, swing: swings, level, choch };
}

/** @internal Runs the structure kernel and copies the events out. */
export function structureFrom(wb: WasmBars, cfg: StructureConfig, sw: SwingBuffers, alloc: ScopeAlloc): StructureEvents {
  return structureColumns(wb, structureInto(wb, cfg, sw, alloc));
}

/**
 * Breaks of structure and changes of character, as columns.
 *
 * Market rule: a close above the most recent swing high is a bullish break, a
 * close below the most recent swing low a bearish one. A break in the
 * direction of the prevailing trend (the previous break's) is a BOS, one
 * against it a CHoCH. In the `ict` profile a pivot counts only from its
 * confirmation bar (Q07), a level breaks once and the event keeps the bar
 * that broke it (Q08), and a close beyond both levels is the break of the more
 * recently formed swing (Q09).
 */
export function structure(bars: BarsInput, options?: StructureOptions): StructureEvents {
  const cfg = structureConfig(options);
  return withBars(bars, (wb) => wb.engine.scoped((alloc) => structureFrom(wb, cfg, swingsInto(wb, cfg, alloc), alloc)));
}

/** One break of structure, as an object. */
export interface StructureEvent {
  /** `"BOS"` with the prevailing trend, `"CHOCH"` against it. */
  kind: "BOS" | "CHOCH";
  dir: "bull" | "bear";
  /** The broken level. */
  level: number;
  /** Bar whose close broke the level. */
  index: number;
  /** Its time (seed ISO format). */
  time: string;
  /** Bar of the broken swing point. */
  swing_index: number;
  swing_time: string;
  /** Bar at which the event became known (the breaking bar's close). */
  known_index: number;
  known_time: string;
}

/** Breaks of structure as objects (see {@link structure}). */
export function structureEvents(bars: BarsInput, options?: StructureOptions): StructureEvent[] {
  const ev = structure(bars, options);
  const t = withBars(bars, (wb) => wb.view("t").slice());
  const out: StructureEvent[] = new Array(ev.index.length);
  for (let j = 0; j < ev.index.length; j++) {
    const i = ev.index[j]!;
    const time = isoUtc(t[i]!);
    out[j] = {
      kind: ev.choch[j] ? "CHOCH" : "BOS",
      dir: ev.dir[j]! > 0 ? "bull" : "bear",
      level: ev.level[j]!,
      index: i,
      time,
      swing_index: ev.swing[j]!,
      swing_time: isoUtc(t[ev.swing[j]!]!),
      known_index: i,
      known_time: time,
    };
  }
  return out;
}

/**
 * The seed's `ms` record: the prevailing trend and the last break.
 * `ict` adds `last_bos_kind` (BOS or CHOCH) and `last_bos_index`.
 */
export interface MarketStructure {
  trend: "up" | "down" | null;
  last_bos: "bull" | "bear" | null;
  last_bos_time: string | null;
  last_bos_level: number | null;
  last_bos_kind?: "BOS" | "CHOCH" | null;
  last_bos_index?: number | null;
}

/**
 * @internal The `ms` record from structure events; `extended` (rule
 * `extendedRecords`) adds the break's kind and bar beside the seed's keys.
 */
export function marketStructureOf(ev: StructureEvents, t: Float64Array, extended: boolean): MarketStructure {
  const ne = ev.index.length;
  if (ne === 0) {
    const ms: MarketStructure = { trend: null, last_bos: null, last_bos_time: null, last_bos_level: null };
    if (extended) {
      ms.last_bos_kind = null;
      ms.last_bos_index = null;
    }
    return ms;
  }
  const j = ne - 1;
  const bull = ev.dir[j]! > 0;
  const ms: MarketStructure = {
    trend: bull ? "up" : "down",
    last_bos: bull ? "bull" : "bear",
    last_bos_time: isoUtc(t[ev.index[j]!]!),
    last_bos_level: ev.level[j]!,
  };
  if (extended) {
    ms.last_bos_kind = ev.choch[j] ? "CHOCH" : "BOS";
    ms.last_bos_index = ev.index[j]!;
  }
  return ms;
}

/**
 * The prevailing trend and the last break of structure, in the seed's `ms`
 * shape. With `profile: "seed-v0.1"` it is the seed's exact output (the last
 * bar closing beyond the last pivot, pivots used at their own bar, bear
 * winning ties); with `ict` the last causal break.
 */
export function marketStructure(bars: BarsInput, options?: StructureOptions): MarketStructure {
  const cfg = structureConfig(options);
  const ev = structure(bars, options);
  return withBars(bars, (wb) => marketStructureOf(ev, wb.view("t"), PROFILE_RULES[cfg.profile].extendedRecords));
}

/** @internal The structure breaks of an analysis, resident in WebAssembly memory. */
export const structureBufSlot = slot("structureBuf", (a: Analysis<StructureConfig>) =>
  structureInto(a.wb, a.cfg, a.use(swingsSlot), a.alloc),
);

/** @internal The structure breaks of an analysis, as columns. */
export const structureEventsSlot = slot("structureEvents", (a: Analysis<StructureConfig>) =>
  structureColumns(a.wb, a.use(structureBufSlot)),
);
