/**
 * The streaming API's contract (issue #13). `createStream` (the detectors, one
 * bar at a time) and the watchlist pipeline that consumes it are built against
 * these types; keep them stable.
 */
import type { FeatureOptions, TfFeatures } from "../features/features.js";

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

/** The detector an event belongs to. */
export type StreamEventKind = "swing" | "bos" | "choch" | "fvg" | "ifvg" | "ob" | "bb";

/**
 * What happened: `new` (the zone, swing or break became known), then the
 * status changes of a zone: `mitigated` (a wick traded into it), `filled`
 * (its fill level was reached), `traded` (a close beyond its far side),
 * `retested` (IFVG), `invalidated` (closed beyond its far side in its role).
 */
export type StreamEventType = "new" | "mitigated" | "filled" | "traded" | "retested" | "invalidated";

/** One event that became known at bar `bar`. */
export interface StreamEvent {
  kind: StreamEventKind;
  type: StreamEventType;
  dir: "bull" | "bear";
  /** The record's anchor time (ISO, as in its record: `start` of a zone, `time` of a break or swing). */
  anchor: string;
  /** Index (0-based, in the stream) and ISO time of the bar at which it became known. */
  bar: number;
  time: string;
}

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
