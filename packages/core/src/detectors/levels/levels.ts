/**
 * Key levels, sessions and opening gaps of the trading day, causal bar by bar:
 * everything reported at a bar is known from that bar and the ones before it.
 *
 * One engine (bars pushed in time order) gives both the batch value
 * ({@link computeLevels}: every bar pushed) and the streaming one
 * ({@link createLevelsStream}), so they cannot differ.
 */
import { OptionError } from "../../base/errors.js";
import { isoUtc } from "../../io/time.js";
import { columnsFromBars, type Columns } from "../../io/columns.js";
import {
  addDays,
  defaultSessions,
  INSTRUMENT_CLASSES,
  nyClock,
  nyWallToUtc,
  resolveWindows,
  RTH_CLOSE_MIN,
  RTH_OPEN_MIN,
  tradingDay,
  weekOf,
  type InstrumentClass,
  type ResolvedWindow,
  type SessionWindow,
} from "./sessions.js";

/** Options of {@link computeLevels} and {@link createLevelsStream}. */
export interface LevelsOptions {
  /** What the instrument trades like (its trading day and sessions); default `equity`. */
  instrument?: InstrumentClass;
  /** Sessions and killzones to track (New York time); default {@link defaultSessions} of the instrument. */
  sessions?: readonly SessionWindow[];
}

/** A high/low range of an earlier period, and when price first traded beyond each side on the current day. */
export interface RangeLevel {
  high: number;
  low: number;
  /** First bar of the day with a high above `high` (ISO UTC), null until then. */
  high_taken_at: string | null;
  /** First bar of the day with a low below `low` (ISO UTC), null until then. */
  low_taken_at: string | null;
}

/** The previous trading day (for equities its regular session, 09:30–16:00). */
export interface PrevDay extends RangeLevel {
  day: string;
  open: number;
  close: number;
}

/** An opening price of the day and when price first crossed it afterwards. */
export interface OpenLevel {
  price: number;
  /** The bar whose open it is (ISO UTC). */
  time: string;
  /** First later bar that traded from one side of the price to the other (ISO UTC), null until then. */
  taken_at: string | null;
}

/**
 * An opening gap: the regular-session gap of equities (previous 16:00 close to
 * the 09:30 open), the new day (NDOG) or new week (NWOG) opening gap of futures
 * (the 17:00 close to the 18:00 open) and the New York midnight gap of crypto
 * (NDOG). `ce` is its consequent encroachment, the middle.
 */
export interface OpeningGap {
  kind: "RTH" | "NDOG" | "NWOG";
  dir: "up" | "down";
  low: number;
  high: number;
  ce: number;
  /** The bar of the close before the gap and the bar that opened beyond it (ISO UTC). */
  from_time: string;
  to_time: string;
  /** First bar (from the opening one) that reached the middle, and that closed the gap entirely (ISO UTC). */
  ce_taken_at: string | null;
  filled_at: string | null;
}

/** A session or killzone of the day, as far as it has traded. */
export interface SessionRange {
  name: string;
  /** The window (ISO UTC). */
  start: string;
  end: string;
  high: number;
  low: number;
  /** First bar after the window's end beyond its high / low (ISO UTC), null until then. */
  high_taken_at: string | null;
  low_taken_at: string | null;
}

/** The levels of the trading day of the last bar pushed. */
export interface Levels {
  instrument: InstrumentClass;
  /** The trading day of the last bar. */
  day: string;
  prev_day: PrevDay | null;
  /**
   * The previous Monday–Sunday week and the previous calendar month of
   * trading days; null unless the bars seen begin by its first day (feed
   * enough history).
   */
  prev_week: (RangeLevel & { week: string }) | null;
  prev_month: (RangeLevel & { month: string }) | null;
  /** Opens of the day's bars starting at New York 00:00, 08:30 and 09:30 (null without such a bar). */
  midnight_open: OpenLevel | null;
  open_0830: OpenLevel | null;
  rth_open: OpenLevel | null;
  /**
   * The overnight range, known at 09:30: for equities the previous after-hours
   * and the pre-market, for futures from the 18:00 open, for crypto from
   * midnight (null without bars there). Taken by bars from 09:30.
   */
  overnight: RangeLevel | null;
  opening_gap: OpeningGap | null;
  /** The day's windows that have traded, in the order of the options. */
  sessions: SessionRange[];
  /** Names of the windows the last bar is in. */
  current: string[];
}

/** What a finished trading day leaves for later days. */
interface DaySummary {
  day: string;
  week: string;
  month: string;
  /** The day's range (equities: regular session only); NaN without such bars. */
  open: number;
  high: number;
  low: number;
  close: number;
  /** The time of the bar of `close`. */
  closeT: number;
  /** The close and time of its last bar (any session), for the next day's gap. */
  lastClose: number;
  lastT: number;
  /** Equities: the after-hours range (NaN without bars). */
  ahHigh: number;
  ahLow: number;
}

interface Range {
  high: number;
  low: number;
  highTaken: number;
  lowTaken: number;
}

interface Open {
  price: number;
  t: number;
  taken: number;
}

interface Gap {
  kind: OpeningGap["kind"];
  dir: "up" | "down";
  low: number;
  high: number;
  fromT: number;
  toT: number;
  ceTaken: number;
  filled: number;
}

interface Sess {
  w: ResolvedWindow;
  start: number;
  end: number;
  high: number;
  low: number;
  highTaken: number;
  lowTaken: number;
}

/** The state of the current trading day. */
interface Day {
  day: string;
  week: string;
  month: string;
  prevDay: (Range & { day: string; open: number; close: number; closeT: number }) | null;
  prevWeek: (Range & { week: string }) | null;
  prevMonth: (Range & { month: string }) | null;
  midnight: Open | null;
  o0830: Open | null;
  rth: Open | null;
  overnight: Range | null;
  /** Start of the regular session (UTC ms): the overnight range is final from it. */
  rthStart: number;
  gap: Gap | null;
  sessions: Sess[];
  sum: DaySummary;
}

/** An open level is the first bar starting within this long of its time (a 1m–5m bar). */
const OPEN_SLACK_MIN = 5;

const emptyRange = (high: number, low: number): Range => ({ high, low, highTaken: NaN, lowTaken: NaN });
const iso = (t: number) => (Number.isNaN(t) ? null : isoUtc(t));
const rangeOut = (r: Range): RangeLevel => ({ high: r.high, low: r.low, high_taken_at: iso(r.highTaken), low_taken_at: iso(r.lowTaken) });
const openOut = (o: Open | null): OpenLevel | null => (o === null ? null : { price: o.price, time: isoUtc(o.t), taken_at: iso(o.taken) });

/** Checks the options (typed errors naming the option and the value). */
function resolveOptions(o: LevelsOptions | undefined): { instrument: InstrumentClass; windows: ResolvedWindow[] } {
  const instrument = o?.instrument ?? "equity";
  if (!INSTRUMENT_CLASSES.includes(instrument))
    throw new OptionError("instrument", `must be one of ${INSTRUMENT_CLASSES.join(", ")}, got ${JSON.stringify(instrument)}`);
  return { instrument, windows: resolveWindows(o?.sessions ?? defaultSessions(instrument)) };
}

/**
 * The levels engine: bars pushed strictly in time order; `value()` is the
 * levels of the last bar's trading day as known at that bar.
 */
class LevelsEngine {
  readonly instrument: InstrumentClass;
  private readonly windows: ResolvedWindow[];
  private readonly days: DaySummary[] = [];
  private cur: Day | null = null;
  private lastT = -Infinity;
  private prevClose = NaN;
  /** The windows opening the evening before the next New York date (Asia), trading before that day starts (not futures: its day starts at 18:00). */
  private evening: { day: string; sessions: Sess[] } | null = null;

  constructor(o: { instrument: InstrumentClass; windows: ResolvedWindow[] }) {
    this.instrument = o.instrument;
    this.windows = o.windows;
  }

  /** A deep copy of the state (restored on a revision). */
  clone(): LevelsEngine {
    const c = new LevelsEngine({ instrument: this.instrument, windows: this.windows });
    c.days.push(...this.days);
    c.cur = this.cur === null ? null : structuredClone(this.cur);
    c.lastT = this.lastT;
    c.prevClose = this.prevClose;
    c.evening = this.evening === null ? null : structuredClone(this.evening);
    return c;
  }

  get last(): number {
    return this.lastT;
  }

  push(t: number, o: number, h: number, l: number, c: number): void {
    const day = tradingDay(t, this.instrument);
    if (this.cur === null || this.cur.day !== day) this.open(day, t, o);
    const d = this.cur!;
    const { minute, date } = nyClock(t);
    // Minutes from the midnight of the trading day's date (a futures evening bar is negative).
    const m = date === d.day ? minute : minute - 1440;
    this.takeLevels(d, t, h, l);
    // The day's summary (equities: the regular session) and its last bar.
    const regular = this.instrument !== "equity" || (m >= RTH_OPEN_MIN && m < RTH_CLOSE_MIN);
    const s = d.sum;
    if (regular) {
      if (Number.isNaN(s.open)) s.open = o;
      if (!(h <= s.high)) s.high = h;
      if (!(l >= s.low)) s.low = l;
      s.close = c;
      s.closeT = t;
    }
    if (this.instrument === "equity" && m >= RTH_CLOSE_MIN) {
      if (!(h <= s.ahHigh)) s.ahHigh = h;
      if (!(l >= s.ahLow)) s.ahLow = l;
    }
    s.lastClose = c;
    s.lastT = t;
    // Opens of the day.
    const opensAt = (at: number) => m >= at && m < at + OPEN_SLACK_MIN;
    if (d.midnight === null && opensAt(0)) d.midnight = { price: o, t, taken: NaN };
    if (d.o0830 === null && opensAt(510)) d.o0830 = { price: o, t, taken: NaN };
    if (d.rth === null && opensAt(RTH_OPEN_MIN)) d.rth = { price: o, t, taken: NaN };
    // The overnight range grows until the regular session opens.
    if (t < d.rthStart) {
      if (d.overnight === null) d.overnight = emptyRange(h, l);
      else {
        if (h > d.overnight.high) d.overnight.high = h;
        if (l < d.overnight.low) d.overnight.low = l;
      }
    }
    // The regular-session gap of equities opens with the first regular bar.
    if (this.instrument === "equity" && d.gap === null && regular && d.prevDay !== null && o !== d.prevDay.close) {
      d.gap = gapOf("RTH", d.prevDay.close, d.prevDay.closeT, o, t);
      this.takeGap(d.gap, t, h, l);
    }
    // Sessions: the windows this bar is in.
    for (const x of d.sessions) if (t >= x.start && t < x.end) addToSession(x, h, l);
    if (this.evening !== null && this.evening.day !== d.day)
      for (const x of this.evening.sessions) if (t >= x.start && t < x.end) addToSession(x, h, l);
    this.prevClose = c;
    this.lastT = t;
  }

  /** Starts trading day `day` with its first bar (at `t`, opening at `o`). */
  private open(day: string, t: number, o: number): void {
    if (this.cur !== null) this.days.push(this.cur.sum);
    const prev = this.days.length > 0 ? this.days[this.days.length - 1]! : null;
    const week = weekOf(day);
    const month = day.slice(0, 7);
    // The trading day's windows are minutes from the midnight of its date.
    const sessionOf = (w: ResolvedWindow, date: string): Sess => ({
      w,
      start: nyWallToUtc(date, w.from),
      end: nyWallToUtc(date, w.to),
      high: NaN,
      low: NaN,
      highTaken: NaN,
      lowTaken: NaN,
    });
    // An evening window of this day already tracked during the day before is the same window.
    const early = this.evening !== null && this.evening.day === day ? new Map(this.evening.sessions.map((x) => [x.w.name, x])) : null;
    const sessions: Sess[] = this.windows.map((w) => early?.get(w.name) ?? sessionOf(w, day));
    if (this.instrument !== "futures") {
      const next = addDays(day, 1);
      const ev = this.windows.filter((w) => w.from < 0);
      this.evening = ev.length > 0 ? { day: next, sessions: ev.map((w) => sessionOf(w, next)) } : null;
    }
    const d: Day = {
      day,
      week,
      month,
      prevDay: null,
      prevWeek: null,
      prevMonth: null,
      midnight: null,
      o0830: null,
      rth: null,
      overnight: null,
      rthStart: nyWallToUtc(day, RTH_OPEN_MIN),
      gap: null,
      sessions,
      sum: {
        day,
        week,
        month,
        open: NaN,
        high: NaN,
        low: NaN,
        close: NaN,
        closeT: NaN,
        lastClose: NaN,
        lastT: NaN,
        ahHigh: NaN,
        ahLow: NaN,
      },
    };
    // The last earlier day with a range (a holiday or a day without regular bars has none).
    for (let i = this.days.length - 1; i >= 0; i--) {
      const p = this.days[i]!;
      if (!Number.isNaN(p.high)) {
        d.prevDay = { ...emptyRange(p.high, p.low), day: p.day, open: p.open, close: p.close, closeT: p.closeT };
        break;
      }
    }
    d.prevWeek = this.periodBefore(
      (p) => p.week,
      week,
      (key) => key,
      (key, r) => ({ ...r, week: key }),
    );
    d.prevMonth = this.periodBefore(
      (p) => p.month,
      month,
      (key) => `${key}-01`,
      (key, r) => ({ ...r, month: key }),
    );
    // Equities: the previous after-hours starts the overnight range.
    if (this.instrument === "equity" && prev !== null && !Number.isNaN(prev.ahHigh)) d.overnight = emptyRange(prev.ahHigh, prev.ahLow);
    // Around-the-clock instruments: the gap between the previous day's last close and this day's first open.
    if (this.instrument !== "equity" && prev !== null && o !== prev.lastClose) {
      const kind = this.instrument === "futures" && prev.week !== week ? "NWOG" : "NDOG";
      d.gap = gapOf(kind, prev.lastClose, prev.lastT, o, t);
    }
    this.cur = d;
  }

  /**
   * The high/low of the latest period (week or month) before `key`, over the
   * finished days; null when the bars seen start after that period began (a
   * partial week or month would be a wrong level).
   */
  private periodBefore<T>(
    keyOf: (d: DaySummary) => string,
    key: string,
    startOf: (key: string) => string,
    make: (key: string, r: Range) => T,
  ): T | null {
    let k: string | null = null;
    let hi = NaN;
    let lo = NaN;
    for (let i = this.days.length - 1; i >= 0; i--) {
      const p = this.days[i]!;
      const pk = keyOf(p);
      if (pk >= key) continue;
      if (k === null) k = pk;
      else if (pk !== k) break;
      if (Number.isNaN(p.high)) continue;
      if (!(p.high <= hi)) hi = p.high;
      if (!(p.low >= lo)) lo = p.low;
    }
    if (k === null || Number.isNaN(hi) || this.days[0]!.day > startOf(k)) return null;
    return make(k, emptyRange(hi, lo));
  }

  /** Marks the levels this bar trades through (each only once: the first time decides). */
  private takeLevels(d: Day, t: number, h: number, l: number): void {
    for (const r of [d.prevDay, d.prevWeek, d.prevMonth]) if (r !== null) takeRange(r, t, h, l);
    if (d.overnight !== null && t >= d.rthStart) takeRange(d.overnight, t, h, l);
    const pc = this.prevClose;
    for (const x of [d.midnight, d.o0830, d.rth]) {
      // An open is crossed when the previous close is on one side and the bar reaches the other.
      if (x !== null && Number.isNaN(x.taken) && t > x.t && ((pc > x.price && l < x.price) || (pc < x.price && h > x.price))) x.taken = t;
    }
    if (d.gap !== null && t > d.gap.toT) this.takeGap(d.gap, t, h, l);
    for (const x of d.sessions) if (t >= x.end && !Number.isNaN(x.high)) takeRange(x, t, h, l);
  }

  private takeGap(g: Gap, t: number, h: number, l: number): void {
    const ce = (g.low + g.high) / 2;
    if (g.dir === "up") {
      if (Number.isNaN(g.ceTaken) && l <= ce) g.ceTaken = t;
      if (Number.isNaN(g.filled) && l <= g.low) g.filled = t;
    } else {
      if (Number.isNaN(g.ceTaken) && h >= ce) g.ceTaken = t;
      if (Number.isNaN(g.filled) && h >= g.high) g.filled = t;
    }
  }

  value(): Levels | null {
    const d = this.cur;
    if (d === null) return null;
    const t = this.lastT;
    const g = d.gap;
    return {
      instrument: this.instrument,
      day: d.day,
      prev_day: d.prevDay === null ? null : { day: d.prevDay.day, open: d.prevDay.open, close: d.prevDay.close, ...rangeOut(d.prevDay) },
      prev_week: d.prevWeek === null ? null : { week: d.prevWeek.week, ...rangeOut(d.prevWeek) },
      prev_month: d.prevMonth === null ? null : { month: d.prevMonth.month, ...rangeOut(d.prevMonth) },
      midnight_open: openOut(d.midnight),
      open_0830: openOut(d.o0830),
      rth_open: openOut(d.rth),
      overnight: d.overnight === null ? null : rangeOut(d.overnight),
      opening_gap:
        g === null
          ? null
          : {
              kind: g.kind,
              dir: g.dir,
              low: g.low,
              high: g.high,
              ce: (g.low + g.high) / 2,
              from_time: isoUtc(g.fromT),
              to_time: isoUtc(g.toT),
              ce_taken_at: iso(g.ceTaken),
              filled_at: iso(g.filled),
            },
      sessions: d.sessions
        .filter((x) => !Number.isNaN(x.high))
        .map((x) => ({
          name: x.w.name,
          start: isoUtc(x.start),
          end: isoUtc(x.end),
          high: x.high,
          low: x.low,
          high_taken_at: iso(x.highTaken),
          low_taken_at: iso(x.lowTaken),
        })),
      current: [...d.sessions, ...(this.evening !== null && this.evening.day !== d.day ? this.evening.sessions : [])]
        .filter((x) => t >= x.start && t < x.end)
        .map((x) => x.w.name),
    };
  }
}

function gapOf(kind: Gap["kind"], prevClose: number, fromT: number, open: number, toT: number): Gap {
  const up = open > prevClose;
  return {
    kind,
    dir: up ? "up" : "down",
    low: up ? prevClose : open,
    high: up ? open : prevClose,
    fromT,
    toT,
    ceTaken: NaN,
    filled: NaN,
  };
}

function addToSession(x: Sess, h: number, l: number): void {
  if (Number.isNaN(x.high) || h > x.high) x.high = h;
  if (Number.isNaN(x.low) || l < x.low) x.low = l;
}

function takeRange(r: Range, t: number, h: number, l: number): void {
  if (Number.isNaN(r.highTaken) && h > r.high) r.highTaken = t;
  if (Number.isNaN(r.lowTaken) && l < r.low) r.lowTaken = t;
}

/**
 * The levels of the last bar's trading day (see {@link Levels}): previous
 * day, week and month ranges, the day's opens, the overnight range, the
 * opening gap and the sessions and killzones, each with the first bar that
 * traded through it. `bars` are the instrument's bars in time order (any
 * timeframe up to 5m; earlier days give the previous-period levels). Null
 * for no bars.
 */
export function computeLevels(bars: Columns, options?: LevelsOptions): Levels | null {
  const e = new LevelsEngine(resolveOptions(options));
  for (let i = 0; i < bars.length; i++) {
    const t = bars.t[i]!;
    if (i > 0 && !(t > bars.t[i - 1]!))
      throw new OptionError("bars", `times must increase: row ${i} (${isoUtc(t)}) after ${isoUtc(bars.t[i - 1]!)}`);
    e.push(t, bars.o[i]!, bars.h[i]!, bars.l[i]!, bars.c[i]!);
  }
  return e.value();
}

/** A bar of a levels stream. */
export interface LevelsBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v?: number;
}

/**
 * Levels kept up to date bar by bar. `push` appends a later bar or revises
 * one already pushed of the current or previous trading day (the state is
 * then what pushing the corrected bars would have given); `value()` equals
 * {@link computeLevels} over the bars pushed so far.
 */
export interface LevelsStream {
  push(bar: LevelsBar): void;
  value(): Levels | null;
  /** An independent copy in the same state (pushing into one does not change the other). */
  fork(): LevelsStream;
}

/** Creates a {@link LevelsStream}. */
export function createLevelsStream(options?: LevelsOptions): LevelsStream {
  const resolved = resolveOptions(options);
  return new LevelsStreamImpl(resolved, new LevelsEngine(resolved), [], new LevelsEngine(resolved), []);
}

class LevelsStreamImpl implements LevelsStream {
  /**
   * @param e The state after every bar pushed.
   * @param kept The bars of the previous and current trading days (a revision replays them).
   * @param base The state before the first kept bar.
   * @param days The trading days of the kept bars.
   */
  constructor(
    private readonly resolved: { instrument: InstrumentClass; windows: ResolvedWindow[] },
    private e: LevelsEngine,
    private kept: LevelsBar[],
    private readonly base: LevelsEngine,
    private readonly days: string[],
  ) {}

  push(bar: LevelsBar): void {
    const cols = columnsFromBars([{ ...bar, v: bar.v ?? 0 }]);
    const b: LevelsBar = { t: cols.t[0]!, o: cols.o[0]!, h: cols.h[0]!, l: cols.l[0]!, c: cols.c[0]! };
    if (b.t > this.e.last) {
      const day = tradingDay(b.t, this.resolved.instrument);
      if (this.days[this.days.length - 1] !== day) {
        this.days.push(day);
        if (this.days.length > 2) {
          // The day before the previous one can no longer be revised: fold it into the base state.
          const drop = this.days.shift()!;
          let i = 0;
          for (; i < this.kept.length && tradingDay(this.kept[i]!.t, this.resolved.instrument) === drop; i++) {
            const x = this.kept[i]!;
            this.base.push(x.t, x.o, x.h, x.l, x.c);
          }
          this.kept = this.kept.slice(i);
        }
      }
      this.kept.push(b);
      this.e.push(b.t, b.o, b.h, b.l, b.c);
      return;
    }
    const at = this.kept.findIndex((x) => x.t === b.t);
    if (at < 0)
      throw new OptionError(
        "bar",
        `levels: a bar at ${isoUtc(b.t)} is neither after the last one (${isoUtc(this.e.last)}) nor a bar of the current or previous trading day`,
      );
    this.kept[at] = b;
    this.e = this.base.clone();
    for (const x of this.kept) this.e.push(x.t, x.o, x.h, x.l, x.c);
  }

  value(): Levels | null {
    return this.e.value();
  }

  fork(): LevelsStream {
    return new LevelsStreamImpl(this.resolved, this.e.clone(), [...this.kept], this.base.clone(), [...this.days]);
  }
}
