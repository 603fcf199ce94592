/**
 * Timestamps. Bars carry `t` as epoch milliseconds (UTC). Input may be an ISO
 * 8601 string or a number of epoch milliseconds; output times are formatted the
 * way the seed (pandas `Timestamp.isoformat()`) writes them, so that record ids
 * such as `FVG:1m:2024-01-02T14:30:00+00:00` match.
 */
import { OptionError, quoteValue, TimeFormatError } from "../base/errors.js";

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Largest |epoch ms| a JavaScript Date can hold. */
const MAX_MS = 8.64e15;

/**
 * Parses an ISO 8601 timestamp into epoch milliseconds. A string without a
 * zone is read as UTC (as the seed does with `utc=True`); offsets are
 * converted. Returns `NaN` when the text is not a valid timestamp.
 * Digits beyond milliseconds are truncated.
 */
export function parseIsoMs(text: string): number {
  const fast = parseCanonical(text);
  return fast === fast ? fast : parseIsoSlow(text);
}

/**
 * {@link parseIsoMs} for text from a user (a command-line date, a config
 * field): an impossible calendar date or time of day (`2026-02-30`,
 * `2026-13-45`, `T24:61`) or any other text that is not ISO 8601 throws a
 * {@link TimeFormatError} naming `what` and quoting the value, instead of
 * returning NaN or rolling over into the next month as `Date` does.
 */
export function parseIsoTime(text: string, what = "time"): number {
  const t = typeof text === "string" ? parseIsoMs(text) : NaN;
  if (Number.isNaN(t)) throw new TimeFormatError(what, text);
  return t;
}

// The canonical form this package writes (`isoUtc`): `YYYY-MM-DDTHH:MM:SS+00:00`.
// The tracker reads thousands of these per update; the date part is cached.
let parsedPrefix = "";
let parsedDayMs = NaN;

/** Epoch ms of a canonical UTC timestamp, or NaN when `text` is not one (then the general parser decides). */
function parseCanonical(s: string): number {
  if (s.length !== 25 || s.charCodeAt(10) !== 84 /* T */ || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || !s.endsWith("+00:00"))
    return NaN;
  const h1 = s.charCodeAt(11) - 48,
    h2 = s.charCodeAt(12) - 48;
  const m1 = s.charCodeAt(14) - 48,
    m2 = s.charCodeAt(15) - 48;
  const s1 = s.charCodeAt(17) - 48,
    s2 = s.charCodeAt(18) - 48;
  if ((h1 | h2 | m1 | m2 | s1 | s2) < 0 || h1 > 2 || h2 > 9 || m1 > 5 || m2 > 9 || s1 > 5 || s2 > 9) return NaN;
  const hour = h1 * 10 + h2;
  if (hour > 23) return NaN;
  if (!s.startsWith(parsedPrefix) || parsedPrefix.length !== 11) {
    const t = parseIsoSlow(s);
    if (t !== t) return NaN;
    parsedPrefix = s.slice(0, 11);
    parsedDayMs = t - ((hour * 60 + m1 * 10 + m2) * 60 + s1 * 10 + s2) * 1000;
    return t;
  }
  return parsedDayMs + ((hour * 60 + m1 * 10 + m2) * 60 + s1 * 10 + s2) * 1000;
}

/** How many times without a zone designator the readers have parsed so far (read as UTC); a reader compares it before and after. */
export const zoneless = { count: 0 };

function parseIsoSlow(text: string): number {
  const m = ISO_RE.exec(text.trim());
  if (m === null) return NaN;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = m[4] !== undefined ? +m[4] : 0;
  const minute = m[5] !== undefined ? +m[5] : 0;
  const second = m[6] !== undefined ? +m[6] : 0;
  const ms = m[7] !== undefined ? Math.floor(+(m[7] + "000").slice(0, 3)) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February over into March: reject it.
  const d = new Date(t);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return NaN;
  if (m[8] === undefined && m[9] === undefined) zoneless.count++;
  if (m[9] !== undefined) {
    const oh = +m[10]!;
    const om = m[11] !== undefined ? +m[11] : 0;
    if (oh > 23 || om > 59) return NaN;
    const off = (oh * 60 + om) * 60_000;
    t -= m[9] === "+" ? off : -off;
  }
  return Math.abs(t) <= MAX_MS ? t : NaN;
}

/**
 * Epoch numbers by magnitude: below 1e11 they are seconds (a millisecond
 * value that small is before March 1973), from 1e14 microseconds, from 1e17
 * nanoseconds, otherwise milliseconds. Exchange files mix these units (the
 * seed reads every integer as nanoseconds, Q21).
 */
export function epochToMs(x: number): number {
  const a = Math.abs(x);
  if (a < 1e11) return x * 1000;
  if (a >= 1e17) return x / 1e6;
  if (a >= 1e14) return x / 1000;
  return x;
}

/**
 * Reads a bar time: an ISO 8601 string or a finite epoch number (milliseconds;
 * seconds, microseconds and nanoseconds are recognised by magnitude, see
 * {@link epochToMs}). Returns `NaN` for anything else (booleans, non-finite
 * numbers, other types).
 */
export function toEpochMs(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return NaN;
    const t = epochToMs(value);
    return Math.abs(t) <= MAX_MS ? t : NaN;
  }
  if (typeof value === "string") return parseIsoMs(value);
  return NaN;
}

function pad(n: number, w: number): string {
  let s = String(n);
  while (s.length < w) s = "0" + s;
  return s;
}

const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? "0" : "") + i);
const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedPrefix = "";

/**
 * Formats epoch milliseconds as pandas' `Timestamp.isoformat()` does for a UTC
 * time: `2024-01-02T14:30:00+00:00`, with `.ffffff` only when the time has a
 * fractional second. (The date part is cached: records of one day share it.)
 */
export function isoUtc(ms: number): string {
  const whole = Math.floor(ms);
  const day = Math.floor(whole / DAY_MS);
  if (day !== cachedDay) {
    const d = new Date(day * DAY_MS);
    const y = d.getUTCFullYear();
    if (y < 0 || y > 9999) return isoUtcSlow(ms);
    cachedDay = day;
    cachedPrefix = pad(y, 4) + "-" + TWO[d.getUTCMonth() + 1] + "-" + TWO[d.getUTCDate()] + "T";
  }
  let rem = whole - day * DAY_MS;
  const hh = Math.floor(rem / 3_600_000);
  rem -= hh * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const ss = Math.floor(rem / 1000);
  const micros = (rem - ss * 1000) * 1000 + Math.round((ms - whole) * 1000);
  const base = cachedPrefix + TWO[hh] + ":" + TWO[mi] + ":" + TWO[ss];
  return micros === 0 ? base + "+00:00" : base + "." + pad(micros, 6) + "+00:00";
}

function isoUtcSlow(ms: number): string {
  const whole = Math.floor(ms);
  const d = new Date(whole);
  const base =
    pad(d.getUTCFullYear(), 4) +
    "-" +
    pad(d.getUTCMonth() + 1, 2) +
    "-" +
    pad(d.getUTCDate(), 2) +
    "T" +
    pad(d.getUTCHours(), 2) +
    ":" +
    pad(d.getUTCMinutes(), 2) +
    ":" +
    pad(d.getUTCSeconds(), 2);
  const micros = d.getUTCMilliseconds() * 1000 + Math.round((ms - whole) * 1000);
  return micros === 0 ? base + "+00:00" : base + "." + pad(micros, 6) + "+00:00";
}

/** Epoch ms of the `nth` Sunday (1-based) of a UTC month, at `hourUtc`. */
function nthSundayUtc(year: number, month: number, nth: number, hourUtc: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay(); // 0 = Sunday
  const day = 1 + ((7 - first) % 7) + 7 * (nth - 1);
  return Date.UTC(year, month, day, hourUtc);
}

/** Epoch ms of the last Sunday of a UTC month, at `hourUtc`. */
function lastSundayUtc(year: number, month: number, hourUtc: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), hourUtc);
}

/**
 * New York's offset from UTC at an instant, in ms (-5 h standard time, -4 h
 * daylight time). US rule since 2007: daylight time from the second Sunday of
 * March at 02:00 EST (07:00 UTC) to the first Sunday of November at 02:00 EDT
 * (06:00 UTC); 1987–2006 (and, as an approximation, earlier): from the first
 * Sunday of April to the last Sunday of October. Pure arithmetic, the same in
 * every engine (no Intl).
 */
export function nyOffsetMs(t: number): number {
  if (!(t >= dstYearLo && t < dstYearHi)) {
    // The UTC year of the instant and its daylight-time span, kept for the next calls (bars come in time order).
    const year = new Date(t).getUTCFullYear();
    if (Number.isNaN(year)) return -5 * 3_600_000;
    dstYearLo = Date.UTC(year, 0, 1);
    dstYearHi = Date.UTC(year + 1, 0, 1);
    dstStart = year >= 2007 ? nthSundayUtc(year, 2, 2, 7) : nthSundayUtc(year, 3, 1, 7);
    dstEnd = year >= 2007 ? nthSundayUtc(year, 10, 1, 6) : lastSundayUtc(year, 9, 6);
  }
  return t >= dstStart && t < dstEnd ? -4 * 3_600_000 : -5 * 3_600_000;
}

let dstYearLo = NaN;
let dstYearHi = NaN;
let dstStart = NaN;
let dstEnd = NaN;

// The New York day of the last call, as the UTC instants of its midnights: bars come in time
// order, so most calls fall in it.
let nyDayLo = NaN;
let nyDayHi = NaN;
let nyDayText = "";

/** The UTC instant of a New York wall-clock midnight (read as if UTC): no DST switch happens at midnight. */
const nyMidnightUtc = (localMidnight: number) => localMidnight - nyOffsetMs(localMidnight + 5 * 3_600_000);

/** The New York calendar date (`YYYY-MM-DD`) of an instant. */
export function nyDate(t: number): string {
  if (t >= nyDayLo && t < nyDayHi) return nyDayText;
  const local = t + nyOffsetMs(t);
  const day = 86_400_000;
  const midnight = local - (((local % day) + day) % day);
  nyDayText = new Date(midnight).toISOString().slice(0, 10);
  nyDayLo = nyMidnightUtc(midnight);
  nyDayHi = nyMidnightUtc(midnight + day);
  return nyDayText;
}

/** Minutes of a timeframe label: `"<n>m"`, `"<n>h"` or `"<n>d"` (e.g. `"5m"`, `"1h"`, `"1d"`); NaN for anything else. */
export function tfMinutes(tf: string): number {
  const m = /^([1-9]\d{0,5})(m|h|d)$/.exec(tf);
  if (m === null) return NaN;
  const n = Number(m[1]);
  return m[2] === "m" ? n : m[2] === "h" ? n * 60 : n * 1440;
}

/** Offset of an IANA time zone from UTC at an instant, in ms (New York and UTC without Intl). */
export function zoneOffsetMs(tz: string, t: number): number {
  if (tz === "UTC") return 0;
  if (tz === "America/New_York") return nyOffsetMs(t);
  const parts = zoneFormat(tz).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
  return wall - Math.floor(t / 1000) * 1000;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(tz, f);
  }
  return f;
}

/** Whether `tz` names a time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  if (tz === "UTC" || tz === "America/New_York") return true;
  try {
    zoneFormat(tz);
    return true;
  } catch {
    return false;
  }
}

/** The instant of a wall-clock time (read as if UTC) in zone `tz`. */
export function wallToUtc(wall: number, tz: string): number {
  const guess = wall - zoneOffsetMs(tz, wall);
  return wall - zoneOffsetMs(tz, guess);
}

/** The minutes of the `tf` option (see {@link tfMinutes}); an `OptionError` naming tf for anything else. */
export function tfOption(tf: unknown): number {
  const minutes = typeof tf === "string" ? tfMinutes(tf) : NaN;
  if (Number.isNaN(minutes))
    throw new OptionError("tf", `must be a timeframe such as "1m", "5m", "15m", "1h", "4h" or "1d", got ${quoteValue(tf)}`);
  return minutes;
}

/**
 * Whether bars `d` ms apart can be consecutive bars of a `step`-ms timeframe:
 * a whole number of steps, or — for bars of whole hours, 2 h or more, aligned
 * on New York time — a whole number of steps plus or minus the one-hour
 * daylight-saving shift (a 4h or daily bar across a DST change).
 */
export function tfSpaced(d: number, step: number): boolean {
  if (d % step === 0) return true;
  const hour = 3_600_000;
  return step >= 2 * hour && step % hour === 0 && ((d + hour) % step === 0 || (d - hour) % step === 0);
}

/** The smallest positive step between consecutive bar times (ms); Infinity for fewer than two distinct times. */
export function minSpacingMs(t: ArrayLike<number>): number {
  let step = Infinity;
  for (let i = 1; i < t.length; i++) {
    const d = t[i]! - t[i - 1]!;
    if (d > 0 && d < step) step = d;
  }
  return step;
}

/** The label of a duration in ms: `"5m"`, `"1h"`, `"1d"`, or seconds (`"90s"`) when it is no whole minute. */
export function durationLabel(ms: number): string {
  if (ms % 60_000 !== 0) return `${ms / 1000}s`;
  const m = ms / 60_000;
  return m % 1440 === 0 ? `${m / 1440}d` : m % 60 === 0 ? `${m / 60}h` : `${m}m`;
}
