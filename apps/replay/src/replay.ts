import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLlmProvider, nyDate, sliceColumns, tick, type Columns, type ContextDoc, type LlmAnswer, type LlmProvider, type Profile, type TickOutput } from "@ict/core";
import { BackgroundWriter, capsulePath, contextPath, processedDir, writeCapsule, writeContext } from "@ict/core/node";
import { checkReportOptions, DayReportCollector, writeDayReport, writeReportIndex } from "./report/index.js";

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
  /** The report shows only the N nearest zones above and below price per timeframe (default: every zone). */
  reportZones?: number;
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
  rows: Record<string, [number, number]>;
  /** The day's distinct bar times, ascending (the ticks). */
  times: number[];
}

/** Groups each symbol's bars by New York trading day. */
function indexDays(bars: Record<string, Columns>, from?: string, to?: string): DayIndex[] {
  const days = new Map<string, DayIndex>();
  for (const [sym, cols] of Object.entries(bars)) {
    let i = 0;
    while (i < cols.length) {
      const day = nyDate(cols.t[i]!);
      let j = i + 1;
      while (j < cols.length && nyDate(cols.t[j]!) === day) j++;
      if ((!from || day >= from) && (!to || day <= to)) {
        let d = days.get(day);
        if (!d) days.set(day, (d = { day, rows: {}, times: [] }));
        d.rows[sym] = [i, j];
      }
      i = j;
    }
  }
  const out = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  for (const d of out) {
    const set = new Set<number>();
    for (const [sym, [a, b]] of Object.entries(d.rows)) for (let k = a; k < b; k++) set.add(bars[sym]!.t[k]!);
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
 */
export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  checkReportOptions({ nearestZones: o.reportZones }, "reportZones");
  const symbols = Object.keys(o.bars);
  const days = indexDays(o.bars, o.from, o.to);
  const total = days.reduce((s, d) => s + d.times.length, 0);
  let done = 0;
  const confluences: Record<string, number> = {};
  const llm = o.llm ?? createLlmProvider("offline");
  const llmStats = { provider: llm.name, model: llm.model, calls: 0, failures: 0 };
  const reports: string[] = [];
  const perTick = new BackgroundWriter();
  for (const d of days) {
    const rep = o.report === false ? null : new DayReportCollector(d.day, symbols, o.profile);
    const dir = processedDir(o.out, d.day);
    mkdirSync(dir, { recursive: true });
    const promptsFile = join(dir, "prompts.jsonl");
    writeFileSync(promptsFile, "");
    let context: ContextDoc | null = null;
    let last: TickOutput | null = null;
    const cursor: Record<string, number> = {};
    // Per symbol: the last prompt sent to the model and its answer (null when the call failed).
    const asked = new Map<string, { prompt: string; answer: LlmAnswer | null; error?: string }>();
    for (const s of symbols) cursor[s] = d.rows[s]?.[0] ?? 0;
    for (const now of d.times) {
      const bars1m: Record<string, Columns> = {};
      for (const s of symbols) {
        const r = d.rows[s];
        if (!r) continue;
        while (cursor[s]! < r[1] && o.bars[s]!.t[cursor[s]!]! <= now) cursor[s]!++;
        bars1m[s] = sliceColumns(o.bars[s]!, r[0], cursor[s]!);
      }
      last = tick({ watchlist: symbols, bars1m, now, dayEt: d.day, context, profile: o.profile });
      context = last.context;
      rep?.add(now, last, bars1m);
      const iso = new Date(now).toISOString();
      let lines = "";
      for (const s of symbols) {
        const prompt = last.prompts[s]!;
        let a = asked.get(s);
        const fresh = a === undefined || a.prompt !== prompt;
        if (fresh) {
          llmStats.calls++;
          try {
            a = { prompt, answer: await llm.complete({ symbol: s, dayEt: d.day, now, prompt }) };
          } catch (e) {
            llmStats.failures++;
            a = { prompt, answer: null, error: (e as Error).message };
            o.log?.(`llm ${llm.name} ${s} ${iso}: ${a.error}`);
          }
          asked.set(s, a);
        }
        const rec: Record<string, unknown> = { t: iso, symbol: s, prompt, llm: llm.name, asked: fresh, answer: a!.answer };
        if (a!.error !== undefined) rec.error = a!.error;
        lines += JSON.stringify(rec) + "\n";
      }
      appendFileSync(promptsFile, lines);
      if (o.write !== "close") {
        // Per tick: atomic but not flushed, off the main thread (the day's last write below is flushed).
        for (const c of Object.values(last.capsules)) await perTick.writeJson(capsulePath(o.out, c.day_et, c.symbol), c);
        await perTick.writeJson(contextPath(o.out, d.day), last.context);
      }
      done++;
      o.onTick?.(done, total, d.day);
    }
    await perTick.flush();
    if (last) {
      for (const c of Object.values(last.capsules)) writeCapsule(o.out, c);
      writeContext(o.out, d.day, last.context);
      if (rep) reports.push(writeDayReport(o.out, rep.finish(), { days: days.map((x) => x.day), nearestZones: o.reportZones }));
      for (const s of last.context.symbols) {
        for (const c of s.state?.confluences ?? []) {
          const k = `${c.kind}:${c.tf}:${c.status}`;
          confluences[k] = (confluences[k] ?? 0) + 1;
        }
      }
    }
  }
  const reportIndex = reports.length > 0 ? writeReportIndex(o.out, days.map((d) => d.day)) : null;
  return { days: days.map((d) => d.day), ticks: total, symbols, confluences, llm: llmStats, seconds: (performance.now() - started) / 1000, reports, reportIndex };
}
