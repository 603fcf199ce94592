/**
 * Differential test against the live seed oracle (`../shared/seed/golden.py`,
 * Python + pandas): fresh random bars from the seed's own generator and real
 * sessions, run through both, compared field by field (floats to 1e-9).
 * Skips with a reason when `../shared` or Debian's python3-pandas is absent.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { aggregate, barsFromColumns, columnsFromCsv, columnsFromText, computeFeatures, sliceColumns, smtObjects } from "@ict/core";
import { buildCapsule, updateSymbolState } from "../src/index.js";
import { diff, HAS_SHARED, NO_SHARED_REASON, SHARED } from "../../core/test/helpers.js";

const run = promisify(execFile);
const PY = "/usr/bin/python3";

function hasPandas(): boolean {
  try {
    execFileSync(PY, ["-c", "import pandas, numpy"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const READY = HAS_SHARED && hasPandas();
const REASON = !HAS_SHARED ? NO_SHARED_REASON : "Debian's /usr/bin/python3 with pandas is missing (apt-get install python3-pandas)";

/** Fresh seeds each run (printed in the test names so a failure can be replayed with ORACLE_SEED). */
const BASE_SEED = process.env.ORACLE_SEED ? Number(process.env.ORACLE_SEED) : (Date.now() % 1_000_000) + 1000;

describe.skipIf(!READY && !process.env.CI)(`seed oracle, live (${READY ? `seeds from ${BASE_SEED}` : REASON})`, () => {
  const dir = READY ? mkdtempSync(join(tmpdir(), "ict-oracle-")) : "";
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function oracle(barsFile: string, tf: string, ref?: string, replay: string[] = ["--replay-detail", "none"]): Promise<any> {
    const out = join(dir, `${barsFile.split("/").pop()}.out.json`);
    const refArgs = ref ? ["--ref", ref] : [];
    await run(PY, [join(SHARED, "seed", "golden.py"), barsFile, "--tf", tf, ...refArgs, ...replay, "--indent", "0", "--out", out], {
      maxBuffer: 1 << 26,
    });
    return JSON.parse(readFileSync(out, "utf8"));
  }

  const cases: Array<[string, number, "1m" | "5m", boolean]> = [
    ["1m", 400, "1m", false],
    ["1m", 2500, "1m", true],
    ["5m", 300, "5m", false],
    ["5m", 1200, "5m", true],
  ];
  cases.forEach(([tf, n, _tf, csv], i) => {
    const seed = BASE_SEED + i;
    it(`gen_bars.py --n ${n} --tf ${tf} --seed ${seed}${csv ? " --csv" : ""}`, async () => {
      const file = join(dir, `gen_${seed}.${csv ? "csv" : "json"}`);
      await run(PY, [
        join(SHARED, "seed", "gen_bars.py"),
        "--n",
        String(n),
        "--tf",
        tf,
        "--seed",
        String(seed),
        "--out",
        file,
        ...(csv ? ["--csv"] : []),
      ]);
      const want = await oracle(file, tf);
      const got = computeFeatures(columnsFromText(readFileSync(file, "utf8")), { tf, profile: "seed-v0.1" });
      expect(diff(got, want.features)).toBeNull();
    });
  });

  for (const [i, [tf, n, scale]] of (
    [
      ["1m", 600, "1.17"],
      ["5m", 400, "1.0"],
    ] as const
  ).entries()) {
    const seed = BASE_SEED + 50 + i;
    it(`gen_bars.py --n ${n} --tf ${tf} --seed ${seed} --ref-out (scale ${scale}): features and SMT`, async () => {
      const file = join(dir, `pair_${seed}.json`);
      const refFile = join(dir, `pair_${seed}.ref.json`);
      await run(PY, [
        join(SHARED, "seed", "gen_bars.py"),
        "--n",
        String(n),
        "--tf",
        tf,
        "--seed",
        String(seed),
        "--out",
        file,
        "--ref-out",
        refFile,
        "--ref-scale",
        scale,
      ]);
      const want = await oracle(file, tf, refFile);
      const p = columnsFromText(readFileSync(file, "utf8"));
      const r = columnsFromText(readFileSync(refFile, "utf8"));
      expect(diff(computeFeatures(p, { tf, profile: "seed-v0.1" }), want.features)).toBeNull();
      expect(diff(smtObjects(p, r, { profile: "seed-v0.1" }), want.smt)).toBeNull();
    });
  }

  it(`capsule and the first replay state, fresh 1m pair (seed ${BASE_SEED + 70})`, async () => {
    const seed = BASE_SEED + 70;
    const file = join(dir, `cap_${seed}.json`);
    const refFile = join(dir, `cap_${seed}.ref.json`);
    await run(PY, [
      join(SHARED, "seed", "gen_bars.py"),
      "--n",
      "500",
      "--tf",
      "1m",
      "--seed",
      String(seed),
      "--out",
      file,
      "--ref-out",
      refFile,
    ]);
    const want = await oracle(file, "1m", refFile, ["--replay-detail", "full", "--replay-every", "137"]);
    const bars = columnsFromText(readFileSync(file, "utf8"));
    const ref = columnsFromText(readFileSync(refFile, "utf8"));
    const cap = buildCapsule({
      symbol: "TEST",
      dayEt: want.input.day_et,
      bars1m: bars,
      ref5m: aggregate(ref, 5),
      now: 0,
      profile: "seed-v0.1",
    });
    expect(diff(cap, want.capsule)).toBeNull();
    const step = want.replay.steps[0];
    const prefix = sliceColumns(bars, 0, step.n_bars);
    const now = prefix.t[prefix.length - 1]!;
    let k = 0;
    while (k < ref.length && ref.t[k]! <= now) k++;
    const c1 = buildCapsule({
      symbol: "TEST",
      dayEt: want.input.day_et,
      bars1m: prefix,
      ref5m: aggregate(sliceColumns(ref, 0, k), 5),
      now,
      profile: "seed-v0.1",
    });
    const state = JSON.parse(JSON.stringify(updateSymbolState({ symbol: "TEST" }, c1.features, now, { profile: "seed-v0.1" })));
    expect(diff(state, step.state)).toBeNull();
  });

  it("real SPY vs QQQ 1m, one session each: SMT of the seed", async () => {
    const a = realSession("QQQ", BASE_SEED);
    const b = realSession("SPY", BASE_SEED);
    const want = await oracle(a.file, "1m", b.file);
    const got = smtObjects(columnsFromText(readFileSync(a.file, "utf8")), columnsFromText(readFileSync(b.file, "utf8")), {
      profile: "seed-v0.1",
    });
    expect(diff(got, want.smt)).toBeNull();
    expect(
      diff(computeFeatures(columnsFromText(readFileSync(a.file, "utf8")), { tf: "1m", profile: "seed-v0.1" }), want.features),
    ).toBeNull();
  });

  /** One real regular session (New York day) of a 1m file, as JSON bars. */
  function realSession(symbol: string, which: number): { file: string; day: string } {
    const text = readFileSync(join(SHARED, "data", "real", `${symbol}_1m`, `${symbol}_1m_20260312_20260330_yahoo.csv`), "utf8");
    const cols = columnsFromCsv(text);
    const days: number[] = [0];
    for (let i = 1; i < cols.length; i++) if (cols.t[i]! - cols.t[i - 1]! > 6 * 3600_000) days.push(i);
    days.push(cols.length);
    const d = which % (days.length - 1);
    const s = sliceColumns(cols, days[d]!, days[d + 1]!);
    const file = join(dir, `${symbol}_${d}.json`);
    writeFileSync(file, JSON.stringify(barsFromColumns(s)));
    return { file, day: new Date(s.t[0]!).toISOString().slice(0, 10) };
  }

  for (const [k, symbol] of ["SPY", "QQQ", "IWM"].entries()) {
    const which = BASE_SEED + k * 5;
    it(`real ${symbol} 1m session #${which % 13}`, async () => {
      const { file } = realSession(symbol, which);
      const want = await oracle(file, "1m");
      const got = computeFeatures(columnsFromText(readFileSync(file, "utf8")), { tf: "1m", profile: "seed-v0.1" });
      expect(diff(got, want.features)).toBeNull();
    });
  }

  it("real SPY 5m, 1,500 bars (about 19 sessions)", async () => {
    const text = readFileSync(join(SHARED, "data", "real", "SPY_5m", "SPY_5m_20251223_20260320_yahoo.csv"), "utf8");
    const cols = sliceColumns(columnsFromCsv(text), 1000, 2500);
    const file = join(dir, "spy5m.json");
    writeFileSync(file, JSON.stringify(barsFromColumns(cols)));
    const want = await oracle(file, "5m");
    expect(diff(computeFeatures(cols, { tf: "5m", profile: "seed-v0.1" }), want.features)).toBeNull();
  });

  it("real BTCUSDT 1m, 3,000 bars of 2017 (flat zero-volume minutes)", async () => {
    const text = gunzipSync(readFileSync(join(SHARED, "data", "real", "BTCUSDT_1m", "BTCUSDT_1m_2017.csv.gz"))).toString("utf8");
    const cols = sliceColumns(columnsFromCsv(text), 20_000, 23_000);
    const file = join(dir, "btc.json");
    writeFileSync(file, JSON.stringify(barsFromColumns(cols)));
    const want = await oracle(file, "1m");
    expect(diff(computeFeatures(cols, { tf: "1m", profile: "seed-v0.1" }), want.features)).toBeNull();
  });
});
