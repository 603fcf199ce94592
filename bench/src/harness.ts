// Timing with benchmark.js: warm-up, then the implementations of a suite are
// timed in interleaved rounds and summarised by the MEDIAN of their samples.
//
// Why rounds: the machine is shared (2 cores, other jobs come and go). If each
// implementation were sampled in one contiguous block, a few seconds of
// interference would land on one implementation only and skew the ratio. With
// `rounds` rounds (impl order reversed every other round), interference is
// spread over all of them, and the median of the pooled samples ignores it.
//
// Slow calls (one call longer than `slowCallSeconds`, e.g. building millions
// of records): benchmark.js would take one call per sample anyway and insist
// on `minSamples` of them, so such an impl is timed directly instead: a few
// single calls (as many as fit in `slowBudgetSeconds`, at least
// `slowMinCalls`), median reported; a first call over `coldCallSeconds` is
// the only one. The record says which mode was used.

import Benchmark from "benchmark";

/** One implementation of a suite: `fn` is exactly what is timed (one call = all bars once). */
export interface Impl {
  name: string;
  /** The timed call. May return a promise (then it is awaited, and part of the timing). */
  fn: () => unknown;
  /** The impl returns a promise (benchmark.js runs it as a deferred benchmark). */
  async?: boolean;
  /** Verifies the result of the first (warm-up) call; throws on a wrong result. Not timed. */
  check?: (result: unknown) => void;
}

/** Timing of one implementation. */
export interface Timing {
  impl: string;
  /** Median seconds per call over the pooled samples. */
  median: number;
  /** Relative margin of error of the mean of the pooled samples, percent (computed as benchmark.js does). */
  rme: number;
  /** Number of pooled samples (each the mean of benchmark.js's `count` calls, or one call in slow mode). */
  samples: number;
  /** "benchmark.js" or "single calls" (slow mode). */
  mode: "benchmark.js" | "single calls";
  /** One call over `coldCallSeconds`: it was timed as it was, without a separate warm-up call. */
  cold?: boolean;
}

/** How each implementation is sampled. */
export interface TimingOptions {
  /** Interleaved benchmark.js rounds per suite. */
  rounds: number;
  /** Seconds of sampling per implementation per round (benchmark.js `maxTime`). */
  maxTime: number;
  /** Minimum samples per implementation per round (benchmark.js `minSamples`). */
  minSamples: number;
  /** Minimum seconds of one sample (benchmark.js `minTime`; its default 0.05 s makes short runs long). */
  minTime: number;
  /** Warm-up: at least this many calls ... */
  warmupCalls: number;
  /** ... and at least this many seconds, before timing starts (fewer for slow calls: see slowCallSeconds). */
  warmupSeconds: number;
  /** A call longer than this (seconds) is timed in slow mode: single calls, no benchmark.js. */
  slowCallSeconds: number;
  /** Slow mode: seconds of timed calls to aim for ... */
  slowBudgetSeconds: number;
  /** ... but at least this many calls (and at most 5). */
  slowMinCalls: number;
  /**
   * A first call longer than this (seconds) is the only one: building tens of
   * millions of records takes minutes, and by then the kernels it calls have
   * been tiered up by the earlier suites, so a warm-up call would buy nothing
   * but minutes. Infinity to always warm up.
   */
  coldCallSeconds: number;
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

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** One call of `impl`: seconds and its result. */
async function timeOnce(impl: Impl): Promise<{ seconds: number; result: unknown }> {
  const t0 = now();
  let result = impl.fn();
  if (impl.async) result = await result;
  return { seconds: now() - t0, result };
}

/**
 * Calls `fn` until both `calls` calls and `seconds` seconds are done, so that
 * V8 has optimised the JavaScript loops and tiered the WebAssembly functions
 * up from Liftoff to TurboFan before anything is timed (WebAssembly has no
 * on-stack replacement: a function keeps its first-tier code until it
 * returns). Stops after one call if that call is slow. The first call's
 * result goes to `impl.check`. Returns the duration of the last call.
 */
export async function warmUp(impl: Impl, opts: TimingOptions): Promise<number> {
  const t0 = now();
  let last = 0;
  for (let i = 0; i < opts.warmupCalls || now() - t0 < opts.warmupSeconds; i++) {
    const r = await timeOnce(impl);
    if (i === 0) impl.check?.(r.result);
    last = r.seconds;
    if (last > opts.slowCallSeconds) break;
  }
  return last;
}

/** Runs one benchmark.js suite over `impls` and returns each impl's samples (seconds per call). */
function runRound(title: string, impls: readonly Impl[], opts: TimingOptions): Promise<Map<string, number[]>> {
  const suite = new Benchmark.Suite(title);
  for (const impl of impls) {
    if (impl.async) {
      suite.add(impl.name, {
        defer: true,
        fn: (d: { resolve(): void }) => void (impl.fn() as Promise<unknown>).then(() => d.resolve()),
        maxTime: opts.maxTime,
        minSamples: opts.minSamples,
        minTime: opts.minTime,
      });
    } else {
      suite.add(impl.name, impl.fn, { maxTime: opts.maxTime, minSamples: opts.minSamples, minTime: opts.minTime });
    }
  }
  const samples = new Map<string, number[]>();
  const errors: string[] = [];
  suite.on("cycle", (event: Benchmark.Event) => {
    // The target of a "cycle" event is the Benchmark that just finished.
    const b = event.target as unknown as Benchmark;
    if (b.error) errors.push(`${title} / ${b.name}: ${String(b.error)}`);
    else samples.set(String(b.name), b.stats.sample.slice());
  });
  return new Promise((resolve, reject) => {
    suite.on("complete", () => (errors.length > 0 ? reject(new Error(`benchmark failed:\n${errors.join("\n")}`)) : resolve(samples)));
    suite.run({ async: impls.some((i) => i.async) });
  });
}

/**
 * Times each implementation in one process (so ratios compare like with
 * like): warm-up, then benchmark.js in `opts.rounds` interleaved rounds, or
 * single calls for slow impls. Setup is the caller's job: the functions must
 * only run the computation.
 */
export async function timeSuite(
  title: string,
  impls: readonly Impl[],
  opts: TimingOptions,
  onDone?: (t: Timing) => void,
): Promise<Timing[]> {
  const fast: Impl[] = [];
  const out = new Map<string, Timing>();
  for (const impl of impls) {
    const last = await warmUp(impl, opts);
    if (last <= opts.slowCallSeconds) {
      fast.push(impl);
      continue;
    }
    if (last > opts.coldCallSeconds) {
      out.set(impl.name, { impl: impl.name, median: last, rme: 0, samples: 1, mode: "single calls", cold: true });
      continue;
    }
    const calls = Math.min(5, Math.max(opts.slowMinCalls, Math.floor(opts.slowBudgetSeconds / last)));
    const s: number[] = [];
    for (let i = 0; i < calls; i++) s.push((await timeOnce(impl)).seconds);
    out.set(impl.name, { impl: impl.name, median: median(s), rme: relativeMarginOfError(s), samples: s.length, mode: "single calls" });
  }
  if (fast.length > 0) {
    const pooled = new Map<string, number[]>(fast.map((i) => [i.name, []]));
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? fast : [...fast].reverse();
      for (const [name, s] of await runRound(`${title} round ${r + 1}`, order, opts)) pooled.get(name)!.push(...s);
    }
    for (const impl of fast) {
      const s = pooled.get(impl.name)!;
      out.set(impl.name, { impl: impl.name, median: median(s), rme: relativeMarginOfError(s), samples: s.length, mode: "benchmark.js" });
    }
  }
  return impls.map((impl) => {
    const t = out.get(impl.name)!;
    onDone?.(t);
    return t;
  });
}
