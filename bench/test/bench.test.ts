/**
 * The benchmark itself, end to end at a tiny size with minimal timing: every
 * suite runs, the implementations agree (runBench throws a VerificationError
 * when two of them differ), and the JSON report has the documented shape.
 * No timing is asserted: performance is shown by `pnpm bench`, not by tests.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateTargets, runBench, type BenchRecord, type Report } from "../src/bench.js";
import { chromiumUnavailable } from "../src/browser.js";
import { summary } from "../src/report.js";
import { sample } from "../src/sampler.js";

const dir = mkdtempSync(join(tmpdir(), "ict-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = {
  timing: {
    rounds: 1,
    maxTime: 0.01,
    minSamples: 2,
    minTime: 0.002,
    warmupCalls: 1,
    warmupSeconds: 0,
    slowCallSeconds: 0.05,
    slowBudgetSeconds: 0.05,
    slowMinCalls: 1,
    coldCallSeconds: Infinity,
  },
  sampler: { warmupCalls: 1, warmupMs: 0, minSampleMs: 1, maxMs: 5, minSamples: 2, slowMinSamples: 1, slowMs: 50 },
};

describe("pnpm bench at 2,000 bars", () => {
  const out = join(dir, "latest.json");
  const lines: string[] = [];
  let report: Report;

  it("runs every suite, verifies the implementations against each other and writes the JSON report", async () => {
    report = await runBench({
      sizes: [2_000],
      explicitSizes: true,
      real: false,
      ...TINY,
      browser: true,
      seed: true,
      cloops: true,
      seedMaxSeconds: 10,
      out,
      log: (l) => lines.push(l),
      cBudgetMs: 5,
      crossRounds: 1,
      liveTick: { symbols: 5, bars: 40, tail: 5, sessions: 1 },
    });
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(JSON.parse(JSON.stringify(report)));
    const suites = new Set(report.results.map((r) => r.suite));
    for (const s of [
      "read CSV -> columns",
      "read Parquet -> columns",
      "atr(14)",
      "swings(k=2)",
      "fvg",
      "structure (BOS/CHoCH)",
      "equilibrium (EQ/OTE)",
      "ifvg",
      "order blocks",
      "breaker blocks",
      "smt (1m vs reference)",
      "features(1 tf)",
      "records from columns",
      "capsule (1m+5m+SMT)",
      "live tick",
      "stream push",
    ]) {
      expect(suites, s).toContain(s);
    }
    const atr = report.results.filter((r) => r.suite === "atr(14)").map((r) => r.impl);
    expect(atr).toEqual(
      expect.arrayContaining(["wasm kernel", "ts loop", "atr() api", "technicalindicators (wilder)", "trading-signals (wilder)"]),
    );
  });

  it("every record has the documented fields", () => {
    for (const r of report.results) {
      const keys: Array<keyof BenchRecord> = ["suite", "impl", "bars", "nsPerBar", "barsPerSec", "rme", "samples", "mode"];
      for (const k of keys) expect(r, `${r.suite} / ${r.impl}`).toHaveProperty(k);
      // The live tick suite runs its own sessions (here 5 symbols x 40 bars), not the size's bars.
      expect(r.bars).toBe(r.suite === "live tick" ? 40 : 2_000);
      expect(r.nsPerBar).toBeGreaterThan(0);
      expect(r.barsPerSec).toBeCloseTo(1e9 / r.nsPerBar, 0);
      expect(r.samples).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(r.rme)).toBe(true);
    }
    const live = report.results.filter((r) => r.suite === "live tick") as (BenchRecord & { symbols: number; msPerTick: number })[];
    expect(live.map((r) => r.impl).sort()).toEqual(["recompute", "stream"]);
    for (const r of live) expect(r).toMatchObject({ symbols: 5, msPerTick: expect.any(Number), samples: 5 });
    expect(report.targets.map((t) => t.target).join("\n")).toMatch(/live tick, 5 symbols/);
    const csv = report.results.find((r) => r.suite === "read CSV -> columns")!;
    expect(csv.rowsPerSec).toBeGreaterThan(0);
    expect(csv.mbPerSec).toBeGreaterThan(0);
    expect(report.results.find((r) => r.suite === "atr(14)" && r.impl === "wasm kernel")!.speedupVsTs).toBeGreaterThan(0);
    expect(report.machine).toMatchObject({ cores: expect.any(Number), node: process.version, cpu: expect.any(String) });
    expect(report.largest).toMatchObject({ bars: 2_000, peakRssBytes: expect.any(Number), wasmMemoryBytes: expect.any(Number) });
    expect(report.targets.map((t) => t.target).join("\n")).toMatch(/CSV text -> columns/);
    expect(summary(report).join("\n")).toContain("Targets");
  });

  it("the C loops, the seed oracle and Chromium either ran on the same bars or say why not", () => {
    const c = report.results.filter((r) => r.mode === "c loop");
    if (report.skipped.some((s) => s.startsWith("C loops"))) expect(c).toEqual([]);
    else expect(c.map((r) => r.suite)).toEqual(expect.arrayContaining(["atr(14)", "swings(k=2)", "fvg"]));
    if (report.seedOracle.available) {
      expect(report.seedOracle.runs).toHaveLength(1);
      expect(report.seedOracle.runs[0]!.countsMatchIct).toBe(true);
      expect(report.results.find((r) => r.mode === "python")!.impl).toBe("seed oracle (python/pandas)");
    } else expect(report.seedOracle.reason).toBeTruthy();
    if (chromiumUnavailable() === null) {
      expect(report.chromium.available).toBe(true);
      expect(report.chromium.results.length).toBeGreaterThanOrEqual(5);
      for (const x of report.chromium.results) {
        expect(x.sameOutput).toBe(true);
        expect(x.ratio).toBeCloseTo(x.chromium.nsPerBar / x.node.nsPerBar, 6);
      }
    } else expect(report.chromium.reason).toBeTruthy();
  });
});

describe("targets", () => {
  const rec = (suite: string, impl: string, bars: number, nsPerBar: number, extra: Partial<BenchRecord> = {}): BenchRecord => ({
    suite,
    impl,
    bars,
    nsPerBar,
    barsPerSec: 1e9 / nsPerBar,
    rme: 1,
    samples: 5,
    mode: "benchmark.js",
    ...extra,
  });
  const base = (results: BenchRecord[], cross: Report["chromium"]["results"] = []): Report =>
    ({ results, chromium: { available: cross.length > 0, reason: null, info: null, results: cross } }) as unknown as Report;

  it("says met or missed, and by how much", () => {
    const t = evaluateTargets(
      base([
        rec("features(1 tf)", "columns ict", 1_000_000, 100),
        rec("atr(14)", "wasm kernel", 1_000_000, 2),
        rec("atr(14)", "c -O3 loop", 1_000_000, 1, { mode: "c loop" }),
        rec("atr(14)", "wasm kernel", 100_000, 1.5),
        rec("read CSV -> columns", "columnsFromCsv", 1_000_000, 100, { rowsPerSec: 1e7, mbPerSec: 500 }),
      ]),
    );
    const by = (s: string) => t.find((x) => x.target.startsWith(s))!;
    expect(by("feature set")).toMatchObject({ met: false, factor: 2 });
    expect(by("ATR within 1.3x of 1.8")).toMatchObject({ met: true });
    expect(by("ATR within 1.3x of the C loop")).toMatchObject({ met: false });
    expect(by("ATR within 1.3x of the C loop").factor).toBeCloseTo(2 / 1.3, 9);
    expect(by("ns/bar flat")).toMatchObject({ met: true });
    expect(by("ns/bar flat").factor).toBeCloseTo(2 / 1.5 / 1.5, 9);
    expect(by("CSV")).toMatchObject({ met: true, factor: 0.5 });
    expect(by("Chromium")).toMatchObject({ met: null, measured: "not measured" });
  });

  it("the Chromium target takes the worst kernel at >= 100k bars", () => {
    const x = (kernel: string, bars: number, ratio: number) => ({
      kernel,
      bars,
      node: { nsPerBar: 1, rme: 0, samples: 1 },
      chromium: { nsPerBar: ratio, rme: 0, samples: 1 },
      ratio,
      sameOutput: true,
    });
    const t = evaluateTargets(base([], [x("a", 10_000, 3), x("a", 100_000, 1.2), x("b", 1_000_000, 1.4)])).find((y) =>
      y.target.startsWith("Chromium"),
    )!;
    expect(t.met).toBe(false);
    expect(t.factor).toBeCloseTo(1.4 / 1.3, 9);
  });
});

describe("sampler", () => {
  it("returns a positive median per call and pools", () => {
    let calls = 0;
    const r = sample(() => calls++, {
      warmupCalls: 2,
      warmupMs: 0,
      minSampleMs: 1,
      maxMs: 5,
      minSamples: 3,
      slowMinSamples: 1,
      slowMs: 50,
    });
    expect(r.median).toBeGreaterThan(0);
    expect(r.samples).toBe(r.xs.length);
    expect(calls).toBeGreaterThanOrEqual(2 + 3 * r.count);
  });
});
