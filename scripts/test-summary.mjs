// Prints one line "N passed, N failed, N skipped" from the vitest JSON reports
// of every workspace package (CI reads this line; vitest's own summary is per
// package). Exits 1 when a report is missing for a package that has tests.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0,
  failed = 0,
  skipped = 0,
  missing = [];
for (const group of ["packages", "apps", "bench"]) {
  const dirs = group === "bench" ? ["."] : existsSync(group) ? readdirSync(group) : [];
  for (const d of dirs) {
    const pkg = group === "bench" ? "bench" : join(group, d);
    const manifest = join(pkg, "package.json");
    if (!existsSync(manifest)) continue;
    const hasTests = Boolean(JSON.parse(readFileSync(manifest, "utf8")).scripts?.test);
    const leftovers = join(pkg, "tmp-leftovers.txt");
    if (existsSync(leftovers)) {
      console.log(`${pkg}: tests left temporary folders behind:\n${readFileSync(leftovers, "utf8")}`);
      failed++;
    }
    const report = join(pkg, "test-results.json");
    if (!existsSync(report)) {
      if (hasTests) missing.push(pkg);
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests ?? 0;
    // A file that failed to load has no test results of its own: count it once.
    const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).length).length;
    failed += (r.numFailedTests ?? 0) + brokenFiles;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
}
// The checks of .ci/run (type check, lint, format, knip, size), one test each.
if (existsSync("ci-checks.txt")) {
  for (const line of readFileSync("ci-checks.txt", "utf8").split("\n")) {
    if (line.endsWith(" passed")) passed++;
    else if (line.endsWith(" failed")) {
      console.log(`${line.replace(/ failed$/, "")}: failed`);
      failed++;
    }
  }
}
if (missing.length) console.log(`no test report from: ${missing.join(", ")}`);
console.log(`${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
process.exit(missing.length ? 1 : 0);
