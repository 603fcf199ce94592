import { withBars, type BarsInput, type WasmBars } from "../../runtime/engine.js";
import { slot, type Analysis, type AnalysisConfig } from "../../runtime/analysis.js";
import { checkOptionKeys, enumOption, intOption } from "../../base/profile.js";

/** Options of {@link atr}. */
export interface AtrOptions {
  /** Number of bars averaged (default 14, the seed's `ATR_PERIOD`). */
  period?: number;
  /**
   * `"sma"` (default, the seed's rule): the plain mean of the last `period`
   * true ranges, the first `period - 1` bars averaging the bars seen so far
   * (Q30). `"wilder"`: Wilder's smoothing, seeded with that mean.
   */
  method?: "sma" | "wilder";
}

/** @internal Resolved ATR options. */
export interface AtrConfig {
  period: number;
  method: "sma" | "wilder";
}

/** The keys of {@link AtrOptions}. */
export const ATR_OPTION_KEYS = ["period", "method"] as const;

/** @internal */
export function atrConfig(o: AtrOptions | undefined): AtrConfig {
  checkOptionKeys("atr", o, ATR_OPTION_KEYS);
  return {
    period: intOption("period", o?.period, 14, 1, 1_000_000),
    method: enumOption("method", o?.method, ["sma", "wilder"] as const, "sma"),
  };
}

/**
 * @internal Runs the ATR kernel into `out` (a pointer to n Float64 values).
 */
export function atrInto(wb: WasmBars, cfg: AtrConfig, out: number): void {
  const e = wb.engine;
  const k = e.kernels;
  e.scoped((alloc) => {
    const scratch = alloc(k.atrScratchBytes(cfg.period));
    k.atr(wb.ptr.h, wb.ptr.l, wb.ptr.c, wb.length, cfg.period, cfg.method === "wilder" ? 1 : 0, out, scratch);
  });
}

/**
 * Average True Range of every bar.
 *
 * Market rule: a bar's true range is the largest of its range (h − l) and its
 * gaps to the previous close (|h − c₋₁|, |l − c₋₁|); the first bar's true range
 * is its range. ATR is the mean of the last `period` true ranges; the first
 * bars average what exists so far (as the seed's pandas
 * `rolling(14, min_periods=1).mean()`), or Wilder's smoothing with
 * `method: "wilder"`. ATR at bar t uses bars ≤ t only.
 *
 * @returns one value per bar (a new array).
 */
export function atr(bars: BarsInput, options?: AtrOptions): Float64Array {
  const cfg = atrConfig(options);
  return withBars(bars, (wb) => {
    const n = wb.length;
    if (n === 0) return new Float64Array(0);
    const e = wb.engine;
    return e.scoped((alloc) => {
      const out = alloc.f64(n);
      atrInto(wb, cfg, out);
      return e.f64.slice(out >>> 3, (out >>> 3) + n);
    });
  });
}

/**
 * True range of every bar (the first bar's is its own range h − l).
 * @returns one value per bar (a new array).
 */
export function trueRange(bars: BarsInput): Float64Array {
  return withBars(bars, (wb) => {
    const n = wb.length;
    if (n === 0) return new Float64Array(0);
    const e = wb.engine;
    return e.scoped((alloc) => {
      const out = alloc.f64(n);
      e.kernels.trueRange(wb.ptr.h, wb.ptr.l, wb.ptr.c, n, out);
      return e.f64.slice(out >>> 3, (out >>> 3) + n);
    });
  });
}

/** @internal Pointer to the ATR of every bar of an analysis (n Float64 values). */
export const atrSlot = slot("atr", (a: Analysis<AnalysisConfig & { atr: AtrConfig }>) => {
  const p = a.alloc.f64(a.n);
  if (a.n > 0) atrInto(a.wb, a.cfg.atr, p);
  return p;
});
