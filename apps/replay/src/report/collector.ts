/**
 * Collects what a day report shows while a replay runs: the tracker's stages
 * at every tick and the life of every confluence it reported.
 */
import { aggregate, parseIsoMs, structureEvents, type Columns, type Profile, type StructureEvent } from "@ict/core";
import { shortSummary, type Capsule, type TickOutput, type TrackerState } from "@ict/pipeline";
import type { ReportStatus } from "./types.js";

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
  status: ReportStatus;
  /**
   * When the status began by the tracker's own clock (epoch ms, its
   * `status_since_utc`), which can precede the tick that reported it: an
   * expiry takes effect when the record's time to live ran out, a fill at
   * the filling bar. Absent for `dropped`.
   */
  since?: number;
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

const TERMINAL = new Set<string>(["filled", "invalidated", "expired", "dropped"]);

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

function finiteOrNull(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** The tracker's `status_since_utc` as epoch ms, or undefined. */
function sinceOf(iso: unknown): number | undefined {
  if (typeof iso !== "string") return undefined;
  const ms = parseIsoMs(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A status change reported at tick `now`, with the tracker's own start time of that status. */
function eventOf(now: number, c: { status: ReportStatus; status_since_utc?: string }): ConfluenceEvent {
  const ev: ConfluenceEvent = { t: now, status: c.status };
  const since = sinceOf(c.status_since_utc);
  if (since !== undefined) ev.since = since;
  return ev;
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
            events: [eventOf(now, c)],
            seen: stamp,
          };
          a.lives.set(c.id, life);
        } else if (life.events[life.events.length - 1]!.status !== c.status) {
          life.seen = stamp;
          life.events.push(eventOf(now, c));
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
        confluences: [...a.lives.values()].map(({ seen: _seen, ...life }) => life),
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
