import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { aggregate, columnsFromText, computeFeatures, nyDate, smtObjects, sliceColumns, structureEvents } from "@ict/core";
import { ZONE_HISTORY_DAYS, type Capsule } from "@ict/pipeline";
import { runCli } from "../src/main.js";
import { replay, type ReplaySummary } from "../src/replay.js";
import {
  DayReportCollector,
  escapeJsonForScript,
  renderDayReport,
  reportNav,
  reportPath,
  writeDayReport,
  type DayReportInput,
} from "../src/report/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = resolve(here, "../../../packages/core/test/fixtures/golden");
const load = (f: string) => columnsFromText(readFileSync(join(GOLDEN, "inputs", f), "utf8"));
const BARS = { QQQ: load("pair_1m.json"), SPY: load("pair_1m.ref.json") };

const temps: string[] = [];
/** A temporary folder, removed after the file's tests. */
function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** The JSON data island of a report, parsed. */
function reportData(html: string): any {
  const m = /<script type="application\/json" id="ict-report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m, "data island").not.toBeNull();
  return JSON.parse(m![1]!);
}

/** Replays the fixture pair, keeping the report inputs the replay built. */
async function replayWithInputs(
  profile: "ict" | "seed-v0.1",
  out: string,
  from?: string,
): Promise<{ summary: ReplaySummary; inputs: DayReportInput[] }> {
  const spy = vi.spyOn(DayReportCollector.prototype, "finish");
  try {
    const summary = await replay({ bars: BARS, out, write: "close", profile, from });
    return { summary, inputs: spy.mock.results.map((r) => r.value as DayReportInput) };
  } finally {
    spy.mockRestore();
  }
}

const zoneRecords = (f: any) => f.fvg.length + f.ifvg.length + f.ob.length + f.bb.length;

/**
 * The zone records an ict capsule of a day lists, recomputed: the detectors
 * over the day and the ZONE_HISTORY_DAYS earlier days of the file, records of
 * those days only while not ended (filled, closed through, invalidated)
 * before the day's first bar.
 */
function dayZones(f: any, dayStart: number): number {
  const t = (x: unknown) => (typeof x === "string" ? Date.parse(x) : NaN);
  const live = (known: number, ends: number[]) => known >= dayStart || ends.every((e) => Number.isNaN(e) || e >= dayStart);
  return (
    f.fvg.filter((r: any) => live(t(r.known_time), [Math.min(t(r.filled_at) || Infinity, t(r.traded_through_at) || Infinity)])).length +
    f.ifvg.filter((r: any) => live(t(r.known_time ?? r.retested_at), [t(r.invalidated_at)])).length +
    f.ob.filter((r: any) => live(t(r.known_time), [t(r.invalidated_at)])).length +
    f.bb.filter((r: any) => live(t(r.known_time), [t(r.invalidated_at)])).length
  );
}

/** The first row of the ZONE_HISTORY_DAYS New York days before row `from`. */
function zoneHistoryStart(all: { t: Float64Array }, from: number): number {
  const days = new Set<string>();
  let i = from;
  while (i > 0) {
    const d = nyDate(all.t[i - 1]!);
    if (!days.has(d) && days.size === ZONE_HISTORY_DAYS) break;
    days.add(d);
    i--;
  }
  return i;
}

describe("day report (ict profile, synthetic golden pair)", () => {
  const out = temp("ict-report-");
  let run: { summary: ReplaySummary; inputs: DayReportInput[] };
  beforeAll(async () => {
    run = await replayWithInputs("ict", out);
  });

  it("writes one report.html per replayed day, at the day's processed folder, and lists them in the summary", () => {
    expect(run.summary.days.length).toBe(2);
    expect(run.summary.reports).toEqual(run.summary.days.map((d) => join(out, "data", "daily_news", d, "processed", "report.html")));
    expect(run.summary.reports).toEqual(run.summary.days.map((d) => reportPath(out, d)));
    for (const p of run.summary.reports) expect(existsSync(p)).toBe(true);
    expect(run.inputs.map((i) => i.day)).toEqual(run.summary.days);
  });

  it("embeds every zone, break and SMT of the day's last capsule and bars", () => {
    for (const [k, day] of run.summary.days.entries()) {
      const data = reportData(readFileSync(run.summary.reports[k]!, "utf8"));
      expect(data.day).toBe(day);
      expect(data.profile).toBe("ict");
      expect(data.symbols.map((s: any) => s.symbol)).toEqual(["QQQ", "SPY"]);
      for (const s of data.symbols) {
        // Independently of the report: the capsule file the replay wrote, and the detectors on the day's bars.
        const capsule = JSON.parse(
          readFileSync(join(out, "data", "daily_news", day, "processed", "context_capsules", `${s.symbol}.json`), "utf8"),
        ) as Capsule;
        const want = zoneRecords(capsule.features.tf_1m) + zoneRecords(capsule.features.tf_5m);
        expect(want).toBeGreaterThan(10);
        expect(s.zones.length).toBe(want);
        const all = (BARS as Record<string, ReturnType<typeof load>>)[s.symbol]!;
        const from = all.t.findIndex((t) => t === s.t[0] * 1000);
        const bars = sliceColumns(all, from, from + s.t.length);
        expect(s.zonesTotal).toBe(want);
        const win = sliceColumns(all, zoneHistoryStart(all, from), from + s.t.length);
        expect(s.zones.filter((z: any) => z.tf === "1m").length).toBe(dayZones(computeFeatures(win, { tf: "1m" }), all.t[from]!));
        expect(s.zones.filter((z: any) => z.tf === "5m").length).toBe(
          dayZones(computeFeatures(aggregate(win, 5), { tf: "5m" }), all.t[from]!),
        );
        for (const z of s.zones) {
          expect(z.low).toBeLessThanOrEqual(z.high);
          expect(z.id.startsWith(`${z.kind}:${z.tf}:`)).toBe(true);
          if (z.to !== null) {
            expect(z.to).toBeGreaterThanOrEqual(z.from);
            expect(["filled", "invalidated", "expired"]).toContain(z.end);
          } else expect(z.end).toBeNull();
        }
        expect(s.breaks.length).toBe(structureEvents(bars).length + structureEvents(aggregate(bars, 5)).length);
        for (const b of s.breaks) expect(b.from).toBeLessThan(b.at); // from the broken swing to the break bar
        expect(s.smt.length).toBe(capsule.features.smt.length);
        expect([s.o.length, s.h.length, s.l.length, s.c.length, s.v.length]).toEqual([
          s.t.length,
          s.t.length,
          s.t.length,
          s.t.length,
          s.t.length,
        ]);
        // One stage row per change, starting at the first tick; one life per tracked confluence.
        expect(s.stages[0].t).toBe(s.t[0]);
        expect(s.confs.length).toBeGreaterThan(0);
        for (const c of s.confs) for (let i = 1; i < c.events.length; i++) expect(c.events[i].t).toBeGreaterThanOrEqual(c.events[i - 1].t);
      }
    }
    const qqqSmt = reportData(readFileSync(run.summary.reports[0]!, "utf8")).symbols[0].smt.length;
    expect(qqqSmt).toBe(smtObjects(aggregate(sliceColumns(BARS.QQQ, 0, 390), 5), aggregate(sliceColumns(BARS.SPY, 0, 390), 5)).length);
  });

  it("is deterministic: the same input renders byte-identical HTML, and a second replay writes the same files", async () => {
    const input = run.inputs[0]!;
    const a = renderDayReport(input, { nav: reportNav(input.day, run.summary.days) });
    expect(renderDayReport(input, { nav: reportNav(input.day, run.summary.days) })).toBe(a);
    expect(readFileSync(run.summary.reports[0]!, "utf8")).toBe(a);
    const out2 = temp("ict-report-b-");
    const again = await replayWithInputs("ict", out2);
    for (const [k, p] of again.summary.reports.entries())
      expect(readFileSync(p, "utf8")).toBe(readFileSync(run.summary.reports[k]!, "utf8"));
  });

  it("records each confluence's life from the tracker: statuses in tick order, terminal ones final unless it comes back", () => {
    const input = run.inputs[0]!;
    const qqq = input.symbols.find((s) => s.symbol === "QQQ")!;
    expect(qqq.timeline.length).toBe(390);
    const statuses = new Set(qqq.confluences.flatMap((c) => c.events.map((e) => e.status)));
    expect(statuses).toContain("active");
    expect([...statuses].some((s) => s === "filled" || s === "invalidated")).toBe(true);
    for (const c of qqq.confluences) {
      expect(c.id.startsWith(`${c.kind}:${c.tf}:`)).toBe(true);
      for (let i = 1; i < c.events.length; i++) expect(c.events[i]!.status).not.toBe(c.events[i - 1]!.status);
    }
  });

  it("loads nothing from the network: no external script, style, image or font; a CSP forbids any load", () => {
    const html = readFileSync(run.summary.reports[0]!, "utf8");
    // The markup outside the inline scripts: the only absolute URL is TradingView's attribution link.
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "");
    expect(markup).not.toMatch(/\bsrc\s*=/i);
    expect(markup).not.toMatch(/<link\b[^>]*href\s*=\s*["']?(https?:)?\/\//i);
    expect(markup).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(markup).not.toMatch(/@import/i);
    expect(markup.match(/https?:\/\/[^\s"'<>]+/g)).toEqual(["https://www.tradingview.com/", "https://www.tradingview.com/"]);
    expect(markup).toMatch(/<a href="https:\/\/www\.tradingview\.com\/"/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline';/);
    expect(html).not.toMatch(/<script[^>]+\bsrc=/i);
    expect(html).not.toMatch(/\b(fetch|XMLHttpRequest|importScripts|WebSocket|EventSource)\s*\(/);
    // Exactly three scripts: the data, the library (licence header kept), the drawing code.
    expect(html.match(/<script\b/g)!.length).toBe(3);
    expect(html.match(/<\/script>/g)!.length).toBe(3);
    expect(html).toContain("@license\n * TradingView Lightweight Charts™");
    expect(html).toContain("Licensed under Apache License 2.0");
  });

  it("embeds hostile text safely: no </script> or <!-- inside the data, and it parses back unchanged", () => {
    const evil = "</script><script>alert(1)</script><!-- \u2028\u2029 & \"'";
    const base = run.inputs[1]!;
    const input: DayReportInput = {
      ...base,
      symbols: base.symbols.map((s) => ({
        ...s,
        symbol: s.symbol + evil,
        confluences: s.confluences.map((c) => ({ ...c, summary: c.summary + evil })),
      })),
    };
    const html = renderDayReport(input);
    const island = /<script type="application\/json" id="ict-report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(island).not.toMatch(/<|\u2028|\u2029/);
    const data = JSON.parse(island);
    expect(data.symbols[0].symbol).toBe("QQQ" + evil);
    expect(data.symbols[1].confs[0].summary.endsWith(evil)).toBe(true);
    expect(html.match(/<\/script>/g)!.length).toBe(3);
    // The page's visible text escapes it too.
    expect(html).toContain("QQQ&#60;/script&#62;&#60;script&#62;alert(1)");
    expect(escapeJsonForScript(JSON.stringify({ a: "</x>" }))).toBe('{"a":"\\u003c/x>"}');
    expect(JSON.parse(escapeJsonForScript(JSON.stringify({ a: "</x>\u2028" })))).toEqual({ a: "</x>\u2028" });
  });

  it("writeDayReport writes the rendered text atomically to the day's report.html", () => {
    const other = temp("ict-report-w-");
    const p = writeDayReport(other, run.inputs[1]!);
    expect(p).toBe(reportPath(other, run.inputs[1]!.day));
    // Alone under its root: no neighbouring day, a link to the index.
    expect(readFileSync(p, "utf8")).toBe(renderDayReport(run.inputs[1]!, { nav: { prev: null, next: null, index: "../../index.html" } }));
    expect(() => reportPath(other, "../etc")).toThrow(/invalid day/);
  });
});

describe("day report (seed-v0.1 profile: seed record shapes)", () => {
  it("draws what the seed records carry (no event times): zones to the day's end or to the tracker's terminal status", async () => {
    const out = temp("ict-report-seed-");
    const { summary, inputs } = await replayWithInputs("seed-v0.1", out, "2024-01-03");
    expect(summary.reports.length).toBe(1);
    const data = reportData(readFileSync(summary.reports[0]!, "utf8"));
    expect(data.profile).toBe("seed-v0.1");
    for (const s of data.symbols) {
      const cap = inputs[0]!.symbols.find((x) => x.symbol === s.symbol)!.capsule!;
      expect(s.zones.length).toBe(zoneRecords(cap.features.tf_1m) + zoneRecords(cap.features.tf_5m));
      expect(s.zones.length).toBeGreaterThan(0);
      expect(s.stages.length).toBeGreaterThan(0);
      expect(s.final.bias).toBeNull(); // the seed's state has no bias
    }
    // A seed FVG reported filled by the tracker ends there.
    const ended = data.symbols.flatMap((s: any) => s.zones.filter((z: any) => z.kind === "FVG" && z.to !== null));
    expect(ended.length).toBeGreaterThan(0);
    for (const z of ended) expect(z.end).toBe("filled");
  });
});

describe("replay option report: false and ict replay --no-report", () => {
  const tmp = temp("ict-report-cli-");

  it("report: false writes no report.html", async () => {
    const out = join(tmp, "none");
    const s = await replay({ bars: BARS, out, write: "close", from: "2024-01-03", report: false });
    expect(s.reports).toEqual([]);
    expect(existsSync(reportPath(out, "2024-01-03"))).toBe(false);
    expect(existsSync(join(out, "data", "daily_news", "2024-01-03", "processed", "current_context.json"))).toBe(true);
  });

  it("the CLI prints each report's path, and --no-report skips them", async () => {
    const run = async (...extra: string[]) => {
      let stdout = "";
      let stderr = "";
      const args = [
        "replay",
        "--bars",
        `QQQ=${join(GOLDEN, "inputs", "pair_1m.json")}`,
        "--bars",
        `SPY=${join(GOLDEN, "inputs", "pair_1m.ref.json")}`,
        "--from",
        "2024-01-03",
        "--write",
        "close",
        "--quiet",
        ...extra,
      ];
      const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
      return { code, stdout, stderr };
    };
    const a = await run("--out", join(tmp, "a"));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain(`report: ${reportPath(join(tmp, "a"), "2024-01-03")}\n`);
    expect(existsSync(reportPath(join(tmp, "a"), "2024-01-03"))).toBe(true);
    const b = await run("--out", join(tmp, "b"), "--no-report");
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).not.toContain("report:");
    expect(existsSync(reportPath(join(tmp, "b"), "2024-01-03"))).toBe(false);
  });
});
