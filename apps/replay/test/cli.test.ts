import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { parquetReadObjects } from "hyparquet";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/main.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = resolve(here, "../../../packages/core/test/fixtures/golden");
const tmp = mkdtempSync(join(tmpdir(), "ict-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

function write(name: string, text: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe("ict features", () => {
  it("prints the seed's features for --profile seed-v0.1 (small_5m)", async () => {
    const r = await cli("features", "--tf", "5m", "--profile", "seed-v0.1", join(GOLDEN, "inputs/small_5m.json"));
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out);
    const want = JSON.parse(readFileSync(join(GOLDEN, "expected/small_5m.json"), "utf8")).features;
    expect(Object.keys(got)).toEqual(["tf", "atr_last", "ms", "swings", "fvg", "ifvg", "ob", "bb"]);
    expect(got.ms).toEqual(want.ms);
    expect(got.atr_last).toBeCloseTo(want.atr_last, 12);
    expect(got.swings.leg).toEqual(want.swings.leg);
  });

  it("reads CSV, gzip and the ict profile by default", async () => {
    const csv = readFileSync(join(GOLDEN, "inputs/small_1m.csv"));
    const a = await cli("features", "--tf", "1m", join(GOLDEN, "inputs/small_1m.csv"));
    const b = await cli("features", "--tf", "1m", write("bars.csv.gz", gzipSync(csv)));
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    expect(JSON.parse(a.out).ms).toHaveProperty("last_bos_kind");
  });

  it.each([
    ["high below the body", '[{"t":"2024-01-02T14:30:00Z","o":1,"h":0.5,"l":0.4,"c":1}]', /row 0, field "h"/],
    ["numeric string", '[{"t":"2024-01-02T14:30:00Z","o":"1","h":2,"l":0.4,"c":1}]', /row 0, field "o"/],
    ["bad time in CSV", "t,o,h,l,c,v\n2024-01-02T14:30:00Z,1,2,0.5,1,1\nnope,1,2,0.5,1,1\n", /row 1 \(line 3\), field "t"/],
    ["negative volume", "t,o,h,l,c,v\n2024-01-02T14:30:00Z,1,2,0.5,1,-1\n", /field "v"/],
    [
      "duplicate time",
      "t,o,h,l,c\n2024-01-02T14:30:00Z,1,2,0.5,1\n2024-01-02T14:30:00Z,1,2,0.5,1\n",
      /row 1 \(line 3\), field "t": duplicate timestamp, already used by row 0/,
    ],
    ["broken JSON", "[{", /not valid JSON/],
  ])("bad input (%s): exit 2, one line naming the problem", async (_name, text, re) => {
    const r = await cli("features", "--tf", "1m", write("bad.txt", text));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(re);
  });

  it("--format ndjson: a summary line, then one line per zone record; --format csv: one row per zone, flat columns", async () => {
    const file = join(GOLDEN, "inputs/medium_1m.json");
    const json = JSON.parse((await cli("features", "--tf", "1m", file)).out);
    const zones = [...json.fvg, ...json.ifvg, ...json.ob, ...json.bb];
    expect(zones.length).toBeGreaterThan(10);
    const nd = await cli("features", "--tf", "1m", "--format", "ndjson", file);
    expect(nd.code).toBe(0);
    const lines = nd.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ kind: "TF", tf: "1m", atr_last: json.atr_last, ms: json.ms, swings: json.swings });
    expect(lines.slice(1)).toEqual(zones);
    const csv = await cli("features", "--tf", "1m", "--format", "csv", file);
    expect(csv.code).toBe(0);
    const rows = csv.out.trimEnd().split("\n");
    const header = rows[0]!.split(",");
    expect(rows).toHaveLength(zones.length + 1);
    for (const col of ["kind", "tf", "dir", "gap_lo", "gap_hi", "body_lo", "body_hi", "known_time"]) expect(header).toContain(col);
    // Row k is zone k: its kind, and a range flattened into _lo/_hi.
    const firstGap = zones.findIndex((z) => Array.isArray(z.gap));
    const cells = rows[firstGap + 1]!.split(",");
    expect(cells[header.indexOf("kind")]).toBe(zones[firstGap].kind);
    expect(Number(cells[header.indexOf("gap_lo")])).toBe(zones[firstGap].gap[0]);
    expect(Number(cells[header.indexOf("gap_hi")])).toBe(zones[firstGap].gap[1]);
    expect((await cli("features", "--tf", "1m", "--format", "xml", file)).code).toBe(2);
  });

  it("--format parquet --out FILE: one row per zone with the CSV's columns, typed; without --out a usage error", async () => {
    const one = join(GOLDEN, "inputs/small_1m.csv");
    const csv = await cli("features", "--tf", "1m", "--format", "csv", one);
    const path = join(tmp, "zones.parquet");
    const r = await cli("features", "--tf", "1m", "--format", "parquet", "--out", path, one);
    expect(r.code).toBe(0);
    const rows = (await parquetReadObjects({ file: new Uint8Array(readFileSync(path)).buffer })) as Record<string, unknown>[];
    const lines = csv.out.trimEnd().split("\n");
    const header = lines[0]!.split(",");
    expect(rows).toHaveLength(lines.length - 1);
    expect(Object.keys(rows[0]!)).toEqual(header);
    const first = lines[1]!.split(",");
    header.forEach((k, i) => {
      const v = rows[0]![k];
      expect(v === null ? "" : String(v), k).toBe(first[i]);
    });
    expect(typeof rows[0]!.gap_lo).toBe("number");
    expect(typeof rows[0]!.filled).toBe("boolean");
    expect((await cli("features", "--tf", "1m", "--format", "parquet", one)).code).toBe(2);
  });

  it("--out FILE writes the output atomically (nothing on stdout; a failing run leaves no file)", async () => {
    const file = join(GOLDEN, "inputs/small_1m.csv");
    const out = join(tmp, "f.ndjson");
    const r = await cli("features", "--tf", "1m", "--format", "ndjson", "--out", out, file);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(readFileSync(out, "utf8")).toBe((await cli("features", "--tf", "1m", "--format", "ndjson", file)).out);
    const bad = join(tmp, "bad-out.json");
    expect((await cli("features", "--tf", "1m", "--out", bad, write("bad2.txt", "[{"))).code).toBe(2);
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("--tf resamples finer bars (1m file, --tf 5m: the 5m zones) and refuses a coarser file or a label that is no timeframe", async () => {
    const one = join(GOLDEN, "inputs/small_1m.csv");
    const r = await cli("features", "--tf", "5m", one);
    expect(r.code).toBe(0);
    const f = JSON.parse(r.out);
    expect(f.tf).toBe("5m");
    expect(f.fvg.length).toBeGreaterThan(0);
    for (const z of f.fvg) expect(Date.parse(z.start) % 300_000).toBe(0);
    const five = await cli("features", "--tf", "1m", join(GOLDEN, "inputs/small_5m.json"));
    expect(five.code).toBe(2);
    expect(five.err).toMatch(/coarser than --tf 1m/);
    const bad = await cli("features", "--tf", "5min", one);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--tf must be a timeframe/);
  });

  it("times without a zone: a warning naming --tz, none with --tz; an unknown zone exits 2", async () => {
    const f = write("zoneless.csv", "t,o,h,l,c\n2024-03-12 09:30:00,10,11,9,10\n2024-03-12 09:31:00,10,11,9,10\n");
    const plain = await cli("features", "--tf", "1m", f);
    expect(plain.code).toBe(0);
    expect(plain.err).toMatch(/2 times have no zone and were read as UTC.*--tz/);
    const ny = await cli("features", "--tf", "1m", "--tz", "America/New_York", f);
    expect(ny.code).toBe(0);
    expect(ny.err).toBe("");
    const bad = await cli("features", "--tf", "1m", "--tz", "Nowhere", f);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--tz must be an IANA time zone/);
  });

  it("usage errors exit 2", async () => {
    expect((await cli("features", "--tf", "15x", "x")).code).toBe(2);
    expect((await cli("features", "--tf", "1m", "--profile", "v2", "x")).code).toBe(2);
    expect((await cli("features", "--tf", "1m", join(tmp, "missing.json"))).err).toMatch(/cannot read .*ENOENT/);
    expect((await cli("features", "--tf", "1m", "--bogus", "x")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
  });

  it("as a process from the repository root (pnpm -s ict): exit code 2 and no stack trace", async () => {
    const root = resolve(here, "../../..");
    const bad = write("bad2.json", '[{"t":"2024-01-02T14:30:00Z","o":1,"h":2,"l":0.5,"c":null}]');
    const err = await promisify(execFile)(
      process.execPath,
      [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "apps/replay/src/cli.ts"), "features", "--tf", "1m", bad],
      { cwd: root },
    ).then(
      () => null,
      (e) => e,
    );
    expect(err).not.toBeNull();
    expect(err.code).toBe(2);
    expect(err.stderr.trim()).toMatch(/^ict: .*bad2\.json: row 0, field "c": is null \(value: null\)$/);
  });
});

describe("ict smt", () => {
  it("prints the seed's SMT list for --profile seed-v0.1 (pair_5m)", async () => {
    const r = await cli(
      "smt",
      "--ref",
      join(GOLDEN, "inputs/pair_5m.ref.json"),
      "--profile",
      "seed-v0.1",
      join(GOLDEN, "inputs/pair_5m.json"),
    );
    expect(r.code).toBe(0);
    const want = JSON.parse(readFileSync(join(GOLDEN, "expected/pair_5m.json"), "utf8")).smt;
    expect(JSON.parse(r.out)).toEqual(want);
  });

  it("ict by default; --ref is required; bad reference input exits 2 naming it", async () => {
    const ok = await cli("smt", "--ref", join(GOLDEN, "inputs/pair_1m.ref.json"), join(GOLDEN, "inputs/pair_1m.json"));
    expect(ok.code).toBe(0);
    for (const rec of JSON.parse(ok.out)) expect(rec).toHaveProperty("known_time");
    expect((await cli("smt", join(GOLDEN, "inputs/pair_1m.json"))).err).toMatch(/--ref REF is required/);
    const bad = await cli("smt", "--ref", write("badref.json", '[{"t":"x","o":1,"h":1,"l":1,"c":1}]'), join(GOLDEN, "inputs/pair_1m.json"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/badref\.json: row 0, field "t"/);
  });
});

describe("ict capsule", () => {
  it("seed-v0.1: the oracle's capsule and its first replay state", async () => {
    const exp = JSON.parse(readFileSync(join(GOLDEN, "expected/small_1m.json"), "utf8"));
    const all = JSON.parse(readFileSync(join(GOLDEN, "inputs/small_1m.json"), "utf8"));
    const first = exp.replay.steps[0];
    const file = write("first.json", JSON.stringify(all.slice(0, first.n_bars)));
    const r = await cli("capsule", "--symbol", "TEST", "--tf", "1m", "--profile", "seed-v0.1", file);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.state).toEqual(first.state);
    const full = await cli(
      "capsule",
      "--symbol",
      "TEST",
      "--tf",
      "1m",
      "--profile",
      "seed-v0.1",
      "--now",
      "1970-01-01T00:00:00Z",
      join(GOLDEN, "inputs/small_1m.json"),
    );
    const cap = JSON.parse(full.out).capsule;
    expect(cap.meta).toEqual(exp.capsule.meta);
    expect(cap.features.tf_5m.ms).toEqual(exp.capsule.features.tf_5m.ms);
    expect(cap.features.tf_1m.fvg.length).toBe(exp.capsule.features.tf_1m.fvg.length);
  });

  it("--out writes the capsule file; bad symbols exit 2", async () => {
    const root = tmp;
    const r = await cli("capsule", "--symbol", "QQQ", "--tf", "5m", "--out", root, join(GOLDEN, "inputs/small_5m.json"));
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/data\/daily_news\/\d{4}-\d{2}-\d{2}\/processed\/context_capsules\/QQQ\.json$/);
    expect(JSON.parse(readFileSync(r.out.trim(), "utf8")).symbol).toBe("QQQ");
    const bad = await cli("capsule", "--symbol", "../etc", "--tf", "5m", join(GOLDEN, "inputs/small_5m.json"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/invalid symbol/);
  });
});
