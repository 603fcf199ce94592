/**
 * The layers of the repository, checked from the sources: no import cycle
 * anywhere, and each layer imports only from the layers below it
 * (base → io → runtime → detectors → features → stream inside @ict/core;
 * @ict/wasm and @ict/testkit → @ict/core → @ict/pipeline → apps and bench across packages).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Source folders whose imports are checked (tests may reach anywhere below them). */
const SOURCE_DIRS = [
  "packages/wasm/assembly",
  "packages/testkit/src",
  "packages/core/src",
  "packages/pipeline/src",
  "apps/replay/src",
  "apps/live/src",
  "bench/src",
];

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(e) && !e.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Every import specifier of a TypeScript file (static, type-only and dynamic imports, re-exports). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2])!);
  return out;
}

/** The file a relative specifier names (`./x.js` → `./x.ts`, `./x` → `./x.ts`). */
function resolveSpec(from: string, spec: string, files: Set<string>): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, ".ts"), base + ".ts", join(base, "index.ts")]) if (files.has(c)) return c;
  return undefined;
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(),
    low = new Map<string, number>(),
    on = new Set<string>(),
    stack: string[] = [],
    out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** Rank of a file of @ict/core's sources: a file may import files of its own rank or lower. */
const CORE_LAYERS = ["base", "io", "runtime", "detectors", "features", "stream"] as const;
function coreRank(rel: string): number {
  const top = rel.split("/")[0]!;
  const i = (CORE_LAYERS as readonly string[]).indexOf(top);
  return i >= 0 ? i : CORE_LAYERS.length; // index.ts: the public barrel, above everything
}

/** Rank of a package: a package may import only packages of a lower rank. */
const PACKAGE_RANK: Record<string, number> = {
  "@ict/wasm": 0,
  "@ict/testkit": 0,
  "@ict/core": 1,
  "@ict/pipeline": 2,
  "@ict/replay": 3,
  "@ict/live": 3,
  "@ict/bench": 3,
};
function packageOf(file: string): string {
  const rel = relative(ROOT, file);
  if (rel.startsWith("packages/wasm/")) return "@ict/wasm";
  if (rel.startsWith("packages/testkit/")) return "@ict/testkit";
  if (rel.startsWith("packages/core/")) return "@ict/core";
  if (rel.startsWith("packages/pipeline/")) return "@ict/pipeline";
  if (rel.startsWith("apps/replay/")) return "@ict/replay";
  if (rel.startsWith("apps/live/")) return "@ict/live";
  return "@ict/bench";
}

function sourceGraph(): { graph: Map<string, string[]>; problems: string[] } {
  const files = SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d)));
  const set = new Set(files);
  const graph = new Map<string, string[]>();
  const problems: string[] = [];
  for (const f of files) {
    const from = packageOf(f);
    const edges: string[] = [];
    for (const spec of importsOf(readFileSync(f, "utf8"))) {
      if (spec.startsWith(".")) {
        const target = resolveSpec(f, spec, set);
        if (!target) continue; // a build output (bench reads ../../packages/core/dist) or an asset
        edges.push(target);
        const to = packageOf(target);
        if (to !== from && PACKAGE_RANK[to]! >= PACKAGE_RANK[from]!)
          problems.push(`${relative(ROOT, f)} imports ${relative(ROOT, target)} (${to} is not below ${from})`);
        // A seed-only algorithm sits in a `seed/` folder beside the code that reaches it
        // through a named rule; nothing else imports it.
        const seedDir = /^(.*)\/seed\/[^/]+$/.exec(relative(ROOT, target))?.[1];
        if (seedDir !== undefined && !relative(ROOT, f).startsWith(seedDir + "/"))
          problems.push(`${relative(ROOT, f)} imports ${relative(ROOT, target)} (a seed-only rule, reached only from ${seedDir}/)`);
        if (from === "@ict/core" && to === "@ict/core") {
          const a = relative(join(ROOT, "packages/core/src"), f),
            b = relative(join(ROOT, "packages/core/src"), target);
          if (coreRank(b) > coreRank(a)) problems.push(`packages/core/src/${a} imports packages/core/src/${b} (a higher layer)`);
        }
      } else {
        const m = /^(@ict\/[\w-]+)/.exec(spec);
        if (m && PACKAGE_RANK[m[1]!] !== undefined && PACKAGE_RANK[m[1]!]! >= PACKAGE_RANK[from]!)
          problems.push(`${relative(ROOT, f)} imports ${spec} (not below ${from})`);
      }
    }
    graph.set(f, edges);
  }
  return { graph, problems };
}

describe("layers", () => {
  it("the checker finds a cycle and a self-import, and passes a chain", () => {
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c"]]);
    expect(cyclesOf(new Map([["a", ["a"]]]))).toEqual([["a"]]);
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", []],
        ]),
      ),
    ).toEqual([]);
    expect(
      importsOf(`import type { X } from "./x.js";\nexport { y } from "../y.js";\nconst z = await import("./z.js");\nimport "./side.js";`),
    ).toEqual(["./x.js", "../y.js", "./z.js", "./side.js"]);
  });

  it("no import cycle among the sources of any package (type-only imports included)", () => {
    const { graph } = sourceGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cyclesOf(graph).map((c) => c.map((f) => relative(ROOT, f)).join(" → "))).toEqual([]);
  });

  it("each layer imports only from the layers below it; seed folders only from their own detector or package", () => {
    expect(sourceGraph().problems).toEqual([]);
  });

  it("every profile difference is a named rule: no source outside seed folders compares the profile's name", () => {
    const offenders: string[] = [];
    for (const f of SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d)))) {
      const rel = relative(ROOT, f);
      if (!rel.startsWith("packages/core/src/") && !rel.startsWith("packages/pipeline/src/")) continue;
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/^\s*(\*|\/\/)/.test(line)) return; // documentation
          if (/profile\s*[!=]==|[!=]==\s*"(ict|seed-v0\.1)"|\bict\s*\?/.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    // The profile's own table and its check, and the stream's refusal of a non-causal profile.
    const allowed = [/base\/profile\.ts/, /stream\/index\.ts:\d+: if \(cfg\.profile !== "ict"\)/];
    expect(offenders.filter((o) => !allowed.some((r) => r.test(o)))).toEqual([]);
  });
});
