// Bundles the report's drawing code (src/report/client/main.ts and what it
// imports) into one script, dist/report-client.js, that report.html inlines.
// Deterministic: the same sources and esbuild version give the same bytes.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** The bundle's text. */
export async function bundleReportClient(): Promise<string> {
  const r = await build({
    entryPoints: [fileURLToPath(new URL("../src/report/client/main.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    platform: "browser",
    charset: "utf8",
    legalComments: "none",
    minify: false,
    sourcemap: false,
    logLevel: "silent",
  });
  return r.outputFiles[0]!.text;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = new URL("../dist/report-client.js", import.meta.url);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(out, await bundleReportClient());
}
