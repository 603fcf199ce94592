// What every bench suite shares: the report's records, verification helpers, the per-size context and the timing of a suite.
import { Engine, type Columns, type WasmBars } from "@ict/core";
import { type BrowserInfo } from "./browser.js";
import { type OhlcvArrays } from "@ict/testkit";
import { timeSuite, type Impl, type Timing, type TimingOptions } from "./harness.js";
import { type SamplerOptions } from "./sampler.js";
import { type LiveTickOptions } from "./suites/livetick.js";
import { type StreamMonthRecord } from "./suites/stream.js";
import type { CLoopRun } from "./externals.js";

/** Options of {@link runBench}. */
export interface BenchOptions {
  sizes: number[];
  /** Sizes were asked for explicitly (BENCH_BARS): every suite runs at every size. */
  explicitSizes: boolean;
  /** Real BTCUSDT bars from the shared data when present. */
  real: boolean;
  timing: TimingOptions;
  sampler: SamplerOptions;
  browser: boolean;
  seed: boolean;
  cloops: boolean;
  /** The seed oracle runs at a size only when its predicted time fits this many seconds. */
  seedMaxSeconds: number;
  /** JSON report path (null: not written). */
  out: string | null;
  log: (line: string) => void;
  /** Milliseconds of timing per C kernel and size. */
  cBudgetMs: number;
  /** Interleaved Node / Chromium rounds per kernel and size. */
  crossRounds: number;
  /** Shape of the "live tick" suite (false: not run). */
  liveTick?: LiveTickOptions | false;
}

/** One measurement of latest.json. */
export interface BenchRecord {
  suite: string;
  impl: string;
  bars: number;
  /** Median nanoseconds per bar. */
  nsPerBar: number;
  /** Bars per second at the median. */
  barsPerSec: number;
  /** Relative margin of error (95%) of the mean of the samples, percent. */
  rme: number;
  samples: number;
  /** How it was timed: "benchmark.js", "single calls", "c loop", "python". */
  mode: string;
  /** TypeScript loop median / this median, same suite and size (> 1: faster than the plain loop). */
  speedupVsTs?: number;
  /** This median / the C loop's median, same suite and size (1 = C speed). */
  ratioToC?: number;
  /** Seed oracle's median / this median (features suite). */
  speedupVsSeed?: number;
  /** Readers: rows per second and megabytes of input per second. */
  rowsPerSec?: number;
  mbPerSec?: number;
  inputBytes?: number;
  note?: string;
}

/** Node / Chromium comparison of one kernel at one size. */
export interface CrossRecord {
  kernel: string;
  bars: number;
  node: { nsPerBar: number; rme: number; samples: number };
  chromium: { nsPerBar: number; rme: number; samples: number };
  /** Chromium median / Node median (1.0 = same speed). */
  ratio: number;
  /** Both engines computed the same output digest. */
  sameOutput: boolean;
}

/** A target of the issue, with the measured value. */
export interface TargetResult {
  target: string;
  measured: string;
  limit: string;
  met: boolean | null;
  /** measured / limit for "at most" targets (> 1: missed by that factor); limit / measured for "at least" targets. */
  factor: number | null;
  detail: string;
}

export interface MemoryRecord {
  bars: number;
  /** process.resourceUsage().maxRSS after this size, bytes (peak of the process so far). */
  peakRssBytes: number;
  /** WebAssembly linear memory after this size, bytes (it only grows: peak so far). */
  wasmMemoryBytes: number;
  wasmBytesPerBar: number;
}

export interface Report {
  date: string;
  wallSeconds: number;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    v8: string;
    platform: string;
    totalMemGB: number;
    loadavgStart: number[];
    loadavgEnd: number[];
  };
  config: Record<string, unknown>;
  data: { source: string; note: string };
  baselines: Record<string, string>;
  results: BenchRecord[];
  chromium: { available: boolean; reason: string | null; info: BrowserInfo | null; results: CrossRecord[] };
  seedOracle: {
    available: boolean;
    reason: string | null;
    runs: Array<{ bars: number; seconds: number[]; counts: Record<string, number>; countsMatchIct: boolean }>;
  };
  memory: MemoryRecord[];
  /** The largest run's memory (the issue's "peak RSS and WASM memory per bar"). */
  largest: MemoryRecord | null;
  /** One stream over 30 days of 1m bars: heap and push cost on day 1 and day 30 (null: fewer than 43,200 bars). */
  streamMonth: StreamMonthRecord | null;
  targets: TargetResult[];
  skipped: string[];
}

export class VerificationError extends Error {}

export function fail(msg: string): never {
  throw new VerificationError(msg);
}

export function fmtBars(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2)}M`;
  return String(n);
}

/** Relative difference check (outputs that differ only by rounding). */
export function close(a: number, b: number, rel: number): boolean {
  const s = Math.max(Math.abs(a), Math.abs(b));
  return s === 0 || Math.abs(a - b) / s <= rel;
}

export function checkF64(name: string, want: ArrayLike<number>, got: ArrayLike<number>, n: number, rel: number): void {
  for (let i = 0; i < n; i++) if (!close(want[i]!, got[i]!, rel)) fail(`${name}: differs at bar ${i} of ${n}: ${want[i]} vs ${got[i]}`);
}

export function checkSame(name: string, want: ArrayLike<number>, got: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) if (!Object.is(want[i], got[i])) fail(`${name}: differs at ${i} of ${n}: ${want[i]} vs ${got[i]}`);
}

/** Where the bars come from. */
export interface Source {
  label: string;
  note: string;
  bars: OhlcvArrays;
  ref: OhlcvArrays;
  /** CSV text of the first n rows (capped by V8's string length). */
  csv(n: number): { text: string; rows: number };
}

/** Everything one size shares between suites. */
export interface SizeCtx {
  n: number;
  engine: Engine;
  bars: OhlcvArrays;
  cols: Columns;
  wb: WasmBars;
  ref: OhlcvArrays;
  /** Run every impl but the heavy ones (false: only the key impls). */
  all: boolean;
  /** Run the heavy (object-building) impls too. */
  heavy: boolean;
}

/**
 * An impl of a suite. In the default run, `key` impls run at every size,
 * `heavy` ones up to DEFAULT_HEAVY_MAX, the others up to DEFAULT_ALL_MAX.
 */
export interface BImpl extends Impl {
  key?: boolean;
  heavy?: boolean;
}

/** Times a suite and appends its records (with the ratios against the ts and C baselines). */
export async function timed(
  ctx: SizeCtx,
  o: BenchOptions,
  records: BenchRecord[],
  suite: string,
  impls: BImpl[],
  extra?: { c?: { impl: string; nsPerBar: number; samples: number; rme: number }; each?: (r: BenchRecord) => void },
): Promise<void> {
  const n = ctx.n;
  const run = impls.filter((i) => i.key || (i.heavy ? ctx.heavy : ctx.all));
  const out: BenchRecord[] = [];
  if (run.length > 0) {
    const ts: Timing[] = await timeSuite(`${suite} ${fmtBars(n)}`, run, o.timing);
    for (const t of ts) {
      out.push({
        suite,
        impl: t.impl,
        bars: n,
        nsPerBar: (t.median / n) * 1e9,
        barsPerSec: n / t.median,
        rme: t.rme,
        samples: t.samples,
        mode: t.mode,
        ...(t.cold ? { note: `one call of ${t.median.toFixed(0)} s, no separate warm-up (calls over ${o.timing.coldCallSeconds} s)` } : {}),
      });
    }
  }
  if (extra?.c)
    out.push({
      suite,
      impl: extra.c.impl,
      bars: n,
      nsPerBar: extra.c.nsPerBar,
      barsPerSec: 1e9 / extra.c.nsPerBar,
      rme: extra.c.rme,
      samples: extra.c.samples,
      mode: "c loop",
    });
  const tsRec = out.find((r) => r.impl.startsWith("ts loop") && !r.impl.includes("wilder"));
  const cRec = out.find((r) => r.mode === "c loop");
  for (const r of out) {
    if (tsRec && r !== tsRec) r.speedupVsTs = tsRec.nsPerBar / r.nsPerBar;
    if (tsRec && r === tsRec) r.speedupVsTs = 1;
    if (cRec) r.ratioToC = r.nsPerBar / cRec.nsPerBar;
    const cold = r.note;
    extra?.each?.(r);
    if (cold && r.note !== cold) r.note = `${r.note}; ${cold}`;
    const ratio = [
      r.speedupVsTs !== undefined ? `${r.speedupVsTs.toFixed(2)}x vs ts` : "",
      r.ratioToC !== undefined ? `${r.ratioToC.toFixed(2)}x C time` : "",
    ]
      .filter(Boolean)
      .join(", ");
    o.log(
      `  ${suite.padEnd(24)} ${r.impl.padEnd(30)} ${r.nsPerBar.toFixed(r.nsPerBar < 100 ? 3 : 1).padStart(10)} ns/bar  ±${r.rme.toFixed(1).padStart(4)}%  ${String(r.samples).padStart(3)} samples${ratio ? `  (${ratio})` : ""}${r.note ? `  ${r.note}` : ""}`,
    );
    records.push(r);
  }
}

/** What a size suite gets: the size's context, the run's options and where its records and notes go. */
export interface SuiteEnv {
  ctx: SizeCtx;
  o: BenchOptions;
  records: BenchRecord[];
  cRun: CLoopRun | null;
  hasParquet: boolean;
  source: Source;
  skipped: string[];
}
