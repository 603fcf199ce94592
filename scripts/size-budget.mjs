#!/usr/bin/env node
// Size budget (run by .ci/run): the kernels' binary and the JavaScript a user of
// @ict/core loads must not grow unnoticed. Budgets live in size-budget.json;
// raising one is a reviewed change to that file, never a silent one.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const root = join(import.meta.dirname, "..");
const budgets = JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8"));

/** Every file under `dir` whose name ends with one of `exts`. */
function files(dir, exts, exclude = []) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!exclude.includes(name)) out.push(...files(p, exts, exclude));
    } else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out.sort();
}

let failed = 0;
for (const b of budgets) {
  const paths = b.paths.flatMap((p) => {
    const abs = join(root, p.dir);
    return files(abs, p.ext, p.exclude);
  });
  if (paths.length === 0) {
    console.error(`size: ${b.name}: no files (build first)`);
    failed++;
    continue;
  }
  let bytes = 0;
  for (const p of paths) {
    const data = readFileSync(p);
    bytes += b.gzip ? gzipSync(data, { level: 9 }).length : data.length;
  }
  const ok = bytes <= b.limitBytes;
  const kib = (n) => (n / 1024).toFixed(1) + " KiB";
  console.log(
    `size: ${ok ? "ok  " : "OVER"} ${b.name}: ${kib(bytes)}${b.gzip ? " gzip" : ""} of ${kib(b.limitBytes)} (${paths.length} file${paths.length === 1 ? "" : "s"})`,
  );
  if (!ok) {
    failed++;
    for (const p of paths) console.log(`  ${relative(root, p)}`);
  }
}
process.exit(failed ? 1 : 0);
