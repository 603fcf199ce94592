import {
  columnsFromArrays,
  columnsFromBars,
  createLevelsStream,
  createStream,
  IctError,
  type Columns,
  type FeatureStream,
  type InstrumentClass,
  type LevelsStream,
  nyBucketStart,
  resampleNy,
  type StreamBar,
} from "@ict/core";
import {
  assembleCapsule,
  capsuleSmt,
  checkDay,
  checkSymbol,
  instrumentOf,
  levelsFeatures,
  type Capsule,
  type CapsuleFeatures,
  type KeyLevels,
} from "./capsule.js";
import { HTF_DAY_START_MINUTE, HTF_MINUTES, htfHistory, HTFS, htfView, type HtfName, type HtfView } from "./htf.js";
import { buildPrompt, marketSections } from "./prompt.js";
import { smtReferences, trackerOptionsAt, type ContextDoc, type TickInput, type TickOutput } from "./tick.js";
import { pipelineRules } from "./rules.js";
import { lowerBound } from "./sorted.js";
import { DayFilter, dayStartMs, zoneHistory } from "./window.js";
import { IncrementalTracker, type SymbolState } from "./tracker/index.js";

/**
 * New York days of earlier bars that the apps feed into the levels before a
 * day starts (`ict replay --history-days`, the live loop's journals): 65
 * days with bars reach back to the first day of the previous month from any
 * day (a previous week or month is reported only when the bars seen begin by
 * its first day).
 */
export const DEFAULT_HISTORY_DAYS = 65;

/** Options of {@link createWatchlist}. */
export interface WatchlistOptions {
  /** Symbols to update, in order (as `tick`'s `watchlist`). */
  watchlist: readonly string[];
  /** The trading day the bars belong to (`YYYY-MM-DD`: the New York date; for futures the CME day, from 18:00 the evening before). */
  dayEt: string;
  /** Prior-day levels per symbol (the contents of `key_levels.json`). */
  keyLevels?: TickInput["keyLevels"];
  /**
   * The context document to continue from, if any: `current_context.json` of
   * an earlier run of the day, or the previous day's last (zones of earlier
   * days stay tracked across the night).
   */
  context?: ContextDoc | null;
  /** Only `ict`: the seed's profile judges on the last close and is recomputed by `tick`. */
  profile?: "ict";
  /** Tracker options (TTL, retention), as `tick`'s. */
  tracker?: TickInput["tracker"];
  /**
   * Each symbol's 1m bars of earlier days, oldest first, as `tick`'s
   * `history1m`: the higher timeframes start from them, the 1m and 5m
   * detectors from their last `ZONE_HISTORY_DAYS` days, and so do the
   * levels unless `levels` is given.
   */
  history1m?: TickInput["history1m"];
  /**
   * Each symbol's levels stream already fed with its earlier bars (a replay
   * carries one across days instead of re-reading the history); the
   * watchlist pushes the day's bars into it. Takes the place of `history1m` for the levels.
   */
  levels?: Readonly<Record<string, LevelsStream | undefined>>;
  /** Each symbol's instrument class, as `tick`'s `instruments`. */
  instruments?: TickInput["instruments"];
  /** SMT pairs, as `tick`'s `smtPairs`. */
  smtPairs?: TickInput["smtPairs"];
}

/** A symbol's 1m history of the day and the two streams fed from it. */
class SymbolFeed {
  // The day's 1m bars as plain numbers, in time order.
  readonly t: number[] = [];
  readonly o: number[] = [];
  readonly h: number[] = [];
  readonly l: number[] = [];
  readonly c: number[] = [];
  readonly v: number[] = [];
  // The 5m aggregate, the last bucket possibly still forming.
  readonly t5: number[] = [];
  readonly o5: number[] = [];
  readonly h5: number[] = [];
  readonly l5: number[] = [];
  readonly c5: number[] = [];
  readonly v5: number[] = [];
  readonly s1: FeatureStream = createStream({ tf: "1m" });
  readonly s5: FeatureStream = createStream({ tf: "5m" });
  private cols5: Columns | null = null;

  /** The 15m, 1h, 4h and daily streams (New York-aligned buckets of the 1m bars, earlier days first). */
  readonly htf: HtfFeed[];

  /** Index of the day's first 1m bar (the bars before it are the zone history). */
  readonly dayStart: number;

  /**
   * @param lv The symbol's levels, fed with its earlier days.
   * @param history Its 1m bars of earlier days (the higher timeframes start
   *   from them, the 1m and 5m detectors from the last `zoneDays` of them).
   */
  constructor(
    readonly lv: LevelsStream,
    history: Columns | null,
    zoneDays: number,
    instrument: InstrumentClass,
  ) {
    this.htf = HTFS.map((tf) => new HtfFeed(tf, htfHistory(history, tf), HTF_DAY_START_MINUTE[instrument]));
    const z = zoneHistory(history, zoneDays);
    for (let i = 0; i < (z?.length ?? 0); i++) {
      const bar = { t: z!.t[i]!, o: z!.o[i]!, h: z!.h[i]!, l: z!.l[i]!, c: z!.c[i]!, v: z!.v[i]! };
      this.t.push(bar.t);
      this.o.push(bar.o);
      this.h.push(bar.h);
      this.l.push(bar.l);
      this.c.push(bar.c);
      this.v.push(bar.v);
      this.s1.push(bar);
      this.rebucket(i);
    }
    this.dayStart = this.t.length;
  }

  push(bar: StreamBar): void {
    // The one bar-object rule of every input (finite prices, h >= max(o, c), …).
    const b = columnsFromBars([bar]);
    const t = b.t[0]!;
    const n = this.t.length;
    let i: number;
    if (n === 0 || t > this.t[n - 1]!) {
      i = n;
      this.t.push(t);
      this.set(i, b);
    } else {
      i = lowerBound(this.t, t);
      if (this.t[i] !== t || i < this.dayStart)
        throw new IctError(
          `watchlist: a 1m bar at ${new Date(t).toISOString()} arrived after ${new Date(this.t[n - 1]!).toISOString()} and revises no bar pushed this day (bars arrive in time order; a revision repeats a pushed time)`,
        );
      this.set(i, b);
    }
    this.s1.push({ t, o: b.o[0]!, h: b.h[0]!, l: b.l[0]!, c: b.c[0]!, v: b.v[0]! });
    this.lv.push({ t, o: b.o[0]!, h: b.h[0]!, l: b.l[0]!, c: b.c[0]! });
    this.rebucket(i);
    for (const x of this.htf) x.update(this, i);
  }

  private set(i: number, b: Columns): void {
    this.o[i] = b.o[0]!;
    this.h[i] = b.h[0]!;
    this.l[i] = b.l[0]!;
    this.c[i] = b.c[0]!;
    this.v[i] = b.v[0]!;
  }

  /** Rebuilds the 5m bucket of 1m bar `i` from its minutes (as `aggregate(cols, 5)` does) and pushes it. */
  private rebucket(i: number): void {
    const { t: key, o, h, l, c, v } = bucketAt(this, i, bucketOf);
    const m = this.t5.length;
    let k: number;
    if (m === 0 || key > this.t5[m - 1]!) {
      k = m;
      this.t5.push(key);
    } else {
      k = lowerBound(this.t5, key);
    }
    this.o5[k] = o;
    this.h5[k] = h;
    this.l5[k] = l;
    this.c5[k] = c;
    this.v5[k] = v;
    this.s5.push({ t: key, o, h, l, c, v });
    this.cols5 = null;
  }

  /** The 5m aggregate as columns (for SMT). */
  bars5(): Columns {
    return (this.cols5 ??= columnsFromArrays({ t: this.t5, o: this.o5, h: this.h5, l: this.l5, c: this.c5, v: this.v5 }));
  }
}

/**
 * A higher timeframe of a symbol: a stream of New York-aligned buckets, fed
 * first with the buckets of the earlier days, then with the bucket of each
 * 1m bar of the day as it arrives (the forming bucket revised).
 */
class HtfFeed {
  readonly stream: FeatureStream;
  private readonly minutes: number;

  /** @param dayStart The New York minute the instrument's trading day starts at (its buckets count from it). */
  constructor(
    tf: HtfName,
    history: Columns | null,
    private readonly dayStart: number,
  ) {
    this.minutes = HTF_MINUTES[tf];
    this.stream = createStream({ tf });
    if (history !== null) {
      const b = resampleNy(history, this.minutes, dayStart);
      for (let i = 0; i < b.length; i++) this.stream.push({ t: b.t[i]!, o: b.o[i]!, h: b.h[i]!, l: b.l[i]!, c: b.c[i]!, v: b.v[i]! });
    }
  }

  // The newest bucket of the day as aggregated so far: its key, its last 1m bar, its prices.
  private key = NaN;
  private last = -1;
  private o = NaN;
  private h = NaN;
  private l = NaN;
  private c = NaN;
  private v = NaN;

  /** The start of the bucket of an instant. */
  private keyOf(t: number): number {
    return nyBucketStart(t, this.minutes, this.dayStart);
  }

  /** Brings the bucket of the day's 1m bar `i` up to date from its minutes (as `resampleNy` does) and pushes it. */
  update(f: SymbolFeed, i: number): void {
    const key = this.keyOf(f.t[i]!);
    const n = f.t.length;
    if (i === n - 1 && key === this.key && this.last === i - 1) {
      // The next minute of the forming bucket.
      if (f.h[i]! > this.h) this.h = f.h[i]!;
      if (f.l[i]! < this.l) this.l = f.l[i]!;
      this.c = f.c[i]!;
      this.v = this.v + f.v[i]!;
      this.last = i;
    } else if (i === n - 1 && !(key <= this.key) && !(i > 0 && this.keyOf(f.t[i - 1]!) === key)) {
      // The first minute of a new bucket.
      this.key = key;
      this.last = i;
      this.o = f.o[i]!;
      this.h = f.h[i]!;
      this.l = f.l[i]!;
      this.c = f.c[i]!;
      this.v = f.v[i]!;
    } else if (i === n - 1 && !(key <= this.key)) {
      // The day's first minute of a bucket begun on the day before (a futures day from 18:00): its minutes so far.
      ({ last: this.last, o: this.o, h: this.h, l: this.l, c: this.c, v: this.v } = bucketAt(f, i, (t) => this.keyOf(t)));
      this.key = key;
    } else {
      // A revised minute: its bucket again from its minutes.
      const b = bucketAt(f, i, (t) => this.keyOf(t));
      if (key === this.key) ({ last: this.last, o: this.o, h: this.h, l: this.l, c: this.c, v: this.v } = b);
      this.stream.push({ t: key, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v });
      return;
    }
    this.stream.push({ t: key, o: this.o, h: this.h, l: this.l, c: this.c, v: this.v });
  }
}

/**
 * The bucket (`keyOf`) of 1m bar `i` from its minutes, as the batch
 * aggregation builds it: the first minute's open, the extremes, the last
 * close, the summed volume; `last` is its last minute.
 */
function bucketAt(
  f: SymbolFeed,
  i: number,
  keyOf: (t: number) => number,
): { t: number; last: number; o: number; h: number; l: number; c: number; v: number } {
  const key = keyOf(f.t[i]!);
  let first = i;
  while (first > 0 && keyOf(f.t[first - 1]!) === key) first--;
  let h = f.h[first]!,
    l = f.l[first]!,
    c = f.c[first]!,
    v = f.v[first]!;
  let j = first + 1;
  for (; j < f.t.length && keyOf(f.t[j]!) === key; j++) {
    if (f.h[j]! > h) h = f.h[j]!;
    if (f.l[j]! < l) l = f.l[j]!;
    c = f.c[j]!;
    v = v + f.v[j]!;
  }
  return { t: key, last: j - 1, o: f.o[first]!, h, l, c, v };
}

/** Start (epoch ms) of the UTC 5-minute bucket of an instant, as `aggregate(cols, 5)` keys it. */
function bucketOf(t: number): number {
  const m = Math.floor(t / 60_000);
  return (m - (((m % 5) + 5) % 5)) * 60_000;
}

/**
 * The live loop's tick kept up to date bar by bar for one New York day: per
 * symbol a 1m stream and a 5m stream fed by the 5m aggregate of its minutes
 * (the forming bucket revised as its minutes arrive), SMT against its
 * reference, the tracker and the prompt. `tick(now)` returns exactly what
 * {@link tick} returns for the same bars, clock and previous context — the
 * capsules, the context and the prompts, byte for byte — without recomputing
 * the day: the detectors advance one bar per push, and each symbol's tracker
 * updates its confluences in place. The confluence objects of a returned
 * context therefore change at the next tick: serialise or copy what you keep.
 */
export interface Watchlist {
  /**
   * A closed 1m bar of `symbol`: a later time appends, the time of a bar
   * already pushed revises it (a late correction), anything else is an error.
   */
  push(symbol: string, bar: StreamBar): void;
  /** The tick at `now` (epoch ms) over the bars pushed so far; `tick`'s output. */
  tick(now: number): TickOutput;
}

/** Creates a {@link Watchlist} (profile `ict`). */
export function createWatchlist(options: WatchlistOptions): Watchlist {
  if (!pipelineRules(options.profile).incremental)
    throw new IctError(
      `createWatchlist: profile ${JSON.stringify(options.profile)} is not incremental (the seed judges every zone on the last close); use tick()`,
    );
  const dayEt = checkDay(options.dayEt);
  const zoneDays = pipelineRules(options.profile).zoneHistoryDays;
  // Records of the zone history's days are listed while they live (as buildCapsule lists them), from the start of each class's day.
  const dayFilters = new Map<InstrumentClass, DayFilter>();
  const dayFilterOf = (sym: string): DayFilter => {
    const instrument = instrumentFor(sym);
    let d = dayFilters.get(instrument);
    if (d === undefined) dayFilters.set(instrument, (d = new DayFilter(dayStartMs(dayEt, instrument))));
    return d;
  };
  const watchlist = options.watchlist.map((s) => checkSymbol(s));
  const refs = smtReferences(watchlist, options.smtPairs);
  const feeds = new Map<string, SymbolFeed>();
  const instrumentFor = (sym: string): InstrumentClass =>
    (options.instruments && Object.hasOwn(options.instruments, sym) ? options.instruments[sym] : undefined) ?? instrumentOf(sym);
  const feedOf = (sym: string) => {
    let f = feeds.get(sym);
    if (f === undefined) {
      let lv = options.levels && Object.hasOwn(options.levels, sym) ? options.levels[sym] : undefined;
      const h = options.history1m && Object.hasOwn(options.history1m, sym) ? options.history1m[sym] : undefined;
      const instrument = instrumentFor(sym);
      if (lv === undefined) {
        lv = createLevelsStream({ instrument });
        for (let i = 0; i < (h?.length ?? 0); i++) lv.push({ t: h!.t[i]!, o: h!.o[i]!, h: h!.h[i]!, l: h!.l[i]!, c: h!.c[i]! });
      }
      feeds.set(sym, (f = new SymbolFeed(lv, h ?? null, zoneDays, instrument)));
    }
    return f;
  };
  const previous = new Map<string, SymbolState>();
  for (const s of options.context?.symbols ?? []) if (s && typeof s === "object" && typeof s.symbol === "string") previous.set(s.symbol, s);
  const { symbols: _symbols, ...rest } = options.context ?? { symbols: [] };
  const keyLevels = options.keyLevels;
  // Per symbol, its tracker kept between ticks (the streams' records are new objects whenever they change).
  const trackers = new Map<string, IncrementalTracker>();
  const promptMemo = new Map<string, { key: string; prompt: string }>();
  const levelsOf = (sym: string): KeyLevels => (keyLevels && Object.hasOwn(keyLevels, sym) ? keyLevels[sym] : undefined) ?? {};
  return {
    push(symbol, bar) {
      feedOf(checkSymbol(symbol)).push(bar);
    },
    tick(now) {
      if (!Number.isFinite(now)) throw new IctError(`watchlist tick: now must be finite epoch milliseconds, got ${now}`);
      const capsules: Record<string, Capsule> = Object.create(null);
      const prompts: Record<string, string> = Object.create(null);
      for (const sym of watchlist) {
        const f = feedOf(sym);
        const refSym = refs[sym];
        const smt0 = refSym !== undefined ? capsuleSmt(sym, f.bars5(), refSym, feedOf(refSym).bars5(), "ict") : [];
        const dayFilter = dayFilterOf(sym);
        const tf_5m = dayFilter.features(f.s5.features());
        const tf_1m = dayFilter.features(f.s1.features());
        const smt = dayFilter.smt(smt0);
        const features: CapsuleFeatures = { tf_5m, tf_1m, smt, ...levelsFeatures(f.lv.value(), levelsOf(sym)) };
        features.htf = Object.fromEntries(f.htf.map((x, k) => [HTFS[k]!, htfView(x.stream.features())])) as Record<HtfName, HtfView>;
        const capsule = assembleCapsule(sym, dayEt, features, now);
        capsules[sym] = capsule;
        const n = f.t.length;
        let tr = trackers.get(sym);
        if (tr === undefined) trackers.set(sym, (tr = new IncrementalTracker(previous.get(sym) ?? { symbol: sym })));
        const state = tr.update(
          capsule.features,
          now,
          trackerOptionsAt(n > 0 ? f.t[n - 1]! : NaN, n > 0 ? f.c[n - 1]! : NaN, f.t, f.t5, "ict", options.tracker),
        );
        previous.set(sym, state);
        // The stage sections are a function of the stages and the active summaries: unchanged, they are not rebuilt.
        const st = state.state;
        const key = `${st?.htf_stage}\u0001${st?.ltf_stage}\u0001${st?.bias}\u0001${st?.price_vs_eq}\u0001${(state.active_confluences ?? []).join("\u0001")}`;
        const memo = promptMemo.get(sym);
        let stage: string;
        if (memo !== undefined && memo.key === key) stage = memo.prompt;
        else {
          stage = buildPrompt(state, { profile: "ict" });
          promptMemo.set(sym, { key, prompt: stage });
        }
        // The market sections (clock, price, distances) change at every tick.
        prompts[sym] = marketSections(state, { symbol: sym, now, features: capsule.features }) + stage;
      }
      return { dayEt, capsules, context: { ...rest, symbols: [...previous.values()] }, prompts };
    },
  };
}
