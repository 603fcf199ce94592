/**
 * The day report's HTML: one self-contained `report.html` per New York day.
 * It opens from disk with no server and fetches nothing: the chart library
 * (TradingView Lightweight Charts™, Apache-2.0), the drawing code (bundled
 * from `client/` at build time) and the data are inlined, and a
 * Content-Security-Policy forbids any network load.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { IctError } from "@ict/core";
import { processedDir, writeFileAtomic } from "@ict/pipeline/node";
import type { DayReportInput } from "./collector.js";
import { DEFAULT_NEAREST } from "./filter.js";
import { dayReportJson, type ReportOptions } from "./payload.js";
import type { ReportNav } from "./types.js";

/**
 * JSON made safe inside an HTML `<script>` element: every `<` is written as
 * `\u003c`, so no `</script>` or `<!--` can end or confuse the element, and
 * U+2028/U+2029 are escaped as well. The JSON value is unchanged.
 */
export function escapeJsonForScript(json: string): string {
  return json.replace(/[<\u2028\u2029]/g, (ch) => (ch === "<" ? "\\u003c" : ch === "\u2028" ? "\\u2028" : "\\u2029"));
}

/** Text made safe in HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Script text made safe inside an inline `<script>` (no premature `</script`, no `<!--`). */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

let lwcCache: string | null = null;
let clientCache: string | null = null;

/**
 * The standalone production build of Lightweight Charts™, read once and
 * cached (about 200 kB). Its licence header is kept as shipped.
 */
export function lightweightChartsSource(): string {
  if (lwcCache === null) {
    const req = createRequire(import.meta.url);
    const dir = dirname(req.resolve("lightweight-charts/package.json"));
    lwcCache = inlineScript(readFileSync(join(dir, "dist", "lightweight-charts.standalone.production.js"), "utf8"));
  }
  return lwcCache;
}

/** Where the build (`scripts/build-report-client.ts`) writes the bundled drawing code. */
export const CLIENT_BUNDLE = new URL("../../dist/report-client.js", import.meta.url);

/** The bundled drawing code (built from `src/report/client/` by the package's build). */
export function reportClientSource(): string {
  if (clientCache === null) {
    if (!existsSync(CLIENT_BUNDLE))
      throw new IctError(`the report's drawing code is not built (${CLIENT_BUNDLE.pathname} missing): run pnpm build`);
    clientCache = inlineScript(readFileSync(CLIENT_BUNDLE, "utf8"));
  }
  return clientCache;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'";

const STYLE = `body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:10px 16px;color:#1f2430;background:#fff}
h1{font-size:18px;margin:0 0 2px}a{color:#2a4f9e}
.meta{color:#5d6474}
.top{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 18px}
.nav{display:flex;gap:12px}.nav .off{color:#9aa0aa}
.tabs{display:flex;gap:2px;margin:10px 0 0;border-bottom:1px solid #d6dae3}
.tabs a{padding:5px 14px;border:1px solid #d6dae3;border-bottom:none;border-radius:6px 6px 0 0;background:#f5f6f9;text-decoration:none;color:#1f2430;font-weight:600}
.tabs a.on{background:#fff;margin-bottom:-1px;padding-bottom:6px;color:#2a4f9e}
.sym{padding-top:6px}.sym.hidden{display:none}
.controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:4px 0}
.controls label{cursor:pointer;user-select:none}
.readout{min-height:1.4em;white-space:nowrap;overflow:hidden}
.chart{position:relative;width:100%;height:min(560px,calc(100vh - 190px));min-height:380px}
.tip{position:absolute;z-index:5;pointer-events:none;background:rgba(255,255,255,.96);border:1px solid #b9bfcc;border-radius:4px;padding:4px 7px;font-size:12px;line-height:1.35;box-shadow:0 2px 6px #0002;white-space:nowrap;display:none}
.tip b{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin:4px 0;color:#3d4454}
.sw{display:inline-block;width:14px;height:10px;vertical-align:middle;margin-right:4px;border:2px solid}
.ln{display:inline-block;width:16px;height:0;vertical-align:middle;margin-right:4px;border-top:2px solid}
table{border-collapse:collapse;font-size:12px;margin:4px 0}td,th{border-bottom:1px solid #eceef3;padding:2px 8px;text-align:left;white-space:nowrap}
th{background:#f5f6f9;position:sticky;top:0}details{margin:6px 0}summary{cursor:pointer;color:#2a4f9e}
.scroll{max-height:360px;overflow:auto}
.st-forming{color:#8a6d00}.st-active{color:#1b7f3a}.st-filled{color:#2a4f9e}.st-invalidated{color:#b3261e}.st-expired{color:#6b7280}.st-dropped{color:#9aa0aa}
footer{margin-top:20px;color:#5d6474;font-size:12px}`;

/** Options of {@link renderDayReport}. */
export interface RenderOptions extends ReportOptions {
  /** Links to the previous and next day's reports and to the index. */
  nav?: ReportNav;
}

function navHtml(nav: ReportNav | undefined): string {
  if (!nav) return "";
  const link = (x: { day: string; href: string } | null, rel: string, label: string) =>
    x === null
      ? `<span class="off">${label}</span>`
      : `<a href="${escapeHtml(x.href)}" rel="${rel}" data-nav="${rel}">${label.replace("day", escapeHtml(x.day))}</a>`;
  return (
    `<div class="nav">${link(nav.prev, "prev", "← day")}` +
    (nav.index === null ? "" : `<a href="${escapeHtml(nav.index)}" data-nav="index">all days</a>`) +
    `${link(nav.next, "next", "day →")}</div>`
  );
}

/**
 * The day's report as one HTML document. Pure and deterministic: the same
 * input gives byte-identical text (no generation time, no randomness). One
 * tab per symbol (`report.html#SPY` opens SPY's), links to the neighbouring
 * days and the index when given. The chart library, the drawing code and the
 * data are inlined; the page loads nothing from anywhere (its
 * Content-Security-Policy forbids it) and keeps the library's licence header
 * and TradingView's attribution link.
 */
export function renderDayReport(input: DayReportInput, o: RenderOptions = {}): string {
  const day = escapeHtml(input.day);
  const profile = escapeHtml(input.profile);
  const tabs = input.symbols
    .map(
      (s, i) =>
        `<a href="#${encodeURIComponent(s.symbol)}" data-tab="${escapeHtml(s.symbol)}" role="tab" aria-selected="${i === 0}"${i === 0 ? ' class="on"' : ""}>${escapeHtml(s.symbol)}</a>`,
    )
    .join("");
  const filter =
    o.nearestZones === undefined
      ? `every zone (the chart starts with the ${DEFAULT_NEAREST} nearest above and below price)`
      : `only the zones among the ${o.nearestZones} nearest above or below price`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>ict replay ${day} (${profile})</title>
<style>${STYLE}</style>
</head>
<body>
<div class="top"><h1>ict replay — ${day}</h1>${navHtml(o.nav)}</div>
<div class="meta">profile ${profile} · ${filter} · times in New York (America/New_York) · hover a zone for its details${o.nav ? " · ← → previous / next day" : ""}</div>
<nav class="tabs" role="tablist">${tabs}</nav>
<div id="ict-report"></div>
<footer>
Charts: TradingView Lightweight Charts™ — Copyright (c) TradingView, Inc. <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">https://www.tradingview.com/</a> — licensed under the Apache License 2.0.
</footer>
<script type="application/json" id="ict-report-data">${escapeJsonForScript(dayReportJson(input, o))}</script>
<script>
${lightweightChartsSource()}
</script>
<script>
${reportClientSource()}
</script>
</body>
</html>
`;
}

/** `ROOT/data/daily_news/<day>/processed/report.html`. */
export function reportPath(root: string, day: string): string {
  return join(processedDir(root, day), "report.html");
}

/** `ROOT/data/daily_news`: the folder of the day folders and of the report index. */
export function dailyNewsDir(root: string): string {
  return join(root, "data", "daily_news");
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The days under `ROOT/data/daily_news` that have a `report.html`, ascending. */
export function reportDays(root: string): string[] {
  const dir = dailyNewsDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => DAY.test(d) && existsSync(reportPath(root, d)))
    .sort();
}

/** The links of a day's report: its neighbours among `days` (relative to the report's folder) and the index. */
export function reportNav(day: string, days: readonly string[]): ReportNav {
  const all = [...new Set([...days, day])].sort();
  const k = all.indexOf(day);
  const href = (d: string) => `../../${d}/processed/report.html`;
  return {
    prev: k > 0 ? { day: all[k - 1]!, href: href(all[k - 1]!) } : null,
    next: k < all.length - 1 ? { day: all[k + 1]!, href: href(all[k + 1]!) } : null,
    index: "../../index.html",
  };
}

const NAV_IN_PAGE = /(<div class="top"><h1>[^<]*<\/h1>)(<div class="nav">.*?<\/div>)?(<\/div>)/;

/**
 * Rewrites the previous/next links of the reports already under the root
 * that neighbour the days just written (`days`), so that a folder filled by
 * several runs links its days as one run over all of them would. Only the
 * links change (the rest of each file is kept byte for byte); returns the
 * paths rewritten.
 */
export function relinkReports(root: string, days: readonly string[]): string[] {
  const all = reportDays(root);
  const written = new Set(days);
  const touch = new Set<string>();
  for (const d of days) {
    const k = all.indexOf(d);
    if (k < 0) continue;
    if (k > 0 && !written.has(all[k - 1]!)) touch.add(all[k - 1]!);
    if (k < all.length - 1 && !written.has(all[k + 1]!)) touch.add(all[k + 1]!);
  }
  const out: string[] = [];
  for (const d of [...touch].sort()) {
    const p = reportPath(root, d);
    const html = readFileSync(p, "utf8");
    const m = NAV_IN_PAGE.exec(html);
    if (m === null) continue;
    const next = html.slice(0, m.index) + m[1] + navHtml(reportNav(d, all)) + m[3] + html.slice(m.index + m[0].length);
    if (next === html) continue;
    writeFileAtomic(p, next, false);
    out.push(p);
  }
  return out;
}

/** Options of {@link writeDayReport}. */
export interface WriteReportOptions extends ReportOptions {
  /** The days of the run: with the days already reported under the root, they make the previous/next links. */
  days?: readonly string[];
  /** Flush to disk (default false). */
  durable?: boolean;
}

/**
 * Renders the day's report and writes it atomically to {@link reportPath};
 * returns the path. Its previous/next links go to the neighbouring days among
 * `days` and the reports already under the root. Not flushed to disk by
 * default: the rename already leaves either the old or the new file to a
 * killed process, and a report is derived from the day's durably written
 * capsules and context.
 */
export function writeDayReport(root: string, input: DayReportInput, o: WriteReportOptions = {}): string {
  const p = reportPath(root, input.day);
  const nav = reportNav(input.day, [...(o.days ?? []), ...reportDays(root)]);
  writeFileAtomic(p, renderDayReport(input, { nearestZones: o.nearestZones, nav }), o.durable ?? false);
  return p;
}
