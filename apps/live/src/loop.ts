/**
 * The live loop: Alpaca bars in (stream and REST backfill), ticks out.
 *
 * Every bar is repaired when its open or close lies outside its high–low
 * range (Alpaca's bars take their open, high, low and close from different
 * sets of trades, by trade condition, so the 09:30 open can lie above the
 * high: the high becomes max(o, h, c), the low min(o, l, c); counted), then
 * validated (a bad one is logged with its symbol, time and field and
 * skipped), deduplicated on (symbol, t), journaled to disk, and then fed
 * to the day's {@link DayChain}, which ticks each closed minute once every
 * watched symbol has reported it (or after a short debounce), rewinds for
 * late and corrected bars, asks the LLM about changed prompts and writes the
 * files. After every (re)subscription the gap is backfilled over REST from a
 * little before the last bar received; after the regular session's close the
 * whole day is reconciled once against REST. A restarted loop rebuilds its
 * state from the day's journal and files, then backfills. Start-up is
 * bounded (the stream must subscribe within `startTimeoutMs`); after that the
 * stream reconnects for as long as the loop runs. Keys refused (stream,
 * REST or calendar) and a fatal LLM error (`fatal: true`: keys refused,
 * quota exhausted) stop it: {@link LiveLoop.whenFatal}.
 */
import {
  BarValidationError,
  columnsFromBars,
  createLevelsStream,
  IctError,
  OptionError,
  repairOhlc,
  type Columns,
  type LevelsStream,
  type Profile,
} from "@ict/core";
import {
  createLlmProvider,
  DEFAULT_HISTORY_DAYS,
  instrumentOf,
  nyDate,
  pipelineRules,
  type ContextDoc,
  type LlmProvider,
} from "@ict/pipeline";
import { contextPath, writeFileAtomic } from "@ict/pipeline/node";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { AlpacaRest } from "./alpaca/rest.js";
import { AlpacaStream, type StreamTimings } from "./alpaca/stream.js";
import { AlpacaAuthError, AlpacaError, streamFeedUrl, type AlpacaBar, type AlpacaConfig } from "./alpaca/types.js";
import { BarStore, Journal, journalPath, parseAlpacaBar, readJournal, type BarSource, type JournalRecord } from "./barstore.js";
import { addDays, nyDayStart, TradingCalendar } from "./calendar.js";
import { DayChain, type ChainStats, type Settled } from "./chain.js";
import { sleepMarket, systemClock, wallMs, type Clock } from "./clock.js";

/** Options of {@link LiveLoop}. */
export interface LoopOptions {
  symbols: readonly string[];
  out: string;
  alpaca: AlpacaConfig;
  profile?: Profile;
  clock?: Clock;
  /** The model that reads changed prompts (default: the deterministic `offline` provider). */
  llm?: LlmProvider;
  llmConcurrency?: number;
  llmMaxLagMs?: number;
  /** Market ms to wait for the other symbols' bar of a minute (default 5 s). */
  debounceMs?: number;
  /** SMT pairs, symbol → reference (default: QQQ and IWM against SPY when SPY is watched). */
  smtPairs?: Readonly<Record<string, string>>;
  /** Backfills start this long before the last bar received, to pick up corrections missed while away (market ms, default 5 min). */
  backfillLookbackMs?: number;
  /**
   * `ict`: New York days with bars before the first day that the levels,
   * higher timeframes and zone history see (default 65, as `ict replay
   * --history-days`): the journals of that many earlier days in `out` are
   * read when a day opens, and on start those of them `out` has no journal
   * for are fetched over REST and written as their journals. 0: none.
   */
  historyDays?: number;
  /** Reconcile the whole day over REST this long after the regular close (market ms, default 5 min; null: never). */
  reconcileAfterCloseMs?: number | null;
  streamTimings?: Partial<StreamTimings>;
  restTimeoutMs?: number;
  restRetries?: number;
  /**
   * Real ms the first subscription may take before {@link LiveLoop.start}
   * gives up with a {@link StartupError} (default 60 s). Only the start-up is
   * bounded: once subscribed, the stream reconnects indefinitely.
   */
  startTimeoutMs?: number;
  /** Market ms between two attempts at the calendar after a failed one (default 30 min). */
  calendarRetryMs?: number;
  random?: () => number;
  fetch?: typeof fetch;
  log?: (msg: string) => void;
}

/** What a run did. */
export interface LoopSummary {
  day: string | null;
  bars: number;
  added: number;
  duplicates: number;
  corrected: number;
  stale: number;
  invalid: number;
  /** Bars stored after a repair of their open or close lying outside the high–low range (high = max(o,h,c), low = min(o,l,c)); once per stored version. */
  repaired: number;
  ignored: number;
  /** Bars read back from the journal at a restart. */
  restored: number;
  backfills: number;
  backfilledBars: number;
  stream: AlpacaStream["stats"];
  rest: AlpacaRest["stats"];
  chain: ChainStats;
}

/** The loop could not start: the stream never subscribed within the start-up time (unreachable host, proxy, DNS...). */
export class StartupError extends IctError {}

/** The live loop. */
export class LiveLoop {
  readonly store = new BarStore();
  readonly rest: AlpacaRest;
  readonly calendar: TradingCalendar;
  private stream: AlpacaStream | null = null;
  private readonly clock: Clock;
  private readonly llm: LlmProvider;
  private readonly log: (msg: string) => void;
  private day: string | null = null;
  private chain: DayChain | null = null;
  private journal: Journal | null = null;
  private pending: JournalRecord[] = [];
  private flushScheduled = false;
  private debounceTimer: NodeJS.Timeout | null = null;
  private sessionTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private backfillRunning: Promise<void> | null = null;
  private backfillAgain = false;
  private readonly reconciled = new Set<string>();
  private readonly cache = new Map<string, Promise<Settled | "aborted">>();
  private readonly retired: DayChain[] = [];
  private fatalError: Error | null = null;
  private fatalWaiters: Array<(e: Error) => void> = [];
  private readyWaiters: Array<() => void> = [];
  private readonly abort = new AbortController();
  /** The New York day the calendar was last fetched for, and when an attempt last failed (market ms). */
  private calendarDay: string | null = null;
  private calendarFailedAt = -Infinity;
  private calendarLoading: Promise<void> | null = null;
  private counters = { ignored: 0, backfills: 0, backfilledBars: 0, restored: 0, repaired: 0 };
  private chainTotals: ChainStats = {
    ticks: 0,
    rewinds: 0,
    reticks: 0,
    restored: 0,
    llmCalls: 0,
    llmFailures: 0,
    llmSkipped: 0,
    llmReused: 0,
  };

  constructor(private readonly o: LoopOptions) {
    const h = o.historyDays;
    if (h !== undefined && !(Number.isInteger(h) && h >= 0 && h <= 1000))
      throw new OptionError("historyDays", `must be a whole number of days from 0 to 1000, got ${JSON.stringify(h)}`);
    this.clock = o.clock ?? systemClock;
    this.llm = o.llm ?? createLlmProvider("offline");
    this.log = o.log ?? ((m) => process.stderr.write(m + "\n"));
    this.rest = new AlpacaRest(o.alpaca, {
      clock: this.clock,
      fetch: o.fetch,
      timeoutMs: o.restTimeoutMs,
      maxRetries: o.restRetries,
      random: o.random,
      log: this.log,
    });
    this.calendar = new TradingCalendar(
      (a, b) => this.rest.calendar(a, b, this.abort.signal),
      join(o.out, "data", "calendar.json"),
      this.log,
    );
  }

  /** The current New York day of the loop. */
  get currentDay(): string | null {
    return this.day;
  }

  /** The error that stopped the loop for good (keys refused, a final stream error, a fatal LLM error), if any. */
  get fatal(): Error | null {
    return this.fatalError;
  }

  /** Resolves with the final error when the loop gives up for good. */
  whenFatal(): Promise<Error> {
    return this.fatalError ? Promise.resolve(this.fatalError) : new Promise((r) => this.fatalWaiters.push(r));
  }

  /**
   * Starts: resumes today's files, opens the stream (which backfills on
   * every subscription), loads the calendar in the background, and arms the
   * end-of-session reconciliation and the daily calendar reload. Resolves
   * once the stream has subscribed; rejects with a {@link StartupError} when
   * it has not within `startTimeoutMs` (real ms), or with the final error
   * (keys refused...) when one comes first. The caller then calls
   * {@link stop}.
   */
  async start(): Promise<void> {
    const today = nyDate(this.clock.now());
    // ict: the earlier days come over REST in the background while the stream connects; the day's
    // bars are journaled meanwhile, and its ticks start once the history is in.
    if ((this.o.historyDays ?? DEFAULT_HISTORY_DAYS) > 0 && pipelineRules(this.o.profile).incremental) {
      this.historyPending = true;
      void this.backfillHistory(today).finally(() => {
        this.historyPending = false;
        if (this.stopping || this.day === null || this.chain !== null) return;
        this.attachChain(this.day);
        this.process();
      });
    }
    this.openDay(today);
    this.stream = new AlpacaStream({
      url: streamFeedUrl(this.o.alpaca.streamUrl, this.o.alpaca.feed),
      keyId: this.o.alpaca.keyId,
      secretKey: this.o.alpaca.secretKey,
      symbols: this.o.symbols,
      clock: this.clock,
      timings: this.o.streamTimings,
      random: this.o.random,
      log: this.log,
      onBar: (m) => this.ingest(m.S, m, m.T),
      onReady: () => {
        for (const w of this.readyWaiters.splice(0)) w();
        void this.backfill();
      },
      onFatal: (e) => this.onFatal(e),
    });
    this.stream.start();
    void this.refreshCalendar(today);
    this.armSessionTimer();
    const limit = this.o.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((r) => this.readyWaiters.push(r)),
        this.whenFatal().then((e) => Promise.reject(e)),
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => {
            const why = this.stream?.lastProblem ? ` (last: ${this.stream.lastProblem})` : "";
            reject(
              new StartupError(
                `could not connect to ${streamFeedUrl(this.o.alpaca.streamUrl, this.o.alpaca.feed)} within ${Math.round(limit / 1000)} s${why}; check the network and the URLs, or raise --start-timeout`,
              ),
            );
          }, limit);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Fetches the calendar month of `day` again (once per New York day; after
   * a failure, again after `calendarRetryMs`). Keys refused by the trading
   * host are fatal: a calendar guessed around them would tick holidays and
   * miss early closes.
   */
  private refreshCalendar(day: string): Promise<void> {
    if (this.calendarLoading) return this.calendarLoading;
    this.calendarLoading = (async () => {
      try {
        const ok = await this.calendar.load(day, true);
        if (ok) this.calendarDay = day;
        else this.calendarFailedAt = this.clock.now();
      } catch (e) {
        if (e instanceof AlpacaAuthError) {
          this.onFatal(new AlpacaAuthError(`calendar: ${e.message.replace(/^calendar: /, "")}`, e.status ?? 403));
        } else this.calendarFailedAt = this.clock.now();
      }
    })().finally(() => {
      this.calendarLoading = null;
    });
    return this.calendarLoading;
  }

  private onFatal(e: Error): void {
    if (this.fatalError) return;
    this.fatalError = e;
    for (const w of this.fatalWaiters.splice(0)) w(e);
  }

  /**
   * Per symbol, its earlier days' 1m bars and the levels (`ict`) fed with them: the journals of up to
   * {@link DEFAULT_HISTORY_DAYS} earlier days under the output folder — the
   * bars `ict replay` of the same days would take as history — so the day
   * starts knowing the previous day, week and month — and the tracker's
   * context of the last of those days (its `current_context.json`), so the
   * zones it tracked carry across the night as in a replay of the same days.
   */
  private earlierDays(
    day: string,
  ): { levels: Record<string, LevelsStream>; history1m: Record<string, Columns>; context: ContextDoc | null } | undefined {
    if (!pipelineRules(this.o.profile).incremental) return undefined;
    const root = join(this.o.out, "data", "daily_news");
    const keep = this.o.historyDays ?? DEFAULT_HISTORY_DAYS;
    const days =
      existsSync(root) && keep > 0
        ? readdirSync(root)
            .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d < day && existsSync(journalPath(this.o.out, d)))
            .sort()
            .slice(-keep)
        : [];
    const store = new BarStore();
    for (const d of days) {
      for (const r of readJournal(journalPath(this.o.out, d))) {
        try {
          const b = parseAlpacaBar(r);
          if (nyDate(b.t) === d && this.o.symbols.includes(r.S)) store.apply(r.S, b);
        } catch {
          /* a journal line is written only after validation */
        }
      }
    }
    const levels: Record<string, LevelsStream> = {};
    const history1m: Record<string, Columns> = {};
    for (const s of this.o.symbols) {
      const lv = (levels[s] = createLevelsStream({ instrument: instrumentOf(s) }));
      const bars = days.flatMap((d) => store.bars(d, s));
      for (const b of bars) lv.push(b);
      history1m[s] = columnsFromBars(bars.map((b) => ({ t: b.t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v })));
    }
    const last = days.at(-1);
    const file = last === undefined ? null : contextPath(this.o.out, last);
    let context: ContextDoc | null = null;
    if (file !== null && existsSync(file)) {
      try {
        context = JSON.parse(readFileSync(file, "utf8")) as ContextDoc;
      } catch (e) {
        this.log(`not carrying ${last}'s context into ${day}: ${(e as Error).message}`);
      }
    }
    return { levels, history1m, context };
  }

  /**
   * `ict`, on start: the bars of the earlier days (up to `historyDays` days
   * with bars) that `out` has no journal for, fetched over REST from the
   * configured feed and written as those days' journals (each atomically),
   * so the day opens knowing them as a replay of the same days would. A
   * failure is logged after a few attempts and the day opens without them
   * (refused keys are fatal).
   */
  private async backfillHistory(today: string): Promise<void> {
    const n = this.o.historyDays ?? DEFAULT_HISTORY_DAYS;
    if (n <= 0 || !pipelineRules(this.o.profile).incremental) return;
    // Calendar days enough for n trading days (weekends and a holiday a fortnight).
    const first = addDays(today, -Math.ceil((n * 7) / 5) - Math.ceil(n / 10) - 3);
    const start = nyDayStart(first);
    const end = nyDayStart(today) - 60_000;
    let bars: Record<string, AlpacaBar[]> | null = null;
    for (let attempt = 0; attempt < 3 && bars === null && !this.stopping; attempt++) {
      try {
        bars = await this.rest.bars({ symbols: this.o.symbols, start, end }, this.abort.signal);
      } catch (e) {
        if (e instanceof AlpacaAuthError) return this.onFatal(e);
        this.log(`history from ${first} failed: ${(e as Error).message}${attempt < 2 ? "; trying again" : "; the day opens without it"}`);
        if (e instanceof AlpacaError && e.final) return;
        try {
          await sleepMarket(this.clock, 5_000 * 2 ** attempt, this.abort.signal);
        } catch {
          return;
        }
      }
    }
    if (bars === null) return;
    const byDay = new Map<string, JournalRecord[]>();
    for (const [S, list] of Object.entries(bars)) {
      if (!this.o.symbols.includes(S)) continue;
      for (const raw of list) {
        let b;
        try {
          // As a streamed bar: an open outside the range is repaired, anything else invalid refused.
          const fixed = { ...raw };
          repairOhlc(fixed);
          b = parseAlpacaBar(fixed);
        } catch {
          continue;
        }
        const day = nyDate(b.t);
        if (day >= today) continue;
        let recs = byDay.get(day);
        if (recs === undefined) byDay.set(day, (recs = []));
        const rec: JournalRecord = { S, t: new Date(b.t).toISOString(), o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, src: "rest" };
        if (b.n !== undefined) rec.n = b.n;
        if (b.vw !== undefined) rec.vw = b.vw;
        recs.push(rec);
      }
    }
    const days = [...byDay.keys()].sort().slice(-n);
    let written = 0;
    let count = 0;
    for (const d of days) {
      const path = journalPath(this.o.out, d);
      if (existsSync(path)) continue;
      const recs = byDay.get(d)!.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.S < b.S ? -1 : 1));
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic(path, recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
      written++;
      count += recs.length;
    }
    if (written > 0) this.log(`history: ${written} earlier days (${count} bars) fetched over REST into their journals`);
  }

  /** Whether the earlier days are still being fetched (the day's chain waits for them). */
  private historyPending = false;

  /** Opens a day: its journal (replayed into the store) and, unless the history is still coming, its chain. */
  private openDay(day: string): void {
    // A day that ends before the history came in is ticked without it.
    if (this.chain === null && this.day !== null) this.attachChain(this.day);
    if (this.chain) {
      this.flush();
      this.chain.step(this.store, { all: true });
      this.retired.push(this.chain);
      this.journal?.close();
    }
    this.day = day;
    this.journal = new Journal(journalPath(this.o.out, day));
    const records = this.journal.open(this.log);
    let restored = 0;
    const before = { ...this.store.stats };
    for (const r of records) {
      try {
        const b = parseAlpacaBar(r);
        if (nyDate(b.t) === day && this.o.symbols.includes(r.S)) {
          this.store.apply(r.S, b);
          restored++;
        }
      } catch {
        /* a journal line is written only after validation */
      }
    }
    // Bars replayed from the journal were counted when first received: count them apart.
    this.counters.restored += this.store.stats.added - before.added;
    Object.assign(this.store.stats, before);
    this.chain = null;
    if (restored) this.log(`resumed ${day}: ${restored} bars from the journal`);
    if (!this.historyPending) this.attachChain(day);
  }

  /** The day's chain (resumed from its files), once the earlier days it starts from are in. */
  private attachChain(day: string): void {
    this.chain = new DayChain({
      day,
      symbols: this.o.symbols,
      out: this.o.out,
      profile: this.o.profile,
      clock: this.clock,
      llm: this.llm,
      llmConcurrency: this.o.llmConcurrency,
      llmMaxLagMs: this.o.llmMaxLagMs,
      debounceMs: this.o.debounceMs,
      smtPairs: this.o.smtPairs,
      cache: this.cache,
      log: this.log,
      onFatal: (e) => this.onFatal(e),
      ...this.earlierDays(day),
    });
    this.chain.resume(this.store);
    if (this.chain.length) this.log(`resumed ${day}: ${this.chain.length} ticks`);
  }

  /**
   * Takes one bar (stream `b`/`u` or REST): validates it, drops duplicates,
   * journals changes and schedules the tick. Returns what happened.
   */
  ingest(
    sym: string,
    raw: AlpacaBar,
    src: BarSource,
    knownAt = this.clock.now(),
  ): "new" | "duplicate" | "corrected" | "stale" | "invalid" | "ignored" {
    if (this.stopping || !this.o.symbols.includes(sym)) {
      this.counters.ignored++;
      return "ignored";
    }
    let bar;
    let repaired: AlpacaBar | null = null;
    try {
      let fixed = raw;
      if (raw !== null && typeof raw === "object" && [raw.o, raw.h, raw.l, raw.c].every((x) => typeof x === "number")) {
        const copy = { ...raw };
        if (repairOhlc(copy)) fixed = repaired = copy;
      }
      bar = parseAlpacaBar(fixed);
    } catch (e) {
      this.store.stats.invalid++;
      const why =
        e instanceof BarValidationError ? `field ${e.field}: ${e.reason} (value ${JSON.stringify(e.value)})` : (e as Error).message;
      this.log(`bar ${sym} ${typeof raw?.t === "string" ? raw.t : "?"} (${src}) skipped: ${why}`);
      return "invalid";
    }
    const day = nyDate(bar.t);
    if (this.day === null || day > this.day) this.openDay(day);
    if (day < this.day!) {
      this.counters.ignored++;
      return "ignored";
    }
    const r = this.store.apply(sym, bar, src, knownAt);
    if (r === "duplicate" || r === "stale") return r;
    if (repaired) {
      // Counted once per stored version (a re-sent or backfilled copy of the same bar is a duplicate).
      this.counters.repaired++;
      this.log(
        `bar ${sym} ${String(raw.t)} (${src}) repaired: o ${raw.o} h ${raw.h} l ${raw.l} c ${raw.c} -> h ${repaired.h} l ${repaired.l}`,
      );
    }
    const rec: JournalRecord = { S: sym, t: new Date(bar.t).toISOString(), o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: bar.v, src };
    if (bar.n !== undefined) rec.n = bar.n;
    if (bar.vw !== undefined) rec.vw = bar.vw;
    this.pending.push(rec);
    this.chain?.noteBar(bar.t);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.process());
    }
    return r;
  }

  /** Journals pending bars (flushed to disk) before anything derived from them is written. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length && this.journal) {
      this.journal.append(this.pending);
      this.pending = [];
    }
  }

  /** Journals, then ticks what is ready, then arms the debounce timer. */
  private process(): void {
    this.flush();
    if (!this.chain) return;
    const due = this.chain.step(this.store, { all: this.stopping });
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    if (due !== null && !this.stopping) {
      this.debounceTimer = setTimeout(() => this.process(), wallMs(this.clock, due - this.clock.now()) + 1);
    }
  }

  /**
   * Fetches the bars since a little before the last one received (or since
   * the day's start) over REST and ingests them; duplicates are dropped,
   * differing bars replace the stored ones. Runs one at a time (a request
   * during a run schedules one more run); a failure is retried later.
   */
  backfill(): Promise<void> {
    if (this.backfillRunning) {
      this.backfillAgain = true;
      return this.backfillRunning;
    }
    this.backfillRunning = (async () => {
      do {
        this.backfillAgain = false;
        if (this.stopping || !this.day) break;
        const day = this.day;
        const lasts = this.o.symbols.map((s) => this.store.lastT(day, s));
        const from = Math.min(...lasts);
        const start = Number.isFinite(from) ? Math.max(nyDayStart(day), from - (this.o.backfillLookbackMs ?? 300_000)) : nyDayStart(day);
        await this.fetchAndIngest(start, "backfill");
      } while (this.backfillAgain && !this.stopping);
    })().finally(() => {
      this.backfillRunning = null;
    });
    return this.backfillRunning;
  }

  /** Re-reads the whole current day over REST (end-of-session reconciliation; the demo's last step). */
  async reconcile(): Promise<void> {
    if (this.backfillRunning) await this.backfillRunning;
    if (!this.day) return;
    await this.fetchAndIngest(nyDayStart(this.day), "reconcile");
    this.reconciled.add(this.day);
  }

  private async fetchAndIngest(start: number, what: string): Promise<void> {
    // Only complete minutes: the bar of minute m is final from m + 1 min.
    const end = Math.floor(this.clock.now() / 60_000) * 60_000 - 60_000;
    if (end < start) return;
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        this.counters.backfills++;
        const askedAt = this.clock.now();
        const bars = await this.rest.bars({ symbols: this.o.symbols, start, end }, this.abort.signal);
        let n = 0;
        let changed = 0;
        for (const [sym, list] of Object.entries(bars)) {
          for (const b of list) {
            n++;
            const r = this.ingest(sym, b, "rest", askedAt);
            if (r === "new" || r === "corrected") changed++;
          }
        }
        this.counters.backfilledBars += changed;
        this.log(`${what} from ${new Date(start).toISOString()}: ${n} bars, ${changed} new or corrected`);
        return;
      } catch (e) {
        if (this.stopping) return;
        if (e instanceof AlpacaAuthError) return this.onFatal(e);
        if (e instanceof AlpacaError && e.final) {
          // Refused as asked (a 4xx other than 401/403/429): asking again gets the same answer.
          this.log(`${what} failed: ${e.message}; final, not retried`);
          return;
        }
        this.log(`${what} failed: ${(e as Error).message}; trying again`);
        try {
          await sleepMarket(this.clock, Math.min(60_000, 5_000 * 2 ** attempt), this.abort.signal);
        } catch {
          return;
        }
      }
    }
  }

  /**
   * Once a minute (market time): the calendar is fetched again when the New
   * York day has changed since it was last fetched (or retried a while after
   * a failure), and after the regular close plus a margin the day is
   * reconciled once.
   */
  private armSessionTimer(): void {
    const after = this.o.reconcileAfterCloseMs === undefined ? 300_000 : this.o.reconcileAfterCloseMs;
    this.sessionTimer = setInterval(
      () => {
        if (this.stopping) return;
        const now = this.clock.now();
        const today = nyDate(now);
        if (this.calendarDay !== today && now - this.calendarFailedAt >= (this.o.calendarRetryMs ?? 1_800_000))
          void this.refreshCalendar(today);
        const day = this.day;
        if (after === null || !day || this.reconciled.has(day)) return;
        const s = this.calendar.session(day);
        if (s && now >= s.close + after) void this.reconcile();
      },
      Math.max(50, wallMs(this.clock, 60_000)),
    );
  }

  /**
   * Stops: no more bars are taken, the socket is closed, the bars already
   * received are ticked, LLM calls in flight get `llmDrainMs` (real ms) to
   * finish, every file is written and flushed. Idempotent.
   */
  stop(llmDrainMs = 10_000): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = (async () => {
      this.stopping = true;
      this.abort.abort(new Error("stopping"));
      if (this.debounceTimer) clearTimeout(this.debounceTimer);
      if (this.sessionTimer) clearInterval(this.sessionTimer);
      await this.stream?.stop();
      this.flush();
      // Stopped before the history came in: the day's bars are ticked without it.
      if (this.chain === null && this.day !== null) this.attachChain(this.day);
      if (this.chain) this.chain.step(this.store, { all: true });
      for (const c of [...this.retired, ...(this.chain ? [this.chain] : [])]) {
        await c.drain(llmDrainMs);
        c.close();
      }
      this.journal?.close();
    })();
    return this.stopped;
  }

  /** Counters of the run. */
  summary(): LoopSummary {
    const chain = { ...this.chainTotals };
    for (const c of [...this.retired, ...(this.chain ? [this.chain] : [])])
      for (const k of Object.keys(chain) as Array<keyof ChainStats>) chain[k] += c.stats[k];
    return {
      day: this.day,
      bars: this.day ? this.store.count(this.day) : 0,
      ...this.store.stats,
      ...this.counters,
      stream: this.stream?.stats ?? { connects: 0, reconnects: 0, limitErrors: 0, watchdogKills: 0, malformed: 0, bars: 0, updatedBars: 0 },
      rest: this.rest.stats,
      chain,
    };
  }
}
