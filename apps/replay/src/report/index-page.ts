/**
 * The report index: `ROOT/data/daily_news/index.html`, one row per replayed
 * day with a link per symbol to that symbol's tab of the day's report and the
 * tracker's stages at the day's close. Plain HTML (no script), opens from disk.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@ict/pipeline/node";
import { dailyNewsDir, escapeHtml, relinkReports, reportDays } from "./html.js";

/** One symbol of one day in the index. */
export interface IndexCell {
  symbol: string;
  /** The tracker's stages at the day's close (from `current_context.json`), null when unknown. */
  htf: string | null;
  ltf: string | null;
  bias: string | null;
}

/** One day of the index. */
export interface IndexDay {
  day: string;
  symbols: IndexCell[];
}

/** `ROOT/data/daily_news/index.html`. */
export function reportIndexPath(root: string): string {
  return join(dailyNewsDir(root), "index.html");
}

/** What the index shows of one day: its symbols (the capsules written that day) and their stages at the close. */
function dayEntry(root: string, day: string): IndexDay {
  const proc = join(dailyNewsDir(root), day, "processed");
  const capsDir = join(proc, "context_capsules");
  const names = existsSync(capsDir)
    ? readdirSync(capsDir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
  const states = new Map<string, Record<string, unknown>>();
  try {
    const ctx = JSON.parse(readFileSync(join(proc, "current_context.json"), "utf8")) as {
      symbols?: { symbol?: unknown; state?: Record<string, unknown> }[];
    };
    for (const s of ctx.symbols ?? []) if (typeof s.symbol === "string" && s.state) states.set(s.symbol, s.state);
  } catch {
    // No context (or not readable): the index shows the links without the stages.
  }
  const str = (x: unknown) => (typeof x === "string" ? x : null);
  return {
    day,
    symbols: names.map((symbol) => ({
      symbol,
      htf: str(states.get(symbol)?.htf_stage),
      ltf: str(states.get(symbol)?.ltf_stage),
      bias: str(states.get(symbol)?.bias),
    })),
  };
}

const STYLE = `body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:12px 16px;color:#1f2430;background:#fff}
h1{font-size:18px;margin:0 0 4px}.meta{color:#5d6474}a{color:#2a4f9e}
table{border-collapse:collapse;margin:10px 0}td,th{border-bottom:1px solid #eceef3;padding:4px 12px;text-align:left;white-space:nowrap}
th{background:#f5f6f9;position:sticky;top:0}td a{font-weight:600;margin-right:6px}.st{color:#5d6474;font-size:12px}
.bull{color:#1b7f3a}.bear{color:#b3261e}`;

/** The index page of the given days (ascending), each linking to its report's symbol tabs. Deterministic. */
export function renderReportIndex(days: readonly IndexDay[]): string {
  const symbols = [...new Set(days.flatMap((d) => d.symbols.map((s) => s.symbol)))].sort();
  const head = `<tr><th>day (New York)</th>${symbols.map((s) => `<th>${escapeHtml(s)}</th>`).join("")}</tr>`;
  const rows = [...days]
    .reverse()
    .map((d) => {
      const href = `${d.day}/processed/report.html`;
      const cells = symbols.map((sym) => {
        const c = d.symbols.find((x) => x.symbol === sym);
        if (!c) return "<td>—</td>";
        const st =
          c.htf === null
            ? ""
            : ` <span class="st">${escapeHtml(c.htf)} / ${escapeHtml(c.ltf ?? "—")}${c.bias ? ` · <span class="${c.bias === "bull" ? "bull" : "bear"}">${escapeHtml(c.bias)}</span>` : ""}</span>`;
        return `<td><a href="${escapeHtml(href)}#${encodeURIComponent(sym)}" data-symbol="${escapeHtml(sym)}">${escapeHtml(sym)}</a>${st}</td>`;
      });
      return `<tr><td><a href="${escapeHtml(href)}" data-day="${d.day}">${d.day}</a></td>${cells.join("")}</tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>ict replay — ${days.length} day${days.length === 1 ? "" : "s"}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>ict replay — day reports</h1>
<div class="meta">${days.length} day${days.length === 1 ? "" : "s"}${days.length ? `, ${days[0]!.day} … ${days[days.length - 1]!.day}` : ""}, newest first · each symbol links to its tab of the day's report · stages at the close: HTF / LTF · bias</div>
<table>
${head}
${rows}
</table>
</body>
</html>
`;
}

/**
 * Writes `ROOT/data/daily_news/index.html` over every day under the root
 * that has a `report.html` (this run's and earlier runs'); returns its path.
 * With `written` (the days this run reported), first relinks the earlier
 * runs' reports that neighbour them ({@link relinkReports}).
 */
export function writeReportIndex(root: string, written: readonly string[] = []): string {
  relinkReports(root, written);
  const p = reportIndexPath(root);
  writeFileAtomic(p, renderReportIndex(reportDays(root).map((d) => dayEntry(root, d))), false);
  return p;
}
