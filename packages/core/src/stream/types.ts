/**
 * The streaming API's contract (issue #13). `createStream` (the detectors, one
 * bar at a time) and the watchlist pipeline that consumes it are built against
 * these types; keep them stable.
 */
import type { FeatureOptions, TfFeatures } from "../features/features.js";
import type { StreamEvent } from "../base/stream-events.js";

export type { StreamEvent, StreamEventKind, StreamEventType } from "../base/stream-events.js";

/** A closed bar as pushed into a stream (validated like every other input). */
export interface StreamBar {
  /** Bar start: epoch ms, an ISO 8601 string (no zone = UTC) or a Date. */
  t: number | string | Date;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Volume; missing reads as 0. */
  v?: number;
}

/** Options of {@link FeatureStream}: those of `computeFeatures` (profile `ict` only). */
export type StreamOptions = FeatureOptions;

/** What one {@link FeatureStream.push} changed. */
export interface StreamUpdate {
  /**
   * Index of the first bar whose events may have changed: the new bar's index
   * for an append, the revised bar's index for a revision. Consumers drop
   * every event they hold with `bar >= from`, then add `events`.
   */
  from: number;
  /** True when the push revised a bar already pushed (same time). */
  revised: boolean;
  /** Every event known at a bar `>= from`, in bar order. */
  events: StreamEvent[];
}

/** A JSON-serialisable stream state (see {@link restoreStream}). */
export interface StreamSnapshot {
  version: 1;
  options: StreamOptions;
  [field: string]: unknown;
}

/**
 * The features of one timeframe, one bar at a time. After any sequence of
 * pushes, `features()` equals `computeFeatures(barsSoFar, options)` record for
 * record and key for key, where `barsSoFar` is the history with every revision
 * applied.
 */
export interface FeatureStream {
  /** Appends a closed bar (later time) or revises one already pushed (same time); an earlier unknown time is an error. */
  push(bar: StreamBar): StreamUpdate;
  /** Same value as `computeFeatures(barsSoFar, options)`. */
  features(): TfFeatures;
  /** A JSON-serialisable state; `restoreStream(snapshot)` continues identically. */
  snapshot(): StreamSnapshot;
  /** Bars pushed so far (revisions not counted). */
  readonly length: number;
}
