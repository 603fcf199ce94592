// The kernels timed in BOTH engines (Node and headless Chromium) by the same
// code: this module has no Node APIs, it is bundled into the browser page
// as it is and also run by Node, on the same bars (shipped to the page as
// raw Float64 bytes), with the same sampler (src/sampler.ts).

import { computeFeatureColumns, type Engine, type WasmBars } from "@ict/core";
import { atrTs } from "./baselines.js";
import { sample, type SampleResult, type SamplerOptions } from "./sampler.js";

/** OHLCV columns as Float64Arrays (t in epoch ms). */
export interface BarArrays {
  t: Float64Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  v: Float64Array;
}

export const ATR_PERIOD = 14;
export const SWING_K = 2;
/** The seed's PRICE_TOL (FVG edges must clear each other by more than this). */
export const FVG_TOL = 1e-6;

/** The kernels compared across engines, in run order. */
export const XKERNELS = [
  "atr(14) wasm kernel",
  "swings(k=2) wasm kernel",
  "fvg detect wasm kernel",
  "features(1 tf) columns ict",
  "atr(14) ts loop",
] as const;
export type XKernel = (typeof XKERNELS)[number];

/** One timing of one kernel, with its output digest (both engines must report the same). */
export interface XTiming extends SampleResult {
  check: string;
}

/**
 * The bars of one size uploaded to an engine, with the output buffers of
 * every kernel of {@link XKERNELS} allocated; {@link CrossBench.time} times
 * one kernel, {@link CrossBench.dispose} frees everything.
 */
export class CrossBench {
  private readonly wb: WasmBars;
  private readonly ownBars: boolean;
  private readonly ptrs: number[];
  private readonly impls: Record<XKernel, { fn: () => unknown; check: () => string }>;

  /** `resident`: the same bars already in the engine's memory (not copied again, not freed here). */
  constructor(
    readonly engine: Engine,
    readonly bars: BarArrays,
    resident?: WasmBars,
  ) {
    const n = bars.t.length;
    const k = engine.kernels;
    this.ownBars = resident === undefined;
    const wb = (this.wb = resident ?? engine.allocBars(n));
    if (this.ownBars) for (const f of ["t", "o", "h", "l", "c", "v"] as const) wb.view(f).set(bars[f]);
    const a = (bytes: number): number => engine.alloc(bytes);
    const [atrOut, scratch, flags, hi, lo, gMid, gDir, gLo, gHi, nLo] = [
      n * 8,
      k.atrScratchBytes(ATR_PERIOD),
      n,
      n * 4,
      n * 4,
      n * 4,
      n * 4,
      n * 8,
      n * 8,
      0,
    ].map((b) => a(b + 16)) as [number, number, number, number, number, number, number, number, number, number];
    this.ptrs = [atrOut, scratch, flags, hi, lo, gMid, gDir, gLo, gHi, nLo];
    const tsOut = new Float64Array(n);
    const ring = new Float64Array(ATR_PERIOD);
    const p = wb.ptr;
    const sum = (x: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i]!;
      return s;
    };
    this.impls = {
      "atr(14) wasm kernel": {
        fn: () => k.atr(p.h, p.l, p.c, n, ATR_PERIOD, 0, atrOut, scratch),
        check: () => `sum ${sum(engine.f64.subarray(atrOut >>> 3, (atrOut >>> 3) + n)).toPrecision(12)}`,
      },
      "swings(k=2) wasm kernel": {
        fn: () => k.swings(p.h, p.l, n, SWING_K, 1, flags, hi, lo, nLo),
        check: () => `${k.swings(p.h, p.l, n, SWING_K, 1, flags, hi, lo, nLo)} highs ${engine.i32[nLo >>> 2]!} lows`,
      },
      "fvg detect wasm kernel": {
        fn: () => k.fvgDetect(p.h, p.l, n, FVG_TOL, 0, 0, gMid, gDir, gLo, gHi),
        check: () => `${k.fvgDetect(p.h, p.l, n, FVG_TOL, 0, 0, gMid, gDir, gLo, gHi)} gaps`,
      },
      "features(1 tf) columns ict": {
        fn: () => computeFeatureColumns(wb),
        check: () => {
          const f = computeFeatureColumns(wb);
          return `${f.structure.index.length} breaks ${f.fvg.mid.length} fvg ${f.ifvg.gap.length} ifvg ${f.ob.candle.length} ob ${f.bb.ob.length} bb`;
        },
      },
      "atr(14) ts loop": {
        fn: () => atrTs(bars.h, bars.l, bars.c, n, ATR_PERIOD, tsOut, ring),
        check: () => `sum ${sum(tsOut).toPrecision(12)}`,
      },
    };
  }

  /** Times one kernel (one call = all bars once) and returns its samples and output digest. */
  time(kernel: XKernel, opts: SamplerOptions, warm = false): XTiming {
    const impl = this.impls[kernel];
    return { ...sample(impl.fn, opts, warm), check: impl.check() };
  }

  dispose(): void {
    for (const p of this.ptrs) this.engine.free(p);
    if (this.ownBars) this.wb.dispose();
  }
}
