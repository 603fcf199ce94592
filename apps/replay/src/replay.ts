import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  createLevelsStream,
  IctError,
  OptionError,
  sliceColumns,
  tradingDay,
  type Columns,
  type InstrumentClass,
  type LevelsStream,
  type Profile,
} from "@ict/core";
import {
  createLlmProvider,
  createWatchlist,
  DEFAULT_HISTORY_DAYS,
  historyStart,
  instrumentOf,
  LlmError,
  nyDate,
  promptKey,
  promptsLine,
  tick,
  type ContextDoc,
  type LlmAnswer,
  type LlmProvider,
  type TickOutput,
} from "@ict/pipeline";
import { BackgroundWriter, capsulePath, contextPath, processedDir, writeCapsule, writeContext } from "@ict/pipeline/node";
import { checkReportOptions, DayReportCollector, reportDays, writeDayReport, writeReportIndex } from "./report/index.js";

/** The output already holds results for days of this replay, and overwriting was not allowed. */
export class OutputExistsError extends IctError {
  constructor(
    readonly out: string,
    readonly days: readonly string[],
  ) {
    super(
      `${out} already holds outputs for ${days[0]}${days.length > 1 ? ` and ${days.length - 1} more day${days.length > 2 ? "s" : ""}` : ""}; pass --overwrite to replace them`,
    );
  }
}

/** The model refused to go on (a refused key, no quota, the failure budget spent): the run stopped. */
export class LlmFatalError extends IctError {
  constructor(readonly cause: LlmError) {
    super(`llm: ${cause.message}; the run stopped`);
  }
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Validated 1m bars per symbol (any span of days). */
  bars: Record<string, Columns>;
  /** First and last New York day to replay (inclusive), `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  /** Output root: files go to ROOT/data/daily_news/<day>/processed/. */
  out: string;
  profile?: Profile;
  /** `every`: write capsules and context at every tick; `close`: at each day's last tick. */
  write?: "every" | "close";
  /** The model that reads each prompt (default: the deterministic `offline` provider). */
  llm?: LlmProvider;
  /** Receives one line per failed LLM call (the run goes on). */
  log?: (msg: string) => void;
  /** Called after every tick (progress). */
  onTick?: (done: number, total: number, day: string) => void;
  /** Write each day's `report.html` (charts, zones, stages) and the index `out/data/daily_news/index.html` (default true). */
  report?: boolean;
  /** Replace the outputs of days already in `out` (default false: {@link OutputExistsError} before anything is written). */
  overwrite?: boolean;
  /** The report shows only the N nearest zones above and below price per timeframe (default: every zone). */
  reportZones?: number;
  /**
   * `ict`: how many New York days of the same bars before the first replayed
   * day feed the levels (previous day, week and month, overnight) before it
   * starts (default {@link DEFAULT_HISTORY_DAYS}; days before `from` in the
   * input). Later days carry the levels on from the days replayed before them.
   */
  historyDays?: number;
  /** `ict`: each symbol's instrument class (default: `instrumentOf` the symbol). */
  instruments?: Readonly<Record<string, InstrumentClass | undefined>>;
  /** SMT pairs, symbol → reference (default: QQQ and IWM against SPY when SPY is replayed). */
  smtPairs?: Readonly<Record<string, string>>;
}

/** What a replay did. */
export interface ReplaySummary {
  days: string[];
  ticks: number;
  symbols: string[];
  /** Confluences of the final context of each day, by `KIND:tf:status`. */
  confluences: Record<string, number>;
  /** LLM calls made (a symbol's prompt is sent when it changed since its previous tick) and how many failed. */
  llm: { provider: string; model: string; calls: number; failures: number };
  seconds: number;
  /** Paths of the written day reports (`report.html`), in day order. */
  reports: string[];
  /** Path of the report index over every day under `out` (null when no report was written). */
  reportIndex: string | null;
}

interface DayIndex {
  day: string;
  /** Per symbol: [from, to) rows of that day. */
  rows: Map<string, [number, number]>;
  /** The day's distinct bar times, ascending (the ticks). */
  times: number[];
}

/** How a replay names the days of its bars: the profile and the symbols' instrument classes. */
export interface DayRule {
  profile?: Profile;
  instruments?: ReplayOptions["instruments"];
}

/**
 * The trading day of a symbol's bar: with `ict`, the day of its instrument
 * class (futures: the CME day from 18:00 New York the evening before; equities
 * and crypto: the New York date); the seed's days are New York dates.
 */
function dayOf(sym: string, rule: DayRule): (t: number) => string {
  if (rule.profile === "seed-v0.1") return nyDate;
  const instrument = (rule.instruments && Object.hasOwn(rule.instruments, sym) ? rule.instruments[sym] : undefined) ?? instrumentOf(sym);
  return instrument === "futures" ? (t) => tradingDay(t, "futures") : nyDate;
}

/** The trading days a replay of `bars` over `from`…`to` covers, ascending (see {@link replay}). */
export function replayDays(bars: Record<string, Columns>, from?: string, to?: string, rule: DayRule = {}): string[] {
  return indexDays(bars, from, to, rule).map((d) => d.day);
}

/** The days of `days` whose outputs (`processed/` folder) already exist under `out`. */
export function existingDays(out: string, days: readonly string[]): string[] {
  return days.filter((d) => existsSync(processedDir(out, d)));
}

const STAGING = /^\.ict-staging-(\d+)$/;
const TEMP = /^\..+\.(\d+)\.[0-9a-z]+\.[0-9a-z]+\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes what killed runs left under `out`: staging folders
 * (`.ict-staging-<pid>`) and temporary files of atomic writes
 * (`.<name>.<pid>.….tmp`) in the days' `processed/` folders, when the process
 * that made them is gone. Returns how many were removed.
 */
export function removeStale(out: string): number {
  let n = 0;
  const list = (d: string) => {
    try {
      return readdirSync(d, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  for (const e of list(out)) {
    const m = STAGING.exec(e.name);
    if (m && e.isDirectory() && !alive(Number(m[1]))) {
      rmSync(join(out, e.name), { recursive: true, force: true });
      n++;
    }
  }
  const news = join(out, "data", "daily_news");
  for (const day of list(news)) {
    if (!day.isDirectory()) continue;
    for (const dir of [join(news, day.name, "processed"), join(news, day.name, "processed", "context_capsules")]) {
      for (const f of list(dir)) {
        const m = TEMP.exec(f.name);
        if (m && f.isFile() && !alive(Number(m[1]))) {
          rmSync(join(dir, f.name), { force: true });
          n++;
        }
      }
    }
  }
  return n;
}

/**
 * Per symbol, a levels stream fed with its bars of the `n` New York days
 * (that have bars) before `first`, and the row where that history starts
 * (the higher timeframes of each day see the rows from there on).
 */
function historyLevels(
  bars: Record<string, Columns>,
  first: string | undefined,
  n: number,
  instruments: ReplayOptions["instruments"],
): { levels: Record<string, LevelsStream>; start: Record<string, number> } {
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw new OptionError("historyDays", `must be a whole number of days from 0 to 1000, got ${n}`);
  const out: Record<string, LevelsStream> = Object.create(null);
  const starts: Record<string, number> = Object.create(null);
  for (const [sym, cols] of Object.entries(bars)) {
    const instrument = (instruments && Object.hasOwn(instruments, sym) ? instruments[sym] : undefined) ?? instrumentOf(sym);
    const lv = (out[sym] = createLevelsStream({ instrument }));
    // The rows before the first replayed day, and the start of the n-th day back among them (n = 0: none).
    const dayAt = dayOf(sym, { instruments });
    let end = 0;
    while (first !== undefined && end < cols.length && dayAt(cols.t[end]!) < first) end++;
    const start = historyStart(sliceColumns(cols, 0, end), n);
    for (let i = start; i < end; i++) lv.push({ t: cols.t[i]!, o: cols.o[i]!, h: cols.h[i]!, l: cols.l[i]!, c: cols.c[i]! });
    starts[sym] = start;
  }
  return { levels: out, start: starts };
}

/**
 * The context an earlier run wrote for the last day before `first` that has
 * bars (`current_context.json` of its processed folder), or null: a replay
 * that starts where an earlier one into the same folder stopped continues
 * its confluences, as one run over all the days would (and as the live loop
 * does after a restart).
 */
function earlierContext(out: string, bars: Record<string, Columns>, first: string | undefined, rule: DayRule): ContextDoc | null {
  if (first === undefined) return null;
  let prev = "";
  for (const [sym, cols] of Object.entries(bars)) {
    const dayAt = dayOf(sym, rule);
    let i = 0;
    while (i < cols.length && dayAt(cols.t[i]!) < first) i++;
    if (i > 0 && dayAt(cols.t[i - 1]!) > prev) prev = dayAt(cols.t[i - 1]!);
  }
  const file = prev === "" ? null : contextPath(out, prev);
  if (file === null || !existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ContextDoc;
  } catch {
    return null; // not a context file: the day starts without one
  }
}

/** Groups each symbol's bars by New York trading day. */
function indexDays(bars: Record<string, Columns>, from: string | undefined, to: string | undefined, rule: DayRule): DayIndex[] {
  const days = new Map<string, DayIndex>();
  for (const [sym, cols] of Object.entries(bars)) {
    const dayAt = dayOf(sym, rule);
    let i = 0;
    while (i < cols.length) {
      const day = dayAt(cols.t[i]!);
      let j = i + 1;
      while (j < cols.length && dayAt(cols.t[j]!) === day) j++;
      if ((!from || day >= from) && (!to || day <= to)) {
        let d = days.get(day);
        if (!d) days.set(day, (d = { day, rows: new Map(), times: [] }));
        d.rows.set(sym, [i, j]);
      }
      i = j;
    }
  }
  const out = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  for (const d of out) {
    const set = new Set<number>();
    for (const [sym, [a, b]] of d.rows) for (let k = a; k < b; k++) set.add(bars[sym]!.t[k]!);
    d.times = [...set].sort((x, y) => x - y);
  }
  return out;
}

/**
 * Replays history through the live pipeline: for every New York trading day,
 * every distinct 1m bar time is one tick, and each tick calls the same
 * `tick(...)` as the live loop with only the bars known at that moment (the
 * day's bars up to and including that bar). Writes the capsules, the merged
 * `current_context.json` and one JSON line per prompt per tick
 * (`prompts.jsonl`) under `out`. The same input gives byte-identical output.
 * With `ict` each day starts from the previous day's last context (the
 * first day: from the file an earlier run into `out` wrote for the day
 * before it, if any) and sees the days before it (levels, higher
 * timeframes, the zone history), as the live loop does.
 *
 * All or nothing, day by day: a day is written into a staging folder
 * (`out/.ict-staging-<pid>/`) and its `processed/` folder is renamed into
 * place once complete, so a run that fails (disk full, a fatal model error, a
 * value JSON cannot hold) or is killed leaves every day either as it was
 * before or complete. The staging folder of a failed run is removed; that of
 * a killed one, and stale temporary files, at the next run ({@link removeStale}).
 */
export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  checkReportOptions({ nearestZones: o.reportZones }, "reportZones");
  // Null-prototype maps: a symbol named like an Object member ("constructor") is an ordinary key.
  const bars: Record<string, Columns> = Object.assign(Object.create(null) as Record<string, Columns>, o.bars);
  const symbols = Object.keys(bars);
  const days = indexDays(bars, o.from, o.to, o);
  if (!o.overwrite) {
    const clash = existingDays(
      o.out,
      days.map((d) => d.day),
    );
    if (clash.length > 0) throw new OutputExistsError(o.out, clash);
  }
  const total = days.reduce((s, d) => s + d.times.length, 0);
  let done = 0;
  const confluences: Record<string, number> = {};
  const llm = o.llm ?? createLlmProvider("offline");
  const llmStats = { provider: llm.name, model: llm.model, calls: 0, failures: 0 };
  const reports: string[] = [];
  const perTick = new BackgroundWriter();
  // Folders this run creates, removed again if it fails before a day is complete.
  const created: string[] = [];
  for (let d = join(o.out, "data", "daily_news"); !existsSync(d); d = dirname(d)) created.push(d);
  removeStale(o.out);
  const stage = join(o.out, `.ict-staging-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  let completed = 0;
  // ict: each symbol's levels, fed with the days before the first replayed one and carried from day to day.
  const histEnd = new Map<string, number>();
  const hist = o.profile === "seed-v0.1" ? null : historyLevels(bars, days[0]?.day, o.historyDays ?? DEFAULT_HISTORY_DAYS, o.instruments);
  // ict: the tracker's context of the previous day's last tick, as its file holds it (zones stay tracked
  // overnight); for the first day, that of the day before it in the bars when an earlier run wrote it.
  let overnight: ContextDoc | null = hist === null ? null : earlierContext(o.out, bars, days[0]?.day, o);
  try {
    for (const d of days) {
      const rep = o.report === false ? null : new DayReportCollector(d.day, symbols, o.profile);
      const dir = processedDir(stage, d.day);
      mkdirSync(dir, { recursive: true });
      const promptsFile = join(dir, "prompts.jsonl");
      writeFileSync(promptsFile, "");
      let context: ContextDoc | null = null;
      let last: TickOutput | null = null;
      const cursor = new Map<string, number>();
      // Per symbol: the last prompt sent to the model and its answer (null when the call failed).
      const asked = new Map<string, { prompt: string; answer: LlmAnswer | null; error?: string }>();
      for (const s of symbols) cursor.set(s, d.rows.get(s)?.[0] ?? 0);
      // ict: the day's streams advance one bar per push (createWatchlist, equal to tick() at every
      // bar); seed-v0.1 judges every zone on the last close, so it recomputes the day with tick().
      // The earlier days each symbol's higher timeframes see: from the history's start to this day's first bar.
      const history1m: Record<string, Columns> = Object.create(null);
      if (hist !== null)
        for (const s of symbols) {
          const cols = bars[s]!;
          let end = histEnd.get(s) ?? hist.start[s]!;
          while (end < cols.length && cols.t[end]! < d.times[0]!) end++;
          histEnd.set(s, end);
          history1m[s] = sliceColumns(cols, hist.start[s]!, end);
        }
      const wl =
        hist === null
          ? null
          : createWatchlist({
              watchlist: symbols,
              dayEt: d.day,
              context: overnight,
              levels: hist.levels,
              history1m,
              instruments: o.instruments,
              smtPairs: o.smtPairs,
            });
      for (const now of d.times) {
        const bars1m: Record<string, Columns> = Object.create(null);
        for (const s of symbols) {
          const r = d.rows.get(s);
          if (!r) continue;
          let c = cursor.get(s)!;
          const b = bars[s]!;
          for (; c < r[1] && b.t[c]! <= now; c++) wl?.push(s, { t: b.t[c]!, o: b.o[c]!, h: b.h[c]!, l: b.l[c]!, c: b.c[c]!, v: b.v[c]! });
          cursor.set(s, c);
          bars1m[s] = sliceColumns(b, r[0], c);
        }
        last = wl
          ? wl.tick(now)
          : tick({ watchlist: symbols, bars1m, now, dayEt: d.day, context, profile: o.profile, smtPairs: o.smtPairs });
        context = last.context;
        rep?.add(now, last, bars1m);
        const iso = new Date(now).toISOString();
        let lines = "";
        for (const s of symbols) {
          const prompt = last.prompts[s]!;
          let a = asked.get(s);
          // Asked again when the prompt's substance changed (not its clock, price or distances: promptKey).
          const fresh = a === undefined || promptKey(a.prompt) !== promptKey(prompt);
          if (fresh) {
            llmStats.calls++;
            try {
              a = { prompt, answer: await llm.complete({ symbol: s, dayEt: d.day, now, prompt }) };
            } catch (e) {
              llmStats.failures++;
              if (e instanceof LlmError && e.fatal) throw new LlmFatalError(e);
              a = { prompt, answer: null, error: (e as Error).message };
              o.log?.(`llm ${llm.name} ${s} ${iso}: ${a.error}`);
            }
            asked.set(s, a);
          }
          lines += promptsLine({ t: iso, symbol: s, prompt, llm: llm.name, asked: fresh, answer: a!.answer, error: a!.error });
        }
        try {
          appendFileSync(promptsFile, lines);
        } catch (e) {
          // Named by the file the user will look for (the staging copy is removed).
          throw Object.assign(e as Error, { path: join(processedDir(o.out, d.day), "prompts.jsonl") });
        }
        if (o.write !== "close") {
          // Per tick: atomic but not flushed, off the main thread, compact JSON (the day's folder is
          // staged: the pretty, flushed files written at its last tick below are what the day keeps).
          for (const c of Object.values(last.capsules))
            await perTick.writeJson(capsulePath(stage, c.day_et, c.symbol), c, { compact: true });
          await perTick.writeJson(contextPath(stage, d.day), last.context, { compact: true });
        }
        done++;
        o.onTick?.(done, total, d.day);
      }
      await perTick.flush();
      if (last && wl !== null) overnight = JSON.parse(JSON.stringify(last.context)) as ContextDoc;
      if (last) {
        for (const c of Object.values(last.capsules)) writeCapsule(stage, c);
        writeContext(stage, d.day, last.context);
        if (rep)
          writeDayReport(stage, rep.finish(), { days: [...days.map((x) => x.day), ...reportDays(o.out)], nearestZones: o.reportZones });
      }
      // The day is complete: its folder replaces the previous one (if any) in one rename.
      const final = processedDir(o.out, d.day);
      mkdirSync(dirname(final), { recursive: true });
      const old = join(stage, `old-${d.day}`);
      const replacing = existsSync(final);
      if (replacing) renameSync(final, old);
      try {
        renameSync(dir, final);
      } catch (e) {
        // The previous outputs go back where they were: a failed replacement loses nothing.
        if (replacing) renameSync(old, final);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
      completed++;
      if (last) {
        if (rep) reports.push(join(final, "report.html"));
        for (const s of last.context.symbols) {
          for (const c of s.state?.confluences ?? []) {
            const k = `${c.kind}:${c.tf}:${c.status}`;
            confluences[k] = (confluences[k] ?? 0) + 1;
          }
        }
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === "string" && typeof err.path === "string" && err.path.startsWith(stage))
      err.path = o.out + err.path.slice(stage.length);
    if (typeof err?.code === "string" && err.path === undefined) err.path = processedDir(o.out, days[completed]?.day ?? days[0]!.day);
    await perTick.flush().catch(() => undefined);
    rmSync(stage, { recursive: true, force: true });
    if (completed === 0)
      for (const c of created)
        try {
          rmdirSync(c);
        } catch {
          /* not empty: something else is there */
        }
    throw e;
  }
  rmSync(stage, { recursive: true, force: true });
  const reportIndex =
    reports.length > 0
      ? writeReportIndex(
          o.out,
          days.map((d) => d.day),
        )
      : null;
  return {
    days: days.map((d) => d.day),
    ticks: total,
    symbols,
    confluences,
    llm: llmStats,
    seconds: (performance.now() - started) / 1000,
    reports,
    reportIndex,
  };
}
