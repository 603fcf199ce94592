// Baselines outside Node, run on the same bars in the same benchmark run:
// the seed oracle (Python / pandas) and C loops compiled with `cc -O3`.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
const DRIVER = fileURLToPath(new URL("./seed_driver.py", import.meta.url));
const LOOPS_C = fileURLToPath(new URL("./loops.c", import.meta.url));

/** Why the seed oracle cannot run here, or null when it can. */
export function seedUnavailable(seedDir: string): string | null {
  if (!existsSync(join(seedDir, "golden.py")) || !existsSync(join(seedDir, "src", "features", "ict_detectors.py")))
    return `no seed oracle at ${seedDir}`;
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  const r = spawnSync(PYTHON, ["-c", "import pandas, numpy"], { encoding: "utf8" });
  if (r.status !== 0) return `${PYTHON} cannot import pandas/numpy`;
  return null;
}

/** One live run of the seed's compute_features_for_tf. */
export interface SeedRun {
  n: number;
  /** Seconds of each timed call. */
  seconds: number[];
  /** Record counts of the last call (fvg, ifvg, ob, bb). */
  counts: Record<string, number>;
  python: string;
  pandas: string;
}

/** Runs the seed on the CSV text `repeats` times (only compute_features_for_tf is timed, in Python). */
export function runSeed(seedDir: string, csv: string, repeats: number): SeedRun {
  const dir = mkdtempSync(join(tmpdir(), "ict-bench-seed-"));
  try {
    const file = join(dir, "bars.csv");
    writeFileSync(file, csv);
    const out = execFileSync(PYTHON, [DRIVER, seedDir, file, String(repeats)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out.trim().split("\n").pop()!) as SeedRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Output of the C loops for one size. */
export interface CLoopRun {
  timings: Record<"atr" | "atrWilder" | "swings" | "fvg", { nsPerBar: number; samples: number; rme: number }>;
  atrSum: number;
  atrLast: number;
  atrWilderLast: number;
  swingHighs: number;
  swingLows: number;
  fvgs: number;
}

/** A compiled copy of src/loops.c (cc -O3), or the reason there is none. */
export interface CLoops {
  binary: string | null;
  reason: string | null;
  compiler: string;
  flags: string;
  dir: string;
  dispose(): void;
}

export function compileLoops(): CLoops {
  const cc = process.env.CC ?? "cc";
  const flags = "-O3";
  const dir = mkdtempSync(join(tmpdir(), "ict-bench-c-"));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  let compiler = cc;
  try {
    compiler = execFileSync(cc, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0]!
      .trim();
    const binary = join(dir, "loops");
    execFileSync(cc, [flags, "-o", binary, LOOPS_C, "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
    return { binary, reason: null, compiler, flags, dir, dispose };
  } catch (e) {
    return {
      binary: null,
      reason: `no working C compiler (${cc}): ${String((e as Error).message).split("\n")[0]}`,
      compiler,
      flags,
      dir,
      dispose,
    };
  }
}

/** Runs the C loops on the first n of h, l, c (written as raw float64 files). */
export function runLoops(loops: CLoops, h: Float64Array, l: Float64Array, c: Float64Array, n: number, budgetMs: number): CLoopRun {
  const files = ["h", "l", "c"].map((f) => join(loops.dir, `${f}.f64`));
  [h, l, c].forEach((a, i) => writeFileSync(files[i]!, new Uint8Array(a.buffer, a.byteOffset, n * 8)));
  try {
    const out = execFileSync(loops.binary!, [...files, String(n), String(budgetMs)], { encoding: "utf8" });
    return JSON.parse(out) as CLoopRun;
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
}
