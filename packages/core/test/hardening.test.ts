import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import {
  BarValidationError,
  columnsFromArrays,
  columnsFromBars,
  columnsFromCsv,
  columnsFromText,
  CsvFormatError,
  IctError,
  MAX_PRICE,
  OptionError,
  parseIsoTime,
  resolveProfile,
  TimeFormatError,
  type Columns,
  type ReadOptions,
} from "../src/index.js";
import { columnsFromParquet } from "../src/parquet.js";

// Issue #11 (hardening), the core library's findings 4 (validation) and 8 (OHLC repair).

const HEAD = "t,o,h,l,c,v\n";
const T0 = Date.UTC(2024, 0, 2, 14, 30);
const iso = (i: number) => new Date(T0 + i * 60_000).toISOString().replace(".000Z", "Z");

type Row = { o: number | string; h: number | string; l: number | string; c: number | string; v?: number | string };

/** The same rows through every reader; returns the reader's name and its result (or error). */
async function everyReader(
  rows: Row[],
  opts?: ReadOptions | ((reader: string) => ReadOptions),
): Promise<Array<[string, Columns | unknown]>> {
  const cells = rows.map((r, i) => `${iso(i)},${r.o},${r.h},${r.l},${r.c},${r.v ?? 1}`);
  const num = (x: number | string) => Number(x);
  const objects = rows.map((r, i) => ({ t: iso(i), o: num(r.o), h: num(r.h), l: num(r.l), c: num(r.c), v: num(r.v ?? 1) }));
  const arrays = {
    t: Float64Array.from(rows, (_, i) => T0 + i * 60_000),
    o: Float64Array.from(objects, (b) => b.o),
    h: Float64Array.from(objects, (b) => b.h),
    l: Float64Array.from(objects, (b) => b.l),
    c: Float64Array.from(objects, (b) => b.c),
    v: Float64Array.from(objects, (b) => b.v),
  };
  const parquet = parquetWriteBuffer({
    columnData: [
      { name: "t", data: Array.from(arrays.t, (t) => new Date(t)), type: "TIMESTAMP" },
      ...(["o", "h", "l", "c", "v"] as const).map((f) => ({ name: f, data: Array.from(arrays[f]), type: "DOUBLE" as const })),
    ],
  });
  const out: Array<[string, Columns | unknown]> = [];
  let options: ReadOptions | undefined;
  const run = async (name: string, fn: () => Columns | Promise<Columns>) => {
    options = typeof opts === "function" ? opts(name) : opts;
    try {
      out.push([name, await fn()]);
    } catch (e) {
      out.push([name, e]);
    }
  };
  await run("csv (fast path)", () => columnsFromCsv(HEAD + cells.join("\n"), options));
  // Columns in another order and quoted cells: the general CSV path.
  await run("csv (general path)", () =>
    columnsFromCsv("c,l,h,o,t,v\n" + rows.map((r, i) => `"${r.c}","${r.l}","${r.h}","${r.o}",${iso(i)},${r.v ?? 1}`).join("\n"), options),
  );
  await run("text (JSON)", () => columnsFromText(JSON.stringify(objects).replace(/null/g, "1e400"), options));
  await run("text (JSON, raw digits)", () =>
    columnsFromText(
      "[" + rows.map((r, i) => `{"t":"${iso(i)}","o":${r.o},"h":${r.h},"l":${r.l},"c":${r.c},"v":${r.v ?? 1}}`).join(",") + "]",
      options,
    ),
  );
  await run("bars", () => columnsFromBars(objects, options));
  await run("arrays", () => columnsFromArrays(arrays, options));
  await run("parquet", () => columnsFromParquet(parquet, options));
  return out;
}

const ok: Row = { o: 100, h: 101, l: 99, c: 100.5 };

describe("issue #11, reader validation", () => {
  it("finding 4: a CSV number of 309+ digits (Infinity after parsing) is rejected by every reader", async () => {
    const huge = "9".repeat(320);
    for (const field of ["o", "h", "l", "c", "v"] as const) {
      const bad: Row = { ...ok, v: 1, [field]: huge };
      for (const [name, r] of await everyReader([ok, bad])) {
        expect(r, `${name} ${field}`).toBeInstanceOf(BarValidationError);
        const e = r as BarValidationError;
        expect(e.row, name).toBe(1);
        expect(e.field, name).toBe(field);
        expect(e.message.length, name).toBeLessThan(300);
      }
    }
  });

  it("finding 4: prices of 0, negative, 1e308 and 1e-308 are rejected by default, in every reader", async () => {
    for (const p of [0, -5, 1e308, 1e-308, 2e15]) {
      const bad: Row = { o: p, h: p, l: p, c: p };
      for (const [name, r] of await everyReader([ok, bad])) {
        expect(r, `${name} ${p}`).toBeInstanceOf(BarValidationError);
        expect((r as BarValidationError).row).toBe(1);
        expect((r as BarValidationError).field).toBe("o");
      }
    }
    const e = (await everyReader([{ o: 0, h: 1, l: 0, c: 1 }]))[0]![1] as BarValidationError;
    expect(e.message).toMatch(/not a positive price.*allowNonPositive/);
  });

  it("finding 4: allowNonPositive accepts zero and negative prices in every reader, never beyond the magnitude limit", async () => {
    const spread: Row[] = [
      { o: -1.5, h: 0.25, l: -2, c: 0 },
      { o: 0, h: 0, l: 0, c: 0 },
      { o: -3, h: -1, l: -3.5, c: -1.25 },
    ];
    for (const [name, r] of await everyReader(spread, { allowNonPositive: true })) {
      expect(r, name).not.toBeInstanceOf(Error);
      expect(Array.from((r as Columns).l), name).toEqual([-2, 0, -3.5]);
    }
    for (const [name, r] of await everyReader([{ o: -1e308, h: 1, l: -1e308, c: 1 }], { allowNonPositive: true })) {
      expect(r, name).toBeInstanceOf(BarValidationError);
      expect((r as Error).message, name).toContain("magnitude above 1e+15");
    }
    expect(MAX_PRICE).toBe(1e15);
    expect(() => columnsFromCsv(HEAD, { allowNonPositive: "yes" as unknown as boolean })).toThrow(OptionError);
    expect(() => columnsFromBars([], { repairOhlc: 1 as unknown as boolean })).toThrow(/option "repairOhlc"/);
  });

  it("finding 4: impossible dates are rejected by the ISO parser with a typed error", () => {
    for (const s of ["2026-02-30", "2026-13-45", "2026-01-02T24:61", "2026-01-02T23:61:00Z", "2026-02-29T10:00:00Z", "2026-04-31"]) {
      let err: unknown;
      try {
        parseIsoTime(s, "--from");
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(TimeFormatError);
      expect((err as TimeFormatError).what).toBe("--from");
      expect((err as Error).message).toContain(JSON.stringify(s));
      expect(() => columnsFromBars([{ t: s, o: 1, h: 1, l: 1, c: 1 }]), s).toThrow(BarValidationError);
    }
    expect(() => columnsFromCsv(HEAD + "2026-02-30T14:30:00Z,1,1,1,1,1\n")).toThrow(BarValidationError);
    expect(parseIsoTime("2024-02-29", "--from")).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoTime("2026-01-02T23:59:59-05:00")).toBe(Date.UTC(2026, 0, 3, 4, 59, 59));
  });

  it("finding 4: an empty file is a clear error; a header without rows is zero bars", () => {
    for (const text of ["", "   ", "\n\n", " \r\n\t\n", "\ufeff"]) {
      for (const read of [columnsFromCsv, columnsFromText]) {
        let err: unknown;
        try {
          read(text);
        } catch (e) {
          err = e;
        }
        expect(err, JSON.stringify(text)).toBeInstanceOf(CsvFormatError);
        expect((err as Error).message).toMatch(/^empty input/);
      }
    }
    expect(columnsFromCsv(HEAD).length).toBe(0);
    expect(columnsFromText("t,o,h,l,c\n\n").length).toBe(0);
    expect(columnsFromText("[]").length).toBe(0);
  });

  it("finding 4: header names such as constructor and __proto__ are plain column names", () => {
    const c = columnsFromCsv("t,o,h,l,c,constructor,__proto__,v\n2024-01-02T14:30:00Z,100,101,99,100,x,y,5\n");
    expect(Array.from(c.v)).toEqual([5]);
    expect(() => columnsFromCsv("t,o,h,l,c,constructor,constructor\n")).toThrow(/"constructor" appears twice/);
    expect(() => columnsFromCsv("t,o,h,l,constructor\n")).toThrow(/no "c" column/);
  });

  it("finding 4: an error message quotes at most 80 characters of a value", async () => {
    const long = "x".repeat(50_000);
    const errors: unknown[] = [];
    const grab = (fn: () => unknown) => {
      try {
        fn();
        errors.push(null);
      } catch (e) {
        errors.push(e);
      }
    };
    grab(() => columnsFromCsv(HEAD + `${iso(0)},${long},101,99,100,1\n`));
    grab(() => columnsFromCsv(HEAD + `${long},100,101,99,100,1\n`));
    grab(() => columnsFromBars([{ t: long, o: 1, h: 1, l: 1, c: 1 }]));
    grab(() => columnsFromBars([{ t: iso(0), o: long, h: 1, l: 1, c: 1 }]));
    grab(() => columnsFromBars([{ t: iso(0), o: { deep: long }, h: 1, l: 1, c: 1 }]));
    grab(() => columnsFromCsv(`t,o,h,l,c,${long},${long}\n`));
    grab(() => resolveProfile(long));
    grab(() => parseIsoTime(long, "--to"));
    grab(() => columnsFromCsv(HEAD, { allowNonPositive: long as unknown as boolean }));
    for (const e of errors) {
      expect(e).toBeInstanceOf(IctError);
      const m = (e as Error).message;
      expect(m.length).toBeLessThan(400);
      expect(m).toMatch(/… \(\d+ characters\)/);
      // No run of the value longer than 80 characters.
      expect(m).not.toContain("x".repeat(81));
    }
    // Even an error built from a whole value (no quoting) is cut.
    expect(new IctError(long).message.length).toBeLessThan(2100);
  });
});

describe("issue #11, OHLC repair option", () => {
  // Alpaca publishes such bars: an open above the high (often 09:30), a close below the low.
  const rows: Row[] = [ok, { o: 102, h: 101, l: 99, c: 100.5 }, ok, { o: 100, h: 101, l: 99, c: 98.5 }];

  it("finding 8: bars with the open or close outside the range are rejected by default in every reader", async () => {
    for (const [name, r] of await everyReader(rows)) {
      expect(r, name).toBeInstanceOf(BarValidationError);
      expect((r as BarValidationError).row, name).toBe(1);
      expect((r as BarValidationError).field, name).toBe("h");
    }
  });

  it("finding 8: repairOhlc: true repairs them in every reader (high = max(o,h,c), low = min(o,l,c)) and reports each row", async () => {
    const seen: Record<string, number[]> = {};
    const results = await everyReader(rows, (reader) => ({ repairOhlc: true, onRepair: (row) => (seen[reader] ??= []).push(row) }));
    expect(results.length).toBe(7);
    for (const [name, r] of results) {
      expect(r, name).not.toBeInstanceOf(Error);
      const c = r as Columns;
      expect(Array.from(c.h), name).toEqual([101, 102, 101, 101]);
      expect(Array.from(c.l), name).toEqual([99, 99, 99, 98.5]);
      expect(Array.from(c.o), name).toEqual([100, 102, 100, 100]);
      expect(seen[name], name).toEqual([1, 3]);
    }
  });

  it("finding 8: onRepair names the rows (and CSV lines) repaired; a bar within its range is never touched", () => {
    const got: Array<[number, number | undefined]> = [];
    const c = columnsFromCsv(HEAD + "\n" + rows.map((r, i) => `${iso(i)},${r.o},${r.h},${r.l},${r.c},1`).join("\n"), {
      repairOhlc: true,
      onRepair: (row, line) => got.push([row, line]),
    });
    expect(got).toEqual([
      [1, 4],
      [3, 6],
    ]);
    expect(c.length).toBe(4);
    const objs: number[] = [];
    columnsFromBars([{ t: iso(0), o: 1, h: 2, l: 0.5, c: 1.5 }], { repairOhlc: true, onRepair: (r) => objs.push(r) });
    expect(objs).toEqual([]);
    // Repair does not rescue a non-finite or non-positive price.
    expect(() => columnsFromBars([{ t: iso(0), o: Infinity, h: 2, l: 1, c: 1.5 }], { repairOhlc: true })).toThrow(BarValidationError);
    expect(() => columnsFromBars([{ t: iso(0), o: -1, h: 2, l: 1, c: 1.5 }], { repairOhlc: true })).toThrow(/not a positive price/);
  });
});
