/**
 * The replay's day report: one self-contained `report.html` per New York day
 * (candles of each symbol with the day's zones, breaks, EQ/OTE and SMT drawn
 * over them, and the tracker's stages and confluence lives under each chart).
 * It opens from disk with no server and fetches nothing: the chart library
 * (TradingView Lightweight Charts™, Apache-2.0) and the data are inlined, and
 * a Content-Security-Policy forbids any network load.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  aggregate,
  parseIsoMs,
  shortSummary,
  structureEvents,
  type Capsule,
  type Columns,
  type Profile,
  type StructureEvent,
  type TickOutput,
  type TrackerState,
} from "@ict/core";
import { processedDir, writeFileAtomic } from "@ict/core/node";

/** The tracker's stages of one symbol at one tick. */
export interface StagePoint {
  /** The tick's clock (epoch ms, the last closed 1m bar's time). */
  t: number;
  htf_stage: string;
  ltf_stage: string;
  bias: "bull" | "bear" | null;
  /** `ict`: where the last close sits against the 5m equilibrium. */
  price_vs_eq: "premium" | "discount" | "equilibrium" | null;
  /** The 5m dealing range's equilibrium and OTE zone at that tick. */
  eq: number | null;
  ote: [number, number] | null;
}

/** One status of a confluence, from the tick at which the tracker reported it. */
export interface ConfluenceEvent {
  /** Tick time (epoch ms). */
  t: number;
  /** A tracker status, or `dropped` for a record the tracker stopped reporting before it ended (a forming one whose bar changed). */
  status: string;
}

/** The life of one tracked confluence over the day. */
export interface ConfluenceLife {
  id: string;
  kind: string;
  tf: string;
  dir: string | null;
  /** Its one-line summary as the prompt shows it, e.g. `FVG(5m bull @ 412.10–412.55)`. */
  summary: string;
  /** Status changes in tick order; the first is when the tracker first reported it. */
  events: ConfluenceEvent[];
}

/** One symbol of a {@link DayReportInput}. */
export interface SymbolReportInput {
  symbol: string;
  /** The day's 1m bars. */
  bars: Columns;
  /** The capsule of the day's last tick (its zone records cover the whole day); null when the symbol had no tick. */
  capsule: Capsule | null;
  /** Breaks of structure of the day's 1m and 5m bars, with the swing each broke. */
  structure: { "1m": StructureEvent[]; "5m": StructureEvent[] };
  /** The tracker's stages at every tick. */
  timeline: StagePoint[];
  /** Every confluence the tracker reported during the day. */
  confluences: ConfluenceLife[];
}

/** Everything one day's report shows. */
export interface DayReportInput {
  /** New York trading day, `YYYY-MM-DD`. */
  day: string;
  profile: Profile;
  symbols: SymbolReportInput[];
}

const TERMINAL = new Set(["filled", "invalidated", "expired", "dropped"]);

interface LiveConfluence extends ConfluenceLife {
  /** The last tick that reported it. */
  seen: number;
}

interface SymbolAcc {
  timeline: StagePoint[];
  /** Lives whose last status is not terminal. */
  open: Map<string, LiveConfluence>;
  lives: Map<string, LiveConfluence>;
  /** Ticks recorded so far (stamps which lives a tick reported). */
  ticks: number;
  bars: Columns | null;
  capsule: Capsule | null;
}

/**
 * Collects a day's report data during a replay: call {@link add} after every
 * tick, then {@link finish} at the day's end. Stages are recorded at every
 * tick; a confluence's status only when it changes, so a day of 390 ticks
 * stays small.
 */
export class DayReportCollector {
  private readonly acc = new Map<string, SymbolAcc>();

  constructor(
    readonly day: string,
    readonly symbols: readonly string[],
    readonly profile: Profile = "ict",
  ) {
    for (const s of symbols) this.acc.set(s, { timeline: [], lives: new Map(), open: new Map(), ticks: 0, bars: null, capsule: null });
  }

  /** Records one tick: its output and the 1m bars it was given (the day's bars so far). */
  add(now: number, out: TickOutput, bars1m: Readonly<Record<string, Columns | undefined>>): void {
    const states = new Map<string, TrackerState | undefined>();
    for (const s of out.context.symbols) states.set(s.symbol, s.state);
    for (const [sym, a] of this.acc) {
      const cap = out.capsules[sym];
      if (cap === undefined) continue;
      a.capsule = cap;
      a.bars = bars1m[sym] ?? a.bars;
      const st = states.get(sym);
      const sw = cap.features.tf_5m?.swings;
      a.timeline.push({
        t: now,
        htf_stage: st?.htf_stage ?? "none",
        ltf_stage: st?.ltf_stage ?? "none",
        bias: st?.bias ?? null,
        price_vs_eq: st?.price_vs_eq ?? null,
        eq: finiteOrNull(sw?.eq),
        ote: sw?.ote && Number.isFinite(sw.ote[0]) && Number.isFinite(sw.ote[1]) ? [sw.ote[0], sw.ote[1]] : null,
      });
      const stamp = ++a.ticks;
      for (const c of st?.confluences ?? []) {
        let life = a.lives.get(c.id);
        if (life === undefined) {
          life = {
            id: c.id,
            kind: String(c.kind),
            tf: String(c.tf),
            dir: typeof c.dir === "string" ? c.dir : null,
            summary: shortSummary(c),
            events: [{ t: now, status: c.status }],
            seen: stamp,
          };
          a.lives.set(c.id, life);
        } else if (life.events[life.events.length - 1]!.status !== c.status) {
          life.seen = stamp;
          life.events.push({ t: now, status: c.status });
        } else {
          life.seen = stamp;
          continue;
        }
        if (TERMINAL.has(c.status)) a.open.delete(c.id);
        else a.open.set(c.id, life);
      }
      // A record that vanished without ending (a forming one whose bar changed) is marked so.
      for (const [id, life] of a.open) {
        if (life.seen === stamp) continue;
        life.events.push({ t: now, status: "dropped" });
        a.open.delete(id);
      }
    }
  }

  /** The report input of the day: the last capsule and bars of each symbol, plus the structure breaks of those bars. */
  finish(): DayReportInput {
    const symbols: SymbolReportInput[] = [];
    for (const [symbol, a] of this.acc) {
      if (a.bars === null || a.timeline.length === 0) continue;
      symbols.push({
        symbol,
        bars: a.bars,
        capsule: a.capsule,
        structure: { "1m": breaksOf(a.bars, this.profile), "5m": breaksOf(aggregate(a.bars, 5), this.profile) },
        timeline: a.timeline,
        confluences: [...a.lives.values()].map(({ seen: _, ...life }) => life),
      });
    }
    return { day: this.day, profile: this.profile, symbols };
  }
}

/**
 * Breaks of structure to draw: the `ict` profile has one event per break; the
 * seed re-asserts a level at every close beyond it, so only the first break
 * of each swing is kept there.
 */
function breaksOf(bars: Columns, profile: Profile): StructureEvent[] {
  if (bars.length === 0) return [];
  const ev = structureEvents(bars, { profile });
  if (profile === "ict") return ev;
  const seen = new Set<number>();
  return ev.filter((e) => !seen.has(e.swing_index) && (seen.add(e.swing_index), true));
}

// ------------------------------------------------------------ rendering ----

function finiteOrNull(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** Epoch ms or ISO text → chart time (UTC seconds), null when absent. */
function sec(x: unknown): number | null {
  if (typeof x === "number") return Number.isFinite(x) ? Math.floor(x / 1000) : null;
  if (typeof x !== "string" || x === "") return null;
  const ms = parseIsoMs(x);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

const minSec = (...xs: (number | null)[]): number | null => {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x < m)) m = x;
  return m;
};

const finite2 = (a: unknown): a is [number, number] => Array.isArray(a) && Number.isFinite(a[0]) && Number.isFinite(a[1]);

function nums(a: Float64Array): (number | null)[] {
  const out: (number | null)[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number.isFinite(a[i]!) ? a[i]! : null;
  return out;
}

/** Zone tuple: [kind, tf, dir (1 bull, -1 bear), from, to (null: open at the day's end), low, high, end reason, CE (null: none)]. */
type Zone = [string, string, number, number, number | null, number, number, string | null, number | null];

const dirNum = (d: unknown) => (d === "bull" ? 1 : d === "bear" ? -1 : 0);

/**
 * The zones of a capsule's records. Boxes run from formation to the event
 * that ended them: a gap's fill or trade-through (whichever came first), a
 * block's or breaker's invalidation; with no such time (seed records carry
 * only flags) the tracker's first terminal status of the same id is used.
 */
function zonesOf(capsule: Capsule | null, lives: Map<string, ConfluenceLife>): Zone[] {
  if (capsule === null) return [];
  const out: Zone[] = [];
  const ended = (id: string): [number | null, string | null] => {
    const life = lives.get(id);
    const e = life?.events.find((x) => x.status === "filled" || x.status === "invalidated");
    return e ? [sec(e.t), e.status] : [null, null];
  };
  for (const key of ["tf_5m", "tf_1m"] as const) {
    const f = capsule.features[key] as unknown as Record<string, any> | undefined;
    if (!f) continue;
    const tf = String(f.tf ?? key.slice(3));
    for (const r of (f.fvg ?? []) as Record<string, any>[]) {
      const t0 = sec(r.start);
      if (t0 === null || !Array.isArray(r.gap)) continue;
      const fl = sec(r.filled_at);
      const tt = sec(r.traded_through_at);
      let t1 = minSec(fl, tt);
      let why: string | null = t1 === null ? null : t1 === fl ? "filled" : "invalidated";
      if (t1 === null && r.filled_at === undefined) [t1, why] = ended(`FVG:${tf}:${r.start}`);
      if (!finite2(r.gap)) continue;
      out.push(["FVG", tf, dirNum(r.dir), t0, t1, r.gap[0], r.gap[1], why, finiteOrNull(r.ce)]);
    }
    for (const r of (f.ifvg ?? []) as Record<string, any>[]) {
      const t0 = sec(r.traded_through_at) ?? sec(r.retested_at) ?? sec(r.start);
      if (t0 === null || !Array.isArray(r.gap)) continue;
      let t1 = sec(r.invalidated_at);
      let why: string | null = t1 === null ? null : "invalidated";
      if (t1 === null && r.invalidated_at === undefined) [t1, why] = ended(`IFVG:${tf}:${r.start}`);
      if (!finite2(r.gap)) continue;
      out.push(["IFVG", tf, dirNum(r.dir), t0, t1, r.gap[0], r.gap[1], why, finiteOrNull(r.ce)]);
    }
    for (const r of (f.ob ?? []) as Record<string, any>[]) {
      const t0 = sec(r.time);
      if (t0 === null || !Array.isArray(r.body)) continue;
      let t1 = sec(r.invalidated_at);
      let why: string | null = t1 === null ? null : "invalidated";
      if (t1 === null && r.invalidated_at === undefined) [t1, why] = ended(`OB:${tf}:${r.time}`);
      if (!finite2(r.body)) continue;
      out.push(["OB", tf, dirNum(r.dir), t0, t1, r.body[0], r.body[1], why, finiteOrNull(r.ce)]);
    }
    for (const r of (f.bb ?? []) as Record<string, any>[]) {
      // ict: the failed block's body from the break that made it a breaker; seed: its level only.
      const t0 = sec(r.time) ?? sec(r.from_ob_time);
      if (t0 === null) continue;
      const z = Array.isArray(r.zone) ? r.zone : [r.level, r.level];
      if (!finite2(z)) continue;
      const t1 = sec(r.invalidated_at);
      out.push(["BB", tf, dirNum(r.dir), t0, t1, z[0], z[1], t1 === null ? (r.active === false ? "invalidated" : null) : "invalidated", finiteOrNull(r.ce)]);
    }
  }
  return out;
}

const STATUS_CODES = ["forming", "active", "filled", "invalidated", "expired", "dropped"];

/** The compact JSON payload of one symbol (arrays, times in UTC seconds). */
function symbolPayload(s: SymbolReportInput, dayEnd: number): Record<string, unknown> {
  const n = s.bars.length;
  const t: number[] = new Array(n);
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    // The chart needs strictly increasing whole seconds.
    let x = Math.floor(s.bars.t[i]! / 1000);
    if (x <= prev) x = prev + 1;
    t[i] = prev = x;
  }
  const lives = new Map(s.confluences.map((c) => [c.id, c]));
  // Stage runs: a new row only when something changes.
  const stages: unknown[] = [];
  const eqote: unknown[] = [];
  let key = "";
  let eqKey = "";
  for (const p of s.timeline) {
    const k = `${p.htf_stage}|${p.ltf_stage}|${p.bias}|${p.price_vs_eq}`;
    if (k !== key) stages.push([sec(p.t), p.htf_stage, p.ltf_stage, p.bias, p.price_vs_eq]);
    key = k;
    const e = `${p.eq}|${p.ote?.[0]}|${p.ote?.[1]}`;
    if (e !== eqKey) eqote.push([sec(p.t), p.eq, p.ote ? p.ote[0] : null, p.ote ? p.ote[1] : null]);
    eqKey = e;
  }
  const breaks: unknown[] = [];
  for (const tf of ["5m", "1m"] as const) {
    for (const e of s.structure[tf]) if (Number.isFinite(e.level)) breaks.push([tf, dirNum(e.dir), e.kind, sec(e.swing_time), sec(e.time), e.level]);
  }
  const smt: unknown[] = [];
  for (const r of s.capsule?.features.smt ?? []) {
    const tt = sec(r.time);
    if (tt !== null) smt.push([tt, dirNum(r.type), String(r.pair ?? "")]);
  }
  const confs = s.confluences.map((c) => [c.kind, c.tf, dirNum(c.dir), c.summary, c.events.map((e) => [sec(e.t), Math.max(0, STATUS_CODES.indexOf(e.status))])]);
  const last = s.timeline[s.timeline.length - 1];
  return {
    symbol: s.symbol,
    t,
    o: nums(s.bars.o),
    h: nums(s.bars.h),
    l: nums(s.bars.l),
    c: nums(s.bars.c),
    v: nums(s.bars.v),
    zones: zonesOf(s.capsule, lives),
    breaks,
    eqote,
    smt,
    stages,
    confs,
    end: dayEnd,
    final: last ? { htf: last.htf_stage, ltf: last.ltf_stage, bias: last.bias, pvq: last.price_vs_eq, eq: last.eq } : null,
  };
}

/** The report's data as JSON. NaN and infinities become null (JSON has neither). */
export function dayReportJson(input: DayReportInput): string {
  let dayEnd = 0;
  for (const s of input.symbols) if (s.bars.length > 0) dayEnd = Math.max(dayEnd, Math.floor(s.bars.t[s.bars.length - 1]! / 1000) + 60);
  const payload = { day: input.day, profile: input.profile, statuses: STATUS_CODES, symbols: input.symbols.map((s) => symbolPayload(s, dayEnd)) };
  // Every number of the payload is finite or null by construction: no replacer needed (it would cost most of the time).
  return JSON.stringify(payload);
}

/**
 * JSON made safe inside an HTML `<script>` element: every `<` is written as
 * `\u003c`, so no `</script>` or `<!--` can end or confuse the element, and
 * U+2028/U+2029 are escaped as well. The JSON value is unchanged.
 */
export function escapeJsonForScript(json: string): string {
  return json.replace(/[<\u2028\u2029]/g, (ch) => (ch === "<" ? "\\u003c" : ch === "\u2028" ? "\\u2028" : "\\u2029"));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

let lwcCache: string | null = null;
let clientCache: string | null = null;

/** Script text made safe inside an inline `<script>` (no premature `</script`, no `<!--`). */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/**
 * The standalone production build of Lightweight Charts™, read once and
 * cached (about 200 kB). Its licence header is kept as shipped.
 */
export function lightweightChartsSource(): string {
  if (lwcCache === null) {
    const req = createRequire(import.meta.url);
    const dir = dirname(req.resolve("lightweight-charts/package.json"));
    lwcCache = inlineScript(readFileSync(join(dir, "dist", "lightweight-charts.standalone.production.js"), "utf8"));
  }
  return lwcCache;
}

function clientSource(): string {
  if (clientCache === null) clientCache = inlineScript(readFileSync(new URL("./report-client.js", import.meta.url), "utf8"));
  return clientCache;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'";

const STYLE = `body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:12px 16px;color:#1f2430;background:#fff}
h1{font-size:18px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 4px}
.meta{color:#5d6474}.sym{border-top:1px solid #d6dae3;margin-top:12px}
.controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:4px 0}
.controls label{cursor:pointer;user-select:none}
.chart{position:relative;width:100%;height:520px}
.legend{display:flex;flex-wrap:wrap;gap:10px;margin:4px 0;color:#5d6474}
.sw{display:inline-block;width:12px;height:10px;vertical-align:middle;margin-right:3px;border:1px solid #0003}
table{border-collapse:collapse;font-size:12px;margin:4px 0}td,th{border-bottom:1px solid #eceef3;padding:2px 8px;text-align:left;white-space:nowrap}
th{background:#f5f6f9;position:sticky;top:0}details{margin:6px 0}summary{cursor:pointer;color:#2a4f9e}
.scroll{max-height:360px;overflow:auto}
.st-forming{color:#8a6d00}.st-active{color:#1b7f3a}.st-filled{color:#2a4f9e}.st-invalidated{color:#b3261e}.st-expired{color:#6b7280}.st-dropped{color:#9aa0aa}
footer{margin-top:24px;color:#5d6474;font-size:12px}`;

/**
 * The day's report as one HTML document. Pure and deterministic: the same
 * input gives byte-identical text (no generation time, no randomness). The
 * chart library, the drawing code and the data are inlined; the page loads
 * nothing from anywhere (its Content-Security-Policy forbids it) and keeps
 * the library's licence header and TradingView's attribution link.
 */
export function renderDayReport(input: DayReportInput): string {
  const day = escapeHtml(input.day);
  const profile = escapeHtml(input.profile);
  const syms = escapeHtml(input.symbols.map((s) => s.symbol).join(", "));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>ict replay ${day} (${profile})</title>
<style>${STYLE}</style>
</head>
<body>
<h1>ict replay — ${day}</h1>
<div class="meta">profile ${profile} · symbols ${syms} · times in New York (America/New_York)</div>
<div id="ict-report"></div>
<footer>
Charts: TradingView Lightweight Charts™ — Copyright (c) TradingView, Inc. <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">https://www.tradingview.com/</a> — licensed under the Apache License 2.0.
</footer>
<script type="application/json" id="ict-report-data">${escapeJsonForScript(dayReportJson(input))}</script>
<script>
${lightweightChartsSource()}
</script>
<script>
${clientSource()}
</script>
</body>
</html>
`;
}

/** `ROOT/data/daily_news/<day>/processed/report.html`. */
export function reportPath(root: string, day: string): string {
  return join(processedDir(root, day), "report.html");
}

/**
 * Renders the day's report and writes it atomically to {@link reportPath};
 * returns the path. Not flushed to disk by default (`durable: false`): the
 * rename already leaves either the old or the new file to a killed process,
 * and a report is derived from the day's durably written capsules and context.
 */
export function writeDayReport(root: string, input: DayReportInput, durable = false): string {
  const p = reportPath(root, input.day);
  writeFileAtomic(p, renderDayReport(input), durable);
  return p;
}
