// The TypeScript interface of the kernel module, generated from its sources:
// every name exported by assembly/index.ts, with the parameter names, the
// optional parameters (those with a default) and the doc comment of its
// AssemblyScript declaration. Used by scripts/embed.mjs at build time and by
// the engine test (which checks the compiled module against it).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** AssemblyScript value types that cross the boundary as JavaScript numbers. */
const NUMBER_TYPES = new Set(["i8", "u8", "i16", "u16", "i32", "u32", "f32", "f64", "isize", "usize", "bool"]);

function tsType(asType, where) {
  const t = asType.trim();
  if (t === "void") return "void";
  if (NUMBER_TYPES.has(t)) return "number";
  throw new Error(`kernel-types: ${where}: type ${JSON.stringify(t)} does not cross the WebAssembly boundary as a number`);
}

/** Splits a parameter list at its top-level commas. */
function splitParams(text) {
  return text
    .split(",")
    .map((p) => p.replace(/\/\/.*$/gm, "").trim())
    .filter((p) => p.length > 0);
}

/**
 * The exports of the kernel module, read from `assemblyDir`: functions with
 * their parameters and result, globals with their type.
 * @returns {{ name: string, file: string, kind: "function" | "global", doc: string, params: { name: string, type: string, optional: boolean }[], result: string }[]}
 */
export function kernelExports(assemblyDir) {
  const index = readFileSync(join(assemblyDir, "index.ts"), "utf8");
  const out = [];
  for (const m of index.matchAll(/export\s*\{([^}]*)\}\s*from\s*"\.\/([\w-]+)"/g)) {
    const file = `${m[2]}.ts`;
    const src = readFileSync(join(assemblyDir, file), "utf8");
    for (const name of m[1]
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const fn = new RegExp(`((?:/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/\\s*)?)export function ${name}\\s*\\(([^)]*)\\)\\s*:\\s*([\\w]+)`).exec(
        src,
      );
      if (fn) {
        const params = splitParams(fn[2]).map((p) => {
          const pm = /^(\w+)\s*:\s*(\w+)\s*(=.*)?$/s.exec(p);
          if (!pm) throw new Error(`kernel-types: ${file}: cannot read parameter ${JSON.stringify(p)} of ${name}`);
          return { name: pm[1], type: tsType(pm[2], `${file} ${name}(${pm[1]})`), optional: pm[3] !== undefined };
        });
        out.push({ name, file, kind: "function", doc: fn[1].trim(), params, result: tsType(fn[3], `${file} ${name}`) });
        continue;
      }
      const g = new RegExp(`((?:/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/\\s*)?)export (?:let|const|var) ${name}\\s*:\\s*(\\w+)`).exec(src);
      if (g) {
        tsType(g[2], `${file} ${name}`);
        out.push({ name, file, kind: "global", doc: g[1].trim(), params: [], result: "WebAssembly.Global" });
        continue;
      }
      throw new Error(
        `kernel-types: ${name} is exported by assembly/index.ts but no function or global of that name is declared in ${file}`,
      );
    }
  }
  return out;
}

const indentDoc = (doc) =>
  doc
    ? doc
        .split("\n")
        .map((l) => `  ${l.trim().startsWith("*") ? " " + l.trim() : l.trim()}`)
        .join("\n") + "\n"
    : "";

/** The `IctKernels` interface text. */
export function kernelInterface(assemblyDir) {
  const lines = [
    "/** Exports of the @ict kernel module (pointers are byte offsets into `memory`), generated from assembly/*.ts. */",
    "export interface IctKernels {",
    "  readonly memory: WebAssembly.Memory;",
  ];
  for (const e of kernelExports(assemblyDir)) {
    const doc = indentDoc(e.doc).replace(/\n$/, "");
    if (doc) lines.push(doc);
    if (e.kind === "global") lines.push(`  readonly ${e.name}: WebAssembly.Global;`);
    else lines.push(`  ${e.name}(${e.params.map((p) => `${p.name}${p.optional ? "?" : ""}: ${p.type}`).join(", ")}): ${e.result};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
