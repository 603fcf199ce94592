import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BarValidationError,
  barsFromColumns,
  columnsFromArrays,
  columnsFromBars,
  columnsFromCsv,
  columnsFromText,
  CsvFormatError,
  DuplicateTimestampError,
  isoUtc,
  parseIsoMs,
  sliceColumns,
} from "../src/index.js";

const T0 = "2024-01-02T14:30:00Z";
const bar = (over: Record<string, unknown> = {}) => ({ t: T0, o: 100, h: 101, l: 99, c: 100.5, v: 10, ...over });

function errorOf(fn: () => unknown): BarValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BarValidationError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("bar objects", () => {
  it("accepts ISO strings and epoch milliseconds", () => {
    const c = columnsFromBars([bar(), bar({ t: Date.parse(T0) + 60_000 })]);
    expect(Array.from(c.t)).toEqual([Date.parse(T0), Date.parse(T0) + 60_000]);
    expect(c.length).toBe(2);
  });

  it.each([
    ["o", NaN, /not a finite number/],
    ["o", Infinity, /not a finite number/],
    ["c", null, /is null/],
    ["l", undefined, /missing/],
    ["h", "101", /string, not a number/],
    ["o", true, /boolean, not a number/],
    ["v", -1, /volume is negative/],
  ])("rejects %s = %s naming the row and field", (field, value, re) => {
    const e = errorOf(() => columnsFromBars([bar(), bar({ t: "2024-01-02T14:31:00Z", [field]: value })]));
    expect(e.row).toBe(1);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(re);
    expect(e.message).toContain(`row 1, field "${field}"`);
  });

  it("rejects a high below the body and a low above it", () => {
    expect(errorOf(() => columnsFromBars([bar({ h: 100.2 })])).field).toBe("h");
    expect(errorOf(() => columnsFromBars([bar({ l: 100.2 })])).field).toBe("l");
    expect(errorOf(() => columnsFromBars([bar({ o: 102 })])).message).toMatch(/high is below max\(o, c\) = 102/);
  });

  it("rejects unparseable timestamps", () => {
    for (const t of ["yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-02T25:00:00Z", "", true, NaN, {}]) {
      const e = errorOf(() => columnsFromBars([bar({ t })]));
      expect(e.field).toBe("t");
      expect(e.row).toBe(0);
    }
  });

  it("rejects rows that are not objects", () => {
    expect(errorOf(() => columnsFromBars([bar(), 5])).field).toBe("row");
    expect(errorOf(() => columnsFromBars([null])).row).toBe(0);
  });

  it("a missing or null v reads as 0", () => {
    const { v: _v, ...noV } = bar();
    expect(Array.from(columnsFromBars([noV, bar({ t: "2024-01-02T14:31:00Z", v: null })]).v)).toEqual([0, 0]);
  });

  it("sorts unsorted input (stable) and rejects duplicates naming both rows", () => {
    const c = columnsFromBars([
      bar({ t: "2024-01-02T14:32:00Z", c: 100.7 }),
      bar({ t: "2024-01-02T14:30:00Z" }),
      bar({ t: "2024-01-02T14:31:00Z", c: 100.6 }),
    ]);
    expect(Array.from(c.c)).toEqual([100.5, 100.6, 100.7]);
    const e = errorOf(() => columnsFromBars([bar(), bar({ t: "2024-01-02T14:31:00Z" }), bar({ t: "2024-01-02T09:30:00-05:00" })]));
    expect(e).toBeInstanceOf(DuplicateTimestampError);
    expect((e as DuplicateTimestampError).firstRow).toBe(0);
    expect(e.row).toBe(2);
  });
});

describe("timestamps", () => {
  it("parses the ISO shapes users send, naive as UTC, offsets converted", () => {
    const ms = Date.UTC(2024, 0, 2, 14, 30);
    for (const s of [
      "2024-01-02T14:30:00Z",
      "2024-01-02T14:30:00+00:00",
      "2024-01-02 14:30:00",
      "2024-01-02T14:30",
      "2024-01-02T09:30:00-05:00",
      "2024-01-02T20:00:00+0530",
      "2024-01-02T14:30:00.000Z",
    ]) {
      expect(parseIsoMs(s), s).toBe(ms);
    }
    expect(parseIsoMs("2024-01-02")).toBe(Date.UTC(2024, 0, 2));
    expect(parseIsoMs("2024-01-02T14:30:00.5Z")).toBe(ms + 500);
  });

  it("isoUtc agrees with Date.toISOString over random instants (1843..2096), fractions included", () => {
    const ref = (ms: number) => {
      const w = Math.floor(ms);
      const d = new Date(w);
      const micros = d.getUTCMilliseconds() * 1000 + Math.round((ms - w) * 1000);
      return d.toISOString().slice(0, 19) + (micros ? "." + String(micros).padStart(6, "0") : "") + "+00:00";
    };
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 16807) % 2147483647;
      const ms = Math.floor((x / 2147483647 - 0.5) * 8e12) + (i % 5 === 0 ? 0.25 : 0);
      expect(isoUtc(ms)).toBe(ref(ms));
    }
  });

  it("formats like pandas isoformat: +00:00, microseconds only when present", () => {
    expect(isoUtc(Date.UTC(2024, 0, 2, 14, 30))).toBe("2024-01-02T14:30:00+00:00");
    expect(isoUtc(Date.UTC(2024, 0, 2, 14, 30) + 500)).toBe("2024-01-02T14:30:00.500000+00:00");
  });
});

describe("CSV", () => {
  const HEAD = "t,o,h,l,c,v\n";
  it("parses the header in any order, extra columns ignored, CRLF, blank lines, empty v", () => {
    const c = columnsFromCsv(
      "v,c,l,h,o,t,extra\r\n10,100.5,99,101,100,2024-01-02T14:30:00Z,x\r\n\r\n,100.25,99.5,101,100,2024-01-02T14:31:00Z,y\r\n",
    );
    expect(c.length).toBe(2);
    expect(Array.from(c.c)).toEqual([100.5, 100.25]);
    expect(Array.from(c.v)).toEqual([10, 0]);
  });

  it("parses decimals exactly like Number()", () => {
    // Negative and long values need allowNonPositive; numbers beyond the 1e15 price limit are refused (issue #11).
    const vals = [
      "412.1",
      "0.1",
      "100",
      "5e-3",
      "1E2",
      "+3.25",
      "123456789.123456",
      "0.000001",
      "99999999999.99",
      ".5",
      "7.",
      "-0.25",
      "0001.5000",
      "123456789012345.6789",
      "999999999999999.99",
      "3.14159265358979323846",
    ];
    const text = HEAD + vals.map((x, i) => `2024-01-02T14:${String(30 + i).padStart(2, "0")}:00Z,${x},${x},${x},${x},1`).join("\n");
    expect(Array.from(columnsFromCsv(text, { allowNonPositive: true }).c)).toEqual(vals.map(Number));
    expect(() =>
      columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,1234567890123456789,1234567890123456789,1234567890123456789,1234567890123456789,1"),
    ).toThrow(/magnitude above 1e\+15 /);
  });

  it("reports the row and the line of a bad cell", () => {
    const e = errorOf(() => columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,100,101,99,100.5,1\n\n2024-01-02T14:31:00Z,100,abc,99,100.5,1\n"));
    expect(e.row).toBe(1);
    expect(e.line).toBe(4);
    expect(e.field).toBe("h");
    expect(e.message).toContain('row 1 (line 4), field "h"');
    expect(errorOf(() => columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,100,101,99,,1\n")).message).toMatch(/"c".*is empty/);
    expect(errorOf(() => columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,NaN,101,99,100,1\n")).field).toBe("o");
    for (const bad of [".", "-", "1.2.3", "1e", "--1", "0x10", "1,5"]) {
      expect(() => columnsFromCsv(HEAD + `2024-01-02T14:30:00Z,100,101,99,${bad},1\n`), bad).toThrow();
    }
    expect(errorOf(() => columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,100,101,99,100,-5\n")).field).toBe("v");
    expect(errorOf(() => columnsFromCsv(HEAD + "not-a-time,100,101,99,100,5\n")).field).toBe("t");
    expect(errorOf(() => columnsFromCsv(HEAD + "2024-02-30T14:30:00Z,100,101,99,100,5\n")).field).toBe("t");
  });

  it("names the line of a duplicate timestamp, with and without skipped lines before it", () => {
    const r = (m: number) => `2024-01-02T14:${m}:00Z,100,101,99,100,1`;
    const dup = (csv: string) => errorOf(() => columnsFromCsv(csv)) as unknown as DuplicateTimestampError;
    const a = dup(HEAD + [r(30), r(31), r(30)].join("\n"));
    expect([a.row, a.line, a.firstRow]).toEqual([2, 4, 0]);
    const b = dup("\n" + HEAD + [r(30), "", r(31), "", "", r(32), r(31)].join("\n"));
    expect([b.row, b.line, b.firstRow]).toEqual([3, 9, 1]);
  });

  it("rejects a malformed file", () => {
    expect(() => columnsFromCsv("")).toThrow(CsvFormatError);
    expect(() => columnsFromCsv("t,o,h,l\n")).toThrow(/no "c" column/);
    expect(() => columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,100,101\n")).toThrow(/line 2: expected 6 cells/);
  });

  it("accepts epoch milliseconds and other ISO shapes in t", () => {
    const ms = Date.UTC(2024, 0, 2, 14, 30);
    const c = columnsFromCsv(
      HEAD + `${ms},100,101,99,100,1\n2024-01-02 14:31:00,100,101,99,100,1\n"2024-01-02T09:32:00-05:00",100,101,99,100,1\n`,
    );
    expect(Array.from(c.t)).toEqual([ms, ms + 60_000, ms + 120_000]);
  });

  it("the fast timestamp path agrees with the general parser", () => {
    const times: string[] = [];
    for (let y = 1999; y <= 2030; y += 3)
      for (const md of ["01-01", "02-28", "02-29", "03-01", "12-31"]) times.push(`${y}-${md}T23:59:59Z`);
    for (const s of times) {
      const csv = HEAD + `${s},1,1,1,1,1\n`;
      const want = parseIsoMs(s);
      if (Number.isNaN(want)) expect(() => columnsFromCsv(csv), s).toThrow(BarValidationError);
      else expect(columnsFromCsv(csv).t[0], s).toBe(want);
    }
  });
});

describe("CSV fast paths against the general path (fast-check)", () => {
  const HEAD = "t,o,h,l,c,v\n";
  /** Plain decimals: optional sign, up to 20 integer and 25 fraction digits (leading zeros, trailing dot, bare fraction). */
  const decimal = fc
    .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{0,15}$/), fc.option(fc.stringMatching(/^[0-9]{0,25}$/), { nil: undefined }))
    .filter(([, i, f]) => (i + (f ?? "")).length > 0)
    .map(([neg, i, f]) => (neg ? "-" : "") + i + (f === undefined ? "" : "." + f));
  /** Times of the fast form, valid or not (day 29..31 in short months, hour 24, minute 60). */
  const time = fc
    .tuple(
      fc.integer({ min: 1965, max: 2105 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 59 }),
    )
    .map(
      ([y, mo, d, hh, mi, ss]) =>
        `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}T${String(hh).padStart(2, "0")}:${String(mi).padStart(2, "0")}:${String(ss).padStart(2, "0")}Z`,
    );

  it("plain decimal cells give the doubles Number() gives (fast path) and that quoted cells give (general path)", () => {
    fc.assert(
      fc.property(fc.array(decimal, { minLength: 1, maxLength: 40 }), (xs) => {
        // One value per row in every price column (h = l = o = c keeps the bar valid); v gets it too when >= 0.
        const rows = xs.map(
          (x, i) => `${isoUtc(Date.UTC(2024, 0, 2) + i * 60_000).slice(0, 19)}Z,${x},${x},${x},${x},${Number(x) >= 0 ? x : 0}`,
        );
        // Zero and negative cells need allowNonPositive; 15 integer digits stay below the 1e15 price limit.
        const fast = columnsFromCsv(HEAD + rows.join("\n"), { allowNonPositive: true });
        const quoted = columnsFromCsv(
          HEAD +
            xs
              .map(
                (x, i) =>
                  `${isoUtc(Date.UTC(2024, 0, 2) + i * 60_000).slice(0, 19)}Z,"${x}","${x}","${x}","${x}",${Number(x) >= 0 ? x : 0}`,
              )
              .join("\n"),
          { allowNonPositive: true },
        );
        for (let i = 0; i < xs.length; i++) {
          expect(Object.is(fast.c[i], Number(xs[i]))).toBe(true);
          expect(Object.is(fast.o[i], quoted.o[i])).toBe(true);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("fast-form times (with the previous row's date reused) agree with the general ISO parser, rejecting the same ones", () => {
    fc.assert(
      fc.property(
        fc.array(time, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 86_399 }), { minLength: 1, maxLength: 8 }),
        (days, secs) => {
          // Several rows per date (the cached date), then the next date.
          const cells: string[] = [];
          for (const d of days) for (const s of secs) cells.push(d.slice(0, 11) + new Date(s * 1000).toISOString().slice(11, 19) + "Z", d);
          const want = cells.map((c) => parseIsoMs(c));
          const uniq = new Set<number>();
          const rows: string[] = [];
          const expected: number[] = [];
          let bad = -1;
          cells.forEach((c, i) => {
            if (Number.isNaN(want[i]!)) {
              if (bad < 0) bad = rows.length;
            } else if (uniq.has(want[i]!)) return;
            else uniq.add(want[i]!);
            rows.push(`${c},1,1,1,1,1`);
            expected.push(want[i]!);
          });
          const csv = HEAD + rows.join("\n");
          if (bad >= 0) {
            const e = (() => {
              try {
                columnsFromCsv(csv);
              } catch (x) {
                return x as BarValidationError;
              }
              return null;
            })();
            expect(e).toBeInstanceOf(BarValidationError);
            expect(e!.row).toBe(bad);
            expect(e!.field).toBe("t");
          } else {
            const got = columnsFromCsv(csv).t;
            expect(Array.from(got)).toEqual([...expected].sort((a, b) => a - b));
            // The general path (quoted cells) gives the same times.
            const q = columnsFromCsv(HEAD + rows.map((r) => `"${r.slice(0, 20)}"${r.slice(20)}`).join("\n")).t;
            expect(Array.from(q)).toEqual(Array.from(got));
          }
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });
});

describe("other constructors", () => {
  it("columnsFromText reads JSON arrays, {bars: [...]} and CSV", () => {
    const csv = "t,o,h,l,c,v\n2024-01-02T14:30:00Z,100,101,99,100.5,10\n";
    const a = columnsFromText(csv);
    const b = columnsFromText(JSON.stringify([bar()]));
    const c = columnsFromText(JSON.stringify({ bars: [bar()] }));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(() => columnsFromText("[1,")).toThrow(/not valid JSON/);
  });

  it("columnsFromArrays validates like the others; sliceColumns shares memory; barsFromColumns inverts", () => {
    const c = columnsFromArrays({ t: [2, 1], o: [1, 1], h: [2, 2], l: [0.5, 0.5], c: [1.5, 1.2] });
    expect(Array.from(c.c)).toEqual([1.2, 1.5]);
    expect(() => columnsFromArrays({ t: [1], o: [1], h: [0.5], l: [0.5], c: [1] })).toThrow(/field "h"/);
    const s = sliceColumns(c, 1, 2);
    expect(s.length).toBe(1);
    expect(s.c.buffer).toBe(c.c.buffer);
    expect(columnsFromBars(barsFromColumns(c))).toEqual(c);
  });
});
