/**
 * The fake Alpaca's timeline: which bar exists for each (symbol, minute),
 * when it is published, when its correction is, on a virtual clock that can
 * run faster than real time. It behaves as Alpaca's documentation says:
 * the bar of minute m is published about 1.5 s after m + 1 min, a correction
 * (an `updatedBars` message, when late-reported trades changed it) at
 * m + 1 min + 30 s; a minute without trades has no bar at all (`silentMinutes`:
 * minutes without a bar for any symbol, plus the thinner symbols' random
 * gaps); and a bar's open can lie above its high (or below its low), since
 * Alpaca takes the open, the high and the low from different sets of trades
 * by trade condition (`openOutside`). REST answers what has been published
 * so far (corrected values included).
 */
import type { AlpacaBar } from "../alpaca/types.js";
import { nyOffsetMs, nyTime } from "../calendar.js";
import { virtualClock } from "../clock.js";
import { correctBar, generateBars } from "./bars.js";

/** Options of the timeline (part of the fake's options). */
export interface TimelineOptions {
  symbols?: readonly string[];
  /** New York trading day (default 2024-03-15). */
  day?: string;
  /** Session start, New York `HH:MM` (default 09:30). */
  open?: string;
  minutes?: number;
  /** Market ms per real ms. */
  speed?: number;
  /** Recorded bars per symbol (replace the generated ones); `t` RFC 3339. */
  bars?: Record<string, AlpacaBar[]>;
  seed?: number;
  gapRate?: number;
  /** Minute indexes (0 = the first minute) without a bar for any symbol: no trades anywhere. */
  silentMinutes?: readonly number[];
  /**
   * Every `every`-th bar (deterministic) has its open put outside its
   * high–low range (alternately a cent above the high and below the low), as
   * Alpaca publishes some bars; null: none. Default: every 13th.
   */
  openOutside?: { every: number } | null;
  /**
   * Every `every`-th bar (deterministic) gets a correction `delayMs` market
   * ms after the end of its minute (Alpaca: 30 s). Default `{ every: 9, delayMs: 30_000 }`.
   */
  corrections?: { every: number; delayMs: number } | null;
  /** Market ms after a minute closes before its bar is published. */
  barDelayMs?: number;
  /** Market ms of clock before the first minute opens. */
  leadMs?: number;
  /** Bars of earlier days per symbol (`t` RFC 3339, in time order): served over REST as published long ago, never streamed. */
  history?: Record<string, AlpacaBar[]>;
}

/** One (symbol, minute): the bar as first published and its correction, if any. */
export interface BarRecord {
  bar: AlpacaBar;
  publishAt: number;
  corrected?: AlpacaBar;
  correctAt?: number;
}

/** A timed action of the fake (a publication or a fault). */
export interface TimedEvent {
  at: number;
  run: () => void;
}

/** The bars of a session and their publication times. */
export class Timeline {
  readonly symbols: readonly string[];
  readonly day: string;
  /** Start of the first minute. */
  readonly sessionStart: number;
  readonly speed: number;
  readonly records = new Map<string, BarRecord>();
  readonly minutes: number[] = [];
  /** Bars of earlier days per symbol (REST only). */
  readonly history: Readonly<Record<string, readonly AlpacaBar[]>>;
  clock!: ReturnType<typeof virtualClock>;
  private readonly events: TimedEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastEventAt = 0;
  private finished = false;
  private finishedWaiters: Array<() => void> = [];

  constructor(private readonly o: TimelineOptions) {
    this.symbols = o.symbols ?? ["SPY", "QQQ", "IWM"];
    this.day = o.day ?? "2024-03-15";
    this.speed = o.speed ?? 60;
    this.history = o.history ?? {};
    this.sessionStart = nyTime(this.day, o.open ?? "09:30");
    const bars =
      o.bars ??
      generateBars({ symbols: this.symbols, start: this.sessionStart, minutes: o.minutes ?? 60, seed: o.seed, gapRate: o.gapRate });
    const delay = o.barDelayMs ?? 1_500;
    const corr = o.corrections === undefined ? { every: 9, delayMs: 30_000 } : o.corrections;
    const outside = o.openOutside === undefined ? { every: 13 } : o.openOutside;
    const silent = new Set((o.silentMinutes ?? []).map((i) => this.sessionStart + i * 60_000));
    let k = 0;
    const times = new Set<number>();
    for (const [S, list] of Object.entries(bars)) {
      for (const b0 of list) {
        const t = Date.parse(b0.t);
        if (silent.has(t)) continue;
        times.add(t);
        let b = b0;
        if (outside && k % outside.every === outside.every - 1) {
          // The open from a trade that the high/low rules exclude: a cent beyond the range.
          b = { ...b0, o: Math.round(((k / outside.every) % 2 < 1 ? b0.h + 0.01 : b0.l - 0.01) * 100) / 100 };
        }
        const rec: BarRecord = { bar: b, publishAt: t + 60_000 + delay };
        if (corr && k % corr.every === corr.every - 1) {
          rec.corrected = correctBar(b, k);
          rec.correctAt = Math.max(rec.publishAt + 1, t + 60_000 + corr.delayMs);
        }
        k++;
        this.records.set(`${S}|${t}`, rec);
      }
    }
    this.minutes = [...times].sort((a, b) => a - b);
  }

  /** The bars as finally served (corrected values where a correction was published), per symbol in time order. */
  served(): Record<string, AlpacaBar[]> {
    const out: Record<string, AlpacaBar[]> = {};
    for (const s of this.symbols) out[s] = [];
    for (const [key, r] of this.records) {
      const S = key.slice(0, key.indexOf("|"));
      (out[S] ??= []).push(r.corrected ?? r.bar);
    }
    for (const l of Object.values(out)) l.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    return out;
  }

  /** The published version of a bar at market time `now`, or null if not yet published. */
  versionAt(r: BarRecord, now: number): AlpacaBar | null {
    if (r.publishAt > now) return null;
    return r.corrected && r.correctAt! <= now ? r.corrected : r.bar;
  }

  /** New York `HH:MM` at which the session ends (the minute after its last bar). */
  get closeHHMM(): string {
    const end = (this.minutes.at(-1) ?? this.sessionStart) + 60_000;
    const local = new Date(end + nyOffsetMs(end));
    return `${String(local.getUTCHours()).padStart(2, "0")}:${String(local.getUTCMinutes()).padStart(2, "0")}`;
  }

  /** Market time when the last bar and correction have been published. */
  get endsAt(): number {
    return this.lastEventAt;
  }

  /**
   * Starts the clock and runs `publish` for every bar and correction at its
   * time, and the `extra` events (faults) at theirs; `afterEach` runs after
   * every batch of due events (one frame per batch, as Alpaca batches a
   * minute's bars).
   */
  start(publish: (S: string, bar: AlpacaBar, T: "b" | "u") => void, extra: TimedEvent[], afterEach: () => void): void {
    this.clock = virtualClock(this.sessionStart - (this.o.leadMs ?? 30_000), this.speed);
    for (const [key, r] of this.records) {
      const S = key.slice(0, key.indexOf("|"));
      this.events.push({ at: r.publishAt, run: () => publish(S, r.bar, "b") });
      if (r.corrected) this.events.push({ at: r.correctAt!, run: () => publish(S, r.corrected!, "u") });
    }
    this.lastEventAt = Math.max(...this.events.map((e) => e.at));
    this.events.push(...extra);
    this.events.sort((a, b) => a.at - b.at);
    this.pump(afterEach);
  }

  private pump(afterEach: () => void): void {
    this.timer = null;
    const now = this.clock.now();
    while (this.events.length && this.events[0]!.at <= now) this.events.shift()!.run();
    afterEach();
    if (!this.finished && now >= this.lastEventAt) {
      this.finished = true;
      for (const w of this.finishedWaiters.splice(0)) w();
    }
    if (this.events.length)
      this.timer = setTimeout(() => this.pump(afterEach), Math.max(0, (this.events[0]!.at - this.clock.now()) / this.speed));
  }

  /** Resolves when every bar and correction has been published. */
  whenFinished(): Promise<void> {
    return this.finished ? Promise.resolve() : new Promise((r) => this.finishedWaiters.push(r));
  }

  /** Stops the clock's events. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
