import { OptionError, quoteValue } from "./errors.js";

/**
 * Which semantics the detectors follow.
 * - `"ict"` (default): causal and corrected. Every event is reported at the
 *   bar at which it became known, a level breaks once, pivots count only from
 *   their confirmation bar, the OTE is measured from the leg's end.
 * - `"seed-v0.1"`: reproduces the Python seed oracle's output exactly,
 *   lookahead and all (see the quirk catalogue Q07-Q11, Q26).
 */
export type Profile = "ict" | "seed-v0.1";

/** All profiles, default first. */
export const PROFILES: readonly Profile[] = ["ict", "seed-v0.1"];

/**
 * The named rules a profile is made of. A profile is a preset of these rules,
 * not a code path: each detector reads the rule it depends on, and each kernel
 * receives that rule as a flag of its own name.
 */
export interface ProfileRules {
  /**
   * When a zone is filled, mitigated, traded through or invalidated.
   * `"firstTouch"`: the first bar after the zone is known whose wick or close
   * reaches the level (causal; every status has its bar). `"lastClose"`: the
   * seed's reading, the last close of the series only (Q05, Q13).
   */
  zoneEvents: "firstTouch" | "lastClose";
  /**
   * What an order block is. `"displacement"`: the last opposite candle within
   * `obLookback` bars before a displacement (a close-to-close move above
   * `displacementAtrMult` ATRs, or a break of structure), known at the
   * displacement. `"adjacentCandle"`: the seed's candle before a strong move
   * or before a close above the series' last swing (Q05, Q06, Q12).
   */
  orderBlock: "displacement" | "adjacentCandle";
  /**
   * What makes an inversion FVG. `"retestAfterClose"`: a retest within
   * `ifvgRetestBars` bars after the close through the gap, working in the
   * opposite role (Q14, Q15). `"closeInWindow"`: the seed's close inside the
   * gap in a window from its middle candle.
   */
  inversion: "retestAfterClose" | "closeInWindow";
  /**
   * What makes a breaker. `"failedThenBreak"`: a failed block followed, within
   * `breakerLookahead` bars, by a break of structure the other way (Q17).
   * `"anyInvalidated"`: the seed's every invalidated block whose direction
   * differs from the last break.
   */
  breaker: "failedThenBreak" | "anyInvalidated";
  /**
   * Structure: swings usable only once confirmed (`causal`), a level broken
   * once (`consume`), the newest swing winning a double cross (`newestWins`)
   * (Q07-Q09); the seed reads every close beyond its current level.
   */
  causalStructure: boolean;
  /** Equal highs or lows: `"later"` the later pivot is the swing (a double top is one), `"strict"` neither (the seed). */
  equalPivots: "later" | "strict";
  /** Whether the `minGapAtr` option filters small gaps (the seed keeps every gap). */
  gapSizeFilter: boolean;
  /**
   * Whether three candles with a session break among them (bars further
   * apart than continuous trading: the night, a weekend, the futures' daily
   * halt) can leave a fair value gap. `ict`: no — the price jump across a
   * break is an opening gap (the levels' `opening_gap`, NDOG/NWOG), not a
   * gap left by displacement. The seed looks at bars only.
   */
  gapsAcrossBreaks: boolean;
  /**
   * The leg EQ and OTE are measured on. `"lastBreak"`: from the origin swing of
   * the last break (the last swing on the other side confirmed before it) to
   * the extreme reached since, OTE measured from the leg's end (Q10, Q11).
   * `"lastSwings"`: the seed's last swing high and last swing low of the whole
   * series in any order, OTE measured up from the low.
   */
  equilibriumLeg: "lastBreak" | "lastSwings";
  /**
   * What an SMT divergence compares. `"ownPreviousSwing"`: each instrument's
   * swing against its own previous swing, pairs within `smtWindowBars`, known
   * at the later swing's confirmation (Q03). `"lastSwingsAcross"`: the seed's
   * last swing prices of the two instruments compared with each other in a
   * trailing window.
   */
  smtCompare: "ownPreviousSwing" | "lastSwingsAcross";
  /**
   * When an SMT divergence stops counting. `"closeBeyondExtreme"`: the first
   * close of the primary beyond the extreme of its two swings after the
   * divergence became known (a bullish SMT fails below its lower low, a
   * bearish one above its higher high). `"never"`: the seed's records have no
   * end.
   */
  smtInvalidation: "closeBeyondExtreme" | "never";
  /**
   * Records carry the fields added beside the seed's schema: the break's kind
   * and bar, the leg's direction and origin, the 70.5 % OTE level, the SMT
   * instruments' names. The seed's records have exactly the seed's keys.
   */
  extendedRecords: boolean;
}

/** The rules of each profile. */
export const PROFILE_RULES: Readonly<Record<Profile, Readonly<ProfileRules>>> = Object.freeze({
  ict: Object.freeze({
    zoneEvents: "firstTouch",
    orderBlock: "displacement",
    inversion: "retestAfterClose",
    breaker: "failedThenBreak",
    causalStructure: true,
    equalPivots: "later",
    gapSizeFilter: true,
    gapsAcrossBreaks: false,
    equilibriumLeg: "lastBreak",
    smtCompare: "ownPreviousSwing",
    smtInvalidation: "closeBeyondExtreme",
    extendedRecords: true,
  } as const),
  "seed-v0.1": Object.freeze({
    zoneEvents: "lastClose",
    orderBlock: "adjacentCandle",
    inversion: "closeInWindow",
    breaker: "anyInvalidated",
    causalStructure: false,
    equalPivots: "strict",
    gapSizeFilter: false,
    gapsAcrossBreaks: true,
    equilibriumLeg: "lastSwings",
    smtCompare: "lastSwingsAcross",
    smtInvalidation: "never",
    extendedRecords: false,
  } as const),
});

/** Validates a profile name (undefined means `"ict"`). */
export function resolveProfile(p: unknown): Profile {
  if (p === undefined) return "ict";
  if (p === "ict" || p === "seed-v0.1") return p;
  throw new OptionError("profile", `must be "ict" or "seed-v0.1", got ${quoteValue(p)}`);
}

/** Validates a whole-number option within [min, max]. */
export function intOption(name: string, value: unknown, dflt: number, min: number, max: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionError(name, `must be a whole number from ${min} to ${max}, got ${quoteValue(value)}`);
  }
  return value;
}

/** Validates a finite, non-negative number option. */
export function numOption(name: string, value: unknown, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new OptionError(name, `must be a finite number >= 0, got ${quoteValue(value)}`);
  }
  return value;
}

/** Validates an option with a fixed set of values. */
export function enumOption<T extends string>(name: string, value: unknown, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new OptionError(name, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${quoteValue(value)}`);
}

/** The seed's price tolerance (`PRICE_TOL`): an absolute 1e-6. */
export const PRICE_TOL = 1e-6;

/** Validates a yes/no option (undefined means `dflt`). */
export function boolOption(name: string, value: unknown, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== "boolean") throw new OptionError(name, `must be true or false, got ${quoteValue(value)}`);
  return value;
}

/** Edit distance of two short names (case-insensitive), for "did you mean" hints. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/**
 * Checks an options object up front: it must be a plain object (or undefined),
 * and every key one of `known` — a misspelled option (`fillpolicy`) is an
 * {@link OptionError} naming it and the closest known name, not a setting
 * silently ignored. Nested option objects (`atr`) are checked by their own
 * readers.
 */
export function checkOptionKeys(what: string, options: unknown, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options))
    throw new OptionError(what, `options must be an object, got ${quoteValue(options)}`);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const best = known.reduce((b, k) => (distance(key, k) < distance(key, b) ? k : b), known[0]!);
    const hint = distance(key, best) <= Math.max(2, Math.floor(best.length / 3)) ? `; did you mean "${best}"?` : "";
    throw new OptionError(key, `unknown option of ${what}${hint} (known: ${known.join(", ")})`);
  }
}
