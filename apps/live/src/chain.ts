/**
 * One New York day of the live loop's outputs: the chain of ticks, the LLM
 * answers, and the files (`prompts.jsonl`, the capsules, `current_context.json`
 * under `ROOT/data/daily_news/<day>/processed/`).
 *
 * The rule that makes the live outputs equal to `ict replay` over the same
 * bars: every distinct bar time of the day is one tick, with `now` = that
 * bar's time and the day's bars up to `now`, chained through the previous
 * tick's context — exactly as the replay runner does. When a bar arrives for
 * a minute that was already ticked (a late bar of another symbol, a bar
 * recovered by a backfill, a corrected bar), the chain is rewound to that
 * minute (the context is restored from the tick before it, and the prompt
 * lines from it on are cut from `prompts.jsonl`) and re-ticked. So whatever
 * order bars arrive in, once a set of bars is in, the files are those a
 * replay of that set writes.
 *
 * `prompts.jsonl` holds one line per symbol per tick in the replay's format,
 * `{t, symbol, prompt, llm, asked, answer[, error]}`: the model is asked when
 * the substance of the symbol's prompt (`promptKey`) changed since its previous tick (`asked: true`), and
 * every line carries the answer to the symbol's latest question (null, with
 * `error`, when that call failed or was skipped). A tick's lines are appended
 * once all its answers are settled, in tick order; answers are cached by
 * (symbol, prompt), so a re-ticked minute whose prompt did not change is not
 * asked again, and a restarted process reuses the answers already in the file.
 *
 * With the `ict` profile the ticks come from a {@link Watchlist}: its streams
 * advance one bar per push and its trackers update in place, so a tick costs
 * the new bars, not the day so far (the seed's profile judges every zone on
 * the last close and keeps recomputing with `tick`). Every
 * {@link CHECKPOINT_TICKS}th tick keeps its context as JSON: a rewind rebuilds
 * the watchlist from the last checkpoint before the changed minute (its
 * context, the bars up to it pushed again) and re-ticks the few minutes after
 * it. The checkpoint whose prompt lines are in the file is persisted
 * atomically beside the journal (`raw/live_snapshot.json`, with a digest of
 * the bars it covers); a restarted process resumes from it — the prompt lines
 * up to it are taken from the file and only the minutes after it are ticked —
 * when the journal's bars up to it are the bars it saw, and otherwise re-ticks
 * the day.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { sliceColumns, type Columns, type LevelsStream, type Profile } from "@ict/core";
import {
  createWatchlist,
  pipelineRules,
  promptKey,
  promptsLine,
  tick,
  type ContextDoc,
  type LlmAnswer,
  type LlmProvider,
  type TickOutput,
  type Watchlist,
} from "@ict/pipeline";
import { processedDir, readJsonOrQuarantine, writeCapsule, writeContext, writeJsonAtomic } from "@ict/pipeline/node";
import { journalPath, type BarStore } from "./barstore.js";
import type { Clock } from "./clock.js";

/** The outcome of one question: the answer, or null and why. */
export interface Settled {
  answer: LlmAnswer | null;
  error?: string;
}

/** One tick of the chain. */
interface TickRec {
  now: number;
  /** The context after this tick, as JSON (restored on a rewind): every tick's with the seed's profile, every {@link CHECKPOINT_TICKS}th with `ict`. */
  ctx: string | null;
  /** The tick's output; kept on the last tick only (its capsules are written). */
  out: TickOutput | null;
  prompts: Record<string, string>;
  /** The symbols whose prompt changed at this tick (asked). */
  asked: Set<string>;
  /** Per asked symbol: the outcome, once settled. */
  answers: Record<string, Settled>;
  /** Per symbol: the outcome of its latest question as of this tick (set when the tick's lines are written). */
  cur: Record<string, Settled> | null;
  pending: number;
  dead: boolean;
}

/** A tick read back from `prompts.jsonl`. */
interface FileTick {
  t: number;
  prompts: Record<string, string>;
  asked: Set<string>;
  cur: Record<string, Settled>;
  offset: number;
  end: number;
}

/** Ticks between two checkpoints of the context (and persisted snapshots) of an incremental chain. */
export const CHECKPOINT_TICKS = 15;

/** `raw/live_snapshot.json`: the state after the first `ticks` ticks of a day. */
interface LiveSnapshot {
  version: 1;
  day: string;
  symbols: string[];
  /** Number of ticks covered; the last one's time and prompts. */
  ticks: number;
  now: number;
  prompts: Record<string, string>;
  /** Per symbol: its bars up to `now`, counted and digested. */
  bars: Record<string, { n: number; sha256: string }>;
  /** The context after the last covered tick, as JSON. */
  context: string;
}

/** Counters of a chain. */
export interface ChainStats {
  ticks: number;
  rewinds: number;
  reticks: number;
  /** Ticks taken from a snapshot at resume instead of being re-ticked. */
  restored: number;
  llmCalls: number;
  llmFailures: number;
  llmSkipped: number;
  llmReused: number;
}

/** Options of a {@link DayChain}. */
export interface ChainOptions {
  day: string;
  symbols: readonly string[];
  out: string;
  profile?: Profile;
  clock: Clock;
  llm: LlmProvider;
  /** LLM calls in flight at once. */
  llmConcurrency?: number;
  /** A network LLM is not asked about a prompt older than this (market ms): a stale read is no use live. */
  llmMaxLagMs?: number;
  /**
   * A fatal model error (`fatal: true` on the error: keys refused, quota
   * exhausted, the provider's failure budget spent): asking again cannot
   * help, so the loop stops. The tick is not written (a restart asks again).
   */
  onFatal?: (err: Error) => void;
  /** Market ms to wait for the other symbols' bars of a minute before ticking it anyway. */
  debounceMs?: number;
  /** SMT pairs, symbol → reference (default: QQQ and IWM against SPY when SPY is watched). */
  smtPairs?: Readonly<Record<string, string>>;
  /**
   * Per symbol, its levels fed with the bars of earlier days (previous day,
   * week and month, the overnight range): each watchlist of the day starts
   * from a fork of them. Without: the levels know only this day's bars.
   */
  levels?: Readonly<Record<string, LevelsStream>>;
  /** Per symbol, its 1m bars of earlier days (the higher timeframes and the zone history start from them). */
  history1m?: Readonly<Record<string, Columns>>;
  /** `ict`: the previous day's last context (its confluences stay tracked into this day). */
  context?: ContextDoc | null;
  /** Shared answer cache by symbol and prompt. */
  cache: Map<string, Promise<Settled | "aborted">>;
  log: (msg: string) => void;
}

/** Index of the first element of ascending `a` greater than `x`. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A ticked day. */
export class DayChain {
  readonly stats: ChainStats = { ticks: 0, rewinds: 0, reticks: 0, restored: 0, llmCalls: 0, llmFailures: 0, llmSkipped: 0, llmReused: 0 };
  private readonly ticks: TickRec[] = [];
  /** Latest tick time ever ticked: a minute up to it is re-ticked without waiting. */
  private highWater = -Infinity;
  /** Earliest changed bar time at or before the last tick (a rewind is due), else Infinity. */
  private dirtyFrom = Infinity;
  private readonly firstSeen = new Map<number, number>();
  private committed = 0;
  private offsets: number[] = [];
  private fd: number;
  private outputsDirty = false;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inflight = new Set<AbortController>();
  private drainWaiters: Array<() => void> = [];
  private closing = false;
  readonly promptsPath: string;
  /** Whether the ticks come from a watchlist (profile `ict`) rather than `tick`. */
  private readonly incremental: boolean;
  /** The watchlist, in the state of the last tick (null: to rebuild from the last checkpoint). */
  private wl: Watchlist | null = null;
  /** Per symbol, how many of its bars of the day the watchlist has been pushed. */
  private pushed: Record<string, number> = {};
  readonly snapshotPath: string;
  /** Ticks covered by the snapshot on disk (0: none). */
  private snapTicks = 0;

  constructor(private readonly o: ChainOptions) {
    const dir = processedDir(o.out, o.day);
    mkdirSync(join(dir, "context_capsules"), { recursive: true });
    // Temporary files of an atomic write interrupted by a kill.
    for (const d of [dir, join(dir, "context_capsules")]) {
      for (const f of readdirSync(d)) if (f.startsWith(".") && f.endsWith(".tmp")) unlinkSync(join(d, f));
    }
    this.promptsPath = join(dir, "prompts.jsonl");
    this.incremental = pipelineRules(o.profile).incremental;
    this.snapshotPath = join(dirname(journalPath(o.out, o.day)), "live_snapshot.json");
    this.fd = openSync(this.promptsPath, existsSync(this.promptsPath) ? "r+" : "w+");
  }

  /** The answer cache's key: the symbol and the prompt's substance ({@link promptKey}: not its clock, price or distances). */
  private key(sym: string, prompt: string): string {
    return `${sym}\u0000${promptKey(prompt)}`;
  }

  /**
   * Resumes from the files of an earlier run: answers already in
   * `prompts.jsonl` seed the cache, every bar in the store is ticked, and the
   * file keeps its lines as far as they agree with the recomputed ticks (a
   * torn or stale tail is cut). LLM questions are asked only for the ticks
   * beyond that.
   */
  resume(store: BarStore): void {
    const file = this.readPromptsFile();
    for (const t of file)
      for (const sym of t.asked) if (t.cur[sym]!.answer) this.o.cache.set(this.key(sym, t.prompts[sym]!), Promise.resolve(t.cur[sym]!));
    const restored = this.restore(store, file);
    this.step(store, { all: true, ask: false });
    let m = 0;
    while (
      m < file.length &&
      m < this.ticks.length &&
      file[m]!.t === this.ticks[m]!.now &&
      this.o.symbols.every((s) => file[m]!.prompts[s] === this.ticks[m]!.prompts[s])
    )
      m++;
    const cut = m < file.length ? file[m]!.offset : file.length ? file[file.length - 1]!.end : 0;
    ftruncateSync(this.fd, cut);
    this.offsets = file.slice(0, m).map((f) => f.offset);
    this.committed = m;
    for (let i = 0; i < this.ticks.length; i++) {
      const rec = this.ticks[i]!;
      if (i < m) rec.cur = file[i]!.cur;
      else this.ask(rec);
    }
    if (file.length)
      this.o.log(
        `resume ${this.o.day}: ${this.ticks.length} ticks from ${store.count(this.o.day)} journaled bars${restored ? ` (${restored} from the snapshot, ${this.ticks.length - restored} ticked)` : ""}; ${m} ticks of prompts.jsonl kept${m < file.length ? `, ${file.length - m} recomputed` : ""}`,
      );
    this.commit();
  }

  /** Per symbol, the count and SHA-256 of its bars of the day up to `now`. */
  private digest(store: BarStore, now: number): Record<string, { n: number; sha256: string }> {
    const out: Record<string, { n: number; sha256: string }> = {};
    for (const s of this.o.symbols) {
      const h = createHash("sha256");
      let n = 0;
      for (const b of store.bars(this.o.day, s)) {
        if (b.t > now) break;
        h.update(`${b.t},${b.o},${b.h},${b.l},${b.c},${b.v}\n`);
        n++;
      }
      out[s] = { n, sha256: h.digest("hex") };
    }
    return out;
  }

  /**
   * Takes the first ticks from the persisted snapshot when it still holds:
   * same day and symbols, its last tick is in `prompts.jsonl` with the same
   * prompts, the day's bar times up to it are the file's ticks, and the
   * journal's bars up to it digest as they did. Returns the ticks taken (0:
   * the day is re-ticked).
   */
  private restore(store: BarStore, file: FileTick[]): number {
    if (!this.incremental) return 0;
    const snap = readJsonOrQuarantine<LiveSnapshot>(this.snapshotPath, this.o.log);
    if (snap === null) return 0;
    const why = ((): string | null => {
      if (snap.version !== 1 || snap.day !== this.o.day || typeof snap.context !== "string") return "another day or format";
      if (JSON.stringify(snap.symbols) !== JSON.stringify(this.o.symbols)) return "another watchlist";
      const n = snap.ticks;
      if (!Number.isInteger(n) || n < 1 || n > file.length) return "its ticks are not in prompts.jsonl";
      const last = file[n - 1]!;
      if (last.t !== snap.now || this.o.symbols.some((s) => last.prompts[s] !== snap.prompts?.[s])) return "prompts.jsonl differs";
      const times = store.times(this.o.day).filter((t) => t <= snap.now);
      if (times.length !== n || times.some((t, i) => file[i]!.t !== t)) return "the journal's minutes differ";
      const d = this.digest(store, snap.now);
      if (this.o.symbols.some((s) => d[s]!.n !== snap.bars?.[s]?.n || d[s]!.sha256 !== snap.bars[s]!.sha256))
        return "the journal's bars differ";
      return null;
    })();
    if (why !== null) {
      this.o.log(`snapshot ${this.snapshotPath} not used (${why}); re-ticking the day`);
      return 0;
    }
    for (let i = 0; i < snap.ticks; i++) {
      const f = file[i]!;
      this.ticks.push({
        now: f.t,
        ctx: i === snap.ticks - 1 ? snap.context : null,
        out: null,
        prompts: f.prompts,
        asked: f.asked,
        answers: {},
        cur: f.cur,
        pending: 0,
        dead: false,
      });
    }
    this.highWater = snap.now;
    this.snapTicks = snap.ticks;
    this.stats.restored += snap.ticks;
    return snap.ticks;
  }

  /** Persists the latest committed checkpoint (incremental chains), after its prompt lines are in the file. */
  private persist(store: BarStore | null, from: number): void {
    if (!this.incremental || store === null) return;
    for (let i = this.committed - 1; i >= from && i >= this.snapTicks; i--) {
      const rec = this.ticks[i]!;
      if (rec.ctx === null) continue;
      const snap: LiveSnapshot = {
        version: 1,
        day: this.o.day,
        symbols: [...this.o.symbols],
        ticks: i + 1,
        now: rec.now,
        prompts: rec.prompts,
        bars: this.digest(store, rec.now),
        context: rec.ctx,
      };
      writeJsonAtomic(this.snapshotPath, snap);
      this.snapTicks = i + 1;
      return;
    }
  }

  /** Ticks of the file: time, prompts, asked symbols and answers, byte range. */
  private readPromptsFile(): FileTick[] {
    const buf = readFileSync(this.promptsPath);
    const out: FileTick[] = [];
    const n = this.o.symbols.length;
    let pos = 0;
    let group: FileTick | null = null;
    let count = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) break; // torn last line
      let line: { t?: string; symbol?: string; prompt?: string; asked?: boolean; answer?: LlmAnswer | null; error?: string };
      try {
        line = JSON.parse(buf.subarray(pos, nl).toString("utf8"));
      } catch {
        break;
      }
      const t = Date.parse(String(line.t));
      if (!group || count === n) {
        if (group && count === n) out.push(group);
        group = { t, prompts: {}, asked: new Set(), cur: {}, offset: pos, end: nl + 1 };
        count = 0;
      }
      if (line.t === undefined || t !== group.t || line.symbol !== this.o.symbols[count] || typeof line.prompt !== "string") break;
      group.prompts[line.symbol] = line.prompt;
      if (line.asked === true) group.asked.add(line.symbol);
      group.cur[line.symbol] =
        line.error !== undefined ? { answer: line.answer ?? null, error: line.error } : { answer: line.answer ?? null };
      group.end = nl + 1;
      count++;
      pos = nl + 1;
    }
    if (group && count === n) out.push(group);
    return out;
  }

  /** Notes a stored bar (new or corrected) of this day. */
  noteBar(t: number): void {
    if (!this.firstSeen.has(t)) this.firstSeen.set(t, this.o.clock.now());
    const last = this.ticks.length ? this.ticks[this.ticks.length - 1]!.now : -Infinity;
    if (t <= last && t < this.dirtyFrom) this.dirtyFrom = t;
  }

  /** Time of the last tick (or -Infinity). */
  get lastTick(): number {
    return this.ticks.length ? this.ticks[this.ticks.length - 1]!.now : -Infinity;
  }

  /** Number of ticks in the chain. */
  get length(): number {
    return this.ticks.length;
  }

  /**
   * Rewinds if needed, then ticks every minute that is ready: all symbols
   * have a bar at or after it, or its debounce has run out, or it had been
   * ticked before (a rewind), or `all`. Writes the capsules and the context
   * of the last tick. Returns the market time at which the next unready
   * minute becomes ready by debounce (or null).
   */
  step(store: BarStore, opts: { all?: boolean; ask?: boolean } = {}): number | null {
    const day = this.o.day;
    this.store = store;
    let rewound = false;
    if (this.dirtyFrom !== Infinity) {
      const k = this.ticks.findIndex((r) => r.now >= this.dirtyFrom);
      this.dirtyFrom = Infinity;
      if (k >= 0) {
        this.stats.rewinds++;
        rewound = true;
        for (const r of this.ticks.splice(k)) r.dead = true;
        this.wl = null;
        if (this.snapTicks > k) {
          // The snapshot covers a changed minute: a restart must not resume from it.
          rmSync(this.snapshotPath, { force: true });
          this.snapTicks = 0;
        }
        if (this.committed > k) {
          ftruncateSync(this.fd, this.offsets[k]!);
          this.offsets.length = k;
          this.committed = k;
        }
      }
    }
    const last = this.lastTick;
    const times = store.times(day).filter((t) => t > last);
    if (times.length === 0) return null;
    const debounce = this.o.debounceMs ?? 5_000;
    const now = this.o.clock.now();
    const lastBySym = this.o.symbols.map((s) => store.lastT(day, s));
    let ready = -1;
    let nextDue: number | null = null;
    for (let i = times.length - 1; i >= 0; i--) {
      const t = times[i]!;
      const seen = this.firstSeen.get(t) ?? now;
      if (opts.all || t <= this.highWater || lastBySym.every((x) => x >= t) || seen + debounce <= now) {
        ready = i;
        break;
      }
    }
    for (let i = ready + 1; i < times.length; i++) {
      const due = (this.firstSeen.get(times[i]!) ?? now) + debounce;
      if (nextDue === null || due < nextDue) nextDue = due;
    }
    if (ready < 0) return nextDue;
    const cols: Record<string, Columns> = {};
    for (const s of this.o.symbols) cols[s] = store.columns(day, s);
    const prev = this.ticks.length ? this.ticks[this.ticks.length - 1]! : null;
    // After a rewind the context is the saved JSON of the tick before; otherwise the last tick's own document, as in a replay.
    let context: ContextDoc | null =
      prev && !this.incremental ? (rewound || !prev.out ? (JSON.parse(prev.ctx!) as ContextDoc) : prev.out.context) : null;
    for (let i = 0; i <= ready; i++) {
      const t = times[i]!;
      let out: TickOutput;
      if (this.incremental) out = this.tickWatchlist(t, cols);
      else {
        const bars1m: Record<string, Columns> = {};
        for (const s of this.o.symbols) {
          const c = cols[s]!;
          if (c.length === 0) continue;
          bars1m[s] = sliceColumns(c, 0, upperBound(c.t, t));
        }
        out = tick({ watchlist: this.o.symbols, bars1m, now: t, dayEt: day, context, profile: this.o.profile, smtPairs: this.o.smtPairs });
        context = out.context;
      }
      const keep = !this.incremental || (this.ticks.length + 1) % CHECKPOINT_TICKS === 0;
      const rec: TickRec = {
        now: t,
        ctx: keep ? JSON.stringify(out.context) : null,
        out,
        prompts: out.prompts,
        asked: new Set(),
        answers: {},
        cur: null,
        pending: 0,
        dead: false,
      };
      if (t <= this.highWater) this.stats.reticks++;
      this.stats.ticks++;
      this.highWater = Math.max(this.highWater, t);
      if (this.ticks.length) this.ticks[this.ticks.length - 1]!.out = null;
      this.ticks.push(rec);
      if (opts.ask !== false) this.ask(rec);
      this.outputsDirty = true;
    }
    this.writeOutputs(true);
    if (opts.ask !== false) this.commit();
    return nextDue;
  }

  /** The store of the last step (the snapshot digests its bars). */
  private store: BarStore | null = null;

  /** Pushes each symbol's bars up to `t` that the watchlist has not seen. */
  private pushUpTo(t: number, cols: Record<string, Columns>): void {
    for (const s of this.o.symbols) {
      const c = cols[s]!;
      let i = this.pushed[s] ?? 0;
      while (i < c.length && c.t[i]! <= t) {
        this.wl!.push(s, { t: c.t[i]!, o: c.o[i]!, h: c.h[i]!, l: c.l[i]!, c: c.c[i]!, v: c.v[i]! });
        i++;
      }
      this.pushed[s] = i;
    }
  }

  /**
   * The tick at `t` from the watchlist. A missing watchlist (first tick, after
   * a rewind or a restore) is rebuilt from the last checkpoint: its context,
   * the bars up to it, and the ticks after it re-run (their bars unchanged).
   */
  private tickWatchlist(t: number, cols: Record<string, Columns>): TickOutput {
    if (this.wl === null) {
      let c = this.ticks.length - 1;
      while (c >= 0 && this.ticks[c]!.ctx === null) c--;
      const context = c >= 0 ? (JSON.parse(this.ticks[c]!.ctx!) as ContextDoc) : (this.o.context ?? null);
      const base = this.o.levels;
      const levels = base ? Object.fromEntries(Object.entries(base).map(([s, lv]) => [s, lv.fork()])) : undefined;
      this.wl = createWatchlist({
        watchlist: this.o.symbols,
        dayEt: this.o.day,
        context,
        levels,
        history1m: this.o.history1m,
        smtPairs: this.o.smtPairs,
      });
      this.pushed = {};
      if (c >= 0) this.pushUpTo(this.ticks[c]!.now, cols);
      for (let i = c + 1; i < this.ticks.length; i++) {
        this.pushUpTo(this.ticks[i]!.now, cols);
        this.wl.tick(this.ticks[i]!.now);
      }
    }
    this.pushUpTo(t, cols);
    return this.wl.tick(t);
  }

  /** Writes the capsules and the context of the last tick (atomic; flushed when `durable`). */
  writeOutputs(durable: boolean): void {
    if (!this.outputsDirty || this.ticks.length === 0) return;
    const last = this.ticks[this.ticks.length - 1]!.out!;
    for (const c of Object.values(last.capsules)) writeCapsule(this.o.out, c, durable);
    writeContext(this.o.out, this.o.day, last.context, durable);
    this.outputsDirty = false;
  }

  /** Asks the LLM about the symbols whose prompt changed at this tick. */
  private ask(rec: TickRec): void {
    const i = this.ticks.indexOf(rec);
    const before = i > 0 ? this.ticks[i - 1]! : null;
    const llm = this.o.llm;
    for (const sym of this.o.symbols) {
      const prompt = rec.prompts[sym]!;
      if (before && promptKey(before.prompts[sym]!) === promptKey(prompt)) continue;
      rec.asked.add(sym);
      const key = this.key(sym, prompt);
      let p = this.o.cache.get(key);
      if (p) this.stats.llmReused++;
      else {
        const lag = this.o.clock.now() - rec.now;
        if (llm.name !== "offline" && lag > (this.o.llmMaxLagMs ?? 600_000)) {
          // A stale read is no use live, and costs quota: skip it (the file says so).
          this.stats.llmSkipped++;
          rec.answers[sym] = { answer: null, error: `not asked: the prompt was ${Math.round(lag / 1000)} s old when its turn came` };
          continue;
        }
        p = this.call(sym, rec.now, prompt);
        this.o.cache.set(key, p);
      }
      rec.pending++;
      void p.then((a) => {
        if (a === "aborted") {
          // Shutting down: the tick stays out of the file and is asked again after a restart.
          if (this.o.cache.get(key) === p) this.o.cache.delete(key);
          return;
        }
        rec.answers[sym] = a;
        rec.pending--;
        if (!rec.dead) this.commit();
      });
    }
  }

  private async call(symbol: string, now: number, prompt: string): Promise<Settled | "aborted"> {
    const llm = this.o.llm;
    if (this.running >= (this.o.llmConcurrency ?? 2)) await new Promise<void>((r) => this.waiting.push(r));
    if (this.closing) {
      this.waiting.shift()?.();
      return "aborted";
    }
    this.running++;
    const ctl = new AbortController();
    this.inflight.add(ctl);
    try {
      this.stats.llmCalls++;
      return { answer: await llm.complete({ symbol, dayEt: this.o.day, now, prompt }, { signal: ctl.signal }) };
    } catch (e) {
      if (this.closing) return "aborted";
      this.stats.llmFailures++;
      if ((e as { fatal?: boolean }).fatal === true) {
        this.o.log(`llm ${llm.name}: ${(e as Error).message} (fatal)`);
        this.o.onFatal?.(e as Error);
        return "aborted";
      }
      const error = (e as Error).message;
      this.o.log(`llm ${llm.name} ${symbol} ${new Date(now).toISOString()}: ${error}; going on without an answer`);
      return { answer: null, error };
    } finally {
      this.inflight.delete(ctl);
      this.running--;
      this.waiting.shift()?.();
      if (this.running === 0 && this.waiting.length === 0) for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  /** Appends the lines of the ticks whose answers are all in, in tick order. */
  private commit(): void {
    if (this.committed >= this.ticks.length || this.ticks[this.committed]!.pending > 0) return;
    const from = this.committed;
    let pos = fstatSync(this.fd).size;
    const parts: string[] = [];
    while (this.committed < this.ticks.length && this.ticks[this.committed]!.pending === 0) {
      const rec = this.ticks[this.committed]!;
      const prevCur = this.committed > 0 ? this.ticks[this.committed - 1]!.cur : null;
      const iso = new Date(rec.now).toISOString();
      const cur: Record<string, Settled> = {};
      const text = this.o.symbols
        .map((s) => {
          const a = (cur[s] = rec.asked.has(s) ? rec.answers[s]! : (prevCur?.[s] ?? { answer: null }));
          return promptsLine({
            t: iso,
            symbol: s,
            prompt: rec.prompts[s]!,
            llm: this.o.llm.name,
            asked: rec.asked.has(s),
            answer: a.answer,
            error: a.error,
          });
        })
        .join("");
      rec.cur = cur;
      this.offsets[this.committed] = pos;
      pos += Buffer.byteLength(text);
      parts.push(text);
      this.committed++;
    }
    const buf = Buffer.from(parts.join(""), "utf8");
    const start = pos - buf.length;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, start + off);
    fsyncSync(this.fd);
    this.persist(this.store, from);
  }

  /** Ticks whose prompt lines are not yet in the file (waiting for answers). */
  get uncommitted(): number {
    return this.ticks.length - this.committed;
  }

  /** Waits for the LLM calls in flight (at most `timeoutMs` real ms), then aborts the rest. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.running > 0 || this.waiting.length > 0) {
      await Promise.race([new Promise<void>((r) => this.drainWaiters.push(r)), new Promise<void>((r) => setTimeout(r, timeoutMs))]);
    }
    this.closing = true;
    for (const c of this.inflight) c.abort();
    for (const w of this.waiting.splice(0)) w();
    // Aborted calls settle as failures; their ticks stay out of the file and are asked again after a restart.
    await new Promise((r) => setImmediate(r));
  }

  /** Closes the prompts file. */
  close(): void {
    this.writeOutputs(true);
    try {
      fsyncSync(this.fd);
    } catch {
      /* already closed */
    }
    closeSync(this.fd);
  }
}
