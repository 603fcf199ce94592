import { slot, type Analysis } from "../../runtime/analysis.js";
import { withBars, type BarsInput, type WasmBars, type ScopeAlloc } from "../../runtime/engine.js";
import { enumOption, intOption, PROFILE_RULES, resolveProfile, type Profile } from "../../base/profile.js";
import { isoUtc } from "../../io/time.js";

/** Options of the swing detector. */
export interface SwingOptions {
  /** `"ict"` (default) or `"seed-v0.1"`; sets the default of `equalPivots`. */
  profile?: Profile;
  /** Bars on each side of a pivot (default 2, the seed's `K_PIVOT`). */
  k?: number;
  /**
   * How equal highs (lows) are read. `"strict"` (the seed's rule, Q26): a
   * pivot must stand strictly above (below) both sides, so a double top is no
   * swing. `"later"` (the `ict` default): the later of equal highs is the
   * swing (left side non-strict, right side strict), so a double top is one.
   */
  equalPivots?: "strict" | "later";
}

/** The keys of {@link SwingOptions}. */
export const SWING_OPTION_KEYS = ["profile", "k", "equalPivots"] as const;

/** @internal */
export interface SwingConfig {
  profile: Profile;
  k: number;
  leftTies: boolean;
}

/** @internal */
export function swingConfig(o: SwingOptions | undefined): SwingConfig {
  const profile = resolveProfile(o?.profile);
  const eq = enumOption("equalPivots", o?.equalPivots, ["strict", "later"] as const, PROFILE_RULES[profile].equalPivots);
  return { profile, k: intOption("k", o?.k, 2, 1, 10_000), leftTies: eq === "later" };
}

/** @internal Swing lists resident in WebAssembly memory for the rest of a scope. */
export interface SwingBuffers {
  hi: number;
  nHi: number;
  lo: number;
  nLo: number;
  flags: number;
}

/** @internal */
export function swingsInto(wb: WasmBars, cfg: SwingConfig, alloc: ScopeAlloc): SwingBuffers {
  const n = wb.length;
  const k = wb.engine.kernels;
  const flags = alloc.u8(n);
  const hi = alloc.i32(n);
  const lo = alloc.i32(n);
  const nLoOut = alloc(16);
  const nHi = k.swings(wb.ptr.h, wb.ptr.l, n, cfg.k, cfg.leftTies ? 1 : 0, flags, hi, lo, nLoOut);
  const nLo = wb.engine.i32[nLoOut >>> 2]!;
  return { hi, nHi, lo, nLo, flags };
}

/**
 * Swing points as columns.
 * `highs` / `lows`: pivot bar indices, ascending. `flags[i]`: bit 0 = bar i is
 * a swing high, bit 1 = a swing low. A pivot at bar i is known at bar i + k.
 */
export interface Swings {
  readonly k: number;
  readonly highs: Int32Array;
  readonly lows: Int32Array;
  readonly flags: Uint8Array;
}

/**
 * Swing highs and lows (fractal pivots).
 *
 * Market rule: bar i is a swing high when its high stands above the highs of
 * the k bars before and after it; a swing low mirrors it. The pivot needs the
 * k later bars, so it becomes known at the close of bar i + k; detectors of
 * the `ict` profile use it only from then on.
 */
export function swings(bars: BarsInput, options?: SwingOptions): Swings {
  const cfg = swingConfig(options);
  return withBars(bars, (wb) => {
    const e = wb.engine;
    return e.scoped((alloc) => {
      const s = swingsInto(wb, cfg, alloc);
      const i32 = e.i32;
      return {
        k: cfg.k,
        highs: i32.slice(s.hi >>> 2, (s.hi >>> 2) + s.nHi),
        lows: i32.slice(s.lo >>> 2, (s.lo >>> 2) + s.nLo),
        flags: e.u8.slice(s.flags, s.flags + wb.length),
      };
    });
  });
}

/** One swing point, as an object. */
export interface SwingPoint {
  kind: "high" | "low";
  /** Bar of the pivot. */
  index: number;
  /** Time of the pivot bar (seed ISO format). */
  time: string;
  /** The pivot's high (swing high) or low (swing low). */
  price: number;
  /** Bar at whose close the pivot became known (index + k). */
  known_index: number;
  /** Time of that bar. */
  known_time: string;
}

/**
 * Swing points as objects, by bar (a bar that is both a swing high and a swing
 * low lists the high first).
 */
export function swingPoints(bars: BarsInput, options?: SwingOptions): SwingPoint[] {
  const s = swings(bars, options);
  const [t, h, l] = withBars(bars, (wb) => [wb.view("t").slice(), wb.view("h").slice(), wb.view("l").slice()]);
  const out: SwingPoint[] = [];
  let a = 0;
  let b = 0;
  const mk = (kind: "high" | "low", i: number): SwingPoint => ({
    kind,
    index: i,
    time: isoUtc(t[i]!),
    price: kind === "high" ? h[i]! : l[i]!,
    known_index: i + s.k,
    known_time: isoUtc(t[i + s.k]!),
  });
  while (a < s.highs.length || b < s.lows.length) {
    if (b >= s.lows.length || (a < s.highs.length && s.highs[a]! <= s.lows[b]!)) out.push(mk("high", s.highs[a++]!));
    else out.push(mk("low", s.lows[b++]!));
  }
  return out;
}

/** @internal The swing flags of an analysis' bars. */
export const swingsSlot = slot("swings", (a: Analysis<SwingConfig>) => swingsInto(a.wb, a.cfg, a.alloc));
