import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "@ict/testkit";

const here = dirname(fileURLToPath(import.meta.url));

/** The project's own copy of the golden fixtures. */
export const GOLDEN = join(here, "fixtures", "golden");

/** The repository root. */
export const REPO = resolve(here, "..", "..", "..");

/**
 * `../shared` beside the repository (or ICT_SHARED_DIR): real data, the seed
 * oracle and the peers' data. Absent on a user's fresh clone.
 */
export const SHARED = process.env.ICT_SHARED_DIR ?? resolve(REPO, "..", "shared");
export const HAS_SHARED = existsSync(join(SHARED, "seed", "golden.py"));
export const NO_SHARED_REASON = `../shared not found at ${SHARED} (real data and the live seed oracle are only beside the repository in CI)`;

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export function goldenText(rel: string): string {
  return readFileSync(join(GOLDEN, rel), "utf8");
}

export interface ManifestEntry {
  name: string;
  bars: string;
  ref: string | null;
  tf: "1m" | "5m";
  expected: string;
}

export const MANIFEST: ManifestEntry[] = readJson(join(GOLDEN, "MANIFEST.json"));

/** Relative closeness for floats (1e-9 by default); exact for everything else. */
export function close(a: unknown, b: unknown, rel = 1e-9): boolean {
  if (typeof a === "number" && typeof b === "number") {
    if (a === b) return true;
    return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/**
 * Compares two JSON-like values: numbers to a relative tolerance, everything
 * else exactly, same keys. Returns the first difference as a path, or null.
 */
export function diff(got: unknown, want: unknown, path = "$", rel = 1e-9): string | null {
  if (typeof want === "number" || typeof got === "number") {
    return close(got, want, rel) ? null : `${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
  }
  if (want === null || got === null || typeof want !== "object" || typeof got !== "object") {
    return got === want ? null : `${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
  }
  if (Array.isArray(want) !== Array.isArray(got)) return `${path}: array vs object`;
  if (Array.isArray(want)) {
    const g = got as unknown[];
    if (g.length !== want.length) return `${path}: length ${g.length}, want ${want.length}`;
    for (let i = 0; i < want.length; i++) {
      const d = diff(g[i], want[i], `${path}[${i}]`, rel);
      if (d) return d;
    }
    return null;
  }
  const gk = Object.keys(got as object).sort();
  const wk = Object.keys(want as object).sort();
  if (gk.join(",") !== wk.join(",")) return `${path}: keys ${gk.join(",")}, want ${wk.join(",")}`;
  for (const k of wk) {
    const d = diff((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${path}.${k}`, rel);
    if (d) return d;
  }
  return null;
}

/** Deterministic PRNG (mulberry32, from @ict/testkit). */
export const rng = mulberry32;
