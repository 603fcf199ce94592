// `pnpm bench`: see bench/README.md.
//
//   BENCH_BARS=100000,1000000   comma list of sizes (every suite at every size)
//   --real  (or BENCH_REAL=1)    real BTCUSDT 1m bars from ../shared when present
//   --no-browser --no-seed --no-c   leave out Chromium, the Python seed, the C loops
//   --out FILE                   JSON report (default bench/results/latest.json)

import { fileURLToPath } from "node:url";
import { DEFAULT_SAMPLER, DEFAULT_SIZES, DEFAULT_TIMING, fmtBars, runBench, VerificationError, type BenchOptions } from "./bench.js";
import { summary } from "./report.js";

function parseSizes(env: string | undefined): number[] | null {
  if (env === undefined || env.trim() === "") return null;
  const sizes = env.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 100 || n > 50_000_000) throw new Error(`BENCH_BARS: bad size ${n} (integers 100 .. 50000000)`);
  }
  return sizes;
}

function usage(): never {
  console.log(`usage: pnpm bench [-- --real] [--no-browser] [--no-seed] [--no-c] [--out FILE]
env: BENCH_BARS=10000,100000 (sizes), BENCH_REAL=1, BENCH_SEED_MAX_SECONDS=60, CHROMIUM_PATH, ICT_SHARED_DIR`);
  process.exit(0);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  if (args.includes("--help") || args.includes("-h")) usage();
  const known = new Set(["--real", "--no-browser", "--no-seed", "--no-c", "--out"]);
  for (let i = 0; i < args.length; i++) {
    if (!known.has(args[i]!)) throw new Error(`unknown argument ${args[i]} (see --help)`);
    if (args[i] === "--out") i++;
  }
  const explicit = parseSizes(process.env.BENCH_BARS);
  const outAt = args.indexOf("--out");
  const o: BenchOptions = {
    sizes: explicit ?? DEFAULT_SIZES,
    explicitSizes: explicit !== null,
    real: args.includes("--real") || process.env.BENCH_REAL === "1",
    timing: DEFAULT_TIMING,
    sampler: DEFAULT_SAMPLER,
    browser: !args.includes("--no-browser"),
    seed: !args.includes("--no-seed"),
    cloops: !args.includes("--no-c"),
    seedMaxSeconds: Number(process.env.BENCH_SEED_MAX_SECONDS ?? (explicit ? 120 : 15)),
    out: outAt >= 0 ? args[outAt + 1]! : fileURLToPath(new URL("../results/latest.json", import.meta.url)),
    log: (line) => console.log(line),
    cBudgetMs: 150,
    crossRounds: 2,
  };
  const report = await runBench(o);
  for (const line of summary(report)) console.log(line);
  console.log(`\nwrote ${o.out}`);
  console.log(
    `total wall time ${report.wallSeconds.toFixed(1)} s (sizes ${report.config.sizes instanceof Array ? (report.config.sizes as number[]).map(fmtBars).join(", ") : ""})`,
  );
}

// Ctrl-C / kill: exit at once (playwright closes the browser it started on exit).
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

main().catch((e: unknown) => {
  if (e instanceof VerificationError)
    console.error(`\nVERIFICATION FAILED: ${e.message}\nThe outputs of two implementations differ; no results were written.`);
  else console.error(e);
  process.exit(1);
});
