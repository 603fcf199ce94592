// A small engine-neutral sampler (no Node APIs) for the Node / Chromium
// comparison: the SAME code times the same functions in both engines, so the
// ratio compares engines, not harnesses.
//
// Like benchmark.js: each sample runs the function `count` times, with
// `count` calibrated so that a sample lasts at least `minSampleMs` (the
// browser's performance.now() is coarse: 5 µs when cross-origin isolated,
// 100 µs otherwise), samples are taken until `maxMs` have passed and at least
// `minSamples` exist, and the median time per call is reported.

/** Options of {@link sample}. */
export interface SamplerOptions {
  /** Warm-up: at least this many calls and this many milliseconds. */
  warmupCalls: number;
  warmupMs: number;
  /** Minimum duration of one sample (ms). */
  minSampleMs: number;
  /** Sampling time per function (ms) ... */
  maxMs: number;
  /** ... but at least this many samples ... */
  minSamples: number;
  /** ... or this many when one call takes longer than `slowMs` (then a sample is one call). */
  slowMinSamples: number;
  slowMs: number;
}

/** Result of {@link sample}: seconds per call. */
export interface SampleResult {
  median: number;
  /** Relative margin of error of the mean (95%), percent. */
  rme: number;
  samples: number;
  /** Calls per sample. */
  count: number;
  /** The samples (seconds per call), for pooling over rounds. */
  xs: number[];
}

export const DEFAULT_SAMPLER: SamplerOptions = {
  warmupCalls: 3,
  warmupMs: 150,
  minSampleMs: 20,
  maxMs: 400,
  minSamples: 5,
  slowMinSamples: 3,
  slowMs: 250,
};

const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
];

/** Median and relative margin of error (95%, percent) of samples. */
export function stats(xs: number[]): { median: number; rme: number } {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const med = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  const n = xs.length;
  if (n < 2) return { median: med, rme: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { median: med, rme: ((Math.sqrt(v / n) * (T95[n - 2] ?? 1.96)) / mean) * 100 };
}

/** Times `fn` (one call = all bars once); see the module comment. */
export function sample(fn: () => unknown, o: SamplerOptions = DEFAULT_SAMPLER, warm = false): SampleResult {
  const clock = (): number => performance.now();
  // Warm-up (tiers WebAssembly up and lets the JIT optimise JavaScript
  // loops); one call when that call alone is slow; none with `warm` (the
  // function already ran in this engine, e.g. in an earlier round).
  let t0 = clock();
  let one = 0;
  for (let i = 0; i < (warm ? 1 : o.warmupCalls) || (!warm && clock() - t0 < o.warmupMs); i++) {
    const s = clock();
    fn();
    one = clock() - s;
    if (one > o.slowMs) break;
  }
  // Calibrate the calls per sample from the last warm-up call.
  const count = Math.max(1, Math.ceil(o.minSampleMs / Math.max(one, 0.001)));
  const xs: number[] = [];
  t0 = clock();
  const slow = one > o.slowMs;
  const minSamples = slow ? o.slowMinSamples : o.minSamples;
  while (xs.length < minSamples || (!slow && clock() - t0 < o.maxMs)) {
    const s = clock();
    for (let i = 0; i < count; i++) fn();
    xs.push((clock() - s) / 1000 / count);
    if (xs.length >= 1000) break;
  }
  return { ...stats(xs), samples: xs.length, count, xs };
}
