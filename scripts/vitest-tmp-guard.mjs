// Vitest global set-up of every package: tests remove the temporary folders
// they create. Every `ict-*` entry of the system's temporary folder that
// appears during a package's run and is still there at its end is listed in
// `tmp-leftovers.txt` (counted as a failure by scripts/test-summary.mjs), and
// the run fails.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const ours = () => readdirSync(tmpdir()).filter((n) => n.startsWith("ict-"));

export default function setup() {
  const before = new Set(ours());
  rmSync("tmp-leftovers.txt", { force: true });
  return () => {
    const left = ours().filter((n) => !before.has(n));
    if (left.length === 0) return;
    writeFileSync("tmp-leftovers.txt", left.map((n) => `${tmpdir()}/${n}\n`).join(""));
    throw new Error(`tests left ${left.length} temporary folder(s) behind: ${left.join(", ")}`);
  };
}
