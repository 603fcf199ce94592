// Node side of the Chromium benchmark: bundles src/browser-entry.ts (with
// @ict/core and its inlined WebAssembly) with esbuild, serves it and the bars
// from 127.0.0.1 on an ephemeral port, and drives the system's headless
// Chromium through playwright-core (never a downloaded browser). The page is
// cross-origin isolated (COOP/COEP headers) so performance.now() has its fine
// (5 µs) resolution.

import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import type { OhlcvArrays } from "./data.js";
import type { SamplerOptions } from "./sampler.js";
import type { XKernel, XTiming } from "./xengine.js";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ENTRY = fileURLToPath(new URL("./browser-entry.ts", import.meta.url));

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>@ict/bench</title></head>
<body><script type="module" src="./bundle.js"></script></body></html>
`;

/** What the page reports about itself. */
export interface BrowserInfo {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  version: string;
}

/** An open page ready to run the cross-engine kernels. */
export interface BrowserBench {
  info: BrowserInfo;
  /** Ships the first n bars of `bars` to the page and uploads them there (src/xengine.ts CrossBench). */
  prepare(bars: OhlcvArrays, n: number): Promise<void>;
  /** Times one kernel in the page. */
  time(kernel: XKernel, opts: SamplerOptions, warm: boolean): Promise<XTiming>;
  /** Frees the page's bars; returns the page's WebAssembly memory size. */
  release(): Promise<number>;
  close(): Promise<void>;
}

/** Why Chromium cannot be used, or null. */
export function chromiumUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`;
}

async function bundle(): Promise<string> {
  const r = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    legalComments: "none",
  });
  if (r.errors.length > 0) throw new Error(`esbuild: ${r.errors.map((e) => e.text).join("; ")}`);
  return r.outputFiles[0]!.text;
}

export async function openBrowserBench(): Promise<BrowserBench> {
  const js = await bundle();
  let current: { bars: OhlcvArrays; n: number } | null = null;
  const isolation = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cache-control": "no-store",
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/" || path === "/index.html")
      return void res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...isolation }).end(INDEX_HTML);
    if (path === "/bundle.js") return void res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", ...isolation }).end(js);
    const m = /^\/bars\/(\d+)$/.exec(path);
    if (m && current && Number(m[1]) === current.n) {
      const { bars, n } = current;
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(n * 48), ...isolation });
      for (const f of ["t", "o", "h", "l", "c", "v"] as const) res.write(new Uint8Array(bars[f].buffer, bars[f].byteOffset, n * 8));
      return void res.end();
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeServer = () => new Promise<void>((r) => server.close(() => r()));
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
      ],
    });
    const context = await browser.newContext({ serviceWorkers: "block" });
    await context.route(
      (url) => url.origin !== origin,
      (route) => route.abort(),
    );
    const page: Page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${origin}/`, { waitUntil: "load" });
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, undefined, { timeout: 30_000 });
    const info = {
      ...((await page.evaluate(() => (window as unknown as { __bench: { info(): unknown } }).__bench.info())) as Omit<
        BrowserInfo,
        "version"
      >),
      version: browser.version(),
    };
    const b = browser;
    return {
      info,
      async prepare(bars, n) {
        current = { bars, n };
        try {
          await page.evaluate((n) => (window as unknown as { __bench: { prepare(n: number): Promise<void> } }).__bench.prepare(n), n);
        } catch (e) {
          throw new Error(
            `Chromium: preparing ${n} bars failed: ${(e as Error).message}${errors.length ? ` (page errors: ${errors.join("; ")})` : ""}`,
          );
        } finally {
          current = null;
        }
      },
      async time(kernel, opts, warm) {
        return (await page.evaluate(
          ([k, o, w]) => (window as unknown as { __bench: { time(k: string, o: unknown, w: boolean): unknown } }).__bench.time(k, o, w),
          [kernel, opts, warm] as const,
        )) as XTiming;
      },
      async release() {
        return (await page.evaluate(() => (window as unknown as { __bench: { release(): number } }).__bench.release())) as number;
      },
      async close() {
        await b.close().catch(() => {});
        await closeServer();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await closeServer();
    throw e;
  }
}
