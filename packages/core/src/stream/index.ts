/**
 * The streaming detectors (issue #13): the features of one timeframe kept up
 * to date one closed bar at a time. Composes the detector streams
 * (`atr`, `swings`, `structure`, `equilibrium`, `fvg`, `ifvg`, `ob`,
 * `breakers`) over one ring of recent bars, with checkpoints for revisions and
 * a JSON-serialisable snapshot.
 */
import { zoneConfig, type ZoneConfig } from "../detectors/zones/zones.js";
import { validateBarInto } from "../io/columns.js";
import { OptionError, quoteValue } from "../base/errors.js";
import { FEATURE_OPTION_KEYS, withAliases, type TfFeatures } from "../features/features.js";
import { checkOptionKeys, intOption } from "../base/profile.js";
import { isoUtc, tfOption, tfSpaced } from "../io/time.js";
import { AtrStream } from "../detectors/atr/stream.js";
import { BarRing } from "../runtime/bar-ring.js";
import { BreakerStream } from "../detectors/breakers/stream.js";
import { StepCtx } from "../detectors/zones/stream-context.js";
import { EquilibriumStream } from "../detectors/equilibrium/stream.js";
import { StreamOrderError, StreamRevisionError, StreamSnapshotError } from "./errors.js";
import { FvgStream } from "../detectors/fvg/stream.js";
import { IfvgStream } from "../detectors/ifvg/stream.js";
import { ObStream } from "../detectors/ob/stream.js";
import { StructureStream } from "../detectors/structure/stream.js";
import { SwingStream } from "../detectors/swings/stream.js";
import { TouchQueue } from "../detectors/zones/touch-stream.js";
import type { FeatureStream, StreamBar, StreamEvent, StreamOptions, StreamSnapshot, StreamUpdate } from "./types.js";

export type {
  FeatureStream,
  StreamBar,
  StreamEvent,
  StreamEventKind,
  StreamEventType,
  StreamOptions,
  StreamSnapshot,
  StreamUpdate,
} from "./types.js";
export { StreamOrderError, StreamRevisionError, StreamSnapshotError } from "./errors.js";

/** Bars between two checkpoints of the working state. */
const CHECKPOINT_EVERY = 64;
/** Default of {@link IncrementalStreamOptions.revisionWindow}: one New York session of 1-minute bars. */
export const DEFAULT_REVISION_WINDOW = 390;
/** Largest `lookback` a stream accepts (it keeps that many bars). */
const MAX_STREAM_LOOKBACK = 1 << 20;

/** Options of {@link createStream}: those of `computeFeatures` (profile `ict` only), plus the revision window. */
export interface IncrementalStreamOptions extends StreamOptions {
  /**
   * How far back (bars) a revision is guaranteed to reach: the stream keeps
   * the bars and checkpoints to replay at least this many of the last bars
   * (default 390; at most 100,000). An older revision is a
   * {@link StreamRevisionError}.
   */
  revisionWindow?: number;
}

/** The detector streams' state, one bar at a time. */
class Detectors {
  readonly touch = new TouchQueue();
  readonly ctx: StepCtx;
  readonly atr: AtrStream;
  readonly sw: SwingStream;
  readonly st: StructureStream;
  readonly eq: EquilibriumStream;
  readonly fvg: FvgStream;
  readonly ifvg: IfvgStream;
  readonly ob: ObStream;
  readonly bb: BreakerStream;

  constructor(
    readonly ring: BarRing,
    readonly cfg: ZoneConfig,
    tf: string,
  ) {
    this.ctx = new StepCtx(ring, cfg, tf, this.touch);
    this.atr = new AtrStream(cfg.atr);
    this.sw = new SwingStream(cfg);
    this.st = new StructureStream(cfg.tol);
    this.eq = new EquilibriumStream(cfg.lookback);
    this.ifvg = new IfvgStream(this.ctx);
    this.fvg = new FvgStream(this.ctx, this.ifvg);
    this.bb = new BreakerStream(this.ctx);
    this.ob = new ObStream(this.ctx, this.bb);
  }

  /** Processes bar t (already in the ring); returns its events. */
  step(t: number): StreamEvent[] {
    const { ring, ctx } = this;
    ctx.begin(t);
    const s = t & ring.mask;
    const h = ring.h[s]!,
      l = ring.l[s]!,
      c = ring.c[s]!;
    this.atr.push(h, l, c);
    const sw = this.sw;
    const flags = sw.step(ring, t);
    if (flags & 1) ctx.emit("swing", "new", -1, isoUtc(ctx.msOf(sw.hi)), 2 * sw.hi);
    if (flags & 2) ctx.emit("swing", "new", 1, isoUtc(ctx.msOf(sw.lo)), 2 * sw.lo + 1);
    const st = this.st;
    const brk = st.step(t, c, flags, sw);
    if (brk !== 0) {
      st.lastTime = ctx.time;
      ctx.emit(st.lastChoch ? "choch" : "bos", "new", brk, st.lastTime, 0);
    }
    this.eq.step(ring, t, flags, brk, sw);
    this.touch.run(t, l, h, c);
    this.ifvg.step();
    this.ob.step(this.atr, brk);
    this.bb.step(brk);
    this.fvg.step(this.atr);
    return ctx.finish();
  }

  /** The small part of the working state (a checkpoint; the zones and record lists are journaled). */
  small(): unknown {
    return {
      atr: this.atr.save(),
      sw: this.sw.save(),
      st: this.st.save(),
      eq: this.eq.save(),
      fvg: this.fvg.small(),
      ifvg: this.ifvg.small(),
      ob: this.ob.small(),
      bb: this.bb.small(),
    };
  }

  /** Back to a checkpoint: undoes the journal to `pos`, restores the small state, queues the open zones' queries again. */
  rewind(pos: number, small: any): void {
    this.ctx.journal.undoTo(pos);
    this.atr.load(small.atr);
    this.sw.load(small.sw);
    this.st.load(small.st);
    this.eq.load(small.eq);
    this.fvg.loadSmall(small.fvg);
    this.ifvg.loadSmall(small.ifvg);
    this.ob.loadSmall(small.ob);
    this.bb.loadSmall(small.bb);
    this.touch.clear();
    this.fvg.rewatch();
    this.ifvg.rewatch();
    this.ob.rewatch();
    this.bb.rewatch();
  }

  /** The whole working state and the record lists, as JSON values. */
  save(): unknown {
    return {
      atr: this.atr.save(),
      sw: this.sw.save(),
      st: this.st.save(),
      eq: this.eq.save(),
      fvg: this.fvg.save(),
      ifvg: this.ifvg.save(),
      ob: this.ob.save(),
      bb: this.bb.save(),
      records: { fvg: this.fvg.list.save(), ifvg: this.ifvg.list.save(), ob: this.ob.list.save(), bb: this.bb.list.save() },
    };
  }

  /** Restores {@link save} (a fresh journal). */
  load(x: any): void {
    this.touch.clear();
    this.atr.load(x.atr);
    this.sw.load(x.sw);
    this.st.load(x.st);
    this.eq.load(x.eq);
    this.fvg.list.load(x.records.fvg);
    this.ifvg.list.load(x.records.ifvg);
    this.ob.list.load(x.records.ob);
    this.bb.list.load(x.records.bb);
    this.fvg.load(x.fvg);
    this.ifvg.load(x.ifvg);
    this.ob.load(x.ob);
    this.bb.load(x.bb);
  }
}

/** A checkpoint: the working state before bar `bar`. */
interface Checkpoint {
  bar: number;
  /** Journal position. */
  pos: number;
  /** The small state (see Detectors.small). */
  small: unknown;
}

class IncrementalStream implements FeatureStream {
  private readonly cfg: ZoneConfig;
  private readonly tf: string;
  private readonly window: number;
  private readonly ring: BarRing;
  private det: Detectors;
  private checkpoints: Checkpoint[] = [];
  /** The working state before the newest bar (null after an older revision or a restore). */
  private beforeLast: Checkpoint | null = null;
  /** Whether the newest bar has been revised at least once (then `beforeLast` is kept). */
  private revisesLast = false;
  private cached: TfFeatures | null = null;
  /** The last copies of the record lists and their versions. */
  private lists: { fvg: [number, unknown[]]; ifvg: [number, unknown[]]; ob: [number, unknown[]]; bb: [number, unknown[]] } = {
    fvg: [-1, []],
    ifvg: [-1, []],
    ob: [-1, []],
    bb: [-1, []],
  };
  private readonly buf = new Float64Array(6);
  private readonly tmp = new Float64Array(6);
  /** The timeframe in ms: bars are whole multiples of it apart. */
  private readonly step: number;

  constructor(readonly options: IncrementalStreamOptions) {
    checkOptionKeys("createStream", options, [...FEATURE_OPTION_KEYS, "revisionWindow"]);
    // computeFeatures reads a missing tf off the bars' spacing; a stream has no bars yet.
    if (typeof options?.tf !== "string" || options.tf === "")
      throw new OptionError("tf", `a stream needs its timeframe label, e.g. "1m" or "5m", got ${quoteValue(options?.tf)}`);
    this.tf = options.tf;
    this.step = tfOption(options.tf) * 60_000;
    this.cfg = { ...streamConfig(options), stepMs: this.step };
    this.window = intOption("revisionWindow", options.revisionWindow, DEFAULT_REVISION_WINDOW, 0, 100_000);
    // Replays start at most window + 2 checkpoint intervals back, and read up to lookback (or 2k) bars before that.
    this.ring = new BarRing(this.window + 2 * CHECKPOINT_EVERY + Math.max(this.cfg.lookback, 2 * this.cfg.k) + 4);
    this.det = new Detectors(this.ring, this.cfg, this.tf);
  }

  get length(): number {
    return this.ring.n;
  }

  /** The oldest bar a revision can reach: the oldest checkpoint's. */
  private get oldestRevisable(): number {
    return this.checkpoints.length > 0 ? this.checkpoints[0]!.bar : this.ring.n;
  }

  private advance(t: number): StreamEvent[] {
    if (t % CHECKPOINT_EVERY === 0) {
      const journal = this.det.ctx.journal;
      this.checkpoints.push({ bar: t, pos: journal.mark(), small: this.det.small() });
      // Keep the checkpoints that cover the last `window` bars (and the one before them).
      const limit = t - this.window;
      while (this.checkpoints.length > 1 && this.checkpoints[1]!.bar <= limit) this.checkpoints.shift();
      journal.dropBefore(this.checkpoints[0]!.pos);
    }
    // A revision replays from a checkpoint at or before the revised bar, so the
    // events it reports are made again: past events need not be kept.
    return this.det.step(t);
  }

  push(bar: StreamBar): StreamUpdate {
    const ring = this.ring;
    const n = ring.n;
    const b = this.buf;
    validateBarInto(bar, n, b);
    const time = b[0]!;
    this.cached = null;
    if (n === 0 || time > ring.t[(n - 1) & ring.mask]!) {
      // A stream does not aggregate: its bars are `tf` bars, so consecutive bars are whole multiples of tf apart
      // (New York-aligned bars of several hours, 4h or 1d, are an hour more or less apart across a DST change).
      if (n > 0 && !tfSpaced(time - ring.t[(n - 1) & ring.mask]!, this.step))
        throw new OptionError(
          "tf",
          `bar ${n} at ${isoUtc(time)} is ${(time - ring.t[(n - 1) & ring.mask]!) / 1000} s after the previous bar: not a ${this.tf} bar (a stream takes bars of its tf; aggregate finer bars first, as the watchlist does for 5m)`,
        );
      ring.set(n, b);
      // Once the newest bar has been revised (a forming bar revised as its parts arrive, as a
      // 5m bar fed by 1m bars), the state before each new bar is kept: revising it then replays
      // that bar alone instead of the bars since the last checkpoint.
      this.beforeLast = this.revisesLast ? { bar: n, pos: this.det.ctx.journal.pos, small: this.det.small() } : null;
      return { from: n, revised: false, events: this.advance(n) };
    }
    const r = ring.indexOf(time);
    if (r < 0) {
      if (time < ring.t[ring.oldest & ring.mask]!) throw new StreamRevisionError(time, -1, this.oldestRevisable);
      throw new StreamOrderError(time, ring.t[(n - 1) & ring.mask]!);
    }
    if (r < this.oldestRevisable) throw new StreamRevisionError(time, r, this.oldestRevisable);
    const revised = b.slice();
    const last = this.beforeLast;
    if (r === n - 1) this.revisesLast = true;
    if (last !== null && last.bar === r && r === n - 1) {
      // Checkpoints made at that bar are made again when it is replayed. The kept state stays
      // valid for the next revision: loading it copies what the bar's processing changes.
      while (this.checkpoints.length > 0 && this.checkpoints[this.checkpoints.length - 1]!.bar >= r) this.checkpoints.pop();
      this.det.rewind(last.pos, last.small);
      const events: StreamEvent[] = [];
      this.replay(r, n, r, revised, events);
      return { from: r, revised: true, events };
    }
    this.beforeLast = null;
    const from = this.rewindTo(r);
    const events: StreamEvent[] = [];
    this.replay(from, n, r, revised, events);
    return { from: r, revised: true, events };
  }

  /** Returns the state to the newest checkpoint at or before bar r (dropping the later ones); returns its bar. */
  private rewindTo(r: number): number {
    let ci = this.checkpoints.length - 1;
    while (this.checkpoints[ci]!.bar > r) ci--;
    const cp = this.checkpoints[ci]!;
    this.checkpoints.length = ci;
    this.det.rewind(cp.pos, cp.small);
    return cp.bar;
  }

  /** Processes the held bars [from, to) again (bar `at` replaced by `bar`), collecting the events from `at` on. */
  private replay(from: number, to: number, at: number, bar: Float64Array | null, events: StreamEvent[] | null): void {
    const ring = this.ring;
    for (let i = from; i < to; i++) {
      if (i === at && bar) ring.set(i, bar);
      else ring.n = i + 1;
      const ev = this.advance(i);
      if (events && i >= at) for (const e of ev) events.push(e);
    }
  }

  features(): TfFeatures {
    if (this.cached) return this.cached;
    const d = this.det;
    const n = this.ring.n;
    this.cached = withAliases({
      tf: this.tf,
      atr_last: n > 0 ? d.atr.last : null,
      ms: d.st.ms(),
      swings: d.eq.value(this.ring, n),
      fvg: this.copy("fvg", d.fvg.list) as TfFeatures["fvg"],
      ifvg: this.copy("ifvg", d.ifvg.list) as TfFeatures["ifvg"],
      ob: this.copy("ob", d.ob.list) as TfFeatures["ob"],
      bb: this.copy("bb", d.bb.list) as TfFeatures["bb"],
    });
    return this.cached;
  }

  /** A copy of a record list, shared between calls while the list is unchanged. */
  private copy(name: "fvg" | "ifvg" | "ob" | "bb", list: { version: number; materialize(): unknown[] }): unknown[] {
    const c = this.lists[name];
    if (c[0] !== list.version) {
      c[0] = list.version;
      c[1] = list.materialize().slice();
    }
    return c[1];
  }

  /**
   * The state at the oldest checkpoint, the bars held and the options: a
   * restore loads that state and replays the bars after it, which rebuilds
   * the journal and checkpoints (revisions after a restore reach as far back
   * as before it).
   */
  snapshot(): StreamSnapshot {
    const n = this.ring.n;
    if (n === 0) return { version: 1, kind: "incremental", options: this.options, base: 0, n: 0, bars: this.ring.save(), state: null };
    const bars = this.ring.save();
    const base = this.checkpoints[0]!.bar;
    const saved = this.checkpoints.slice();
    const cached = this.cached;
    // Back to the oldest checkpoint, the state as JSON text, then forward again over the same bars.
    this.rewindTo(base);
    const state = JSON.stringify(this.det.save());
    this.replay(base, n, -1, null, null);
    // The replay rebuilt the same checkpoints and events; keep the original objects (identical values).
    this.checkpoints = saved;
    this.cached = cached;
    return JSON.parse(
      JSON.stringify({ version: 1, kind: "incremental", options: this.options, base, n, bars, state: JSON.parse(state) }),
    ) as StreamSnapshot;
  }

  /** @internal Restores the state written by {@link snapshot}. */
  restore(x: any): void {
    const bars = x.bars;
    if (!bars || !Array.isArray(bars.t) || typeof bars.from !== "number") throw new StreamSnapshotError("bars", bars);
    if (typeof x.n !== "number" || x.n !== bars.from + bars.t.length) throw new StreamSnapshotError("n", x.n);
    this.ring.load(bars);
    if (x.n === 0) return;
    if (typeof x.base !== "number" || x.base < bars.from || x.base >= x.n || x.base % CHECKPOINT_EVERY !== 0)
      throw new StreamSnapshotError("base", x.base);
    if (x.state === null || typeof x.state !== "object") throw new StreamSnapshotError("state", x.state);
    this.det.load(x.state);
    this.det.ctx.journal.reset(0);
    this.replay(x.base, x.n, -1, null, null);
  }
}

/** Validates the options of a stream: those of `computeFeatures`, profile `ict` only. */
function streamConfig(options: IncrementalStreamOptions): ZoneConfig {
  if (options === null || typeof options !== "object")
    throw new OptionError("options", `must be an object with at least tf, got ${JSON.stringify(options)}`);
  const cfg = zoneConfig(options);
  if (cfg.profile !== "ict") {
    throw new OptionError(
      "profile",
      `a stream needs the causal "ict" profile; "${cfg.profile}" looks ahead (its detectors judge every bar with the whole series), so it has no bar-by-bar form — use computeFeatures for it`,
    );
  }
  if (options.tf === undefined || options.tf === null)
    throw new OptionError("tf", 'is required (the timeframe label written into the records, e.g. "1m")');
  if (cfg.lookback > MAX_STREAM_LOOKBACK)
    throw new OptionError("lookback", `a stream keeps the last lookback bars: at most ${MAX_STREAM_LOOKBACK}, got ${cfg.lookback}`);
  return cfg;
}

/**
 * The features of one timeframe, one closed bar at a time (profile `ict`).
 *
 * Market rule: exactly the detectors of `computeFeatures` — after any
 * sequence of pushes `features()` equals `computeFeatures(barsSoFar, options)`
 * record for record, key for key and bit for bit, where `barsSoFar` is the
 * history with every revision applied. Nothing reported at a bar depends on a
 * later bar.
 *
 * - `push(bar)`: validated like every input (`BarValidationError`, `row` = the
 *   bar's index in the stream). A later time appends; the time of a bar
 *   already pushed revises it (the stream replays from its newest checkpoint
 *   before that bar; revisions reach at least `revisionWindow` bars back,
 *   older ones are a {@link StreamRevisionError}); another earlier time is a
 *   {@link StreamOrderError}. Returns the events known from the pushed bar on.
 * - `features()`: records that can no longer change are built once and
 *   shared between calls (treat them as immutable).
 * - `snapshot()`: JSON; {@link restoreStream} continues identically.
 *
 * Zones that can no longer change (traded gaps, invalidated blocks and
 * inversions) leave the working state; open ones wait in heaps keyed by the
 * price that would change them, so a bar costs the same however long the
 * history.
 *
 * @throws OptionError for a bad option, and for `profile: "seed-v0.1"` (not causal).
 */
export function createStream(options: IncrementalStreamOptions): FeatureStream {
  return new IncrementalStream(options);
}

/**
 * Continues a stream from its {@link FeatureStream.snapshot} (also after a
 * JSON round trip): the same future updates and features as the original.
 *
 * @throws StreamSnapshotError when the snapshot is not one of {@link createStream}'s.
 */
export function restoreStream(snapshot: StreamSnapshot): FeatureStream {
  if (snapshot === null || typeof snapshot !== "object") throw new StreamSnapshotError("snapshot", snapshot);
  if (snapshot.version !== 1) throw new StreamSnapshotError("version", snapshot.version);
  if (snapshot.kind !== "incremental") throw new StreamSnapshotError("kind", snapshot.kind);
  const s = new IncrementalStream(snapshot.options as IncrementalStreamOptions);
  s.restore(snapshot);
  return s;
}
