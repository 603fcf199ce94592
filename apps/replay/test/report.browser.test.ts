/**
 * The day report in a real browser: report.html opened from disk (file://) in
 * headless Chromium with every non-file request aborted. It must load no
 * network resource, log no error, draw one chart per symbol, and the chart
 * must show candles, the zone boxes drawn by the report's series primitive
 * and the stage bands. Skipped when no Chromium is installed.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columnsFromText } from "@ict/core";
import { replay } from "../src/replay.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
if (!HAS_CHROMIUM) console.warn(`report.browser.test.ts skipped: no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = resolve(here, "../../../packages/core/test/fixtures/golden");
const load = (f: string) => columnsFromText(readFileSync(join(GOLDEN, "inputs", f), "utf8"));

interface Opened {
  page: Page;
  /** Every non-file URL the page tried to load. */
  network: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
}

/** Pixels of a PNG screenshot as 0xRRGGBB numbers. */
function pixels(png: Buffer): { width: number; height: number; rgb: Uint32Array } {
  const img = PNG.sync.read(png);
  const rgb = new Uint32Array(img.width * img.height);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (img.data[i * 4]! << 16) | (img.data[i * 4 + 1]! << 8) | img.data[i * 4 + 2]!;
  return { width: img.width, height: img.height, rgb };
}

const hex = (s: string) => parseInt(s.slice(1), 16);

describe.skipIf(!HAS_CHROMIUM)("day report in headless Chromium (file://, no network)", () => {
  let browser: Browser;
  let report: string;
  let symbols: string[];

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), "ict-report-browser-"));
    const s = await replay({ bars: { QQQ: load("pair_1m.json"), SPY: load("pair_1m.ref.json") }, out, write: "close", to: "2024-01-02" });
    report = s.reports[0]!;
    symbols = s.symbols;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(): Promise<Opened> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const network: string[] = [];
    const errors: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      network.push(url);
      return route.abort();
    });
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !network.includes(r.url())) network.push(r.url());
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction(() => (window as any).__ictReport?.ready === true, null, { timeout: 20_000 });
    // Two animation frames: the charts paint on the next frame.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    return { page, network, errors };
  }

  it("opens from disk with no network request, no console error, and one drawn chart per symbol", async () => {
    const { page, network, errors } = await open();
    try {
      expect(network).toEqual([]);
      expect(errors).toEqual([]);
      expect(await page.evaluate(() => (window as any).__ictReport.symbols)).toEqual(symbols);
      for (const sym of symbols) {
        const chart = page.locator(`section[data-symbol="${sym}"] .chart`);
        expect(await chart.locator("canvas").count()).toBeGreaterThan(2);
        const box = (await chart.boundingBox())!;
        expect(box.width).toBeGreaterThan(600);
        expect(box.height).toBeGreaterThan(300);
        // TradingView's attribution link is shown on the chart (it loads nothing: an inline SVG).
        expect(await chart.locator('a[href^="https://www.tradingview.com/"]').count()).toBe(1);
      }
      // The 1m/5m toggle and the layer switches redraw without errors.
      await page.check(`section[data-symbol="${symbols[0]}"] input[value="300"]`);
      await page.check(`section[data-symbol="${symbols[0]}"] input[data-layer="1m"]`);
      await page.click(`section[data-symbol="${symbols[0]}"] details:last-of-type summary`);
      expect(await page.locator(`section[data-symbol="${symbols[0]}"] details:last-of-type tr`).count()).toBeGreaterThan(10);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(errors).toEqual([]);
      expect(network).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("the chart shows candles, zone boxes from the primitive and the stage bands (screenshot pixels)", async () => {
    const { page, errors } = await open();
    try {
      const sym = symbols[0]!;
      const chart = page.locator(`section[data-symbol="${sym}"] .chart`);
      const on = pixels(await chart.screenshot());
      const colours = new Map<number, number>();
      for (const p of on.rgb) colours.set(p, (colours.get(p) ?? 0) + 1);
      const nonWhite = on.rgb.length - (colours.get(0xffffff) ?? 0);
      expect(colours.size).toBeGreaterThan(200);
      expect(nonWhite / on.rgb.length).toBeGreaterThan(0.1);
      // Candles (opaque up and down colours) and the stage bands (opaque fills) are there.
      for (const c of ["#26a69a", "#ef5350", "#e3e6ec"]) expect(colours.get(hex(c)) ?? 0, c).toBeGreaterThan(200);
      // Zones, breaks and EQ/OTE off: what disappears is what the primitive drew.
      for (const layer of ["5m", "breaks", "eq"]) await page.uncheck(`section[data-symbol="${sym}"] input[data-layer="${layer}"]`);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const off = pixels(await chart.screenshot());
      expect([off.width, off.height]).toEqual([on.width, on.height]);
      let changed = 0;
      const boxColours = new Set<number>();
      for (let i = 0; i < on.rgb.length; i++) {
        if (on.rgb[i] === off.rgb[i]) continue;
        changed++;
        if (off.rgb[i] === 0xffffff) boxColours.add(on.rgb[i]!);
      }
      expect(changed / on.rgb.length).toBeGreaterThan(0.02);
      // Translucent fills over the white background: many distinct tints, bluish-green (bull) and reddish (bear) ones.
      expect(boxColours.size).toBeGreaterThan(20);
      const tint = [...boxColours].map((c) => [(c >> 16) & 255, (c >> 8) & 255, c & 255] as const);
      expect(tint.some(([r, g, b]) => g > r + 15 && b > r + 15)).toBe(true);
      expect(tint.some(([r, g, b]) => r > g + 15 && r > b + 15)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
