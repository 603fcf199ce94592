/**
 * The packages as a user gets them (issue #14): each publishable workspace
 * package is packed with `pnpm pack` (workspace: versions replaced), checked
 * (licence, README, no `.wat`, no source map pointing at unshipped sources,
 * compiled bin), then installed with its third-party dependencies (packed
 * from the workspace's node_modules: no network) into an empty folder, where
 * the `ict` bin runs, `@ict/core` and `@ict/core/parquet` import in Node and
 * the installed browser build runs the README's example page in Chromium.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, "../../..");
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PUBLISHED = ["packages/wasm", "packages/core", "packages/pipeline", "packages/testkit", "apps/replay"];
/** Third-party packages the published ones need at run time (and theirs). */
const THIRD_PARTY = ["hyparquet", "hyparquet-compressors", "fzstd", "hysnappy", "hyparquet-writer", "lightweight-charts", "fancy-canvas"];

/** pnpm as this run got it (npm_execpath under `pnpm test`), else the documented npx form. */
const PNPM: [string, string[]] =
  process.env.npm_execpath && /pnpm/.test(basename(process.env.npm_execpath))
    ? [process.execPath, [process.env.npm_execpath]]
    : ["npx", ["-y", "pnpm@10.34.9"]];
const pnpm = (args: string[], cwd: string) => execFileSync(PNPM[0], [...PNPM[1], ...args], { cwd, encoding: "utf8", stdio: "pipe" });

let dir = "";
const tarballs: Record<string, string> = {};
const listing: Record<string, string[]> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ict-pack-"));
  const packs = join(dir, "packs");
  mkdirSync(packs);
  for (const p of PUBLISHED) {
    const name = JSON.parse(readFileSync(join(ROOT, p, "package.json"), "utf8")).name as string;
    const out = pnpm(["pack", "--pack-destination", packs], join(ROOT, p)).trim().split("\n").at(-1)!;
    tarballs[name] = resolve(join(ROOT, p), out);
    listing[name] = execFileSync("tar", ["tzf", tarballs[name]!], { encoding: "utf8" }).trim().split("\n");
  }
  // Third-party dependencies: the versions the workspace installed, as tarballs (no registry).
  const store = join(ROOT, "node_modules", ".pnpm");
  const entries = execFileSync("ls", [store], { encoding: "utf8" }).split("\n");
  for (const name of THIRD_PARTY) {
    const entry = entries.find((e) => e.startsWith(`${name}@`));
    if (entry === undefined) throw new Error(`${name} is not installed in the workspace`);
    const stage = join(dir, "stage", name);
    cpSync(join(store, entry, "node_modules", name), join(stage, "package"), { recursive: true, dereference: true });
    const tgz = join(packs, `dep-${name}.tgz`);
    execFileSync("tar", ["czf", tgz, "-C", stage, "package"]);
    tarballs[name] = tgz;
  }
  const app = join(dir, "app");
  mkdirSync(app);
  const file = (n: string) => `file:${tarballs[n]}`;
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "pack-check",
      private: true,
      type: "module",
      dependencies: { "@ict/core": file("@ict/core"), "@ict/pipeline": file("@ict/pipeline"), "@ict/replay": file("@ict/replay") },
      pnpm: { overrides: Object.fromEntries(Object.keys(tarballs).map((n) => [n, file(n)])) },
    }),
  );
  pnpm(["install", "--offline", "--ignore-scripts"], app);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("packed packages", () => {
  it("each carries its licence, README and package.json with MIT, types first, and no workspace: version", () => {
    for (const [name, files] of Object.entries(listing)) {
      expect(files, name).toContain("package/LICENSE");
      expect(files, name).toContain("package/README.md");
      const pkg = JSON.parse(execFileSync("tar", ["xzf", tarballs[name]!, "-O", "package/package.json"], { encoding: "utf8" }));
      expect(pkg.license, name).toBe("MIT");
      expect(pkg.private, name).toBeUndefined();
      expect(JSON.stringify(pkg), name).not.toMatch(/workspace:/);
      for (const e of Object.values((pkg.exports ?? {}) as Record<string, unknown>))
        if (e && typeof e === "object" && "types" in e) expect(Object.keys(e)[0], name).toBe("types");
      if (name !== "@ict/replay") expect(pkg.types && pkg.main, `${name}: main/types fallbacks`).toBeTruthy();
    }
  });
  it("ship no .wat, no source map and no TypeScript source; the bin is compiled JavaScript", () => {
    for (const [name, files] of Object.entries(listing)) {
      expect(
        files.filter((f) => /\.(wat|map)$/.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts"))),
        name,
      ).toEqual([]);
    }
    const bin = execFileSync("tar", ["xzf", tarballs["@ict/replay"]!, "-O", "package/lib/cli.js"], { encoding: "utf8" });
    expect(bin.startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});

describe("installed into an empty folder, offline", () => {
  it("the ict bin runs: --version, and features of a 1m file at --tf 5m", () => {
    const app = join(dir, "app");
    const ict = join(app, "node_modules", ".bin", "ict");
    expect(execFileSync(ict, ["--version"], { cwd: app, encoding: "utf8" }).trim()).toBe("ict 0.1.0");
    const csv = join(ROOT, "packages/core/test/fixtures/golden/inputs/small_1m.csv");
    const r = spawnSync(ict, ["features", "--tf", "5m", csv], { cwd: app, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tf).toBe("5m");
    const bad = spawnSync(ict, ["features", "--tf", "5m", join(app, "missing.csv")], { cwd: app, encoding: "utf8" });
    expect(bad.status).toBe(2);
  });
  it("@ict/core, @ict/core/parquet and @ict/pipeline import in Node", () => {
    const app = join(dir, "app");
    const code = `
      import { columnsFromBars, computeFeatures } from "@ict/core";
      import { columnsFromParquet } from "@ict/core/parquet";
      import { buildPrompt } from "@ict/pipeline";
      const f = computeFeatures(columnsFromBars([{ t: "2024-01-02T14:30:00Z", o: 1, h: 2, l: 0.5, c: 1.5 }]), { tf: "1m" });
      console.log(JSON.stringify({ atr: f.atr_last, parquet: typeof columnsFromParquet, prompt: typeof buildPrompt }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: app, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ atr: 1.5, parquet: "function", prompt: "function" });
  });
  it.skipIf(!existsSync(CHROMIUM_PATH) && !process.env.CI)(
    "the installed browser build runs the README's example page in Chromium",
    async () => {
      const app = join(dir, "app");
      const bundle = readFileSync(join(app, "node_modules/@ict/core/dist/browser/ict-core.js"), "utf8");
      const readme = readFileSync(join(ROOT, "README.md"), "utf8");
      const html = /```html\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf("<!-- browser-example:")))![1]!;
      const server = createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
        if (path === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
        else if (path === "/ict-core.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
        else res.writeHead(path === "/favicon.ico" ? 204 : 404).end();
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.waitForFunction(() => document.body && document.body.textContent !== "", null, { timeout: 20_000 });
        const shown = JSON.parse((await page.evaluate(() => document.body.textContent)) ?? "null");
        expect(shown).toHaveProperty("eq");
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        server.close();
      }
    },
  );
});
