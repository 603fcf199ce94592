/**
 * One set of column names for every reader (issue #14): CSV headers, JSON bar
 * objects and Parquet columns accept `t|time|timestamp|ts|date|datetime`,
 * `o|open`, `h|high`, `l|low`, `c|close`, `v|volume|vol` in any case, and a
 * `columns` mapping for anything else; a mapped name that is not there and a
 * bad mapping are typed errors naming them.
 */
import { readFileSync } from "node:fs";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { BarValidationError, columnsFromBars, columnsFromCsv, columnsFromText, CsvFormatError, OptionError } from "../src/index.js";
import { columnsFromParquet, ParquetFormatError } from "../src/parquet.js";

const plain = readFileSync(new URL("./fixtures/golden/inputs/small_1m.csv", import.meta.url), "utf8");
const want = columnsFromCsv(plain);
const body = plain.slice(plain.indexOf("\n") + 1);

describe("column names", () => {
  it("CSV: Datetime,Open,High,Low,Close,Volume and timestamp,open,… read as t,o,h,l,c,v", () => {
    expect(columnsFromCsv("Datetime,Open,High,Low,Close,Volume\n" + body)).toEqual(want);
    expect(columnsFromCsv("timestamp,open,high,low,close,volume\n" + body)).toEqual(want);
    expect(columnsFromCsv("TIME,O,H,L,C,VOL\n" + body)).toEqual(want);
  });
  it("CSV: other names through the columns mapping; a mapped name that is not there names it", () => {
    const renamed = "Date/Time,First,Max,Min,Last,Qty\n" + body;
    const columns = { t: "Date/Time", o: "First", h: "Max", l: "Min", c: "Last", v: "qty" };
    expect(columnsFromCsv(renamed, { columns })).toEqual(want);
    expect(() => columnsFromCsv(renamed)).toThrow(CsvFormatError);
    expect(() => columnsFromCsv(renamed)).toThrow(/no "t" column: expected one of t, time, timestamp/);
    expect(() => columnsFromCsv(renamed, { columns: { ...columns, c: "Close" } })).toThrow(/"Close" mapped to c is not there/);
  });
  it("JSON bar objects: {Date, Open, High, Low, Close, Volume} and a mapping", () => {
    const rows = body
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    const objs = rows.map(([t, o, h, l, c, v]) => ({ Date: t, Open: +o!, High: +h!, Low: +l!, Close: +c!, Volume: +v! }));
    expect(columnsFromBars(objs)).toEqual(want);
    expect(columnsFromText(JSON.stringify(objs))).toEqual(want);
    const odd = rows.map(([t, o, h, l, c, v]) => ({ when: t, a: +o!, b: +h!, d: +l!, e: +c!, f: +v! }));
    expect(columnsFromBars(odd, { columns: { t: "when", o: "a", h: "b", l: "d", c: "e", v: "f" } })).toEqual(want);
    expect(() => columnsFromBars(odd)).toThrow(BarValidationError);
  });
  it("a bad mapping is an OptionError naming columns", () => {
    expect(() => columnsFromCsv(plain, { columns: { x: "a" } as never })).toThrow(OptionError);
    expect(() => columnsFromCsv(plain, { columns: { t: "" } })).toThrow(/option "columns"/);
    expect(() => columnsFromCsv(plain, { columns: "t" as never })).toThrow(/option "columns"/);
  });
  it("Parquet: Timestamp/Open/… any case, and a mapping", async () => {
    const data = (names: string[]) =>
      parquetWriteBuffer({
        columnData: [
          { name: names[0]!, data: Array.from(want.t), type: "TIMESTAMP" },
          ...(["o", "h", "l", "c", "v"] as const).map((f, i) => ({
            name: names[i + 1]!,
            data: Array.from(want[f]),
            type: "DOUBLE" as const,
          })),
        ],
      });
    expect(await columnsFromParquet(data(["Timestamp", "Open", "High", "Low", "Close", "Volume"]))).toEqual(want);
    const odd = data(["ts_utc", "px_o", "px_h", "px_l", "px_c", "qty"]);
    await expect(columnsFromParquet(odd)).rejects.toThrow(ParquetFormatError);
    expect(await columnsFromParquet(odd, { columns: { t: "ts_utc", o: "px_o", h: "px_h", l: "px_l", c: "px_c", v: "qty" } })).toEqual(want);
  });
});

describe("times without a zone (tz)", () => {
  const local = "t,o,h,l,c\n2024-03-12 09:30:00,10,11,9,10\n2024-03-12 09:31:00,10,11,9,10\n";
  it("are read in tz when given: New York (EDT after 2024-03-10) and any IANA zone", () => {
    expect(Array.from(columnsFromCsv(local, { tz: "America/New_York" }).t, (t) => new Date(t).toISOString())).toEqual([
      "2024-03-12T13:30:00.000Z",
      "2024-03-12T13:31:00.000Z",
    ]);
    expect(new Date(columnsFromCsv(local, { tz: "Europe/London" }).t[0]!).toISOString()).toBe("2024-03-12T09:30:00.000Z");
    expect(new Date(columnsFromCsv(local, { tz: "Asia/Tokyo" }).t[0]!).toISOString()).toBe("2024-03-12T00:30:00.000Z");
    const objs = [{ t: "2024-01-02T09:30:00", o: 1, h: 2, l: 0.5, c: 1 }];
    expect(new Date(columnsFromBars(objs, { tz: "America/New_York" }).t[0]!).toISOString()).toBe("2024-01-02T14:30:00.000Z");
  });
  it("without tz they are UTC and the reader says so once per call (onWarning)", () => {
    const said: string[] = [];
    expect(new Date(columnsFromCsv(local, { onWarning: (m) => said.push(m) }).t[0]!).toISOString()).toBe("2024-03-12T09:30:00.000Z");
    expect(said).toEqual(['2 times have no zone and were read as UTC; pass tz (e.g. "America/New_York") to read them as local times']);
    said.length = 0;
    columnsFromCsv(plain, { onWarning: (m) => said.push(m) });
    expect(said).toEqual([]); // every time has its Z
  });
  it("a zone the runtime does not know, or a file mixing zoned and zone-less times with tz, is an OptionError naming tz", () => {
    expect(() => columnsFromCsv(local, { tz: "Mars/Olympus" })).toThrow(/option "tz"/);
    const mixed = "t,o,h,l,c\n2024-03-12 09:30:00,10,11,9,10\n2024-03-12T13:31:00Z,10,11,9,10\n";
    expect(() => columnsFromCsv(mixed, { tz: "America/New_York" })).toThrow(/option "tz": applies to times without a zone/);
  });
});
