// The benchmark run: every suite at every size, baselines in the same run,
// the Node / Chromium comparison, the targets, the JSON report.
//
// What is timed is always ONE call over all bars with everything it reads
// already in place (bars resident in WebAssembly memory for the kernels and
// detectors, the same values in Float64Arrays / arrays / objects for the
// baselines, the text or bytes for the readers). Data generation, uploads,
// buffer allocation, verification and warm-up are not timed.

import os from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { columnsFromParquet } from "@ict/core/parquet";
import { columnsFromArrays, columnsFromCsv, computeFeatures, Engine } from "@ict/core";
import { chromiumUnavailable, openBrowserBench, type BrowserBench } from "./browser.js";
import { csvText } from "./data.js";
import { assertValidBars, logWalkBars, correlatedReference, prefixBars } from "@ict/testkit";
import { compileLoops, runLoops, runSeed, seedUnavailable, type CLoops } from "./externals.js";
import { type TimingOptions } from "./harness.js";
import { btcFiles, csvPrefix, loadBtc, sharedDir } from "./real.js";
import { stats, type SamplerOptions } from "./sampler.js";
import { liveTickSuite } from "./suites/livetick.js";
import { streamMonth, streamSuite, type StreamMonthRecord } from "./suites/stream.js";
import { ATR_PERIOD, CrossBench, SWING_K, XKERNELS } from "./xengine.js";
import { readSuites } from "./suites/read.js";
import { atrSuite } from "./suites/atr.js";
import { swingsSuite } from "./suites/swings.js";
import { fvgSuite } from "./suites/fvg.js";
import { detectorSuites } from "./suites/detectors.js";
import { featuresSuite } from "./suites/features.js";
import { recordsSuite } from "./suites/records.js";
import { capsuleSuite } from "./suites/capsule.js";
import {
  fail,
  fmtBars,
  timed,
  type BenchOptions,
  type BenchRecord,
  type CrossRecord,
  type MemoryRecord,
  type Report,
  type SizeCtx,
  type Source,
  type SuiteEnv,
} from "./common.js";
import { evaluateTargets, liveTickRecord } from "./targets.js";
export { fmtBars, VerificationError, type BenchOptions, type BenchRecord, type Report } from "./common.js";
export { evaluateTargets } from "./targets.js";
/**
 * Sizes of the default run. To finish in about 3 minutes on 2 cores it runs
 * the object-building impls (records, capsule, Parquet) up to
 * DEFAULT_HEAVY_MAX bars, everything else up to DEFAULT_ALL_MAX, and only the
 * key kernels above that. With BENCH_BARS every impl runs at every size.
 */
export const DEFAULT_SIZES = [10_000, 100_000, 1_000_000, 10_000_000];
export const DEFAULT_ALL_MAX = 1_000_000;
export const DEFAULT_HEAVY_MAX = 100_000;
export const SEED = 42;

/** Default timing of the benchmark.js suites (see harness.ts). */
export const DEFAULT_TIMING: TimingOptions = {
  rounds: 2,
  maxTime: 0.1,
  minSamples: 5,
  minTime: 0.02,
  warmupCalls: 3,
  warmupSeconds: 0.05,
  slowCallSeconds: 0.15,
  slowBudgetSeconds: 1.0,
  slowMinCalls: 2,
  coldCallSeconds: 20,
};

export const DEFAULT_SAMPLER: SamplerOptions = {
  warmupCalls: 3,
  warmupMs: 50,
  minSampleMs: 15,
  maxMs: 150,
  minSamples: 5,
  slowMinSamples: 3,
  slowMs: 150,
};

/** Installed version of a package (its package.json above the resolved entry). */
function versionOf(pkg: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const f = join(dir, "package.json");
      if (existsSync(f)) {
        const j = JSON.parse(readFileSync(f, "utf8")) as { name?: string; version?: string };
        if (j.name === pkg) return j.version ?? "?";
      }
    }
  } catch {
    // fall through
  }
  return "?";
}

function makeSource(o: BenchOptions, maxN: number): Source {
  if (o.real) {
    const files = btcFiles();
    if (files) {
      const t0 = performance.now();
      const { bars, text } = loadBtc(files);
      o.log(
        `--real: loaded ${bars.t.length.toLocaleString("en-US")} BTCUSDT 1m bars from ${files.length} files in ${sharedDir()} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
      return {
        label: "real BTCUSDT 1m",
        note: `BTCUSDT 1m (Binance spot, ${files.length} yearly files in shared/data/real/BTCUSDT_1m), first n rows; sizes above ${bars.t.length} bars are capped to it. SMT reference: the same bars times a seeded AR(1) factor (src/data.ts generateReference).`,
        bars,
        ref: correlatedReference(bars),
        csv: (n) => csvPrefix(text, n),
      };
    }
    o.log(`--real: no BTCUSDT files under ${sharedDir()}/data/real/BTCUSDT_1m (set ICT_SHARED_DIR); using synthetic bars`);
  }
  const t0 = performance.now();
  const bars = logWalkBars(maxN, { seed: SEED });
  assertValidBars(bars);
  const ref = correlatedReference(bars);
  o.log(
    `generated ${fmtBars(maxN)} seeded random-walk bars (+ a correlated reference) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return {
    label: "synthetic",
    note: `seeded random walk (src/data.ts, sfc32 seed ${SEED}, 0.01 tick, 1-minute bars from 2020-01-01); each size is a prefix of the largest. SMT reference: the same bars times a seeded AR(1) factor.`,
    bars,
    ref,
    csv: (n) => csvText(bars, n),
  };
}

export async function runBench(o: BenchOptions): Promise<Report> {
  const started = performance.now();
  const log = o.log;
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.arch()}`,
    totalMemGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    loadavgEnd: [] as number[],
  };
  log(
    `@ict/bench — ${machine.cpu}, ${machine.cores} cores, node ${machine.node} (V8 ${machine.v8}), load average ${machine.loadavgStart.join(" ")}`,
  );
  const hasParquet = typeof columnsFromParquet === "function";
  const skipped: string[] = [];
  const records: BenchRecord[] = [];
  const cross: CrossRecord[] = [];
  const memory: MemoryRecord[] = [];
  let streamMonthRec: StreamMonthRecord | null = null;
  const engine = Engine.shared();
  seedRate = null;

  // ---- Data --------------------------------------------------------------
  let sizes = [...o.sizes].sort((a, b) => a - b);
  const source = makeSource(o, sizes[sizes.length - 1]!);
  const available = source.bars.t.length;
  if (sizes.some((n) => n > available)) {
    log(`sizes above ${available} bars capped to ${available} (all the real bars)`);
    sizes = [...new Set(sizes.map((n) => Math.min(n, available)))];
  }
  log(
    `sizes: ${sizes.map(fmtBars).join(", ")}${o.explicitSizes ? " (every suite at every size)" : ` (object-building impls up to ${fmtBars(DEFAULT_HEAVY_MAX)}, the rest up to ${fmtBars(DEFAULT_ALL_MAX)}, above it the key kernels only; BENCH_BARS=... runs everything)`}; ` +
      `${o.timing.rounds} interleaved benchmark.js rounds of ${o.timing.maxTime} s per impl, calls over ${o.timing.slowCallSeconds} s timed singly`,
  );

  // ---- Baselines outside Node ---------------------------------------------
  const baselines: Record<string, string> = {
    "ts loop": "plain TypeScript on Float64Array (src/baselines.ts, bench only)",
    technicalindicators: `technicalindicators@${versionOf("technicalindicators")} ATR.calculate (Wilder's smoothing) on number[]`,
    "trading-signals": `trading-signals@${versionOf("trading-signals")} new ATR(14).updates(candles) (Wilder's smoothing, WSMA) on {high,low,close} objects`,
  };
  let loops: CLoops | null = null;
  if (o.cloops) {
    loops = compileLoops();
    if (loops.binary) baselines["c -O3 loop"] = `${loops.compiler} ${loops.flags} (src/loops.c, same loops as the ts baselines)`;
    else {
      skipped.push(`C loops: ${loops.reason}`);
      log(`C loops skipped: ${loops.reason}`);
    }
  } else skipped.push("C loops: disabled");
  const seedDir = `${sharedDir()}/seed`;
  const seedReason = o.seed ? seedUnavailable(seedDir) : "disabled";
  if (seedReason) {
    skipped.push(`seed oracle: ${seedReason}`);
    log(`seed oracle (Python/pandas) skipped: ${seedReason}`);
  }
  let browser: BrowserBench | null = null;
  let chromiumReason: string | null = o.browser ? chromiumUnavailable() : "disabled";
  if (!chromiumReason) {
    try {
      browser = await openBrowserBench();
      log(`Chromium: ${browser.info.version}, cross-origin isolated: ${browser.info.crossOriginIsolated}`);
    } catch (e) {
      chromiumReason = `could not start Chromium: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  if (chromiumReason) {
    skipped.push(`Chromium: ${chromiumReason}`);
    log(`Chromium comparison skipped: ${chromiumReason}`);
  }
  const seedRuns: Report["seedOracle"]["runs"] = [];

  try {
    for (const n of sizes) {
      const all = o.explicitSizes || n <= DEFAULT_ALL_MAX;
      const heavy = o.explicitSizes || n <= DEFAULT_HEAVY_MAX;
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      log(
        `\n=== [${((performance.now() - started) / 1000).toFixed(0)} s] ${fmtBars(n)} bars (${n.toLocaleString("en-US")}, ${source.label})${all ? (heavy ? "" : " — without the object-building impls (BENCH_BARS runs them)") : " — key kernels only (BENCH_BARS runs everything)"} ===`,
      );
      const bars = prefixBars(source.bars, n);
      const cols = columnsFromArrays(bars);
      const wb = engine.upload(cols);
      const ctx: SizeCtx = { n, engine, bars, cols, wb, ref: prefixBars(source.ref, n), all, heavy };
      const cRun = loops?.binary ? runLoops(loops, bars.h, bars.l, bars.c, n, o.cBudgetMs) : null;
      await sizeSuites({ ctx, o, records, cRun, hasParquet, source, skipped });
      if (browser) await crossEngine(ctx, o, browser, cross);
      if (!seedReason) {
        const r = seedAt(ctx, o, source, seedDir, records, skipped);
        if (r) seedRuns.push(r);
      }
      const rss = process.resourceUsage().maxRSS * 1024;
      memory.push({ bars: n, peakRssBytes: rss, wasmMemoryBytes: engine.memoryBytes, wasmBytesPerBar: engine.memoryBytes / n });
      const cpu = process.cpuUsage(cpu0);
      log(
        `${fmtBars(n)} done in ${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU of this process`,
      );
      log(
        `memory after ${fmtBars(n)}: peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB, WebAssembly memory ${(engine.memoryBytes / 2 ** 20).toFixed(0)} MiB (${(engine.memoryBytes / n).toFixed(0)} bytes/bar)`,
      );
      wb.dispose();
    }
  } finally {
    await browser?.close();
    loops?.dispose();
  }

  if (o.liveTick !== false) {
    const month = streamMonth(source.bars, log);
    if (month) streamMonthRec = month;
    log(`\n=== [${((performance.now() - started) / 1000).toFixed(0)} s] live tick (watchlist of the live loop) ===`);
    for (const r of liveTickSuite(log, o.liveTick)) records.push(liveTickRecord(r));
  }

  machine.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  if (!seedReason && seedRuns.length === 0) skipped.push("seed oracle: no size within the time cap");
  const report: Report = {
    date: new Date().toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
    machine,
    config: {
      sizes,
      explicitSizes: o.explicitSizes,
      defaultAllMax: DEFAULT_ALL_MAX,
      real: o.real,
      atrPeriod: ATR_PERIOD,
      swingK: SWING_K,
      seed: SEED,
      timing: o.timing,
      sampler: o.sampler,
      seedMaxSeconds: o.seedMaxSeconds,
      statistic: "median",
      parquet: hasParquet,
    },
    data: { source: source.label, note: source.note },
    baselines,
    results: records,
    chromium: { available: browser !== null, reason: chromiumReason, info: browser?.info ?? null, results: cross },
    seedOracle: { available: seedReason === null, reason: seedReason, runs: seedRuns },
    memory,
    largest: memory[memory.length - 1] ?? null,
    streamMonth: streamMonthRec,
    targets: [],
    skipped,
  };
  report.targets = evaluateTargets(report);
  if (o.out) {
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}

/** Every Node suite at one size (verification first, then timing), one file per suite under suites/. */
async function sizeSuites(env: SuiteEnv): Promise<void> {
  await readSuites(env);
  await atrSuite(env);
  await swingsSuite(env);
  await fvgSuite(env);
  await detectorSuites(env);
  await featuresSuite(env);
  await recordsSuite(env);
  await capsuleSuite(env);
  await streamSuite(env.ctx, env.o, env.records, timed);
}

/**
 * The kernels of src/xengine.ts in Node and in Chromium: same bars, same code,
 * same sampler, interleaved (node, chromium, chromium, node ...) so that load
 * from other jobs falls on both; the samples of the rounds are pooled.
 */
async function crossEngine(ctx: SizeCtx, o: BenchOptions, browser: BrowserBench, cross: CrossRecord[]): Promise<void> {
  const { n } = ctx;
  o.log(
    `  -- Node vs Chromium (same code: src/xengine.ts + src/sampler.ts; ${o.crossRounds} interleaved rounds${ctx.all ? "" : "; the feature set only up to 1M in the default run"}) --`,
  );
  const node = new CrossBench(ctx.engine, ctx.bars, ctx.wb);
  try {
    await browser.prepare(ctx.bars, n);
    for (const name of XKERNELS) {
      if (name.startsWith("features") && !ctx.all) continue;
      const pooled = { node: [] as number[], chromium: [] as number[] };
      const checks = { node: "", chromium: "" };
      for (let r = 0; r < o.crossRounds; r++) {
        const order = r % 2 === 0 ? (["node", "chromium"] as const) : (["chromium", "node"] as const);
        for (const side of order) {
          const t = side === "node" ? node.time(name, o.sampler, r > 0) : await browser.time(name, o.sampler, r > 0);
          pooled[side].push(...t.xs);
          checks[side] = t.check;
        }
      }
      if (checks.node !== checks.chromium)
        fail(`${name} at ${n} bars: Chromium output ${checks.chromium} differs from Node ${checks.node}`);
      const a = stats(pooled.node);
      const b = stats(pooled.chromium);
      const r: CrossRecord = {
        kernel: name,
        bars: n,
        node: { nsPerBar: (a.median / n) * 1e9, rme: a.rme, samples: pooled.node.length },
        chromium: { nsPerBar: (b.median / n) * 1e9, rme: b.rme, samples: pooled.chromium.length },
        ratio: b.median / a.median,
        sameOutput: true,
      };
      cross.push(r);
      o.log(
        `  ${name.padEnd(28)} node ${ns3(r.node.nsPerBar).padStart(9)} ns/bar ±${a.rme.toFixed(1)}%   chromium ${ns3(r.chromium.nsPerBar).padStart(9)} ns/bar ±${b.rme.toFixed(1)}%   ratio ${r.ratio.toFixed(2)}x`,
      );
    }
    const mem = await browser.release();
    o.log(`  outputs identical in both engines; Chromium WebAssembly memory ${(mem / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    node.dispose();
  }
}

function ns3(x: number): string {
  return x >= 100 ? x.toFixed(1) : x.toFixed(3);
}

/**
 * The seed oracle on the same bars, at this size if its predicted time fits
 * (from its time at the previous size, or 300 µs/bar, its recorded rate).
 */
let seedRate: number | null = null;
function seedAt(
  ctx: SizeCtx,
  o: BenchOptions,
  source: Source,
  seedDir: string,
  records: BenchRecord[],
  skipped: string[],
): Report["seedOracle"]["runs"][number] | null {
  const { n } = ctx;
  const predicted = n * (seedRate ?? 300e-6);
  if (predicted > o.seedMaxSeconds) {
    const msg = `seed oracle at ${fmtBars(n)} bars skipped: predicted ${predicted.toFixed(0)} s > ${o.seedMaxSeconds} s (BENCH_SEED_MAX_SECONDS)`;
    o.log(`  ${msg}`);
    skipped.push(msg);
    return null;
  }
  const csv = source.csv(n);
  if (csv.rows !== n) return null;
  const repeats = predicted * 3 <= o.seedMaxSeconds / 2 ? 3 : 1;
  o.log(
    `  -- seed oracle (Python/pandas compute_features_for_tf, live; ${repeats} run${repeats > 1 ? "s" : ""}, predicted ${predicted.toFixed(0)} s each) --`,
  );
  const run = runSeed(seedDir, csv.text, repeats);
  const secs = [...run.seconds].sort((a, b) => a - b);
  const med = secs[secs.length >> 1]!;
  seedRate = med / n;
  // The same bars, read by the library from the same text, with the seed profile: the same record counts.
  const mine = computeFeatures(columnsFromCsv(csv.text), { tf: "1m", profile: "seed-v0.1" });
  const counts = { fvg: mine.fvg.length, ifvg: mine.ifvg.length, ob: mine.ob.length, bb: mine.bb.length };
  const countsMatchIct = (["fvg", "ifvg", "ob", "bb"] as const).every((k) => counts[k] === run.counts[k]);
  const rec: BenchRecord = {
    suite: "features(1 tf)",
    impl: "seed oracle (python/pandas)",
    bars: n,
    nsPerBar: (med / n) * 1e9,
    barsPerSec: n / med,
    rme: 0,
    samples: run.seconds.length,
    mode: "python",
    note: `python ${run.python}, pandas ${run.pandas}, records; counts ${countsMatchIct ? "= @ict seed-v0.1" : `DIFFER from @ict seed-v0.1 ${JSON.stringify(counts)} vs ${JSON.stringify(run.counts)}`}`,
  };
  if (run.seconds.length > 1) {
    const mean = run.seconds.reduce((a, b) => a + b, 0) / run.seconds.length;
    const sd = Math.sqrt(run.seconds.reduce((a, x) => a + (x - mean) ** 2, 0) / (run.seconds.length - 1));
    rec.rme = ((sd / Math.sqrt(run.seconds.length)) * 4.303 * 100) / mean;
  }
  records.push(rec);
  for (const r of records) if (r.suite === "features(1 tf)" && r.bars === n && r !== rec) r.speedupVsSeed = rec.nsPerBar / r.nsPerBar;
  o.log(
    `  features(1 tf)           ${rec.impl.padEnd(30)} ${rec.nsPerBar.toFixed(0).padStart(10)} ns/bar  (${rec.barsPerSec.toFixed(0)} bars/s; ${rec.note})`,
  );
  for (const r of records.filter((x) => x.suite === "features(1 tf)" && x.bars === n && x !== rec))
    o.log(`    ${r.impl.padEnd(20)} ${Math.round(r.speedupVsSeed!).toLocaleString("en-US")}x the seed`);
  return { bars: n, seconds: run.seconds, counts: run.counts, countsMatchIct };
}
