/**
 * Levels, sessions and opening gaps from hand-built bars at chosen New York
 * times (each expected value worked out from the rule), the DST days, a half
 * day, a holiday, a futures Sunday open and a crypto weekend; then the stream
 * against the batch on every prefix of seeded and real bars, with revisions.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  columnsFromArrays,
  columnsFromCsv,
  computeLevels,
  createLevelsStream,
  isoUtc,
  OptionError,
  sliceColumns,
  tradingDay,
  type Columns,
  type LevelsOptions,
} from "../../src/index.js";
import { nyWallToUtc } from "../../src/detectors/levels/sessions.js";
import { HAS_SHARED, NO_SHARED_REASON, rng, SHARED } from "../helpers.js";

type B = { t: number; o: number; h: number; l: number; c: number; v: number };

/** A bar at New York wall time `hhmm` of `date` (`"-1 20:00"`: the evening before). */
function at(date: string, hhmm: string, o: number, h: number, l: number, c: number): B {
  const [hh, mm] = hhmm.split(":").map(Number);
  return { t: nyWallToUtc(date, hh! * 60 + mm!), o, h, l, c, v: 100 };
}

const cols = (bars: readonly B[]): Columns =>
  columnsFromArrays({
    t: bars.map((b) => b.t),
    o: bars.map((b) => b.o),
    h: bars.map((b) => b.h),
    l: bars.map((b) => b.l),
    c: bars.map((b) => b.c),
    v: bars.map((b) => b.v),
  });

const iso = (b: B) => isoUtc(b.t);

describe("equity: previous day (regular session), overnight, opens, gap, sessions", () => {
  // Tue 2024-01-02: pre-market, regular session, after-hours. Wed 2024-01-03: pre-market, then the open.
  const d1 = [
    at("2024-01-02", "08:00", 100, 101, 99, 100), // pre-market: not in the previous day's range
    at("2024-01-02", "09:30", 100, 102, 99.5, 101), // regular open
    at("2024-01-02", "12:00", 101, 104, 100.5, 103), // the day's high 104
    at("2024-01-02", "15:59", 103, 103.5, 98, 99), // the day's low 98, close 99
    at("2024-01-02", "17:00", 99, 99.8, 97, 97.5), // after-hours: below the regular low, not in the day's range
  ];
  const d2 = [
    at("2024-01-03", "04:00", 97.5, 98.5, 97.2, 98), // pre-market (overnight)
    at("2024-01-03", "08:30", 98, 98.6, 97.9, 98.4), // the 08:30 open
    at("2024-01-03", "09:30", 100, 100.4, 99.6, 100.2), // regular open 100: gap up from 99
    at("2024-01-03", "09:31", 100.2, 100.3, 99.4, 99.5), // reaches the gap's middle 99.5
    at("2024-01-03", "10:05", 99.5, 104.5, 98.9, 104.2), // above the previous high, fills the gap (98.9 <= 99), crosses the 09:30 open
  ];

  it("at the end of the second day", () => {
    const v = computeLevels(cols([...d1, ...d2]))!;
    expect(v.day).toBe("2024-01-03");
    expect(v.prev_day).toEqual({
      day: "2024-01-02",
      open: 100,
      close: 99,
      high: 104,
      low: 98,
      high_taken_at: iso(d2[4]!),
      low_taken_at: iso(d2[0]!), // the pre-market trades below the previous regular low
    });
    // Overnight: the after-hours (99.8 / 97) and the pre-market (98.6 / 97.2); taken only from 09:30.
    expect(v.overnight).toEqual({ high: 99.8, low: 97, high_taken_at: iso(d2[2]!), low_taken_at: null });
    expect(v.open_0830).toEqual({ price: 98, time: iso(d2[1]!), taken_at: null });
    expect(v.rth_open).toEqual({ price: 100, time: iso(d2[2]!), taken_at: iso(d2[3]!) });
    expect(v.midnight_open).toBeNull();
    expect(v.opening_gap).toEqual({
      kind: "RTH",
      dir: "up",
      low: 99,
      high: 100,
      ce: 99.5,
      from_time: iso(d1[3]!),
      to_time: iso(d2[2]!),
      ce_taken_at: iso(d2[3]!),
      filled_at: iso(d2[4]!),
    });
    expect(v.prev_week).toBeNull();
    const names = v.sessions.map((s) => s.name);
    // London 02:00–05:00 holds the 04:00 pre-market bar.
    expect(names).toEqual(["pre_market", "regular", "london", "ny_am", "silver_bullet_am", "london_close"]);
    const pre = v.sessions[0]!;
    expect(pre).toEqual({
      name: "pre_market",
      start: "2024-01-03T09:00:00+00:00",
      end: "2024-01-03T14:30:00+00:00",
      high: 98.6,
      low: 97.2,
      high_taken_at: iso(d2[2]!),
      low_taken_at: null,
    });
    // NY AM 07:00–10:00: the 08:30 bar and the first two regular bars; it ended at 10:00, before the 10:05 bar took its high.
    expect(v.sessions[3]).toMatchObject({ name: "ny_am", high: 100.4, low: 97.9, high_taken_at: iso(d2[4]!) });
    expect(v.current).toEqual(["regular", "silver_bullet_am", "london_close"]);
  });

  it("is causal: at 09:30 the gap is open and nothing later is known", () => {
    const v = computeLevels(cols([...d1, ...d2.slice(0, 3)]))!;
    expect(v.opening_gap).toMatchObject({ ce_taken_at: null, filled_at: null });
    expect(v.prev_day!.high_taken_at).toBeNull();
    expect(v.rth_open!.taken_at).toBeNull();
    expect(v.current).toEqual(["regular", "ny_am"]);
    // Before 09:30 the overnight range is still forming and cannot be taken.
    const pre = computeLevels(cols([...d1, ...d2.slice(0, 2)]))!;
    expect(pre.overnight).toEqual({ high: 99.8, low: 97, high_taken_at: null, low_taken_at: null });
    expect(pre.opening_gap).toBeNull();
    expect(pre.current).toEqual(["pre_market", "ny_am"]);
  });

  it("a half day and a holiday: the previous day is the last one that traded, its close the last regular bar", () => {
    // Fri 2024-11-29 closes at 13:00; Mon 2024-12-02 opens.
    const half = [at("2024-11-29", "09:30", 50, 51, 49.5, 50.5), at("2024-11-29", "12:59", 50.5, 52, 50, 51.5)];
    const mon = [at("2024-12-02", "09:30", 51.5, 51.8, 51.2, 51.6)];
    expect(computeLevels(cols([...half, ...mon]))!.prev_day).toMatchObject({
      day: "2024-11-29",
      open: 50,
      close: 51.5,
      high: 52,
      low: 49.5,
    });
    expect(computeLevels(cols([...half, ...mon]))!.opening_gap).toBeNull(); // opened at the close: no gap
    // 2024-07-04 is a holiday: on the 5th the previous day is the 3rd.
    const jul = [at("2024-07-03", "09:30", 10, 11, 9, 10.5), at("2024-07-05", "09:30", 10.7, 10.8, 10.6, 10.7)];
    const v = computeLevels(cols(jul))!;
    expect(v.prev_day).toMatchObject({ day: "2024-07-03", high: 11, low: 9, close: 10.5 });
    expect(v.opening_gap).toMatchObject({ kind: "RTH", dir: "up", low: 10.5, high: 10.7 });
  });

  it("previous week and month: the latest earlier Monday–Sunday week and calendar month that traded", () => {
    const bars = [
      at("2023-12-29", "10:00", 20, 21, 19.5, 20), // Fri, December: the bars begin before January
      at("2024-01-26", "10:00", 20, 25, 19, 21), // Fri, week of 01-22, January
      at("2024-01-29", "10:00", 21, 22, 18, 20), // Mon, week of 01-29, January
      at("2024-01-31", "10:00", 20, 23, 17, 22), // Wed, week of 01-29, January
      at("2024-02-01", "10:00", 22, 22.5, 21, 22), // Thu, week of 01-29, February
      at("2024-02-05", "10:00", 22, 26, 16.5, 25), // Mon, week of 02-05, February: above last week's 23 and below January's 17
    ];
    const v = computeLevels(cols(bars))!;
    expect(v.prev_week).toEqual({ week: "2024-01-29", high: 23, low: 17, high_taken_at: iso(bars[5]!), low_taken_at: iso(bars[5]!) });
    expect(v.prev_month).toEqual({ month: "2024-01", high: 25, low: 17, high_taken_at: iso(bars[5]!), low_taken_at: iso(bars[5]!) });
    // Bars that begin inside a period cannot say its high and low: no level rather than a wrong one.
    const late = computeLevels(cols(bars.slice(1)))!;
    expect(late.prev_month).toBeNull();
    expect(late.prev_week).toMatchObject({ week: "2024-01-29", high: 23, low: 17 });
    expect(computeLevels(cols(bars.slice(3)))!.prev_week).toBeNull();
    const thu = computeLevels(cols(bars.slice(0, 5)))!;
    expect(thu.prev_week).toMatchObject({ week: "2024-01-22", high: 25, low: 19 });
    expect(thu.prev_month).toMatchObject({ month: "2024-01", high: 25, low: 17, high_taken_at: null });
  });
});

describe("daylight saving: windows stay on the New York clock", () => {
  it("London 02:00–05:00 in winter, on the March day (the clock jumps at 02:00) and in summer", () => {
    const opts: LevelsOptions = { instrument: "crypto" };
    const london = (date: string, bars: B[]) => computeLevels(cols(bars), opts)!.sessions.find((s) => s.name === "london");
    expect(london("2024-03-09", [at("2024-03-09", "02:00", 1, 2, 0.5, 1.5)])).toMatchObject({
      start: "2024-03-09T07:00:00+00:00",
      end: "2024-03-09T10:00:00+00:00",
    });
    // 2024-03-10: 02:00 does not exist; the window starts when the clock jumps (03:00 EDT) and ends at 05:00 EDT.
    const mar = [
      { t: Date.UTC(2024, 2, 10, 6, 59), o: 1, h: 9, l: 0.1, c: 1, v: 1 }, // 01:59 EST: not London
      { t: Date.UTC(2024, 2, 10, 7, 0), o: 1, h: 2, l: 0.9, c: 1.5, v: 1 }, // 03:00 EDT
      { t: Date.UTC(2024, 2, 10, 8, 59), o: 1.5, h: 3, l: 1.2, c: 2, v: 1 }, // 04:59 EDT
      { t: Date.UTC(2024, 2, 10, 9, 0), o: 2, h: 5, l: 1, c: 4, v: 1 }, // 05:00 EDT: after London, takes its high
    ];
    expect(london("2024-03-10", mar)).toEqual({
      name: "london",
      start: "2024-03-10T07:00:00+00:00",
      end: "2024-03-10T09:00:00+00:00",
      high: 3,
      low: 0.9,
      high_taken_at: "2024-03-10T09:00:00+00:00",
      low_taken_at: null,
    });
    expect(computeLevels(cols(mar.slice(0, 2)), opts)!.current).toEqual(["london", "silver_bullet_london"]);
    expect(london("2024-07-01", [at("2024-07-01", "02:00", 1, 2, 0.5, 1.5)])).toMatchObject({
      start: "2024-07-01T06:00:00+00:00",
      end: "2024-07-01T09:00:00+00:00",
    });
  });

  it("the November day: 01:00–02:00 happens twice; London opens at 02:00 EST", () => {
    const nov = [
      { t: Date.UTC(2024, 10, 3, 5, 30), o: 1, h: 1, l: 1, c: 1, v: 1 }, // 01:30 EDT
      { t: Date.UTC(2024, 10, 3, 6, 30), o: 1, h: 1, l: 1, c: 1, v: 1 }, // 01:30 EST
      { t: Date.UTC(2024, 10, 3, 7, 0), o: 1, h: 2, l: 1, c: 2, v: 1 }, // 02:00 EST
    ];
    const v = computeLevels(cols(nov), { instrument: "crypto" })!;
    expect(v.sessions.find((s) => s.name === "london")).toMatchObject({ start: "2024-11-03T07:00:00+00:00", high: 2 });
    expect(computeLevels(cols(nov.slice(0, 2)), { instrument: "crypto" })!.current).toEqual([]);
    // The regular session of a summer and a winter day: 13:30 and 14:30 UTC.
    expect(computeLevels(cols([at("2024-11-01", "09:30", 1, 1, 1, 1)]))!.rth_open!.time).toBe("2024-11-01T13:30:00+00:00");
    expect(computeLevels(cols([at("2024-11-04", "09:30", 1, 1, 1, 1)]))!.rth_open!.time).toBe("2024-11-04T14:30:00+00:00");
  });
});

describe("futures and crypto", () => {
  it("futures: the Sunday 18:00 open starts Monday's day; Friday's close to it is the new week's gap (NWOG); Asia is Sunday evening", () => {
    const bars = [
      at("2023-12-31", "18:00", 10, 10.2, 9.8, 10), // Sun evening: Monday 01-01's trading day (the bars cover the week of 01-01)
      at("2024-01-04", "18:00", 10, 11, 9.5, 10.5), // Thu evening: Friday's trading day
      at("2024-01-05", "09:30", 10.5, 12, 10, 11), // Fri
      at("2024-01-05", "16:59", 11, 11.2, 10.8, 11), // Fri last bar: close 11
      at("2024-01-07", "18:00", 11.6, 11.7, 11.4, 11.5), // Sun 18:00: Monday's day, gap up 11 -> 11.6
      at("2024-01-07", "20:30", 11.5, 11.9, 11.2, 11.3), // Asia; reaches the gap's middle 11.3
      at("2024-01-08", "00:00", 11.3, 11.4, 10.9, 11), // midnight open 11.3; fills the gap (<= 11)
    ];
    const v = computeLevels(cols(bars), { instrument: "futures" })!;
    expect(v.day).toBe("2024-01-08");
    expect(v.prev_day).toMatchObject({ day: "2024-01-05", open: 10, high: 12, low: 9.5, close: 11 });
    expect(v.prev_week).toMatchObject({ week: "2024-01-01", high: 12, low: 9.5 });
    expect(v.opening_gap).toEqual({
      kind: "NWOG",
      dir: "up",
      low: 11,
      high: 11.6,
      ce: 11.3,
      from_time: iso(bars[3]!),
      to_time: iso(bars[4]!),
      ce_taken_at: iso(bars[5]!),
      filled_at: iso(bars[6]!),
    });
    expect(v.sessions.find((s) => s.name === "asia")).toMatchObject({
      start: "2024-01-08T01:00:00+00:00",
      end: "2024-01-08T05:00:00+00:00",
      high: 11.9,
      low: 11.2,
      low_taken_at: iso(bars[6]!),
    });
    expect(v.midnight_open).toEqual({ price: 11.3, time: iso(bars[6]!), taken_at: null });
    // Overnight (from 18:00 to 09:30): still forming at midnight.
    expect(v.overnight).toEqual({ high: 11.9, low: 10.9, high_taken_at: null, low_taken_at: null });
    // A weekday evening open is a new day's gap.
    const tue = [...bars, at("2024-01-08", "16:59", 11, 11, 11, 11), at("2024-01-08", "18:00", 10.8, 10.9, 10.7, 10.9)];
    expect(computeLevels(cols(tue), { instrument: "futures" })!.opening_gap).toMatchObject({
      kind: "NDOG",
      dir: "down",
      low: 10.8,
      high: 11,
    });
  });

  it("crypto: every New York day counts (the weekend too); the midnight gap is the NDOG; Asia is the evening before", () => {
    const bars = [
      at("2024-01-06", "12:00", 40, 42, 39, 41), // Sat
      at("2024-01-06", "21:00", 41, 41.5, 40.5, 41.2), // Sat evening: Sunday's Asia
      at("2024-01-06", "23:59", 41.2, 41.3, 41, 41.1),
      at("2024-01-07", "00:00", 41.3, 41.4, 41.2, 41.3), // Sun midnight: gap up 41.1 -> 41.3
      at("2024-01-07", "09:00", 41.3, 42.5, 41.25, 42), // above Saturday's high and Asia's
    ];
    const v = computeLevels(cols(bars), { instrument: "crypto" })!;
    expect(v.day).toBe("2024-01-07");
    expect(v.prev_day).toMatchObject({ day: "2024-01-06", open: 40, high: 42, low: 39, close: 41.1, high_taken_at: iso(bars[4]!) });
    expect(v.opening_gap).toMatchObject({ kind: "NDOG", dir: "up", low: 41.1, high: 41.3 });
    expect(v.sessions.find((s) => s.name === "asia")).toMatchObject({
      start: "2024-01-07T01:00:00+00:00",
      end: "2024-01-07T05:00:00+00:00",
      high: 41.5,
      low: 40.5,
      high_taken_at: iso(bars[4]!),
    });
    expect(v.midnight_open).toMatchObject({ price: 41.3 });
    // Saturday 21:00: Sunday's Asia is the current window.
    expect(computeLevels(cols(bars.slice(0, 2)), { instrument: "crypto" })!.current).toEqual(["asia"]);
  });
});

describe("options and input", () => {
  it("typed errors naming the option and the value", () => {
    const one = cols([at("2024-01-02", "10:00", 1, 1, 1, 1)]);
    expect(() => computeLevels(one, { instrument: "bonds" as never })).toThrow(OptionError);
    expect(() => computeLevels(one, { instrument: "bonds" as never })).toThrow(/instrument.*bonds/);
    expect(() => computeLevels(one, { sessions: [{ name: "x", start: "9:30", end: "10:00" }] })).toThrow(/sessions\[0\]\.start.*9:30/);
    expect(() => computeLevels(one, { sessions: [{ name: "x", start: "09:30", end: "09:30" }] })).toThrow(/sessions\[0\]/);
    expect(() =>
      computeLevels(one, {
        sessions: [
          { name: "a", start: "01:00", end: "02:00" },
          { name: "a", start: "03:00", end: "04:00" },
        ],
      }),
    ).toThrow(/duplicate/);
    expect(computeLevels(cols([]))).toBeNull();
    const s = createLevelsStream();
    s.push(at("2024-01-03", "10:00", 1, 1, 1, 1));
    expect(() => s.push(at("2024-01-02", "10:00", 1, 1, 1, 1))).toThrow(/neither after the last one/);
    expect(() => s.push({ t: Date.UTC(2024, 0, 3, 16), o: 1, h: 0.5, l: 1, c: 1 })).toThrow();
  });

  it("custom windows, including one across midnight", () => {
    const v = computeLevels(cols([at("2024-01-02", "23:00", 5, 6, 4, 5), at("2024-01-03", "00:30", 5, 7, 4.5, 6)]), {
      instrument: "crypto",
      sessions: [{ name: "late", start: "22:00", end: "01:00" }],
    })!;
    expect(v.sessions).toEqual([
      {
        name: "late",
        start: "2024-01-03T03:00:00+00:00",
        end: "2024-01-03T06:00:00+00:00",
        high: 7,
        low: 4,
        high_taken_at: null,
        low_taken_at: null,
      },
    ]);
  });
});

/** Pushes bars one at a time (now and then revising one of the last 30 of the current or previous day) and compares with the batch after each. */
function streamEqualsBatch(bars: B[], opts: LevelsOptions, seed: number): number {
  const r = rng(seed);
  const s = createLevelsStream(opts);
  const known: B[] = [];
  let revised = 0;
  for (const b of bars) {
    known.push(b);
    s.push(b);
    if (r() < 0.1 && known.length > 2) {
      const i = known.length - 1 - Math.floor(r() * Math.min(30, known.length));
      // The stream revises bars of the current and previous trading day.
      const days = [...new Set(known.map((x) => tradingDay(x.t, opts.instrument ?? "equity")))].slice(-2);
      if (days.includes(tradingDay(known[i]!.t, opts.instrument ?? "equity"))) {
        const x = known[i]!;
        const c = Math.round((x.c + (r() - 0.5)) * 100) / 100;
        known[i] = { ...x, c, h: Math.max(x.h, c), l: Math.min(x.l, c) };
        s.push(known[i]!);
        revised++;
      }
    }
    expect(JSON.stringify(s.value())).toBe(JSON.stringify(computeLevels(cols(known), opts)));
  }
  return revised;
}

/** Seeded 1m walk over `days` days from `start`, every `step` minutes, skipping New York hours outside `[fromH, toH)`. */
function walk(seed: number, start: number, minutes: number, step: number, keep: (t: number) => boolean): B[] {
  const r = rng(seed);
  const out: B[] = [];
  let p = 100;
  for (let i = 0; i < minutes; i += step) {
    const t = start + i * 60_000;
    const o = p;
    p = Math.max(1, p + (r() - 0.5) * 0.6);
    const c = Math.round(p * 100) / 100;
    const h = Math.max(o, c) + Math.round(r() * 30) / 100;
    const l = Math.min(o, c) - Math.round(r() * 30) / 100;
    if (keep(t)) out.push({ t, o: Math.round(o * 100) / 100, h: Math.round(h * 100) / 100, l: Math.round(l * 100) / 100, c, v: 1 });
  }
  return out;
}

describe("stream = batch on every prefix", () => {
  it("a fork continues on its own: pushing into it leaves the original as it was", () => {
    const bars = walk(8, Date.UTC(2024, 0, 8, 14, 30), 2 * 1440, 15, () => true);
    const s = createLevelsStream({ instrument: "crypto" });
    for (const b of bars.slice(0, 100)) s.push(b);
    const before = JSON.stringify(s.value());
    const f = s.fork();
    for (const b of bars.slice(100)) f.push(b);
    f.push({ ...bars[bars.length - 2]!, c: bars[bars.length - 2]!.l }); // a revision in the fork
    expect(JSON.stringify(s.value())).toBe(before);
    const want = [...bars];
    want[want.length - 2] = { ...want[want.length - 2]!, c: want[want.length - 2]!.l };
    expect(JSON.stringify(f.value())).toBe(JSON.stringify(computeLevels(cols(want), { instrument: "crypto" })));
    for (const b of bars.slice(100)) s.push(b);
    expect(JSON.stringify(s.value())).toBe(JSON.stringify(computeLevels(cols(bars), { instrument: "crypto" })));
  });

  it("crypto, 3 days of 5m bars across the March DST switch", () => {
    const bars = walk(3, Date.UTC(2024, 2, 8, 12), 3 * 1440, 5, () => true);
    expect(streamEqualsBatch(bars, { instrument: "crypto" }, 3)).toBeGreaterThan(10);
  });
  it("equity, extended hours over a week with a weekend", () => {
    const bars = walk(4, Date.UTC(2024, 0, 4, 9), 6 * 1440, 7, (t) => {
      const h = ((new Date(t).getUTCHours() - 5 + 24) % 24) + new Date(t).getUTCMinutes() / 60;
      const dow = new Date(t - 5 * 3_600_000).getUTCDay();
      return dow !== 0 && dow !== 6 && h >= 4 && h < 20;
    });
    expect(streamEqualsBatch(bars, { instrument: "equity" }, 4)).toBeGreaterThan(10);
  });
  it("futures, Thursday to Tuesday with the weekend break", () => {
    const bars = walk(5, Date.UTC(2024, 0, 4, 12), 5 * 1440, 9, (t) => {
      const et = new Date(t - 5 * 3_600_000);
      const h = et.getUTCHours();
      const dow = et.getUTCDay();
      return h !== 17 && dow !== 6 && !(dow === 0 && h < 18) && !(dow === 5 && h >= 17);
    });
    expect(streamEqualsBatch(bars, { instrument: "futures" }, 5)).toBeGreaterThan(5);
  });
});

describe.skipIf(!HAS_SHARED && !process.env.CI)(`real bars${HAS_SHARED ? "" : ` (skipped: ${NO_SHARED_REASON})`}`, () => {
  it("../shared is present (required in CI)", () => {
    expect(HAS_SHARED).toBe(true);
  });

  it("SPY 1m extended hours (polygon): previous-day levels equal an independent recomputation on 3 days, and stream = batch over 2 days", () => {
    const all = columnsFromCsv(
      gunzipSync(readFileSync(join(SHARED, "data/real/SPY_1m/SPY_1m_20250811_20260120_polygon_eth.csv.gz"))).toString("utf8"),
    );
    // Independently: per New York date, the regular-session bars (09:30 <= local < 16:00) by Intl, not by the library.
    const fmt = new Intl.DateTimeFormat("en-CA", {
      timeZone: "America/New_York",
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    const local = (t: number) => {
      const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
      return { date: `${p.year}-${p.month}-${p.day}`, min: Number(p.hour) * 60 + Number(p.minute) };
    };
    const byDay = new Map<string, number[]>();
    for (let i = 0; i < all.length; i++) {
      const { date } = local(all.t[i]!);
      if (!byDay.has(date)) byDay.set(date, []);
      byDay.get(date)!.push(i);
    }
    const days = [...byDay.keys()];
    // Three days spread over the file, one of them right after the November DST switch.
    for (const day of [days[20]!, days.find((d) => d >= "2025-11-03")!, days[days.length - 10]!]) {
      const k = days.indexOf(day);
      const prevIdx = byDay.get(days[k - 1]!)!.filter((i) => {
        const m = local(all.t[i]!).min;
        return m >= 570 && m < 960;
      });
      const first = byDay.get(days[Math.max(0, k - 8)]!)![0]!;
      const last = byDay.get(day)![byDay.get(day)!.length - 1]!;
      const v = computeLevels(sliceColumns(all, first, last + 1))!;
      expect(v.day).toBe(day);
      expect(v.prev_day).toMatchObject({
        day: days[k - 1],
        open: all.o[prevIdx[0]!],
        close: all.c[prevIdx[prevIdx.length - 1]!],
        high: Math.max(...prevIdx.map((i) => all.h[i]!)),
        low: Math.min(...prevIdx.map((i) => all.l[i]!)),
      });
      const today = byDay.get(day)!;
      const firstAbove = today.find((i) => all.h[i]! > v.prev_day!.high);
      expect(v.prev_day!.high_taken_at).toBe(firstAbove === undefined ? null : isoUtc(all.t[firstAbove]!));
      const pre = today.filter((i) => local(all.t[i]!).min < 570);
      if (pre.length > 0) expect(v.sessions.find((s) => s.name === "pre_market")!.high).toBe(Math.max(...pre.map((i) => all.h[i]!)));
    }
    const two = byDay.get(days[30]!)!.concat(byDay.get(days[31]!)!);
    const bars: B[] = two.map((i) => ({ t: all.t[i]!, o: all.o[i]!, h: all.h[i]!, l: all.l[i]!, c: all.c[i]!, v: all.v[i]! }));
    streamEqualsBatch(bars, { instrument: "equity" }, 7);
  }, 240_000);
});
