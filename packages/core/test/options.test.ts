/**
 * Options that mean what they say (issue #14): every public entry point checks
 * its options up front, so a misspelled option is a typed error naming it (and
 * the closest known name) instead of a setting silently ignored; a missing
 * options object means the defaults; an array of bar objects where Columns are
 * expected says how to convert it.
 */
import { describe, expect, it } from "vitest";
import {
  aggregate,
  atr,
  columnsFromArrays,
  columnsFromBars,
  computeFeatureColumns,
  computeFeatures,
  createStream,
  nyDate,
  nyOffsetMs,
  OptionError,
  ColumnsError,
  nyBucketStart,
  resample,
  resampleNy,
} from "../src/index.js";

import { tickWalkBars } from "@ict/testkit";

const bars1m = columnsFromBars(
  Array.from({ length: 60 }, (_, i) => ({
    t: Date.UTC(2024, 0, 2, 14, 30 + i),
    o: 100,
    h: 101 + (i % 3),
    l: 99 - (i % 2),
    c: 100 + (i % 5) / 10,
    v: 1,
  })),
);

function optionError(f: () => unknown): OptionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error("no error");
}

describe("options", () => {
  it("a misspelled option is an OptionError naming it and the closest known option, in every entry point", () => {
    const e = optionError(() => computeFeatures(bars1m, { tf: "1m", fillpolicy: "full" } as never));
    expect(e.option).toBe("fillpolicy");
    expect(e.message).toMatch(/unknown option of computeFeatures; did you mean "fillPolicy"\?/);
    expect(optionError(() => computeFeatureColumns(bars1m, { minGap: 1 } as never)).message).toMatch(/did you mean "minGapAtr"\?/);
    expect(optionError(() => createStream({ tf: "1m", lookbak: 20 } as never)).message).toMatch(/did you mean "lookback"\?/);
    expect(optionError(() => atr(bars1m, { perod: 14 } as never)).message).toMatch(/did you mean "period"\?/);
    // Nested: the ATR options of the zone detectors.
    expect(optionError(() => computeFeatures(bars1m, { tf: "1m", atr: { methd: "wilder" } } as never)).option).toBe("methd");
    // Nothing close: no guess, the known names are listed.
    expect(optionError(() => computeFeatures(bars1m, { tf: "1m", zzzzzzzz: 1 } as never)).message).not.toMatch(/did you mean/);
    expect(optionError(() => computeFeatures(bars1m, "1m" as never)).message).toMatch(/options must be an object/);
  });

  it("without options computeFeatures uses the defaults and reads the timeframe off the bars' spacing", () => {
    const f = computeFeatures(bars1m);
    expect(JSON.stringify(f)).toBe(JSON.stringify(computeFeatures(bars1m, { tf: "1m" })));
    const r = tickWalkBars(400, 5);
    const five = columnsFromBars(
      Array.from(r.t, (_, i) => ({ t: Date.UTC(2024, 0, 2) + i * 300_000, o: r.o[i]!, h: r.h[i]!, l: r.l[i]!, c: r.c[i]!, v: r.v[i]! })),
    );
    expect(computeFeatures(five).tf).toBe("5m");
    expect(JSON.stringify(computeFeatures(five))).toBe(JSON.stringify(computeFeatures(five, { tf: "5m" })));
    const hourly = columnsFromBars([0, 1, 3].map((h) => ({ t: Date.UTC(2024, 0, 2, h), o: 1, h: 2, l: 0.5, c: 1.5 })));
    expect(computeFeatures(hourly).tf).toBe("1h");
    expect(computeFeatures(columnsFromBars([])).tf).toBe("1m");
  });

  it("a stream needs its timeframe label (it has no bars to read it from)", () => {
    expect(optionError(() => createStream({} as never)).option).toBe("tf");
    expect(optionError(() => createStream(undefined as never)).option).toBe("tf");
  });

  it("an array of bar objects where Columns are expected says how to convert it", () => {
    expect(() => computeFeatures([{ t: 0, o: 1, h: 2, l: 0.5, c: 1.5 }] as never, { tf: "1m" })).toThrow(ColumnsError);
    expect(() => computeFeatures([{ t: 0, o: 1, h: 2, l: 0.5, c: 1.5 }] as never, { tf: "1m" })).toThrow(/columnsFromBars\(bars\)/);
  });
});

describe("tf means what it says (issue #14)", () => {
  const b1 = columnsFromArrays(tickWalkBars(600, 5));
  it("bars finer than tf are aggregated up first: 1m bars with tf 5m give the features of their 5m bars", () => {
    expect(computeFeatures(b1, { tf: "5m" })).toEqual(computeFeatures(aggregate(b1, 5), { tf: "5m" }));
    expect(computeFeatures(b1, { tf: "15m" })).toEqual(computeFeatures(resample(b1, "15m"), { tf: "15m" }));
    expect(computeFeatures(b1, { tf: "1h" }).tf).toBe("1h");
  });
  it("a spacing that does not divide into tf, or a label that is no timeframe, is an OptionError naming tf", () => {
    const b5 = aggregate(b1, 5);
    expect(() => computeFeatures(b5, { tf: "7m" })).toThrow(OptionError);
    expect(() => computeFeatures(b5, { tf: "7m" })).toThrow(/"tf".*5m apart/);
    expect(() => computeFeatures(b1, { tf: "M5" })).toThrow(/option "tf": must be a timeframe/);
  });
  it("New York-aligned 4h and daily bars across a DST change (an hour shorter or longer) are bars of their tf, in batch and in a stream", () => {
    // 1m bars from 2024-03-07 to 2024-03-13 around the clock: the March switch makes one daily bar 23 h long.
    const n = 7 * 1440;
    const w = tickWalkBars(n, 9);
    const b1 = columnsFromArrays({ ...w, t: Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 2, 7, 5) + i * 60_000) });
    for (const tf of ["4h", "1d"] as const) {
      const bars = resample(b1, tf);
      const gaps = new Set(Array.from(bars.t.subarray(1), (t, i) => (t - bars.t[i]!) / 3_600_000));
      expect([...gaps].some((g) => g % (tf === "4h" ? 4 : 24) !== 0)).toBe(true);
      // Already bars of the timeframe: not resampled again, the same features as from the 1m bars.
      expect(computeFeatures(bars, { tf })).toEqual(computeFeatures(b1, { tf }));
      const s = createStream({ tf });
      for (let i = 0; i < bars.length; i++)
        s.push({ t: bars.t[i]!, o: bars.o[i]!, h: bars.h[i]!, l: bars.l[i]!, c: bars.c[i]!, v: bars.v[i]! });
      expect(JSON.stringify(s.features())).toBe(JSON.stringify(computeFeatures(bars, { tf })));
    }
    // Two hours off is not a DST shift.
    const t0 = Date.UTC(2024, 0, 2, 5);
    const odd = columnsFromArrays({ t: [t0, t0 + 6 * 3_600_000], o: [1, 1], h: [1, 1], l: [1, 1], c: [1, 1], v: [1, 1] });
    expect(() => computeFeatures(odd, { tf: "4h" })).toThrow(/"tf".*6h apart/);
  });
  it("a stream takes bars of its tf only: 1m bars pushed into a 5m stream are an OptionError, and nothing is pushed", () => {
    const s = createStream({ tf: "5m" });
    s.push({ t: b1.t[0]!, o: b1.o[0]!, h: b1.h[0]!, l: b1.l[0]!, c: b1.c[0]! });
    expect(() => s.push({ t: b1.t[1]!, o: b1.o[1]!, h: b1.h[1]!, l: b1.l[1]!, c: b1.c[1]! })).toThrow(/not a 5m bar/);
    expect(s.length).toBe(1);
    expect(() => createStream({ tf: "5 minutes" })).toThrow(OptionError);
  });
  it("New York alignment: daily bars run from New York midnight, across daylight saving", () => {
    expect(nyOffsetMs(Date.UTC(2024, 2, 10, 6, 59))).toBe(-5 * 3_600_000);
    expect(nyOffsetMs(Date.UTC(2024, 2, 10, 7, 0))).toBe(-4 * 3_600_000);
    expect(nyOffsetMs(Date.UTC(2024, 10, 3, 5, 59))).toBe(-4 * 3_600_000);
    expect(nyOffsetMs(Date.UTC(2024, 10, 3, 6, 0))).toBe(-5 * 3_600_000);
    // Hourly bars from Saturday 2024-03-09 12:00 to Monday 2024-03-11 12:00 New York (DST starts Sunday 02:00).
    const t0 = Date.UTC(2024, 2, 9, 17);
    const n = 48;
    const hours = columnsFromArrays({
      t: Float64Array.from({ length: n }, (_, i) => t0 + i * 3_600_000),
      o: new Float64Array(n).fill(10),
      h: new Float64Array(n).fill(11),
      l: new Float64Array(n).fill(9),
      c: new Float64Array(n).fill(10),
      v: new Float64Array(n).fill(1),
    });
    const d = resample(hours, "1d");
    expect(Array.from(d.t, (t) => new Date(t).toISOString())).toEqual([
      "2024-03-09T05:00:00.000Z", // Saturday, EST midnight
      "2024-03-10T05:00:00.000Z", // Sunday: midnight still EST, the day has 23 hours
      "2024-03-11T04:00:00.000Z", // Monday, EDT midnight
    ]);
    expect(Array.from(d.v)).toEqual([12, 23, 13]);
    // The CME day (dayStartMinute 1080): from 18:00 New York the evening before, across the switch.
    const cme = resampleNy(hours, 1440, 18 * 60);
    expect(Array.from(cme.t, (t) => new Date(t).toISOString())).toEqual([
      "2024-03-08T23:00:00.000Z", // Friday 18:00 EST: Saturday's CME day (the data starts Saturday 12:00 EST)
      "2024-03-09T23:00:00.000Z", // Saturday 18:00 EST
      "2024-03-10T22:00:00.000Z", // Sunday 18:00 EDT
    ]);
    expect(Array.from(cme.v)).toEqual([6, 23, 19]); // 18:00 to 18:00 across the switch is 23 hours
    // 4h buckets from 18:00: 18, 22, 02, 06, 10, 14.
    expect(nyBucketStart(Date.parse("2024-03-09T08:30:00Z"), 240, 18 * 60)).toBe(Date.parse("2024-03-09T07:00:00Z")); // 03:30 EST -> 02:00
    expect(() => resampleNy(hours, 1440, 1440)).toThrow(/dayStartMinute.*1440/);
  });
});

describe("record names (issue #14)", () => {
  const b = columnsFromArrays(tickWalkBars(800, 9));
  it("features.equilibrium is features.swings under the name that says what it holds; JSON keeps the seed's schema", () => {
    const f = computeFeatures(b, { tf: "1m" });
    expect(f.equilibrium).toBe(f.swings);
    expect(Object.keys(f)).toEqual(["tf", "atr_last", "ms", "swings", "fvg", "ifvg", "ob", "bb"]);
    const s = createStream({ tf: "1m" });
    for (let i = 0; i < b.length; i++) s.push({ t: b.t[i]!, o: b.o[i]!, h: b.h[i]!, l: b.l[i]!, c: b.c[i]!, v: b.v[i]! });
    expect(s.features().equilibrium).toEqual(f.swings);
  });
  it("every ict zone record carries known_index, the bar at which it became known, next to known_time", () => {
    const f = computeFeatures(b, { tf: "1m" });
    const all = [...f.fvg, ...f.ifvg, ...f.ob, ...f.bb];
    expect(all.length).toBeGreaterThan(20);
    for (const r of all) expect(new Date(b.t[r.known_index!]!).toISOString().replace(".000Z", "+00:00")).toBe(r.known_time);
  });
});

describe("New York dates without Intl", () => {
  it("nyDate and nyOffsetMs agree with Intl's America/New_York at every hour of 1990-2030 around each DST switch and at random instants", () => {
    const fmt = new Intl.DateTimeFormat("en-CA", {
      timeZone: "America/New_York",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    });
    const intlOffset = (t: number) => {
      const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
      return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!) - Math.floor(t / 3_600_000) * 3_600_000;
    };
    const intlDate = (t: number) => {
      const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}`;
    };
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const instants: number[] = [];
    for (let y = 1990; y <= 2030; y++)
      for (const m of [2, 3, 9, 10]) for (let d = 0; d < 31 * 24; d++) instants.push(Date.UTC(y, m, 1) + d * 3_600_000);
    for (let i = 0; i < 20_000; i++) instants.push(Date.UTC(1990, 0, 1) + Math.floor(rnd() * 40 * 365.25 * 86_400_000));
    for (const t of instants) {
      expect(nyOffsetMs(t), new Date(t).toISOString()).toBe(intlOffset(t));
      expect(nyDate(t), new Date(t).toISOString()).toBe(intlDate(t));
    }
  });
});
