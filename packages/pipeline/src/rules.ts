import { resolveProfile, type Profile } from "@ict/core";
import { ZONE_HISTORY_DAYS } from "./window.js";

/**
 * The named rules of the pipeline (capsule, tracker, prompt) that differ
 * between profiles. A profile is a preset of these rules, as the detectors'
 * `PROFILE_RULES` in `@ict/core`; the seed's algorithms live in `seed/` and
 * are reached only through them.
 */
export interface PipelineRules {
  /**
   * How confluences are followed. `"lifecycle"`: each record's own events
   * (known, filled, invalidated) at bar time, TTL per timeframe, terminal
   * statuses final and pruned after a retention. `"seedSnapshot"`: the seed's
   * `update_symbol_state`, every record re-judged at each update with the
   * clock frozen (Q18-Q22).
   */
  tracker: "lifecycle" | "seedSnapshot";
  /** Symbols and days must be safe file-name parts (the seed takes them as given). */
  checkedNames: boolean;
  /** The prompt's `CONTEXT_STAGE` also carries the 5m bias and where price sits against the 5m equilibrium. */
  stageWithBias: boolean;
  /**
   * The pipeline can run bar by bar (the watchlist): every detector causal and
   * the tracker lifecycle-based. The seed judges every zone on the last close,
   * so its pipeline only recomputes (`tick`).
   */
  incremental: boolean;
  /**
   * The capsule carries the computed levels (previous day/week/month, the
   * day's opens, overnight range, opening gap) with the user's key levels
   * merged in, and the day's sessions and killzones. The seed passes the
   * user's key levels through untouched.
   */
  levels: boolean;
  /**
   * The prompt opens with the market around the stages: symbol, New York
   * time, last price, sessions, the nearest levels and zones with their
   * distance in ATR (sections `MARKET`, `LEVELS`, `ZONES`). The seed's prompt
   * is its two sections only.
   */
  marketPrompt: boolean;
  /** The capsule carries the 15m, 1h, 4h and daily structure and bias (`features.htf`). */
  higherTimeframes: boolean;
  /**
   * New York days (with bars) of earlier 1m bars the 1m and 5m detectors see
   * before the day ({@link ZONE_HISTORY_DAYS} for `ict`): zones formed on them
   * stay in the capsule until they end, and the tracker's context carries
   * from one day to the next. The seed's capsule is the day's bars only.
   */
  zoneHistoryDays: number;
}

/** The pipeline rules of each profile. */
export const PIPELINE_RULES: Readonly<Record<Profile, Readonly<PipelineRules>>> = Object.freeze({
  ict: Object.freeze({
    tracker: "lifecycle",
    checkedNames: true,
    stageWithBias: true,
    incremental: true,
    levels: true,
    marketPrompt: true,
    higherTimeframes: true,
    zoneHistoryDays: ZONE_HISTORY_DAYS,
  } as const),
  "seed-v0.1": Object.freeze({
    tracker: "seedSnapshot",
    checkedNames: false,
    stageWithBias: false,
    incremental: false,
    levels: false,
    marketPrompt: false,
    higherTimeframes: false,
    zoneHistoryDays: 0,
  } as const),
});

/** The pipeline rules of a profile (default `ict`); a bad profile is an `OptionError`. */
export function pipelineRules(profile: Profile | undefined): Readonly<PipelineRules> {
  return PIPELINE_RULES[resolveProfile(profile)];
}
