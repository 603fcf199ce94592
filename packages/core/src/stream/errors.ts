/**
 * Typed errors of the streaming detectors (issue #13).
 */
import { IctError } from "../base/errors.js";

/**
 * A bar pushed with a time earlier than the last bar and not equal to any bar
 * already pushed: a closed bar can only be appended or revise a known bar.
 */
export class StreamOrderError extends IctError {
  constructor(
    /** The rejected bar's time (epoch ms). */
    readonly time: number,
    /** The last bar's time (epoch ms). */
    readonly last: number,
  ) {
    super(
      `stream push: bar time ${new Date(time).toISOString()} is before the last bar (${new Date(last).toISOString()}) and is not a bar already pushed`,
    );
  }
}

/**
 * A revision of a bar older than the stream's revision window: the stream
 * keeps the bars and checkpoints to replay only the last `revisionWindow`
 * bars (at least), so an older correction cannot be applied in place
 * (recreate the stream from the corrected history instead).
 */
export class StreamRevisionError extends IctError {
  constructor(
    /** The revised bar's time (epoch ms). */
    readonly time: number,
    /** Its index in the stream (-1: older than every bar the stream still holds). */
    readonly index: number,
    /** The oldest bar index that can still be revised. */
    readonly oldest: number,
  ) {
    super(
      `stream push: ${index >= 0 ? `bar ${index}` : "a bar"} (${new Date(time).toISOString()}) is older than the revision window (bars from ${oldest} on can be revised)`,
    );
  }
}

/** A snapshot that cannot be restored (wrong version, kind or shape). */
export class StreamSnapshotError extends IctError {
  constructor(
    /** The snapshot field at fault. */
    readonly field: string,
    /** Its value. */
    readonly value: unknown,
  ) {
    super(`stream snapshot: field "${field}" is invalid (value: ${JSON.stringify(value)?.slice(0, 80)})`);
  }
}
