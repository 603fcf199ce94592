/**
 * Trading days, sessions and killzones on the New York clock (DST-aware: every
 * window is wall-clock time in America/New_York, so a killzone starts at the
 * same New York time in winter and in summer — at a different UTC hour).
 */
import { OptionError } from "../../base/errors.js";
import { nyDate, nyOffsetMs } from "../../io/time.js";

/**
 * What the instrument trades like, which decides its trading day:
 * `equity` — the New York calendar day, regular hours 09:30–16:00 (pre-market
 * from 04:00, after-hours to 20:00); `futures` — the CME day, from 18:00 New
 * York the evening before to 17:00; `crypto` — 24/7, New York midnight to
 * midnight.
 */
export type InstrumentClass = "equity" | "futures" | "crypto";

/** The instrument classes, in the order the CLI lists them. */
export const INSTRUMENT_CLASSES: readonly InstrumentClass[] = ["equity", "futures", "crypto"];

/**
 * A session or killzone: a window of New York wall-clock time, `start`
 * included, `end` excluded (`"HH:MM"`, `"00:00"` as an end is midnight). A
 * window starting at 18:00 or later opens the evening before the day it
 * belongs to (Asia 20:00–00:00 precedes London of the same trading day).
 */
export interface SessionWindow {
  name: string;
  start: string;
  end: string;
}

/**
 * The killzones of ICT teaching (New York time): Asia 20:00–00:00, London
 * 02:00–05:00, New York AM 07:00–10:00, London close 10:00–12:00, lunch
 * 12:00–13:00, New York PM 13:30–16:00, and the three Silver Bullet hours
 * 03–04, 10–11 and 14–15.
 */
export const KILLZONES: readonly SessionWindow[] = Object.freeze([
  { name: "asia", start: "20:00", end: "00:00" },
  { name: "london", start: "02:00", end: "05:00" },
  { name: "silver_bullet_london", start: "03:00", end: "04:00" },
  { name: "ny_am", start: "07:00", end: "10:00" },
  { name: "silver_bullet_am", start: "10:00", end: "11:00" },
  { name: "london_close", start: "10:00", end: "12:00" },
  { name: "lunch", start: "12:00", end: "13:00" },
  { name: "ny_pm", start: "13:30", end: "16:00" },
  { name: "silver_bullet_pm", start: "14:00", end: "15:00" },
]);

/** The US equity sessions: pre-market 04:00–09:30, regular 09:30–16:00, after-hours 16:00–20:00. */
export const EQUITY_SESSIONS: readonly SessionWindow[] = Object.freeze([
  { name: "pre_market", start: "04:00", end: "09:30" },
  { name: "regular", start: "09:30", end: "16:00" },
  { name: "after_hours", start: "16:00", end: "20:00" },
]);

/** The default windows of an instrument class: the killzones, and for equities also their three sessions. */
export function defaultSessions(instrument: InstrumentClass): SessionWindow[] {
  return instrument === "equity" ? [...EQUITY_SESSIONS, ...KILLZONES] : [...KILLZONES];
}

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Minutes of 09:30 and 16:00 (the regular session of US equities; the "RTH open" of every class). */
export const RTH_OPEN_MIN = 570;
export const RTH_CLOSE_MIN = 960;

/** A window resolved to minutes from the midnight of the day it belongs to (negative: the evening before). */
export interface ResolvedWindow {
  name: string;
  /** Minutes from the day's New York midnight; `from` < `to`. */
  from: number;
  to: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Checks and resolves the `sessions` option (typed errors naming the option and the value). */
export function resolveWindows(windows: unknown): ResolvedWindow[] {
  if (!Array.isArray(windows)) throw new OptionError("sessions", `must be an array of {name, start, end}, got ${JSON.stringify(windows)}`);
  const seen = new Set<string>();
  return windows.map((w, i) => {
    const x = w as Partial<SessionWindow> | null;
    if (x === null || typeof x !== "object" || typeof x.name !== "string" || !/^[A-Za-z0-9_.-]{1,40}$/.test(x.name))
      throw new OptionError(`sessions[${i}].name`, `must be 1-40 letters, digits, "_", "." or "-", got ${JSON.stringify(x?.name)}`);
    if (seen.has(x.name)) throw new OptionError(`sessions[${i}].name`, `is a duplicate: ${JSON.stringify(x.name)}`);
    seen.add(x.name);
    const s = typeof x.start === "string" ? HHMM.exec(x.start) : null;
    const e = typeof x.end === "string" ? HHMM.exec(x.end) : null;
    if (s === null) throw new OptionError(`sessions[${i}].start`, `must be "HH:MM" New York time, got ${JSON.stringify(x.start)}`);
    if (e === null) throw new OptionError(`sessions[${i}].end`, `must be "HH:MM" New York time, got ${JSON.stringify(x.end)}`);
    let from = Number(s[1]) * 60 + Number(s[2]);
    let to = Number(e[1]) * 60 + Number(e[2]);
    if (to === from) throw new OptionError(`sessions[${i}]`, `is empty: start and end are both ${x.start}`);
    // Past midnight when it ends before it starts; an evening start (18:00 or later) opens the day before.
    if (to < from) to += 1440;
    if (from >= 18 * 60) {
      from -= 1440;
      to -= 1440;
    }
    return { name: x.name, from, to };
  });
}

/**
 * The UTC instant of New York wall-clock `minutes` after the midnight of
 * `date`. A time that happens twice (the November hour) is its first
 * instant; a time that never happens (02:00–03:00 on the March day) is the
 * instant the clock jumps (03:00 EDT, 07:00 UTC).
 */
export function nyWallToUtc(date: string, minutes: number): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE;
  const edt = wall + 4 * 3_600_000;
  if (edt + nyOffsetMs(edt) === wall) return edt;
  const est = wall + 5 * 3_600_000;
  if (est + nyOffsetMs(est) === wall) return est;
  // The skipped hour: US clocks jump from 02:00 EST to 03:00 EDT, at 07:00 UTC.
  return Date.parse(`${date}T07:00:00Z`);
}

/** Minutes of an instant since its New York midnight, and its New York date. */
export function nyClock(t: number): { date: string; minute: number } {
  const local = t + nyOffsetMs(t);
  return { date: nyDate(t), minute: Math.floor((((local % DAY) + DAY) % DAY) / MINUTE) };
}

/** The date (`YYYY-MM-DD`) `n` days after `date`. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** The trading day of a bar starting at `t`: the New York date, or for futures the next one from 18:00. */
export function tradingDay(t: number, instrument: InstrumentClass): string {
  if (instrument !== "futures") return nyDate(t);
  const { date, minute } = nyClock(t);
  return minute >= 18 * 60 ? addDays(date, 1) : date;
}

/** The Monday (`YYYY-MM-DD`) of a date's week: weeks run Monday to Sunday (a futures Sunday evening opens Monday's day). */
export function weekOf(date: string): string {
  const d = Date.parse(`${date}T00:00:00Z`);
  const dow = (new Date(d).getUTCDay() + 6) % 7;
  return new Date(d - dow * DAY).toISOString().slice(0, 10);
}
