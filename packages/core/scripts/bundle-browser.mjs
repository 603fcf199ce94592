// The browser build of @ict/core: one ES module file per entry with
// everything inlined (the WebAssembly bytes of @ict/wasm as base64, hyparquet
// in the Parquet build), no bare imports, so that a static page imports it
// directly: dist/browser/ict-core.js and dist/browser/ict-core-parquet.js.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const r = await build({
  entryPoints: { "ict-core": join(root, "src/index.ts"), "ict-core-parquet": join(root, "src/browser-parquet.ts") },
  outdir: join(root, "dist/browser"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  banner: { js: `/* @ict/core ${version} — browser build (ES module, WebAssembly inlined). MIT License. */` },
  logLevel: "warning",
});
if (r.errors.length > 0) process.exit(1);
