/** The events a stream reports: what became known, and at which bar. */

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
