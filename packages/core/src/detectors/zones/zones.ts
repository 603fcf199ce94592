import { slot, type Analysis } from "../../runtime/analysis.js";
import { enumOption, intOption, numOption } from "../../base/profile.js";
import { atrConfig, type AtrConfig, type AtrOptions } from "../atr/atr.js";
import { STRUCTURE_OPTION_KEYS, structureConfig, type StructureConfig, type StructureOptions } from "../structure/structure.js";

/**
 * Options of the zone detectors. Every constant of the seed is an option with
 * the seed's value as its default.
 */
export interface ZoneOptions extends StructureOptions {
  /** ATR used by displacement and the minimum gap size (period 14, simple mean). */
  atr?: AtrOptions;
  /**
   * When a fair value gap counts as filled (the seed's `FVG_FILL_POLICY`):
   * `"midline"` (default) when price reaches its 50 % level (consequent
   * encroachment), `"full"` when it reaches the far edge.
   */
  fillPolicy?: "midline" | "full";
  /** Minimum gap size in ATR multiples (ATR at the gap's third candle); 0 = off (default). */
  minGapAtr?: number;
  /** Bars after the close through a gap in which a retest makes it an IFVG (the seed's `IFVG_RETEST_BARS`, 8). */
  ifvgRetestBars?: number;
  /** A close-to-close move larger than this many ATRs is a displacement (the seed's `DISPLACEMENT_ATR_MULT`, 1.2). */
  displacementAtrMult?: number;
  /** `ict`: how far back (bars) from a displacement its order block may lie (default 10). */
  obLookback?: number;
  /** `ict`: bars after an order block fails in which an opposite break makes it a breaker (the seed's `BREAKER_LOOKAHEAD`, 5). */
  breakerLookahead?: number;
  /** Bars of the fallback EQ range (default 50). */
  lookback?: number;
}

/** The keys of {@link ZoneOptions}. */
export const ZONE_OPTION_KEYS = [
  ...STRUCTURE_OPTION_KEYS,
  "atr",
  "fillPolicy",
  "minGapAtr",
  "ifvgRetestBars",
  "displacementAtrMult",
  "obLookback",
  "breakerLookahead",
  "lookback",
] as const;

/** @internal */
export interface ZoneConfig extends StructureConfig {
  atr: AtrConfig;
  fillPolicy: "midline" | "full";
  minGapAtr: number;
  ifvgRetestBars: number;
  displacementAtrMult: number;
  obLookback: number;
  breakerLookahead: number;
  lookback: number;
  /** @internal The timeframe in ms when it is known (a stream's, `computeFeatures`' `tf`); else the bars' smallest spacing counts. */
  stepMs?: number;
}

/**
 * @internal The longest pause between two bars of a `stepMs` timeframe that
 * is still continuous trading: an hour, or four bars for timeframes of more
 * than 15 minutes (a daily bar across a long weekend). A longer pause is a
 * session break (the night, a weekend, the futures' daily halt, an outage).
 */
export function sessionBreakMs(stepMs: number): number {
  return Math.max(3_600_000, 4 * stepMs);
}

/** @internal */
export function zoneConfig(o: ZoneOptions | undefined): ZoneConfig {
  return {
    ...structureConfig(o),
    atr: atrConfig(o?.atr),
    fillPolicy: enumOption("fillPolicy", o?.fillPolicy, ["midline", "full"] as const, "midline"),
    minGapAtr: numOption("minGapAtr", o?.minGapAtr, 0),
    ifvgRetestBars: intOption("ifvgRetestBars", o?.ifvgRetestBars, 8, 0, 1 << 30),
    displacementAtrMult: numOption("displacementAtrMult", o?.displacementAtrMult, 1.2),
    obLookback: intOption("obLookback", o?.obLookback, 10, 1, 1 << 30),
    breakerLookahead: intOption("breakerLookahead", o?.breakerLookahead, 5, 0, 1 << 30),
    lookback: intOption("lookback", o?.lookback, 50, 1, 1 << 30),
  };
}

/** @internal An analysis with the zone detectors' configuration. */
export type ZoneAnalysis = Analysis<ZoneConfig>;

/**
 * @internal Pointer to the block-extreme index of the bars (the kernels'
 * first-touch queries climb it instead of scanning bar by bar); 0 for the
 * seed, whose zones are judged on the last close only.
 */
export const touchIndexSlot = slot("touchIndex", (a: Analysis<ZoneConfig>) => {
  if (a.rules.zoneEvents !== "firstTouch" || a.n === 0) return 0;
  const k = a.wb.engine.kernels;
  const p = a.alloc(k.touchIndexBytes(a.n));
  k.touchIndexBuild(a.wb.ptr.l, a.wb.ptr.h, a.wb.ptr.c, a.n, p);
  return p;
});
