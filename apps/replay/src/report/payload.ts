/**
 * The data island of a day report: the zones, breaks, EQ/OTE, SMT marks,
 * stages and confluence lives of each symbol, with named fields and chart
 * times (UTC seconds). Pure: the same input gives the same JSON text.
 */
import { OptionError, parseIsoMs } from "@ict/core";
import { type Capsule } from "@ict/pipeline";
import type { ConfluenceLife, DayReportInput, SymbolReportInput } from "./collector.js";
import { nearestZones } from "./filter.js";
import type {
  BreakLine,
  ConfluenceRow,
  EqOtePoint,
  LevelLine,
  ReportPayload,
  SessionBand,
  SmtMark,
  StageRun,
  SymbolPayload,
  ZoneBox,
  ZoneEnd,
  ZoneKind,
} from "./types.js";

/** Options of the report's payload. */
export interface ReportOptions {
  /**
   * Show only the zones that matter to price: per timeframe, a zone is kept
   * when at some 1m bar of its life it was among the `nearestZones` live
   * zones nearest above that bar's close or among the `nearestZones` nearest
   * below it (a zone the close sits inside is at distance 0 on both sides).
   * Undefined: every zone is shown. A positive integer.
   */
  nearestZones?: number;
}

/** Validates {@link ReportOptions} (a typed error naming the option, as the caller calls it, and the value). */
export function checkReportOptions(o: ReportOptions, name = "nearestZones"): void {
  const n = o.nearestZones;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) {
    throw new OptionError(name, `must be a positive integer (zones per side and timeframe), got ${String(n)}`);
  }
}

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

const finite2 = (a: unknown): a is [number, number] => Array.isArray(a) && Number.isFinite(a[0]) && Number.isFinite(a[1]);

const dirOf = (d: unknown): "bull" | "bear" | null => (d === "bull" || d === "bear" ? d : null);

function nums(a: Float64Array): (number | null)[] {
  const out: (number | null)[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number.isFinite(a[i]!) ? a[i]! : null;
  return out;
}

/** An end candidate: the earlier one wins. */
type End = { t: number; why: ZoneEnd } | null;

const earlier = (a: End, b: End): End => (a === null ? b : b === null ? a : b.t < a.t ? b : a);

/** The tracker's first terminal status of a confluence: filled, invalidated or expired, at the time the tracker gives it. */
function trackerEnd(life: ConfluenceLife | undefined): End {
  for (const e of life?.events ?? []) {
    if (e.status === "filled" || e.status === "invalidated" || e.status === "expired") {
      const t = sec(e.since !== undefined && e.since <= e.t ? e.since : e.t);
      return t === null ? null : { t, why: e.status };
    }
  }
  return null;
}

/**
 * The zones of a capsule's records. A box runs from the zone's formation to
 * the first event that ended it: the record's own fill, trade-through or
 * invalidation, or the tracker's terminal status of the same id (a fill or
 * invalidation it judged, or the expiry of a zone that outlived its time to
 * live), whichever came first. Seed records carry only flags, so for them
 * the tracker's status is the end.
 */
export function zonesOf(capsule: Capsule | null, lives: ReadonlyMap<string, ConfluenceLife>): ZoneBox[] {
  if (capsule === null) return [];
  const out: ZoneBox[] = [];
  const push = (kind: ZoneKind, tf: string, anchor: unknown, r: Record<string, any>, from: number | null, range: unknown, own: End) => {
    if (from === null || !finite2(range)) return;
    const id = `${kind}:${tf}:${anchor}`;
    const end = earlier(own, trackerEnd(lives.get(id)));
    out.push({
      id,
      kind,
      tf,
      dir: dirOf(r.dir),
      from,
      to: end === null ? null : Math.max(from, end.t),
      end: end === null ? null : end.why,
      low: Math.min(range[0], range[1]),
      high: Math.max(range[0], range[1]),
      ce: finiteOrNull(r.ce),
    });
  };
  const at = (x: unknown, why: ZoneEnd): End => {
    const t = sec(x);
    return t === null ? null : { t, why };
  };
  for (const key of ["tf_5m", "tf_1m"] as const) {
    const f = capsule.features[key] as unknown as Record<string, any> | undefined;
    if (!f) continue;
    const tf = String(f.tf ?? key.slice(3));
    // A gap closed through before (or at) its fill is invalidated, as the tracker judges it.
    for (const r of (f.fvg ?? []) as Record<string, any>[]) {
      const tt = at(r.traded_through_at, "invalidated");
      const fl = at(r.filled_at, "filled");
      const own = tt !== null && (fl === null || tt.t <= fl.t) ? tt : fl;
      push("FVG", tf, r.start, r, sec(r.start), r.gap, own);
    }
    // An inversion exists from the close through the gap that inverted it.
    for (const r of (f.ifvg ?? []) as Record<string, any>[]) {
      push(
        "IFVG",
        tf,
        r.start,
        r,
        sec(r.traded_through_at) ?? sec(r.retested_at) ?? sec(r.start),
        r.gap,
        at(r.invalidated_at, "invalidated"),
      );
    }
    for (const r of (f.ob ?? []) as Record<string, any>[])
      push("OB", tf, r.time, r, sec(r.time), r.body, at(r.invalidated_at, "invalidated"));
    // ict: the failed block's body from the break that made it a breaker; seed: its level only.
    for (const r of (f.bb ?? []) as Record<string, any>[]) {
      const range = Array.isArray(r.zone) ? r.zone : [r.level, r.level];
      push("BB", tf, r.from_ob_time, r, sec(r.time) ?? sec(r.from_ob_time), range, at(r.invalidated_at, "invalidated"));
    }
  }
  return out;
}

/** The sessions (bands) and key levels (lines) of the day's last capsule (`ict`). */
export function levelsOf(capsule: Capsule | null, dayStart: number): { sessions: SessionBand[]; levels: LevelLine[] } {
  const f = (capsule?.features ?? {}) as { sessions?: unknown; levels?: Record<string, any> };
  const sessions: SessionBand[] = [];
  for (const x of Array.isArray(f.sessions) ? (f.sessions as Array<Record<string, unknown>>) : []) {
    const from = sec(x.start),
      to = sec(x.end);
    if (from !== null && to !== null && typeof x.name === "string" && isNum(x.high) && isNum(x.low))
      sessions.push({ name: x.name, from, to, high: x.high, low: x.low });
  }
  const levels: LevelLine[] = [];
  const lv = f.levels ?? {};
  const add = (name: string, price: unknown, from: number | null, taken: unknown) => {
    if (isNum(price)) levels.push({ name, price, from: from ?? dayStart, taken: sec(taken) });
  };
  const range = (key: string, hi: string, lo: string) => {
    const r = lv[key];
    if (r && typeof r === "object") {
      add(hi, r.high, null, r.high_taken_at);
      add(lo, r.low, null, r.low_taken_at);
    }
  };
  range("prev_day", "PDH", "PDL");
  if (lv.prev_day) add("PDC", lv.prev_day.close, null, null);
  range("prev_week", "PWH", "PWL");
  range("prev_month", "PMH", "PML");
  range("overnight", "ONH", "ONL");
  for (const [key, name] of [
    ["midnight_open", "midnight open"],
    ["open_0830", "08:30 open"],
    ["rth_open", "09:30 open"],
  ] as const) {
    const o = lv[key];
    if (o && typeof o === "object") add(name, o.price, sec(o.time), o.taken_at);
  }
  const g = lv.opening_gap;
  if (g && typeof g === "object") add(`${g.kind} gap CE`, g.ce, sec(g.to_time), g.ce_taken_at);
  return { sessions, levels };
}

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** The payload of one symbol. */
export function symbolPayload(s: SymbolReportInput, dayEnd: number, o: ReportOptions = {}): SymbolPayload {
  const n = s.bars.length;
  const t: number[] = new Array(n);
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    // The chart needs strictly increasing whole seconds.
    let x = Math.floor(s.bars.t[i]! / 1000);
    if (x <= prev) x = prev + 1;
    t[i] = prev = x;
  }
  const c = nums(s.bars.c);
  const lives = new Map(s.confluences.map((x) => [x.id, x]));
  // Stage runs: a new row only when something changes.
  const stages: StageRun[] = [];
  const eqote: EqOtePoint[] = [];
  let key = "";
  let eqKey = "";
  for (const p of s.timeline) {
    const k = `${p.htf_stage}|${p.ltf_stage}|${p.bias}|${p.price_vs_eq}`;
    if (k !== key) stages.push({ t: sec(p.t)!, htf: p.htf_stage, ltf: p.ltf_stage, bias: p.bias, priceVsEq: p.price_vs_eq });
    key = k;
    const e = `${p.eq}|${p.ote?.[0]}|${p.ote?.[1]}`;
    if (e !== eqKey) eqote.push({ t: sec(p.t)!, eq: p.eq, oteLow: p.ote ? p.ote[0] : null, oteHigh: p.ote ? p.ote[1] : null });
    eqKey = e;
  }
  const breaks: BreakLine[] = [];
  for (const tf of ["5m", "1m"] as const) {
    for (const e of s.structure[tf]) {
      const from = sec(e.swing_time);
      const at = sec(e.time);
      if (Number.isFinite(e.level) && from !== null && at !== null)
        breaks.push({ tf, dir: dirOf(e.dir), kind: e.kind === "CHOCH" ? "CHOCH" : "BOS", from, at, level: e.level });
    }
  }
  const smt: SmtMark[] = [];
  for (const r of s.capsule?.features.smt ?? []) {
    const tt = sec(r.time);
    if (tt !== null) smt.push({ t: tt, dir: dirOf(r.type), pair: String(r.pair ?? "") });
  }
  const confs: ConfluenceRow[] = s.confluences.map((x) => ({
    kind: x.kind,
    tf: x.tf,
    dir: dirOf(x.dir),
    summary: x.summary,
    events: x.events.map((e) => ({ t: sec(e.t)!, status: e.status })),
  }));
  const { sessions, levels } = levelsOf(s.capsule, t[0] ?? 0);
  const all = zonesOf(s.capsule, lives);
  const zones = o.nearestZones === undefined ? all : nearestZones(all, t, c, o.nearestZones);
  const last = s.timeline[s.timeline.length - 1];
  return {
    symbol: s.symbol,
    t,
    o: nums(s.bars.o),
    h: nums(s.bars.h),
    l: nums(s.bars.l),
    c,
    v: nums(s.bars.v),
    zones,
    zonesTotal: all.length,
    breaks,
    eqote,
    smt,
    sessions,
    levels,
    stages,
    confs,
    end: dayEnd,
    final: last ? { htf: last.htf_stage, ltf: last.ltf_stage, bias: last.bias, priceVsEq: last.price_vs_eq, eq: last.eq } : null,
  };
}

/** The report's data. */
export function dayReportPayload(input: DayReportInput, o: ReportOptions = {}): ReportPayload {
  checkReportOptions(o);
  let dayEnd = 0;
  for (const s of input.symbols) if (s.bars.length > 0) dayEnd = Math.max(dayEnd, Math.floor(s.bars.t[s.bars.length - 1]! / 1000) + 60);
  return {
    day: input.day,
    profile: input.profile,
    nearestZones: o.nearestZones ?? null,
    symbols: input.symbols.map((s) => symbolPayload(s, dayEnd, o)),
  };
}

/** The report's data as JSON. NaN and infinities are null already (JSON has neither). */
export function dayReportJson(input: DayReportInput, o: ReportOptions = {}): string {
  // Every number of the payload is finite or null by construction: no replacer needed (it would cost most of the time).
  return JSON.stringify(dayReportPayload(input, o));
}
