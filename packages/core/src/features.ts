import { atrConfig, atrInto, type AtrOptions } from "./atr.js";
import { resident, type BarsInput } from "./engine.js";
import { equilibriumFrom, type Equilibrium } from "./equilibrium.js";
import { intOption } from "./profile.js";
import { marketStructureOf, structureConfig, structureFrom, type MarketStructure, type StructureOptions } from "./structure.js";
import { swingsInto } from "./swings.js";

/** Options of {@link computeFeatures}. */
export interface FeatureOptions extends StructureOptions {
  /** Timeframe label written into the records, e.g. `"1m"` or `"5m"`. */
  tf: string;
  /** ATR options (period 14, simple mean by default). */
  atr?: AtrOptions;
  /** Bars of the fallback EQ range (default 50). */
  lookback?: number;
}

/**
 * The features of one timeframe, in the seed's `compute_features_for_tf`
 * shape and key order. The zone lists (`fvg`, `ifvg`, `ob`, `bb`) are filled by
 * the zone detectors.
 */
export interface TfFeatures {
  tf: string;
  /** ATR of the last bar; null for no bars. */
  atr_last: number | null;
  ms: MarketStructure;
  swings: Equilibrium;
  fvg: Record<string, unknown>[];
  ifvg: Record<string, unknown>[];
  ob: Record<string, unknown>[];
  bb: Record<string, unknown>[];
}

/**
 * All detectors of one timeframe over the bars, with one resident copy of the
 * columns and one pass per kernel. `profile: "seed-v0.1"` reproduces the
 * seed's `compute_features_for_tf`; `"ict"` (default) is causal.
 */
export function computeFeatures(bars: BarsInput, options: FeatureOptions): TfFeatures {
  const cfg = structureConfig(options);
  const acfg = atrConfig(options.atr);
  const lookback = intOption("lookback", options.lookback, 50, 1, 1 << 30);
  const tf = String(options.tf);
  const wb = resident(bars);
  const n = wb.length;
  const ict = cfg.profile === "ict";
  if (n === 0) {
    return {
      tf,
      atr_last: null,
      ms: marketStructureOf({ index: new Int32Array(0), dir: new Int8Array(0), swing: new Int32Array(0), level: new Float64Array(0), choch: new Uint8Array(0) }, new Float64Array(0), ict),
      swings: equilibriumEmpty(ict),
      fvg: [],
      ifvg: [],
      ob: [],
      bb: [],
    };
  }
  const e = wb.engine;
  return e.scoped((alloc) => {
    const atrOut = alloc(n * 8 + 16);
    atrInto(wb, acfg, atrOut);
    const atrLast = e.f64[(atrOut >>> 3) + n - 1]!;
    const sw = swingsInto(wb, cfg, alloc);
    const ev = structureFrom(wb, cfg, sw, alloc);
    const ms = marketStructureOf(ev, wb.view("t"), ict);
    const eq = equilibriumFrom(wb, cfg, lookback, sw, ev);
    return { tf, atr_last: atrLast, ms, swings: eq, fvg: [], ifvg: [], ob: [], bb: [] };
  });
}

function equilibriumEmpty(ict: boolean): Equilibrium {
  return ict ? { eq: null, ote: null, leg: null, ote_705: null } : { eq: null, ote: null, leg: null };
}

