import { atrConfig, atrInto, type AtrConfig, type AtrOptions } from "./atr.js";
import { breakerColumns, type BreakerColumns } from "./breakers.js";
import type { WasmBars } from "./engine.js";
import { fvgColumns, fvgInto, type FvgBuffers, type FvgColumns } from "./fvg.js";
import { ifvgColumns, type IfvgColumns } from "./ifvg.js";
import { obColumns, obInto, type ObBuffers, type ObColumns } from "./ob.js";
import { enumOption, intOption, numOption } from "./profile.js";
import { structureColumns, structureConfig, structureInto, type StructureBuffers, type StructureConfig, type StructureEvents, type StructureOptions } from "./structure.js";
import { swingsInto, type SwingBuffers } from "./swings.js";

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

/**
 * @internal One pass of the detectors over resident bars, inside one
 * allocation scope: each intermediate (ATR, swings, structure events, zones)
 * is computed once, on first use, and shared by everything downstream.
 */
export class Analysis {
  private _atr: number | undefined;
  private _swings: SwingBuffers | undefined;
  private _events: StructureEvents | undefined;
  private _structureBuf: StructureBuffers | undefined;
  private _fvgBuf: FvgBuffers | undefined;
  private _obBuf: ObBuffers | undefined;
  private _fvg: FvgColumns | undefined;
  private _ifvg: IfvgColumns | undefined;
  private _ob: ObColumns | undefined;
  private _bb: BreakerColumns | undefined;
  private _t: Float64Array | undefined;
  private _touch: number | undefined;

  constructor(
    readonly wb: WasmBars,
    readonly cfg: ZoneConfig,
    readonly alloc: (bytes: number) => number,
  ) {}

  get n(): number {
    return this.wb.length;
  }

  get ict(): boolean {
    return this.cfg.profile === "ict";
  }

  /** Bar times (a copy, safe across allocations). */
  get t(): Float64Array {
    return (this._t ??= this.wb.view("t").slice());
  }

  /** Pointer to the ATR of every bar. */
  get atrPtr(): number {
    if (this._atr === undefined) {
      this._atr = this.alloc(this.n * 8 + 16);
      if (this.n > 0) atrInto(this.wb, this.cfg.atr, this._atr);
    }
    return this._atr;
  }

  /**
   * Pointer to the block-extreme index of the bars (the kernels' first-touch
   * queries climb it instead of scanning bar by bar); 0 for the seed, whose
   * zones are judged on the last close only.
   */
  get touchIndex(): number {
    if (this._touch === undefined) {
      if (!this.ict || this.n === 0) return (this._touch = 0);
      const k = this.wb.engine.kernels;
      const p = this.alloc(k.touchIndexBytes(this.n));
      k.touchIndexBuild(this.wb.ptr.l, this.wb.ptr.h, this.wb.ptr.c, this.n, p);
      this._touch = p;
    }
    return this._touch;
  }

  get swings(): SwingBuffers {
    return (this._swings ??= swingsInto(this.wb, this.cfg, this.alloc));
  }

  get structureBuf(): StructureBuffers {
    return (this._structureBuf ??= structureInto(this.wb, this.cfg, this.swings, this.alloc));
  }

  get events(): StructureEvents {
    return (this._events ??= structureColumns(this.wb, this.structureBuf));
  }

  get fvgBuf(): FvgBuffers {
    return (this._fvgBuf ??= fvgInto(this));
  }

  get obBuf(): ObBuffers {
    return (this._obBuf ??= obInto(this));
  }

  get fvg(): FvgColumns {
    return (this._fvg ??= fvgColumns(this));
  }

  get ifvg(): IfvgColumns {
    return (this._ifvg ??= ifvgColumns(this));
  }

  get ob(): ObColumns {
    return (this._ob ??= obColumns(this));
  }

  get bb(): BreakerColumns {
    return (this._bb ??= breakerColumns(this));
  }
}

/** @internal Runs `fn` on a fresh analysis of `wb` (scratch freed afterwards). */
export function analyse<T>(wb: WasmBars, cfg: ZoneConfig, fn: (a: Analysis) => T): T {
  return wb.engine.scoped((alloc) => fn(new Analysis(wb, cfg, alloc)));
}
