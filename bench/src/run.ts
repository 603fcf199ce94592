// Benchmark: ATR(14) and swing points (k = 2) over 1M and 10M bars, the
// WebAssembly kernels against plain TypeScript loops on Float64Array.
//
// What is timed: ONE call over all bars, with the columns already resident in
// memory (WebAssembly linear memory for the kernels, the same values in
// Float64Arrays for the baselines) and the output buffers already allocated.
// Data generation, the upload to WebAssembly memory, buffer allocation,
// verification and warm-up all happen before timing.
//
// Results are medians of benchmark.js samples (pooled over interleaved
// rounds), as ns/bar and as the speedup against the TypeScript baseline
// measured in the same run. They are printed as a table and written to
// bench/results/latest.json.
//
// Sizes: BENCH_BARS=100000,1000000 (comma list) overrides the default 1M,10M.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { atr, columnsFromCsv, computeFeatureColumns, computeFeatures, Engine, type WasmBars } from "@ict/core";
import { atrTs, swingsK2Ts, type SwingsTsOut } from "./baselines.js";
import { assertValidBars, generateBars } from "./data.js";
import { timeSuite, type Impl, type Timing, type TimingOptions } from "./harness.js";

const DEFAULT_SIZES = [1_000_000, 10_000_000];
const ATR_PERIOD = 14;
const SWING_K = 2;
const SEED = 42;
/** Targets at 10M bars from the issue (ns/bar of the WebAssembly kernel). */
const TARGETS: Record<string, number> = { atr: 2, swings: 4 };

/** 3 interleaved rounds × 0.7 s per impl (≥ 5 samples each): about 2 s of samples per impl. */
const TIMING: TimingOptions = { rounds: 3, maxTime: 0.7, minSamples: 5, warmupCalls: 5, warmupSeconds: 0.25 };

/** One result record of latest.json. */
interface BenchRecord {
  suite: string;
  impl: string;
  bars: number;
  /** Median nanoseconds per bar. */
  nsPerBar: number;
  /** Bars per second at the median. */
  barsPerSec: number;
  /** Relative margin of error (95%) of the mean of the pooled samples, percent (as benchmark.js's stats.rme). */
  rme: number;
  samples: number;
  /** TypeScript baseline median / this median (> 1: faster than the baseline); null when the suite has no TS baseline. */
  speedupVsTs: number | null;
  /** For the feature-set suite: the seed's recorded time per bar / this median (see seedNsPerBar). */
  speedupVsSeed?: number;
  /** For the CSV suite: megabytes of text per second. */
  mbPerSec?: number;
}

/** CSV text `t,o,h,l,c,v` of the first n bars, with ISO times as data files have them. */
function csvText(gen: { t: Float64Array; o: Float64Array; h: Float64Array; l: Float64Array; c: Float64Array; v: Float64Array }, n: number): string {
  const lines = new Array<string>(n + 1);
  lines[0] = "t,o,h,l,c,v";
  for (let i = 0; i < n; i++) {
    lines[i + 1] = `${new Date(gen.t[i]!).toISOString().slice(0, 19)}Z,${gen.o[i]},${gen.h[i]},${gen.l[i]},${gen.c[i]},${gen.v[i]}`;
  }
  return lines.join("\n") + "\n";
}

/**
 * The seed's own timing of compute_features_for_tf (shared/seed/bench_results.json,
 * measured by shared/seed/bench.py on this project's build machine), in ns/bar at
 * the closest recorded size. Not measured in this run: it takes minutes per size.
 */
function seedNsPerBar(n: number): { ns: number; bars: number } | null {
  const file = process.env.ICT_SHARED_DIR ? `${process.env.ICT_SHARED_DIR}/seed/bench_results.json` : fileURLToPath(new URL("../../../shared/seed/bench_results.json", import.meta.url));
  if (!existsSync(file)) return null;
  const doc = JSON.parse(readFileSync(file, "utf8")) as { sizes: Array<{ n?: number; bars?: number; median?: Record<string, number>; all_runs: Array<Record<string, number>> }> };
  let best: { ns: number; bars: number } | null = null;
  for (const sz of doc.sizes) {
    const bars = sz.n ?? sz.bars;
    if (!bars) continue;
    const totals = sz.all_runs.map((r) => r.total_compute_features_for_tf!).sort((a, b) => a - b);
    const med = totals[Math.floor(totals.length / 2)]!;
    if (best === null || Math.abs(Math.log(bars / n)) < Math.abs(Math.log(best.bars / n))) best = { ns: (med / bars) * 1e9, bars };
  }
  return best;
}

function parseSizes(env: string | undefined): number[] {
  if (env === undefined || env.trim() === "") return DEFAULT_SIZES;
  const sizes = env.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 16 || n > 50_000_000) throw new Error(`BENCH_BARS: bad size ${n} (integers 16 .. 50000000)`);
  }
  return sizes;
}

function fail(msg: string): never {
  console.error(`\nVERIFICATION FAILED: ${msg}\nNothing was timed.`);
  process.exit(1);
}

/** ATR outputs must agree to 1e-9 relative (the kernel sums windows as a tree, the baseline runs a sum). */
function checkAtr(name: string, want: Float64Array, got: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const a = want[i]!;
    const b = got[i]!;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    const err = scale === 0 ? 0 : Math.abs(a - b) / scale;
    if (!(err <= 1e-9)) fail(`${name}: ATR differs at bar ${i} of ${n}: ${a} vs ${b} (relative ${err})`);
    worst = Math.max(worst, err);
  }
  return worst;
}

/** Swing outputs must agree exactly: flags of every bar, counts and index lists. */
function checkSwings(name: string, n: number, want: { flags: Uint8Array; hi: Int32Array; lo: Int32Array; nh: number; nl: number }, got: typeof want): void {
  if (want.nh !== got.nh || want.nl !== got.nl) fail(`${name}: counts differ: highs ${want.nh} vs ${got.nh}, lows ${want.nl} vs ${got.nl}`);
  for (let i = 0; i < n; i++) if (want.flags[i] !== got.flags[i]) fail(`${name}: flags differ at bar ${i}: ${want.flags[i]} vs ${got.flags[i]}`);
  for (let j = 0; j < want.nh; j++) if (want.hi[j] !== got.hi[j]) fail(`${name}: swing-high list differs at ${j}: ${want.hi[j]} vs ${got.hi[j]}`);
  for (let j = 0; j < want.nl; j++) if (want.lo[j] !== got.lo[j]) fail(`${name}: swing-low list differs at ${j}: ${want.lo[j]} vs ${got.lo[j]}`);
}

function fmtBars(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

function printTable(records: readonly BenchRecord[]): void {
  const head = ["suite", "impl", "bars", "ns/bar (median)", "±rme", "samples", "speedup vs TS"];
  const rows = records.map((r) => [
    r.suite,
    r.impl,
    fmtBars(r.bars),
    r.nsPerBar.toFixed(3),
    `±${r.rme.toFixed(1)}%`,
    String(r.samples),
    r.speedupVsTs === null ? "-" : `${r.speedupVsTs.toFixed(2)}x`,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const right = [false, false, true, true, true, true, true];
  const line = (cells: string[]): string => cells.map((s, c) => (right[c] ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  let prev = "";
  for (let i = 0; i < rows.length; i++) {
    const key = `${records[i]!.suite}/${records[i]!.bars}`;
    if (prev !== "" && key !== prev) console.log("");
    prev = key;
    console.log(line(rows[i]!));
  }
}

/**
 * Generates `n` seeded bars and uploads all six columns to WebAssembly memory.
 * Returns the resident bars and the h, l, c Float64Arrays the baselines read
 * (the same values that were copied in); t, o and v are dropped here so the
 * garbage collector can free them.
 */
function prepareBars(engine: Engine, n: number): { wb: WasmBars; h: Float64Array; l: Float64Array; c: Float64Array; csv: string | null } {
  let t0 = performance.now();
  const gen = generateBars(n, { seed: SEED });
  assertValidBars(gen);
  console.log(`generated seeded random walk in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  // Views are taken fresh per column: any later allocation may grow the memory and detach them.
  t0 = performance.now();
  const wb = engine.allocBars(n);
  for (const f of ["t", "o", "h", "l", "c", "v"] as const) wb.view(f).set(gen[f]);
  console.log(`uploaded 6 columns to WebAssembly memory in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  // Reading bars is timed on CSV text up to 2M rows (a 10M-row text is beyond V8's string limit).
  const csv = n <= 2_000_000 ? csvText(gen, n) : null;
  return { wb, h: gen.h, l: gen.l, c: gen.c, csv };
}

/** Runs all suites for one size and returns their records. */
function benchSize(engine: Engine, n: number): BenchRecord[] {
  const k = engine.kernels;
  console.log(`\n=== ${fmtBars(n)} bars (${n}) ===`);

  // ---- Setup (not timed) ---------------------------------------------------
  const { wb, h, l, c, csv } = prepareBars(engine, n);
  const ptr = { h: wb.ptr.h, l: wb.ptr.l, c: wb.ptr.c };

  // Output buffers, allocated once. WebAssembly: ATR out + scratch, swing flags and index lists.
  const wAtr = engine.alloc(n * 8 + 16);
  const wScratch = engine.alloc(k.atrScratchBytes(ATR_PERIOD));
  const wFlags = engine.alloc(n + 16);
  const wHi = engine.alloc(n * 4 + 16);
  const wLo = engine.alloc(n * 4 + 16);
  // TypeScript: the same outputs on the JS heap.
  const tAtr = new Float64Array(n);
  const tRing = new Float64Array(ATR_PERIOD);
  const tSw: SwingsTsOut = { flags: new Uint8Array(n), hi: new Int32Array(n), lo: new Int32Array(n) };

  // ---- The timed functions ------------------------------------------------
  // Each is one call over all n bars; every one writes its output buffers, so
  // none of them can be optimised away.
  const atrWasm = (): void => k.atr(ptr.h, ptr.l, ptr.c, n, ATR_PERIOD, 0, wAtr, wScratch);
  const atrTsFn = (): void => atrTs(h, l, c, n, ATR_PERIOD, tAtr, tRing);
  // Public API: allocates an output block, runs the same kernel, copies the result out to a new Float64Array.
  // Passing the resident WasmBars is what atr(cols) does after its first call (the upload is cached per Columns).
  const atrApi = (): void => void atr(wb);
  const swWasm = (leftTies: 0 | 1) => (): void => void k.swings(ptr.h, ptr.l, n, SWING_K, leftTies, wFlags, wHi, wLo);
  const swTs = (leftTies: boolean) => (): void => void swingsK2Ts(h, l, n, leftTies, tSw);

  // ---- Verification (not timed): abort loudly on any mismatch ---------------
  atrWasm();
  atrTsFn();
  const worst = checkAtr("atr kernel vs TS", tAtr, engine.f64.subarray(wAtr >>> 3, (wAtr >>> 3) + n), n);
  {
    const apiOut = atr(wb); // allocates: take the kernel view after it
    const kernelOut = engine.f64.subarray(wAtr >>> 3, (wAtr >>> 3) + n);
    for (let i = 0; i < n; i++) if (!Object.is(apiOut[i], kernelOut[i])) fail(`atr() API differs from the kernel at bar ${i}`);
  }
  for (const leftTies of [1, 0] as const) {
    const nh = k.swings(ptr.h, ptr.l, n, SWING_K, leftTies, wFlags, wHi, wLo);
    const nl = k.r0.value as number;
    const [tnh, tnl] = swingsK2Ts(h, l, n, leftTies === 1, tSw);
    const i32 = engine.i32;
    const got = {
      flags: engine.u8.subarray(wFlags, wFlags + n),
      hi: i32.subarray(wHi >>> 2, (wHi >>> 2) + n),
      lo: i32.subarray(wLo >>> 2, (wLo >>> 2) + n),
      nh,
      nl,
    };
    checkSwings(`swings leftTies=${leftTies}`, n, { ...tSw, nh: tnh, nl: tnl }, got);
    console.log(`verified swings leftTies=${leftTies}: ${nh} highs, ${nl} lows identical`);
  }
  console.log(`verified ATR: kernel vs TS max relative difference ${worst.toExponential(2)}; atr() API identical to kernel`);

  // The whole feature set of one timeframe (the seed's compute_features_for_tf):
  // every detector as typed columns, and (up to 2M bars, where millions of
  // objects still fit comfortably) the same plus the records.
  const featCols = (profile: "ict" | "seed-v0.1") => (): void => void computeFeatureColumns(wb, { profile });
  const featRecords = (profile: "ict" | "seed-v0.1") => (): void => void computeFeatures(wb, { tf: "1m", profile });
  const featureImpls: Impl[] = [
    { name: "wasm columns ict", fn: featCols("ict") },
    { name: "wasm columns seed", fn: featCols("seed-v0.1") },
  ];
  if (n <= 2_000_000) {
    featureImpls.push({ name: "with records ict", fn: featRecords("ict") }, { name: "with records seed", fn: featRecords("seed-v0.1") });
  }
  {
    const f = computeFeatureColumns(wb);
    console.log(
      `feature set (ict) on ${fmtBars(n)}: ${f.structure.index.length} breaks, ${f.fvg.mid.length} FVGs, ${f.ifvg.gap.length} IFVGs, ` +
        `${f.ob.candle.length} OBs, ${f.bb.ob.length} breakers`,
    );
  }

  // ---- Timing -------------------------------------------------------------
  if (csv !== null && columnsFromCsv(csv).length !== n) fail("CSV suite: parsed row count differs");
  const suites: Array<{ suite: string; impls: Impl[] }> = [
    ...(csv !== null ? [{ suite: "read CSV -> columns", impls: [{ name: "columnsFromCsv", fn: (): void => void columnsFromCsv(csv) }] }] : []),
    { suite: "features(1 tf)", impls: featureImpls },
    {
      suite: `atr(${ATR_PERIOD})`,
      impls: [
        { name: "ts", fn: atrTsFn },
        { name: "wasm", fn: atrWasm },
        { name: "wasm api atr()", fn: atrApi },
      ],
    },
    {
      suite: `swings(k=${SWING_K}, ict ties)`,
      impls: [
        { name: "ts", fn: swTs(true) },
        { name: "wasm", fn: swWasm(1) },
      ],
    },
    {
      suite: `swings(k=${SWING_K}, strict)`,
      impls: [
        { name: "ts", fn: swTs(false) },
        { name: "wasm", fn: swWasm(0) },
      ],
    },
  ];

  const records: BenchRecord[] = [];
  for (const { suite, impls } of suites) {
    const timings: Timing[] = timeSuite(`${suite} ${fmtBars(n)}`, impls, TIMING, (t) => {
      console.log(`  ${suite.padEnd(24)} ${t.impl.padEnd(15)} ${((t.median / n) * 1e9).toFixed(3).padStart(8)} ns/bar  ±${t.rme.toFixed(1)}%  (${t.samples} samples)`);
    });
    const ts = timings.find((t) => t.impl === "ts");
    const seed = suite.startsWith("features") ? seedNsPerBar(n) : null;
    for (const t of timings) {
      const nsPerBar = (t.median / n) * 1e9;
      records.push({
        suite,
        impl: t.impl,
        bars: n,
        nsPerBar,
        barsPerSec: n / t.median,
        rme: t.rme,
        samples: t.samples,
        speedupVsTs: ts ? ts.median / t.median : null,
        ...(seed ? { speedupVsSeed: seed.ns / nsPerBar } : {}),
        ...(suite.startsWith("read CSV") && csv !== null ? { mbPerSec: csv.length / 1e6 / t.median } : {}),
      });
    }
  }

  // ---- Teardown: give the WebAssembly blocks back for the next size --------
  for (const p of [wAtr, wScratch, wFlags, wHi, wLo]) engine.free(p);
  wb.dispose();
  return records;
}

function main(): void {
  const sizes = parseSizes(process.env.BENCH_BARS);
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.arch()}`,
    totalMemGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
  console.log(`@ict/bench — ${machine.cpu}, ${machine.cores} cores, node ${machine.node} (V8 ${machine.v8})`);
  console.log(
    `sizes: ${sizes.map(fmtBars).join(", ")}; ${TIMING.rounds} interleaved benchmark.js rounds per suite ` +
      `(maxTime ${TIMING.maxTime} s, minSamples ${TIMING.minSamples}); medians of the pooled samples`,
  );

  const started = performance.now();
  const engine = Engine.shared();
  const records: BenchRecord[] = [];
  for (const n of sizes) records.push(...benchSize(engine, n));

  console.log(`\nResults (median ns/bar; speedup = TS median / impl median, measured in this run)\n`);
  printTable(records);

  for (const r of records.filter((x) => x.mbPerSec !== undefined)) {
    console.log(`\nCSV text -> validated columns, ${fmtBars(r.bars)} rows: ${(r.barsPerSec / 1e6).toFixed(2)} M rows/s, ${r.mbPerSec!.toFixed(0)} MB/s (target ≥ 5 M rows/s: ${r.barsPerSec >= 5e6 ? "MET" : "NOT MET"})`);
  }
  const feat = records.filter((r) => r.suite.startsWith("features") && r.speedupVsSeed !== undefined);
  if (feat.length > 0) {
    const s1 = seedNsPerBar(1_000_000);
    console.log(`\nFeature set vs the seed's recorded compute_features_for_tf (${s1 ? `${(s1.ns / 1000).toFixed(0)} µs/bar at ${fmtBars(s1.bars)}` : "n/a"}; not re-measured here):`);
    for (const r of feat) console.log(`  ${r.impl.padEnd(20)} ${fmtBars(r.bars).padStart(4)}  ${r.nsPerBar.toFixed(1).padStart(8)} ns/bar  ${Math.round(r.speedupVsSeed!).toLocaleString("en-US")}x the seed`);
    const oneM = records.find((r) => r.bars === 1_000_000 && r.impl === "wasm columns ict");
    if (oneM) console.log(`  target: whole feature set ≤ 50 ns/bar at 1M (columns, ict): ${oneM.nsPerBar.toFixed(1)} ns/bar  ${oneM.nsPerBar <= 50 ? "MET" : "NOT MET"}`);
  }

  // Targets apply at 10M bars.
  const big = records.filter((r) => r.bars === 10_000_000 && r.impl === "wasm");
  if (big.length > 0) {
    console.log("\nTargets at 10M bars (wasm kernel):");
    for (const r of big) {
      const target = TARGETS[r.suite.startsWith("atr") ? "atr" : "swings"]!;
      console.log(`  ${r.suite.padEnd(24)} ${r.nsPerBar.toFixed(3)} ns/bar  target ≤ ${target}  ${r.nsPerBar <= target ? "MET" : "NOT MET"}`);
    }
  }

  const file = fileURLToPath(new URL("../results/latest.json", import.meta.url));
  mkdirSync(fileURLToPath(new URL("../results/", import.meta.url)), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    machine,
    config: { sizes, atrPeriod: ATR_PERIOD, swingK: SWING_K, seed: SEED, ...TIMING, statistic: "median" },
    results: records,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file} (${((performance.now() - started) / 1000).toFixed(1)} s total)`);
}

main();
