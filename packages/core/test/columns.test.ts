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
    const c = columnsFromBars([bar({ t: "2024-01-02T14:32:00Z", c: 100.7 }), bar({ t: "2024-01-02T14:30:00Z" }), bar({ t: "2024-01-02T14:31:00Z", c: 100.6 })]);
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
    for (const s of ["2024-01-02T14:30:00Z", "2024-01-02T14:30:00+00:00", "2024-01-02 14:30:00", "2024-01-02T14:30", "2024-01-02T09:30:00-05:00", "2024-01-02T20:00:00+0530", "2024-01-02T14:30:00.000Z"]) {
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
    const c = columnsFromCsv("v,c,l,h,o,t,extra\r\n10,100.5,99,101,100,2024-01-02T14:30:00Z,x\r\n\r\n,100.25,99.5,101,100,2024-01-02T14:31:00Z,y\r\n");
    expect(c.length).toBe(2);
    expect(Array.from(c.c)).toEqual([100.5, 100.25]);
    expect(Array.from(c.v)).toEqual([10, 0]);
  });

  it("parses decimals exactly like Number()", () => {
    const vals = ["412.1", "0.1", "100", "5e-3", "1E2", "+3.25", "123456789.123456", "0.000001", "99999999999.99", ".5", "7.", "-0.25", "0001.5000", "1234567890123456789", "3.14159265358979323846"];
    const text = HEAD + vals.map((x, i) => `2024-01-02T14:${String(30 + i).padStart(2, "0")}:00Z,${x},${x},${x},${x},1`).join("\n");
    expect(Array.from(columnsFromCsv(text).c)).toEqual(vals.map(Number));
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

  it("rejects a malformed file", () => {
    expect(() => columnsFromCsv("")).toThrow(CsvFormatError);
    expect(() => columnsFromCsv("t,o,h,l\n")).toThrow(/no "c" column/);
    expect(() => columnsFromCsv(HEAD + "2024-01-02T14:30:00Z,100,101\n")).toThrow(/line 2: expected 6 cells/);
  });

  it("accepts epoch milliseconds and other ISO shapes in t", () => {
    const ms = Date.UTC(2024, 0, 2, 14, 30);
    const c = columnsFromCsv(HEAD + `${ms},100,101,99,100,1\n2024-01-02 14:31:00,100,101,99,100,1\n"2024-01-02T09:32:00-05:00",100,101,99,100,1\n`);
    expect(Array.from(c.t)).toEqual([ms, ms + 60_000, ms + 120_000]);
  });

  it("the fast timestamp path agrees with the general parser", () => {
    const times: string[] = [];
    for (let y = 1999; y <= 2030; y += 3) for (const md of ["01-01", "02-28", "02-29", "03-01", "12-31"]) times.push(`${y}-${md}T23:59:59Z`);
    for (const s of times) {
      const csv = HEAD + `${s},1,1,1,1,1\n`;
      const want = parseIsoMs(s);
      if (Number.isNaN(want)) expect(() => columnsFromCsv(csv), s).toThrow(BarValidationError);
      else expect(columnsFromCsv(csv).t[0], s).toBe(want);
    }
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
