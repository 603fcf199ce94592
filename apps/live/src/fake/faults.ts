/**
 * The fake Alpaca's faults: what can go wrong with the real service, on a
 * schedule. Socket faults act on the stream (a dropped socket; a silent one
 * that the server keeps counting against the one-connection limit for a
 * while, hence 406s; malformed frames; re-sent bars); counted faults make the
 * next connections or requests fail (406 rejections, REST 429 with
 * rate-limit headers, REST 500).
 */

/** A fault, `at` market minutes after the session's first minute opened. */
export type FakeFault =
  | { at: number; kind: "drop" }
  | { at: number; kind: "silent"; holdMs: number }
  | { at: number; kind: "reject406"; count: number }
  | { at: number; kind: "rest429"; count: number; resetMs?: number }
  | { at: number; kind: "rest500"; count: number }
  | { at: number; kind: "malformed" }
  | { at: number; kind: "duplicate" };
// duplicate: re-sends the last minute's bars and the original of the last corrected bar.

/** Whether a fault acts on a stream connection (and so waits for one to be subscribed). */
export function isSocketFault(f: FakeFault): boolean {
  return f.kind === "drop" || f.kind === "silent" || f.kind === "malformed" || f.kind === "duplicate";
}

/** Pending counted faults: each failure uses one up. */
export class FaultCounters {
  reject406 = 0;
  rest429 = 0;
  rest429ResetMs = 2_000;
  rest500 = 0;

  /** Adds a counted fault; returns false for a socket fault (not counted here). */
  add(f: FakeFault): boolean {
    switch (f.kind) {
      case "reject406":
        this.reject406 += f.count;
        return true;
      case "rest429":
        this.rest429 += f.count;
        this.rest429ResetMs = f.resetMs ?? 2_000;
        return true;
      case "rest500":
        this.rest500 += f.count;
        return true;
      default:
        return false;
    }
  }

  /** Uses one pending fault of `kind` if there is one. */
  take(kind: "reject406" | "rest429" | "rest500"): boolean {
    if (this[kind] <= 0) return false;
    this[kind]--;
    return true;
  }
}

/**
 * The frames of a `malformed` fault for symbol `sym`: not JSON, not a list,
 * messages without a type or a symbol, a bar with a bad time, a string
 * price, and a bar invalid even after the open/close repair (negative
 * volume). Each must be logged and skipped.
 */
export function malformedFrames(sym: string, sessionStart: number): string[] {
  return [
    "this is not json",
    JSON.stringify({ T: "b", S: sym }),
    JSON.stringify([{ S: sym, o: 1 }]),
    JSON.stringify([{ T: "b", S: sym, t: "not a time", o: 1, h: 1, l: 1, c: 1, v: 1 }]),
    JSON.stringify([{ T: "b", S: sym, t: new Date(sessionStart).toISOString(), o: 10, h: 9, l: 8, c: 9.5, v: -5 }]),
    JSON.stringify([{ T: "b", S: sym, t: new Date(sessionStart + 60_000).toISOString(), o: "1", h: 2, l: 0.5, c: 1, v: 5 }]),
    JSON.stringify([{ T: "b", t: new Date(sessionStart).toISOString(), o: 1, h: 1, l: 1, c: 1, v: 1 }]),
  ];
}
