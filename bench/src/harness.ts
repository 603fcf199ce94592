// Timing with benchmark.js: warm-up, then one Benchmark per implementation,
// summarised by the MEDIAN of its samples (the machine is shared and noisy).

import Benchmark from "benchmark";

/** One implementation of a suite: `fn` is exactly what is timed (one call = all bars once). */
export interface Impl {
  name: string;
  fn: () => void;
}

/** Timing of one implementation. */
export interface Timing {
  impl: string;
  /** Median seconds per call over the samples. */
  median: number;
  /** Relative margin of error of the mean (percent, benchmark.js `stats.rme`). */
  rme: number;
  /** Number of samples (each sample is the mean of `count` calls). */
  samples: number;
}

/** How long benchmark.js samples each implementation. */
export interface TimingOptions {
  /** Seconds of sampling per implementation (benchmark.js `maxTime`). */
  maxTime: number;
  /** Minimum samples per implementation (benchmark.js `minSamples`). */
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

/**
 * Times each implementation with benchmark.js, one after the other in one
 * process (so ratios compare like with like). Setup is the caller's job: the
 * functions must only run the computation.
 */
export function timeSuite(title: string, impls: readonly Impl[], opts: TimingOptions, onCycle?: (t: Timing) => void): Timing[] {
  for (const impl of impls) warmUp(impl.fn, opts.warmupCalls, opts.warmupSeconds);
  const suite = new Benchmark.Suite(title);
  for (const impl of impls) {
    suite.add(impl.name, impl.fn, { maxTime: opts.maxTime, minSamples: opts.minSamples });
  }
  const timings: Timing[] = [];
  const errors: string[] = [];
  suite.on("cycle", (event: Benchmark.Event) => {
    // The event target of a "cycle" is the Benchmark that just finished.
    const b = event.target as unknown as Benchmark;
    if (b.error) {
      errors.push(`${title} / ${b.name}: ${String(b.error)}`);
      return;
    }
    const t: Timing = { impl: String(b.name), median: median(b.stats.sample), rme: b.stats.rme, samples: b.stats.sample.length };
    timings.push(t);
    onCycle?.(t);
  });
  suite.run({ async: false });
  if (errors.length > 0) throw new Error(`benchmark failed:\n${errors.join("\n")}`);
  return timings;
}
