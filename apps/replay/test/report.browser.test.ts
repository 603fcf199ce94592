/**
 * The day report in a real browser: report.html opened from disk (file://) in
 * headless Chromium with every non-file request aborted. It must load no
 * network resource, log no error, draw one chart per symbol (one tab each),
 * and the chart must show candles, the zone boxes drawn by the report's
 * series primitive and the stage bands; hovering a box shows its tooltip;
 * the 5m view has one stage cell per candle. Skipped when no Chromium is
 * installed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)("day report in headless Chromium (file://, no network)", () => {
  let browser: Browser;
  let report: string;
  let symbols: string[];
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "ict-report-browser-"));
    const s = await replay({ bars: { QQQ: load("pair_1m.json"), SPY: load("pair_1m.ref.json") }, out, write: "close" });
    report = s.reports[0]!;
    symbols = s.symbols;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(out, { recursive: true, force: true });
  });

  async function open(hash = ""): Promise<Opened> {
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
    await page.goto(pathToFileURL(report).href + hash);
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
        // One tab per symbol: clicking it shows that symbol's chart only.
        await page.click(`nav.tabs a[data-tab="${sym}"]`);
        expect(await page.locator(`section[data-symbol="${sym}"]`).isVisible()).toBe(true);
        for (const other of symbols)
          if (other !== sym) expect(await page.locator(`section[data-symbol="${other}"]`).isVisible()).toBe(false);
        expect(new URL(page.url()).hash).toBe(`#${sym}`);
        const chart = page.locator(`section[data-symbol="${sym}"] .chart`);
        expect(await chart.locator("canvas").count()).toBeGreaterThan(2);
        const box = (await chart.boundingBox())!;
        expect(box.width).toBeGreaterThan(600);
        expect(box.height).toBeGreaterThan(300);
        // TradingView's attribution link is shown on the chart (it loads nothing: an inline SVG).
        expect(await chart.locator('a[href^="https://www.tradingview.com/"]').count()).toBe(1);
      }
      // The 1m/5m toggle, the layer switches and the zone filter redraw without errors.
      await page.click(`nav.tabs a[data-tab="${symbols[0]}"]`);
      await page.selectOption(`section[data-symbol="${symbols[0]}"] select[data-control="zones"]`, "0");
      await page.check(`section[data-symbol="${symbols[0]}"] input[value="300"]`);
      await page.check(`section[data-symbol="${symbols[0]}"] input[data-layer="1m"]`);
      await page.click(`section[data-symbol="${symbols[0]}"] details:last-of-type summary`);
      // The table is built when first opened (the toggle event comes after the click).
      await page
        .locator(`section[data-symbol="${symbols[0]}"] details:last-of-type tr`)
        .nth(10)
        .waitFor({ state: "attached", timeout: 5000 });
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
      // Sessions and levels (their own test below) off: the background is the chart's white.
      for (const layer of ["sessions", "levels"]) await page.uncheck(`section[data-symbol="${sym}"] input[data-layer="${layer}"]`);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
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

  it("sessions as background bands and key levels as labelled lines, each with its own toggle (screenshot pixels)", async () => {
    const { page, errors } = await open();
    try {
      const sym = symbols[0]!;
      const chart = page.locator(`section[data-symbol="${sym}"] .chart`);
      const payload = await page.evaluate(() => JSON.parse(document.getElementById("ict-report-data")!.textContent!));
      const s = payload.symbols.find((x: { symbol: string }) => x.symbol === sym);
      expect(s.sessions.map((x: { name: string }) => x.name)).toContain("regular");
      expect(s.levels.length).toBeGreaterThan(0);
      const shot = async () => {
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        return pixels(await chart.screenshot());
      };
      const diff = (a: { rgb: number[] | Uint32Array }, b: { rgb: number[] | Uint32Array }) => {
        let n = 0;
        for (let i = 0; i < a.rgb.length; i++) if (a.rgb[i] !== b.rgb[i]) n++;
        return n / a.rgb.length;
      };
      const both = await shot();
      await page.uncheck(`section[data-symbol="${sym}"] input[data-layer="sessions"]`);
      const noSessions = await shot();
      // The bands tint a large part of the chart (the regular session spans the day).
      expect(diff(both, noSessions)).toBeGreaterThan(0.2);
      await page.uncheck(`section[data-symbol="${sym}"] input[data-layer="levels"]`);
      const neither = await shot();
      // Lines and labels: a thin share of the pixels, in the level colour.
      const d = diff(noSessions, neither);
      expect(d).toBeGreaterThan(0.001);
      expect(d).toBeLessThan(0.2);
      const slate = hex("#37474f");
      expect(noSessions.rgb.filter((p) => p === slate).length).toBeGreaterThan(neither.rgb.filter((p) => p === slate).length);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("opens at the symbol named in the address (report.html#SPY), and the previous/next day links keep it", async () => {
    const { page, errors } = await open(`#${symbols[1]}`);
    try {
      expect(await page.locator(`section[data-symbol="${symbols[1]}"]`).isVisible()).toBe(true);
      expect(await page.locator(`section[data-symbol="${symbols[0]}"]`).count()).toBe(0); // not built until shown
      expect(await page.getAttribute('a[data-nav="next"]', "href")).toMatch(
        new RegExp(`2024-01-03/processed/report\\.html#${symbols[1]}$`),
      );
      await page.click(`nav.tabs a[data-tab="${symbols[0]}"]`);
      // The links follow the tab on the page's hashchange, an event after the click: wait for it.
      await expect.poll(() => page.getAttribute('a[data-nav="next"]', "href")).toMatch(new RegExp(`#${symbols[0]}$`));
      expect(await page.locator(`nav.tabs a.on`).textContent()).toBe(symbols[0]);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("hovering a zone box shows its tooltip: kind, timeframe, direction, price range, formation and end", async () => {
    const { page, errors } = await open();
    try {
      const sym = symbols[0]!;
      await page.selectOption(`section[data-symbol="${sym}"] select[data-control="zones"]`, "0");
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const tip = page.locator(`section[data-symbol="${sym}"] .tip`);
      expect(await tip.isVisible()).toBe(false);
      const hits: { x0: number; x1: number; y0: number; y1: number; id: string | null }[] = await page.evaluate(
        (s) => (window as any).__ictReport.hits(s),
        sym,
      );
      const boxes = hits.filter((h) => h.id !== null && h.x1 - h.x0 > 6 && h.y1 - h.y0 > 4);
      expect(boxes.length).toBeGreaterThan(5);
      // A box whose centre lies in no other drawn box or break: the tooltip names that zone alone.
      const inside = (h: (typeof hits)[number], x: number, y: number) => x >= h.x0 && x <= h.x1 && y >= h.y0 && y <= h.y1;
      const lone = boxes.find((b) => hits.filter((h) => inside(h, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)).length === 1);
      expect(lone, "a box not overlapped by another").toBeDefined();
      const data = JSON.parse(readFileSync(report, "utf8").match(/id="ict-report-data">([\s\S]*?)<\/script>/)![1]!);
      const zone = data.symbols.find((s: any) => s.symbol === sym).zones.find((z: any) => z.id === lone!.id);
      const pane = (await page.locator(`section[data-symbol="${sym}"] .chart`).boundingBox())!;
      await page.mouse.move(pane.x + (lone!.x0 + lone!.x1) / 2, pane.y + (lone!.y0 + lone!.y1) / 2);
      await tip.waitFor({ state: "visible", timeout: 5000 });
      const text = (await tip.textContent())!;
      const names: Record<string, string> = { FVG: "FVG", IFVG: "IFVG (inversion)", OB: "order block", BB: "breaker" };
      expect(text).toContain(`${names[zone.kind]} ${zone.tf} ${zone.dir ?? ""}`.trim());
      expect(text).toContain(`${zone.low.toFixed(2)} – ${zone.high.toFixed(2)}`);
      expect(text).toContain(zone.to === null ? "alive at the close" : `${zone.end} `);
      // Moving off the boxes hides it again.
      await page.mouse.move(pane.x + 2, pane.y + pane.height - 2);
      await tip.waitFor({ state: "hidden", timeout: 5000 });
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("the 5m candle view shows the stage band per candle: the stage at each 5m bar's last tick", async () => {
    const { page, errors } = await open();
    try {
      const sym = symbols[0]!;
      await page.check(`section[data-symbol="${sym}"] input[value="300"]`);
      const cells: (string | null)[] = await page.evaluate((s) => (window as any).__ictReport.stageCells(s), sym);
      const data = JSON.parse(readFileSync(report, "utf8").match(/id="ict-report-data">([\s\S]*?)<\/script>/)![1]!);
      const s = data.symbols.find((x: any) => x.symbol === sym);
      // Independently: the last 1m bar of each 5m bucket, and the stage run in force then.
      const lastOf = new Map<number, number>();
      for (const t of s.t as number[]) lastOf.set(t - (t % 300), t);
      const want = [...lastOf.values()].map((t) => {
        const run = (s.stages as any[]).filter((r) => r.t <= t).pop();
        return run ? `${run.htf}|${run.ltf}|${run.bias}` : null;
      });
      expect(cells.length).toBe(Math.ceil(s.t.length / 5));
      expect(cells).toEqual(want);
      expect(new Set(cells).size).toBeGreaterThan(2);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("from index.html: a symbol's link opens that day's report at its tab, and the previous-day link keeps the tab", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(pathToFileURL(join(out, "data", "daily_news", "index.html")).href);
      const sym = symbols[1]!;
      await page.click(`a[href="2024-01-03/processed/report.html#${sym}"]`);
      await page.waitForFunction(() => (window as any).__ictReport?.ready === true, null, { timeout: 20_000 });
      expect(page.url()).toMatch(new RegExp(`2024-01-03/processed/report\\.html#${sym}$`));
      expect(await page.locator(`section[data-symbol="${sym}"]`).isVisible()).toBe(true);
      await page.click('a[data-nav="prev"]');
      await page.waitForFunction(() => (window as any).__ictReport?.ready === true, null, { timeout: 20_000 });
      expect(page.url()).toMatch(new RegExp(`2024-01-02/processed/report\\.html#${sym}$`));
      expect(await page.locator(`section[data-symbol="${sym}"]`).isVisible()).toBe(true);
      // The → key goes to the next day, same tab.
      await page.keyboard.press("ArrowRight");
      await page.waitForURL(new RegExp(`2024-01-03/processed/report\\.html#${sym}$`));
      await page.waitForFunction(() => (window as any).__ictReport?.ready === true, null, { timeout: 20_000 });
      await page.click('a[data-nav="index"]');
      expect(page.url()).toMatch(/daily_news\/index\.html$/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
