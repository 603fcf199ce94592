/**
 * The README's browser example, run as written: its HTML block is saved as
 * index.html beside dist/browser/ict-core.js (the single-file build), served
 * from 127.0.0.1 and opened in headless Chromium; the page must show the
 * features Node computes for the same bars, load nothing else and log no error.
 * Skipped without Chromium on a user's machine; in CI (CI set) it never skips.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { columnsFromBars, computeFeatures } from "../src/index.js";
import { CHROMIUM_PATH } from "./browser/harness.js";
import { REPO } from "./helpers.js";

const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
const README = readFileSync(`${REPO}/README.md`, "utf8");
const BUNDLE = `${REPO}/packages/core/dist/browser/ict-core.js`;

/** The fenced html block that follows the browser-example marker. */
function example(): string {
  const at = README.indexOf("<!-- browser-example:");
  expect(at, "the README has its browser example").toBeGreaterThan(0);
  const m = /```html\n([\s\S]*?)\n```/.exec(README.slice(at));
  expect(m, "an html block follows the marker").not.toBeNull();
  return m![1]!;
}

describe("the single-file browser build", () => {
  it("has no import of its own and inlines the kernels", () => {
    const js = readFileSync(BUNDLE, "utf8");
    expect(js).not.toMatch(/\bimport\s*(?:[\w*{][^;]*?\bfrom\s*)?["'][^"']+["']/);
    expect(js).not.toMatch(/\brequire\(/);
    expect(js).toMatch(/WebAssembly/);
  });
});

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)(
  `the README's browser example${HAS_CHROMIUM ? "" : ` (skipped: no Chromium at ${CHROMIUM_PATH})`}`,
  () => {
    it("runs in Chromium as written and shows what Node computes", async () => {
      const html = example();
      expect(html).toContain('from "./ict-core.js"');
      const bars = Function(`return ${/columnsFromBars\((\[[\s\S]*?\])\)/.exec(html)![1]}`)() as unknown[];
      const want = JSON.stringify(computeFeatures(columnsFromBars(bars), { tf: "1m" }).swings);
      const files: Record<string, [string, string]> = {
        "/": ["text/html; charset=utf-8", html],
        "/ict-core.js": ["text/javascript; charset=utf-8", readFileSync(BUNDLE, "utf8")],
      };
      const served: string[] = [];
      const server = createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
        served.push(path);
        const f = files[path];
        if (path === "/favicon.ico") res.writeHead(204).end(); // the browser's own request, not the page's
        else if (f === undefined) res.writeHead(404).end();
        else res.writeHead(200, { "content-type": f[0] }).end(f[1]);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
        page.on("pageerror", (e) => problems.push(String(e)));
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.waitForFunction(() => document.body && document.body.textContent !== "", null, { timeout: 20_000 });
        expect(await page.evaluate(() => document.body.textContent)).toBe(want);
        expect(problems).toEqual([]);
        expect(served.filter((p) => p !== "/favicon.ico").sort()).toEqual(["/", "/ict-core.js"]);
      } finally {
        await browser.close();
        server.close();
      }
    });
  },
);
