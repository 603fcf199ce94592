import type { ScopeAlloc } from "./engine.js";
import type { WasmBars } from "./engine.js";
import { PROFILE_RULES, type Profile, type ProfileRules } from "../base/profile.js";

/** What every analysis configuration carries: the profile whose rules apply. */
export interface AnalysisConfig {
  readonly profile: Profile;
}

/**
 * @internal A derived result of one analysis (a column set, a pointer into
 * WebAssembly memory): computed at most once per analysis, on first use, by
 * the detector that declares it. The analysis knows no detector; each
 * detector declares what it needs by calling {@link Analysis.use} on the
 * slots of the detectors below it.
 */
export interface Slot<T, C extends AnalysisConfig = AnalysisConfig> {
  /** For messages and debugging. */
  readonly name: string;
  compute(a: Analysis<C>): T;
}

/** @internal Declares a {@link Slot}. */
export function slot<T, C extends AnalysisConfig = AnalysisConfig>(name: string, compute: (a: Analysis<C>) => T): Slot<T, C> {
  return { name, compute };
}

/**
 * @internal One pass of the detectors over resident bars, inside one
 * allocation scope: each intermediate (ATR, swings, structure events, zones)
 * is computed once, on first use, and shared by everything downstream.
 */
export class Analysis<C extends AnalysisConfig = AnalysisConfig> {
  private readonly cache = new Map<Slot<unknown, never>, unknown>();
  private _t: Float64Array | undefined;

  constructor(
    readonly wb: WasmBars,
    readonly cfg: C,
    readonly alloc: ScopeAlloc,
  ) {}

  get n(): number {
    return this.wb.length;
  }

  /** The named rules of the analysis' profile. */
  get rules(): Readonly<ProfileRules> {
    return PROFILE_RULES[this.cfg.profile];
  }

  /** Bar times (a copy, safe across allocations). */
  get t(): Float64Array {
    return (this._t ??= this.wb.view("t").slice());
  }

  /** The value of `s` for these bars, computed on first use. */
  use<T, N extends AnalysisConfig>(this: Analysis<C & N>, s: Slot<T, N>): T {
    const cache = this.cache as Map<Slot<T, N>, T>;
    let v = cache.get(s);
    if (v === undefined) {
      v = s.compute(this as unknown as Analysis<N>);
      cache.set(s, v);
    }
    return v;
  }
}

/** @internal Runs `fn` on a fresh analysis of `wb` (scratch freed afterwards). */
export function analyse<C extends AnalysisConfig, T>(wb: WasmBars, cfg: C, fn: (a: Analysis<C>) => T): T {
  return wb.engine.scoped((alloc) => fn(new Analysis(wb, cfg, alloc)));
}
