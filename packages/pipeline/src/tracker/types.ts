import type { Profile } from "@ict/core";

/** A confluence's life: forming → active → filled | invalidated | expired. */
export type ConfluenceStatus = "forming" | "active" | "filled" | "invalidated" | "expired";

/** One tracked confluence: a detector record plus its identity, status and timestamps. */
export interface Confluence {
  [field: string]: unknown;
  id: string;
  kind: string;
  tf: string;
  status: ConfluenceStatus;
  first_seen_utc: string;
  last_seen_utc: string;
  /** `ict`: when the current status began (bar time). */
  status_since_utc?: string;
}

/** The tracker's per-symbol state (`state` of a symbol entry in `current_context.json`). */
export interface TrackerState {
  htf_stage: "none" | "reversal_seen" | "confirmed";
  ltf_stage: "none" | "scanning" | "entry_window" | "invalidated";
  last_update_utc: string;
  confluences: Confluence[];
  /** `ict`: direction of the last 5m break. */
  bias?: "bull" | "bear" | null;
  /** `ict`: the last 1m close, the 5m equilibrium and where price sits against it. */
  price?: number | null;
  eq_5m?: number | null;
  price_vs_eq?: "premium" | "discount" | "equilibrium" | null;
  /** `ict`: the sessions and killzones the last bar is in. */
  session_now?: string[];
}

/** A symbol's entry in `current_context.json`. */
export interface SymbolState {
  [field: string]: unknown;
  symbol: string;
  state?: TrackerState;
  active_confluences?: string[];
}

/** Options of {@link updateSymbolState}. */
export interface TrackerOptions {
  profile?: Profile;
  /**
   * `ict`: an active record's time-to-live in bars of its timeframe, per
   * timeframe (default 1m: 90, the seed's 90 minutes; 5m: 78, one regular
   * session). Bars, not clock minutes: the nights, weekends and holidays the
   * instrument does not trade do not age a zone. It has expired once the
   * clock is past the open of the `ttlBars`-th bar after the bar it became
   * known on (with contiguous 1m bars: more than 90 minutes after).
   */
  ttlBars?: Partial<Record<string, number>>;
  /**
   * `ict`: each timeframe's bar open times so far (ascending; the bars the
   * detectors saw, earlier days included), which the time-to-live counts.
   * Set by `tick` and the watchlist; without them the bars are taken as
   * contiguous (the TTL is `ttlBars` times the timeframe's length of clock).
   */
  barTimes?: Partial<Record<string, ArrayLike<number>>>;
  /** `ict`: a filled, invalidated or expired record is dropped this many minutes after its status began (default 90). */
  retainMinutes?: number;
  /**
   * `ict`: the timeframe whose structure sets the HTF stage and the bias
   * (default `5m`; `15m`, `1h`, `4h` or `1d` read the capsule's
   * `features.htf`, when it has that timeframe). The entry window still
   * needs an active 5m zone holding price and a 1m confluence in the bias's
   * direction; `eq_5m` stays the 5m equilibrium.
   */
  htfStage?: "5m" | "15m" | "1h" | "4h" | "1d";
  /** `ict`: the last 1m close, for the entry window and premium/discount. */
  price?: number;
  /**
   * `ict`: per timeframe, the start time (epoch ms) of a last bar that is not
   * complete yet; records known at or after it are `forming`.
   */
  incompleteSince?: Partial<Record<string, number>>;
}

/** The statuses a confluence never leaves. */
export const TERMINAL: ReadonlySet<string> = new Set(["filled", "invalidated", "expired"]);
