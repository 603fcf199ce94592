/**
 * The New York trading calendar. Regular sessions (09:30–16:00, 13:00 on half
 * days; none on weekends and exchange holidays) come from Alpaca's calendar
 * endpoint, fetched a month at a time and cached in memory and in a JSON file.
 * The live loop fetches the current month again every New York day, since
 * an exchange can announce a closure or an early close at short notice.
 * When the calendar cannot be had (network), weekdays 09:30–16:00 are
 * assumed (and said); keys refused by the trading host are not a reason to
 * guess: that error is passed on, and the loop stops.
 */
import { existsSync, readFileSync } from "node:fs";
import { nyDate } from "@ict/pipeline";
import { writeJsonAtomic } from "@ict/pipeline/node";
import { AlpacaAuthError, type CalendarDay } from "./alpaca/types.js";

const PARTS = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** New York's offset from UTC at instant `t` (ms; -5 h in winter, -4 h in summer). */
export function nyOffsetMs(t: number): number {
  const p: Record<string, number> = {};
  for (const x of PARTS.formatToParts(new Date(t))) if (x.type !== "literal") p[x.type] = Number(x.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant of New York local time `hhmm` (`HH:MM` or `HHMM`) on `day` (`YYYY-MM-DD`). */
export function nyTime(day: string, hhmm: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const h = /^(\d{2}):?(\d{2})$/.exec(hhmm);
  if (!m || !h) throw new RangeError(`bad New York day/time ${day} ${hhmm}`);
  const local = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +h[1]!, +h[2]!);
  // Two passes settle the offset across a DST change.
  let t = local - nyOffsetMs(local);
  t = local - nyOffsetMs(t);
  return t;
}

/** Midnight New York time at the start of `day`. */
export function nyDayStart(day: string): number {
  return nyTime(day, "00:00");
}

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** A regular session, epoch ms. */
export interface Session {
  day: string;
  open: number;
  close: number;
}

/** Where calendar days come from (the REST client's `calendar`). */
export type CalendarSource = (start: string, end: string) => Promise<CalendarDay[]>;

/** Cached New York trading calendar. */
export class TradingCalendar {
  private readonly days = new Map<string, CalendarDay | null>();
  private readonly fetched = new Set<string>();

  constructor(
    private readonly source: CalendarSource | null,
    private readonly cacheFile: string | null,
    private readonly log: (msg: string) => void = () => {},
  ) {
    if (cacheFile && existsSync(cacheFile)) {
      try {
        const doc = JSON.parse(readFileSync(cacheFile, "utf8")) as { months: string[]; days: CalendarDay[] };
        for (const d of doc.days) this.days.set(d.date, d);
        for (const m of doc.months) this.fetched.add(m);
      } catch (e) {
        log(`calendar: ignoring unreadable cache ${cacheFile} (${(e as Error).message})`);
      }
    }
  }

  /**
   * Loads the month of `day` (and caches it); falls back to weekdays
   * 09:30–16:00 when the calendar cannot be fetched, and returns whether it
   * was fetched. `force` fetches the month even when it is cached (the daily
   * reload). Keys refused ({@link AlpacaAuthError}) are thrown, not guessed
   * around.
   */
  async load(day: string, force = false): Promise<boolean> {
    const month = day.slice(0, 7);
    if (this.fetched.has(month) && !force) return true;
    const start = `${month}-01`;
    const end = addDays(addDays(start, 31).slice(0, 7) + "-01", -1);
    if (this.source) {
      try {
        const list = await this.source(start, end);
        for (let d = start; d <= end; d = addDays(d, 1)) this.days.set(d, null);
        for (const c of list)
          if (typeof c?.date === "string" && typeof c.open === "string" && typeof c.close === "string") this.days.set(c.date, c);
        this.fetched.add(month);
        if (this.cacheFile) {
          const all = [...this.days.values()].filter((x): x is CalendarDay => x !== null).sort((a, b) => (a.date < b.date ? -1 : 1));
          writeJsonAtomic(this.cacheFile, { months: [...this.fetched].sort(), days: all });
        }
        return true;
      } catch (e) {
        if (e instanceof AlpacaAuthError) throw e;
        if ((e as Error)?.name === "AbortError" || (e as { code?: string })?.code === "ABORT_ERR") return false;
        this.log(`calendar: cannot fetch ${month} (${(e as Error).message}); assuming weekdays 09:30-16:00`);
      }
    }
    return false;
  }

  /** The regular session of `day`, or null (weekend, holiday). Call {@link load} first for exchange holidays and half days. */
  session(day: string): Session | null {
    let c = this.days.get(day);
    // A day missing from a fetched month is a weekend or a holiday.
    if (c === undefined && this.fetched.has(day.slice(0, 7))) c = null;
    if (c === undefined) {
      const wd = new Date(`${day}T12:00:00Z`).getUTCDay();
      c = wd === 0 || wd === 6 ? null : { date: day, open: "09:30", close: "16:00" };
    }
    if (c === null) return null;
    return { day, open: nyTime(day, c.open), close: nyTime(day, c.close) };
  }

  /** Whether `t` is inside a regular session. */
  isRegularHours(t: number): boolean {
    const s = this.session(nyDate(t));
    return s !== null && t >= s.open && t < s.close;
  }
}
