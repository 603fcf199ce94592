import { analyse } from "../runtime/analysis.js";
import { ZONE_OPTION_KEYS, zoneConfig, type ZoneAnalysis as Analysis, type ZoneOptions } from "../detectors/zones/zones.js";
import { checkOptionKeys } from "../base/profile.js";
import { breakerRecords, type BreakerColumns, type BreakerRecord } from "../detectors/breakers/breakers.js";
import { checkColumns, withBars, WasmBars, type BarsInput } from "../runtime/engine.js";
import { resampleNy } from "../io/aggregate.js";
import type { Columns } from "../io/columns.js";
import { durationLabel, minSpacingMs, tfOption, tfSpaced } from "../io/time.js";
import { OptionError, quoteValue } from "../base/errors.js";
import { equilibriumFrom, type Equilibrium } from "../detectors/equilibrium/equilibrium.js";
import { fvgRecords, type FvgColumns, type FvgRecord } from "../detectors/fvg/fvg.js";
import { ifvgRecords, type IfvgColumns, type IfvgRecord } from "../detectors/ifvg/ifvg.js";
import { obRecords, type ObColumns, type ObRecord } from "../detectors/ob/ob.js";
import { marketStructureOf, type MarketStructure, type StructureEvents } from "../detectors/structure/structure.js";
import { atrSlot } from "../detectors/atr/atr.js";
import { bbSlot } from "../detectors/breakers/breakers.js";
import { fvgSlot } from "../detectors/fvg/fvg.js";
import { ifvgSlot } from "../detectors/ifvg/ifvg.js";
import { obSlot } from "../detectors/ob/ob.js";
import { structureEventsSlot } from "../detectors/structure/structure.js";
import { swingsSlot } from "../detectors/swings/swings.js";

/** ATR of the last bar. The pointer is taken first: computing it may grow the memory. */
function atrLastOf(a: Analysis): number {
  const p = a.use(atrSlot);
  return a.wb.engine.f64[(p >>> 3) + a.n - 1]!;
}

/** Options of {@link computeFeatures}. */
export interface FeatureOptions extends ZoneOptions {
  /**
   * The timeframe to compute on, `"<n>m"`, `"<n>h"` or `"<n>d"` (`"1m"`,
   * `"5m"`, `"15m"`, `"1h"`, `"4h"`, `"1d"`, …), written into the records.
   * Bars finer than it are aggregated up first (New York-aligned buckets:
   * 1m bars with `tf: "5m"` give the features of their 5m bars); bars whose
   * spacing does not divide into it (7m bars for `"5m"`) are an
   * `OptionError`. A spacing that is a multiple of it reads as gaps. Default:
   * the bars' own spacing (`"1m"` for fewer than two bars).
   */
  tf?: string;
}

/** The keys of {@link FeatureOptions}. */
export const FEATURE_OPTION_KEYS = [...ZONE_OPTION_KEYS, "tf"] as const;

/** A copy of resident bars as columns. */
function columnsOfResident(w: WasmBars): Columns {
  return {
    length: w.length,
    t: w.view("t").slice(),
    o: w.view("o").slice(),
    h: w.view("h").slice(),
    l: w.view("l").slice(),
    c: w.view("c").slice(),
    v: w.view("v").slice(),
  };
}

/**
 * @internal How bars meet a requested timeframe: the minutes to aggregate
 * them to (null when they are already at it), or an `OptionError` naming
 * both when they cannot be.
 */
export function tfPlan(t: ArrayLike<number>, tf: unknown): number | null {
  const minutes = tfOption(tf);
  const s = minSpacingMs(t);
  const step = minutes * 60_000;
  // Bars of the timeframe already (New York-aligned 4h or daily bars may be an hour off across DST).
  if (!Number.isFinite(s) || tfSpaced(s, step)) return null;
  if (s < step && step % s === 0) return minutes;
  throw new OptionError(
    "tf",
    `${quoteValue(tf)} does not fit the bars: they are ${durationLabel(s)} apart at the closest, which neither aggregates into ${tf} bars nor is a multiple of ${tf}`,
  );
}

/** The timeframe label of a bar spacing in milliseconds (`"1m"` when unknown). */
export function tfOfSpacing(t: ArrayLike<number>): string {
  const step = minSpacingMs(t);
  return Number.isFinite(step) && step % 60_000 === 0 ? durationLabel(step) : "1m";
}

/**
 * The features of one timeframe, in the seed's `compute_features_for_tf`
 * shape and key order.
 */
export interface TfFeatures {
  tf: string;
  /** ATR of the last bar; null for no bars. */
  atr_last: number | null;
  ms: MarketStructure;
  /** Equilibrium and OTE of the current leg (the seed's name; swing points are `swingPoints(bars)`). */
  swings: Equilibrium;
  fvg: FvgRecord[];
  ifvg: IfvgRecord[];
  ob: ObRecord[];
  bb: BreakerRecord[];
  /**
   * The same object as `swings` under the name that says what it holds. Not
   * enumerable: JSON output and object spreads keep the seed's schema.
   */
  readonly equilibrium?: Equilibrium;
}

/** @internal Adds the clean-name aliases of a feature set (not enumerable). */
export function withAliases(f: TfFeatures): TfFeatures {
  return Object.defineProperty(f, "equilibrium", { value: f.swings, enumerable: false });
}

/**
 * All detectors of one timeframe over the bars, with one resident copy of the
 * columns and one pass per kernel (ATR, swings and structure computed once and
 * shared by the zones). `profile: "seed-v0.1"` reproduces the seed's
 * `compute_features_for_tf` record for record; `"ict"` (default) is causal.
 *
 * Memory: every zone becomes a record object, about 700 bytes per bar of
 * history on real 1-minute bars (measured on 1M BTCUSDT bars: 703 MB kept,
 * ~0.66 records per bar), so 10M bars exceed Node's default heap. For long
 * histories use {@link computeFeatureColumns} (typed columns, ~17 bytes per
 * bar) and build records only for the bars you need.
 */
export function computeFeatures(bars: BarsInput, options: FeatureOptions = {}): TfFeatures {
  checkOptionKeys("computeFeatures", options, FEATURE_OPTION_KEYS);
  const cfg = zoneConfig(options);
  if (options.tf !== undefined) {
    cfg.stepMs = tfOption(options.tf) * 60_000;
    if (!(bars instanceof WasmBars)) checkColumns(bars);
    const minutes = tfPlan(bars instanceof WasmBars ? bars.view("t") : bars.t, options.tf);
    if (minutes !== null) bars = resampleNy(bars instanceof WasmBars ? columnsOfResident(bars) : bars, minutes);
  }
  return withBars(bars, (wb) =>
    analyse(wb, cfg, (a) => {
      const tf = options.tf === undefined ? tfOfSpacing(wb.view("t")) : String(options.tf);
      const n = a.n;
      const ms = marketStructureOf(a.use(structureEventsSlot), wb.view("t"), a.rules.extendedRecords);
      const swings = equilibriumFrom(wb, cfg, cfg.lookback, a.use(swingsSlot), a.use(structureEventsSlot));
      return withAliases({
        tf,
        atr_last: n > 0 ? atrLastOf(a) : null,
        ms,
        swings,
        fvg: fvgRecords(a, tf),
        ifvg: ifvgRecords(a, tf),
        ob: obRecords(a, tf),
        bb: breakerRecords(a, tf),
      });
    }),
  );
}

/** The features of one timeframe as typed columns: every detector, no records. */
export interface FeatureColumns {
  /** ATR of the last bar (NaN for no bars). */
  atrLast: number;
  structure: StructureEvents;
  ms: MarketStructure;
  swings: Equilibrium;
  fvg: FvgColumns;
  ifvg: IfvgColumns;
  ob: ObColumns;
  bb: BreakerColumns;
}

/**
 * The same computation as {@link computeFeatures}, returned as typed columns
 * (indices into the bars) instead of records: for large histories, where the
 * records would cost more than the detection (~17 bytes per bar kept,
 * against ~700 for the records of {@link computeFeatures}).
 */
export function computeFeatureColumns(bars: BarsInput, options?: ZoneOptions): FeatureColumns {
  checkOptionKeys("computeFeatureColumns", options, FEATURE_OPTION_KEYS);
  const cfg = zoneConfig(options);
  return withBars(bars, (wb) =>
    analyse(wb, cfg, (a) => ({
      atrLast: a.n > 0 ? atrLastOf(a) : NaN,
      structure: a.use(structureEventsSlot),
      ms: marketStructureOf(a.use(structureEventsSlot), wb.view("t"), a.rules.extendedRecords),
      swings: equilibriumFrom(wb, cfg, cfg.lookback, a.use(swingsSlot), a.use(structureEventsSlot)),
      fvg: a.use(fvgSlot),
      ifvg: a.use(ifvgSlot),
      ob: a.use(obSlot),
      bb: a.use(bbSlot),
    })),
  );
}
