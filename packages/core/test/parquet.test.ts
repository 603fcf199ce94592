import { readFileSync } from "node:fs";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { BarValidationError, columnsFromCsv, type Columns } from "../src/index.js";
import { columnsFromParquet, ParquetFormatError } from "../src/parquet.js";

const csv = readFileSync(new URL("./fixtures/golden/inputs/small_1m.csv", import.meta.url), "utf8");
const ref = columnsFromCsv(csv);

function same(a: Columns, b: Columns) {
  expect(a.length).toBe(b.length);
  for (const f of ["t", "o", "h", "l", "c", "v"] as const) expect(Array.from(a[f])).toEqual(Array.from(b[f]));
}

const prices = (names = ["o", "h", "l", "c", "v"]) =>
  (["o", "h", "l", "c", "v"] as const).map((f, i) => ({ name: names[i]!, data: Array.from(ref[f]), type: "DOUBLE" as const }));

describe("columnsFromParquet", () => {
  it("reads TIMESTAMP time and DOUBLE prices over several row groups, equal to the CSV", async () => {
    const buf = parquetWriteBuffer({
      columnData: [{ name: "t", data: Array.from(ref.t, (t) => new Date(t)), type: "TIMESTAMP" }, ...prices()],
      rowGroupSize: 7,
    });
    same(await columnsFromParquet(buf), ref);
    same(await columnsFromParquet(new Uint8Array(buf)), ref);
  });

  it("reads INT64 epoch (µs) and ISO text times, long column names, uncompressed or gzip", async () => {
    const us = parquetWriteBuffer({
      columnData: [
        { name: "timestamp", data: Array.from(ref.t, (t) => BigInt(t) * 1000n), type: "INT64" },
        ...prices(["open", "high", "low", "close", "volume"]),
      ],
      codec: "UNCOMPRESSED",
    });
    same(await columnsFromParquet(us), ref);
    const iso = parquetWriteBuffer({
      columnData: [{ name: "T", data: Array.from(ref.t, (t) => new Date(t).toISOString()), type: "STRING" }, ...prices()],
      codec: "SNAPPY",
    });
    same(await columnsFromParquet(iso), ref);
  });

  it("sorts unsorted rows and defaults a missing volume to 0", async () => {
    const order = Array.from({ length: ref.length }, (_, i) => ref.length - 1 - i);
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "t", data: order.map((i) => new Date(ref.t[i]!)), type: "TIMESTAMP" },
        ...(["o", "h", "l", "c"] as const).map((f) => ({ name: f, data: order.map((i) => ref[f][i]!), type: "DOUBLE" as const })),
      ],
    });
    const got = await columnsFromParquet(buf);
    expect(Array.from(got.t)).toEqual(Array.from(ref.t));
    expect(Array.from(got.c)).toEqual(Array.from(ref.c));
    expect(Array.from(got.v).every((v) => v === 0)).toBe(true);
  });

  it("names the row and field of a bad bar", async () => {
    const h = Array.from(ref.h);
    h[5] = ref.l[5]! - 1;
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "t", data: Array.from(ref.t, (t) => new Date(t)), type: "TIMESTAMP" },
        ...prices().map((c) => (c.name === "h" ? { ...c, data: h } : c)),
      ],
    });
    const e = await columnsFromParquet(buf).catch((x) => x);
    expect(e).toBeInstanceOf(BarValidationError);
    expect(e).toMatchObject({ row: 5, field: "h" });
    const nul = parquetWriteBuffer({
      columnData: [{ name: "t", data: Array.from(ref.t, (t, i) => (i === 3 ? null : new Date(t))), type: "TIMESTAMP" }, ...prices()],
    });
    await expect(columnsFromParquet(nul)).rejects.toMatchObject({ row: 3, field: "t" });
  });

  it("refuses a file that is not Parquet or lacks a price column", async () => {
    await expect(columnsFromParquet(new TextEncoder().encode(csv))).rejects.toBeInstanceOf(ParquetFormatError);
    const noClose = parquetWriteBuffer({
      columnData: [
        { name: "t", data: Array.from(ref.t, (t) => new Date(t)), type: "TIMESTAMP" },
        ...prices().filter((c) => c.name !== "c"),
      ],
    });
    await expect(columnsFromParquet(noClose)).rejects.toThrow(/no "c" column/);
  });
});
