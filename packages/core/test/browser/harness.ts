/**
 * Node side of the cross-engine test: bundles entry.ts with esbuild, serves it
 * from 127.0.0.1 on an ephemeral port, and drives headless Chromium through
 * playwright-core. No other network.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ENTRY = fileURLToPath(new URL("./entry.ts", import.meta.url));

/** The entry as one ES module (the @ict/wasm bytes are inlined as base64). */
export async function bundleEntry(): Promise<string> {
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
  if (r.outputFiles.length !== 1) throw new Error(`esbuild produced ${r.outputFiles.length} output files, expected 1`);
  return r.outputFiles[0]!.text;
}

const INDEX_HTML = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>@ict/core cross-engine test</title>
</head>
<body>
<script type="module">
import * as ict from "./bundle.js";
// Engine.shared() is checked before anything else touches the library.
const engine = ict.engineCheck();
window.__ict = {
  engine,
  run: ict.run,
  runText: ict.runText,
  /** Runs a fresh worker: its first call is engineCheck(), then run(columns) (or runText(text)). */
  runInWorker(columns) {
    return new Promise((resolve, reject) => {
      const w = new Worker("./worker.js", { type: "module" });
      const done = (f) => (v) => { w.terminate(); f(v); };
      w.onmessage = done((e) => (e.data.ok ? resolve(e.data) : reject(new Error("worker: " + e.data.error))));
      w.onerror = done((e) => reject(new Error("worker error: " + (e.message || "load failed") + " " + (e.filename || "") + ":" + (e.lineno || ""))));
      w.onmessageerror = done(() => reject(new Error("worker: message could not be deserialized")));
      w.postMessage(columns);
    });
  },
};
window.__ready = true;
</script>
</body>
</html>
`;

const WORKER_JS = `import { engineCheck, run, runText } from "./bundle.js";
const engine = engineCheck();
self.onmessage = (e) => {
  try {
    const results = typeof e.data === "string" ? runText(e.data) : run(e.data);
    self.postMessage({ ok: true, engine, results });
  } catch (err) {
    self.postMessage({ ok: false, error: String((err && err.stack) || err) });
  }
};
`;

export interface Harness {
  origin: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  problems: string[];
  /** Requests the server answered (path list). */
  served: string[];
  close(): Promise<void>;
}

function listen(bundle: string, served: string[], problems: string[]): Promise<Server> {
  const files: Record<string, [string, string]> = {
    "/": ["text/html; charset=utf-8", INDEX_HTML],
    "/index.html": ["text/html; charset=utf-8", INDEX_HTML],
    "/bundle.js": ["text/javascript; charset=utf-8", bundle],
    "/worker.js": ["text/javascript; charset=utf-8", WORKER_JS],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    served.push(path);
    const f = files[path];
    if (f === undefined) {
      if (path !== "/favicon.ico") problems.push(`server: 404 for ${req.method} ${req.url}`);
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": f[0], "cache-control": "no-store" }).end(f[1]);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** Bundles, serves and opens the page; resolves once the page's module ran. */
export async function openHarness(): Promise<Harness> {
  const problems: string[] = [];
  const served: string[] = [];
  const bundle = await bundleEntry();
  const server = await listen(bundle, served, problems);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
      ],
    });
    const context = await browser.newContext({ serviceWorkers: "block" });
    // Nothing but our own server: any other request is a test failure.
    await context.route(
      (url) => url.origin !== origin,
      (route) => {
        problems.push(`blocked request to ${route.request().url()}`);
        return route.abort();
      },
    );
    const page = await context.newPage();
    const onConsole = (where: string) => (m: { type(): string; text(): string; location(): { url: string; lineNumber: number } }) => {
      if (m.type() === "error" || m.type() === "assert")
        problems.push(`${where} console.${m.type()}: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
    };
    page.on("console", onConsole("page"));
    page.on("pageerror", (e) => problems.push(`page error: ${e.stack ?? e.message}`));
    page.on("crash", () => problems.push("page crashed"));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on("worker", (w) => {
      w.on("console", onConsole(`worker ${w.url()}`));
    });
    await page.goto(`${origin}/`, { waitUntil: "load" });
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, undefined, { timeout: 15_000 });
    const b = browser;
    return {
      origin,
      browser: b,
      context,
      page,
      problems,
      served,
      async close() {
        await b.close().catch(() => {});
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await new Promise<void>((r) => server.close(() => r()));
    throw e;
  }
}
