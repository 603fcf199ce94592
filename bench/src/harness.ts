// Timing with benchmark.js: warm-up, then the implementations of a suite are
// timed in interleaved rounds and summarised by the MEDIAN of their samples.
//
// Why rounds: the machine is shared (2 cores, other jobs come and go). If each
// implementation were sampled in one contiguous block, a few seconds of
// interference would land on one implementation only and skew the ratio. With
// `rounds` rounds (impl order reversed every other round), interference is
// spread over all of them, and the median of the pooled samples ignores it.

import Benchmark from "benchmark";

/** One implementation of a suite: `fn` is exactly what is timed (one call = all bars once). */
export interface Impl {
  name: string;
  fn: () => void;
}

/** Timing of one implementation. */
export interface Timing {
  impl: string;
  /** Median seconds per call over the pooled samples. */
  median: number;
  /** Relative margin of error of the mean of the pooled samples, percent (computed as benchmark.js does). */
  rme: number;
  /** Number of pooled samples (each the mean of benchmark.js's `count` calls). */
  samples: number;
}

/** How benchmark.js samples each implementation. */
export interface TimingOptions {
  /** Interleaved rounds per suite. */
  rounds: number;
  /** Seconds of sampling per implementation per round (benchmark.js `maxTime`). */
  maxTime: number;
  /** Minimum samples per implementation per round (benchmark.js `minSamples`). */
  minSamples: number;
  /** Warm-up: at least this many calls ... */
  warmupCalls: number;
  /** ... and at least this many seconds, before benchmark.js starts. */
  warmupSeconds: number;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Two-sided 95% Student t critical values by degrees of freedom (benchmark.js's table). */
const T_TABLE = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Relative margin of error of the mean (percent), as benchmark.js computes `stats.rme`. */
export function relativeMarginOfError(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const sem = Math.sqrt(variance / n);
  const critical = T_TABLE[n - 2] ?? 1.96;
  return ((sem * critical) / mean) * 100;
}

/**
 * Calls `fn` until both `calls` calls and `seconds` seconds are done, so that
 * V8 has optimised the JavaScript loops and tiered the WebAssembly functions
 * up from Liftoff to TurboFan before anything is timed.
 */
export function warmUp(fn: () => void, calls: number, seconds: number): void {
  const t0 = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  for (let i = 0; i < calls || process.hrtime.bigint() - t0 < limit; i++) fn();
}

/** Runs one benchmark.js suite over `impls` and returns each impl's samples (seconds per call). */
function runRound(title: string, impls: readonly Impl[], opts: TimingOptions): Map<string, number[]> {
  const suite = new Benchmark.Suite(title);
  for (const impl of impls) suite.add(impl.name, impl.fn, { maxTime: opts.maxTime, minSamples: opts.minSamples });
  const samples = new Map<string, number[]>();
  const errors: string[] = [];
  suite.on("cycle", (event: Benchmark.Event) => {
    // The target of a "cycle" event is the Benchmark that just finished.
    const b = event.target as unknown as Benchmark;
    if (b.error) errors.push(`${title} / ${b.name}: ${String(b.error)}`);
    else samples.set(String(b.name), b.stats.sample.slice());
  });
  suite.run({ async: false });
  if (errors.length > 0) throw new Error(`benchmark failed:\n${errors.join("\n")}`);
  return samples;
}

/**
 * Times each implementation with benchmark.js in one process (so ratios
 * compare like with like), in `opts.rounds` interleaved rounds. Setup is the
 * caller's job: the functions must only run the computation.
 */
export function timeSuite(title: string, impls: readonly Impl[], opts: TimingOptions, onDone?: (t: Timing) => void): Timing[] {
  for (const impl of impls) warmUp(impl.fn, opts.warmupCalls, opts.warmupSeconds);
  const pooled = new Map<string, number[]>(impls.map((i) => [i.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? impls : [...impls].reverse();
    for (const [name, s] of runRound(`${title} round ${r + 1}`, order, opts)) pooled.get(name)!.push(...s);
  }
  return impls.map((impl) => {
    const s = pooled.get(impl.name)!;
    const t: Timing = { impl: impl.name, median: median(s), rme: relativeMarginOfError(s), samples: s.length };
    onDone?.(t);
    return t;
  });
}
