/**
 * What the day report shows, checked on its data and files: zones end where
 * they were filled, invalidated or expired; the nearest-N filter; the kind
 * colours' contrast and hues; the index and the previous/next links; the
 * bundled drawing code matches its sources.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aggregate, columnsFromText, OptionError, parseIsoMs, type Columns } from "@ict/core";
import { type Capsule } from "@ict/pipeline";
import { runCli } from "../src/main.js";
import { replay, type ReplaySummary } from "../src/replay.js";
import { CLIENT_BUNDLE, nearestZones, reportIndexPath, reportPath, type ZoneBox } from "../src/report/index.js";
import { nearestSpans } from "../src/report/filter.js";
import { BACKGROUND, ZONE_COLORS } from "../src/report/palette.js";
import { bundleReportClient } from "../scripts/build-report-client.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = resolve(here, "../../../packages/core/test/fixtures/golden");
const load = (f: string) => columnsFromText(readFileSync(join(GOLDEN, "inputs", f), "utf8"));
const BARS = { QQQ: load("pair_1m.json"), SPY: load("pair_1m.ref.json") };

const temps: string[] = [];
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** The JSON data island of a report, parsed. */
function reportData(file: string): any {
  const m = /<script type="application\/json" id="ict-report-data">([\s\S]*?)<\/script>/.exec(readFileSync(file, "utf8"));
  expect(m, "data island").not.toBeNull();
  return JSON.parse(m![1]!);
}

const secOf = (iso: unknown): number | null => (typeof iso === "string" && iso !== "" ? Math.floor(parseIsoMs(iso) / 1000) : null);

/** Every zone record of a capsule by the tracker's id. */
function recordsById(cap: Capsule): Map<string, Record<string, any>> {
  const out = new Map<string, Record<string, any>>();
  for (const key of ["tf_1m", "tf_5m"] as const) {
    const f = cap.features[key] as unknown as Record<string, any>;
    const tf = String(f.tf);
    for (const r of f.fvg) out.set(`FVG:${tf}:${r.start}`, r);
    for (const r of f.ifvg) out.set(`IFVG:${tf}:${r.start}`, r);
    for (const r of f.ob) out.set(`OB:${tf}:${r.time}`, r);
    for (const r of f.bb) out.set(`BB:${tf}:${r.from_ob_time}`, r);
  }
  return out;
}

describe("report zones end where they were filled, invalidated or expired", () => {
  let out: string;
  let run: ReplaySummary;
  beforeAll(async () => {
    out = temp("ict-rep-end-");
    run = await replay({ bars: BARS, out, write: "close" });
  });

  it("each box ends at the first of its record's fill/trade-through/invalidation and the tracker's terminal status; boxes alive at the close had neither", () => {
    const ends: Record<string, number> = {};
    for (const [k, day] of run.days.entries()) {
      const data = reportData(run.reports[k]!);
      const ctx = JSON.parse(readFileSync(join(out, "data", "daily_news", day, "processed", "current_context.json"), "utf8"));
      for (const s of data.symbols) {
        const cap = JSON.parse(
          readFileSync(join(out, "data", "daily_news", day, "processed", "context_capsules", `${s.symbol}.json`), "utf8"),
        ) as Capsule;
        const recs = recordsById(cap);
        // The tracker's final state of the symbol (terminal records are kept 90 minutes after they end).
        const finalState = new Map<string, any>(
          ctx.symbols.find((x: any) => x.symbol === s.symbol).state.confluences.map((c: any) => [c.id, c]),
        );
        for (const z of s.zones as ZoneBox[]) {
          const r = recs.get(z.id);
          expect(r, z.id).toBeDefined();
          const own = (z.kind === "FVG" ? [r!.filled_at, r!.traded_through_at] : [r!.invalidated_at])
            .map(secOf)
            .filter((x): x is number => x !== null);
          if (z.to === null) {
            expect(own, z.id).toEqual([]);
            const st = finalState.get(z.id);
            if (st) expect(["active", "forming"], z.id).toContain(st.status);
            continue;
          }
          ends[z.end!] = (ends[z.end!] ?? 0) + 1;
          if (own.length > 0) expect(z.to, z.id).toBeLessThanOrEqual(Math.max(z.from, Math.min(...own)));
          if (z.end !== "expired") continue;
          // Expired: the tracker's time to live ran out (1m: 90 bars, 5m: 78, from the bar the record became
          // known on: the open of that many bars later, nights not counted), before any event of its own.
          const all = (BARS as Record<string, Columns>)[s.symbol]!;
          const times = z.tf === "1m" ? all.t : aggregate(all, 5).t;
          const k = times.indexOf(parseIsoMs(r!.known_time ?? r!.retested_at));
          expect(k, z.id).toBeGreaterThanOrEqual(0);
          expect(z.to, z.id).toBe(Math.max(z.from, times[k + (z.tf === "1m" ? 90 : 78)]! / 1000));
          for (const o of own) expect(o).toBeGreaterThan(z.to!);
        }
      }
    }
    // The fixture day has all three endings.
    expect(ends.filled).toBeGreaterThan(5);
    expect(ends.invalidated).toBeGreaterThan(5);
    expect(ends.expired).toBeGreaterThan(5);
  });
});

describe("nearest-N zones", () => {
  const z = (id: string, tf: string, low: number, high: number, from = 0, to: number | null = null): ZoneBox => ({
    id,
    kind: "FVG",
    tf,
    dir: "bull",
    from,
    to,
    end: to === null ? null : "filled",
    low,
    high,
    ce: null,
  });

  it("keeps, per timeframe and bar, the n nearest live zones above and below the close (a zone around the close counts on both sides)", () => {
    const zones = [
      z("a1", "5m", 101, 101.5),
      z("a2", "5m", 102, 102.5),
      z("a3", "5m", 103, 103.5),
      z("b1", "5m", 98.5, 99),
      z("b2", "5m", 97.5, 98),
      z("in", "5m", 99.5, 100.5),
      z("far", "1m", 110, 111),
      z("late", "5m", 100.6, 100.8, 120),
      z("gone", "5m", 100.7, 100.9, 0, 60),
    ];
    const t = [0, 60, 120];
    const c = [100, 100, 100];
    const ids = (n: number) => nearestZones(zones, t, c, n).map((x) => x.id);
    // n = 1: the zone around the close fills both sides; the only 1m zone is the nearest of its timeframe.
    expect(ids(1)).toEqual(["in", "far"]);
    // n = 2: above, "gone" is second until it ends at 60, then "late" (formed at 120); a1 never makes it. Below: b1.
    expect(ids(2)).toEqual(["b1", "in", "far", "late", "gone"]);
    const spans = nearestSpans(zones, t, c, 2);
    expect(spans[zones.findIndex((x) => x.id === "gone")]).toEqual([[0, 60]]);
    expect(spans[zones.findIndex((x) => x.id === "late")]).toEqual([[120, 180]]);
    expect(spans[0]).toEqual([]);
    expect(ids(3)).toEqual(["a1", "b1", "b2", "in", "far", "late", "gone"]);
    expect(spans[zones.findIndex((x) => x.id === "in")]).toEqual([[0, 180]]);
    expect(ids(10)).toEqual(zones.map((x) => x.id));
  });

  it("ict replay --report-zones 2 keeps exactly the zones that were among the 2 nearest at some bar (brute force over the full report)", async () => {
    const full = temp("ict-rep-nz-full-");
    const some = temp("ict-rep-nz-2-");
    const a = await replay({ bars: BARS, out: full, write: "close", from: "2024-01-02", to: "2024-01-02" });
    const b = await replay({ bars: BARS, out: some, write: "close", from: "2024-01-02", to: "2024-01-02", reportZones: 2 });
    const all = reportData(a.reports[0]!);
    const near = reportData(b.reports[0]!);
    expect(all.nearestZones).toBeNull();
    expect(near.nearestZones).toBe(2);
    for (const [k, s] of all.symbols.entries()) {
      const kept = near.symbols[k];
      expect(kept.zonesTotal).toBe(s.zones.length);
      expect(kept.zones.length).toBeLessThan(s.zones.length);
      const want = new Set<string>();
      for (let i = 0; i < s.t.length; i++) {
        const close = s.c[i];
        for (const tf of ["1m", "5m"]) {
          const live = (s.zones as ZoneBox[]).filter((x) => x.tf === tf && x.from <= s.t[i] && (x.to === null || x.to >= s.t[i]));
          const dist = (x: ZoneBox, up: boolean) => (x.low < close && x.high > close ? 0 : up ? x.low - close : close - x.high);
          for (const up of [true, false]) {
            const side = live.filter((x) => (x.low < close && x.high > close) || (up ? x.low >= close : x.high <= close));
            side.sort((p, q) => dist(p, up) - dist(q, up) || s.zones.indexOf(p) - s.zones.indexOf(q));
            for (const x of side.slice(0, 2)) want.add(x.id);
          }
        }
      }
      expect(kept.zones.map((x: ZoneBox) => x.id)).toEqual((s.zones as ZoneBox[]).filter((x) => want.has(x.id)).map((x) => x.id));
    }
  });

  it("rejects a count that is not a positive integer: typed error naming the option, CLI usage error", async () => {
    const out = temp("ict-rep-nz-bad-");
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(replay({ bars: BARS, out, write: "close", reportZones: bad })).rejects.toSatisfy(
        (e: unknown) => e instanceof OptionError && e.option === "reportZones" && e.message.includes(String(bad)),
      );
    }
    let stderr = "";
    const code = await runCli(["replay", "--bars", `QQQ=${join(GOLDEN, "inputs", "pair_1m.json")}`, "--out", out, "--report-zones", "0"], {
      stdout: () => {},
      stderr: (s) => (stderr += s),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('--report-zones expects a positive whole number of zones per side, got "0"');
    expect(existsSync(join(out, "data"))).toBe(false);
  });
});

describe("zone colours", () => {
  /** WCAG 2.x relative luminance of `#rrggbb`. */
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const contrast = (a: string, b: string) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x! + 0.05) / (y! + 0.05);
  };
  const hue = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
    const max = Math.max(r, g, b),
      min = Math.min(r, g, b),
      d = max - min;
    if (d === 0) return NaN;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
  };
  const colours = Object.entries(ZONE_COLORS).flatMap(
    ([kind, c]) =>
      [
        [`${kind} bull`, c.bull],
        [`${kind} bear`, c.bear],
      ] as [string, string][],
  );

  it("every kind and direction reads on the chart's background (WCAG contrast ratio ≥ 3:1)", () => {
    expect(colours.length).toBe(8);
    for (const [name, c] of colours) expect(contrast(c, BACKGROUND), `${name} ${c}`).toBeGreaterThanOrEqual(3);
    // The check itself: white on white is 1:1, black on white 21:1.
    expect(contrast("#ffffff", "#ffffff")).toBeCloseTo(1, 5);
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
  });

  it("no two kinds share a hue: every pair at least 20° apart on the colour wheel", () => {
    for (let i = 0; i < colours.length; i++) {
      for (let j = i + 1; j < colours.length; j++) {
        const d = Math.abs(hue(colours[i]![1]) - hue(colours[j]![1]));
        expect(Math.min(d, 360 - d), `${colours[i]![0]} vs ${colours[j]![0]}`).toBeGreaterThanOrEqual(20);
      }
    }
    // FVG bull and IFVG bull (nearly the same colour before) are now far apart.
    const d = Math.abs(hue(ZONE_COLORS.FVG.bull) - hue(ZONE_COLORS.IFVG.bull));
    expect(Math.min(d, 360 - d)).toBeGreaterThanOrEqual(45);
  });
});

describe("report index and links between days", () => {
  let out: string;
  let first: ReplaySummary;
  let second: ReplaySummary;
  beforeAll(async () => {
    out = temp("ict-rep-index-");
    // Two runs into one folder: the index covers both, the later day links back to the earlier one.
    first = await replay({ bars: BARS, out, write: "close", to: "2024-01-02" });
    second = await replay({ bars: BARS, out, write: "close", from: "2024-01-03" });
  });

  /** Every href of a page, resolved against its folder: [file, hash]. */
  const links = (file: string): { href: string; target: string; hash: string }[] =>
    [
      ...readFileSync(file, "utf8")
        .replace(/<script\\b[\s\S]*?<\/script>/g, "")
        .matchAll(/href="([^"]*)"/g),
    ]
      .map((m) => m[1]!)
      .filter((h) => !h.startsWith("data:") && !h.startsWith("https://www.tradingview.com/"))
      .map((href) => {
        const [path, hash = ""] = href.split("#");
        return { href, target: path === "" ? file : resolve(dirname(file), path!), hash: decodeURIComponent(hash) };
      });

  it("index.html sits in DIR/data/daily_news, lists every day under it, and each symbol link opens an existing report at that symbol's tab", () => {
    const index = reportIndexPath(out);
    expect(index).toBe(join(out, "data", "daily_news", "index.html"));
    expect(first.reportIndex).toBe(index);
    expect(second.reportIndex).toBe(index);
    const ls = links(index);
    const days = ["2024-01-02", "2024-01-03"];
    for (const day of days) {
      const report = reportPath(out, day);
      const symbolsOfDay = reportData(report).symbols.map((s: any) => s.symbol);
      expect(symbolsOfDay).toEqual(["QQQ", "SPY"]);
      const toDay = ls.filter((l) => l.target === report);
      expect(toDay.map((l) => l.hash).sort()).toEqual(["", ...symbolsOfDay].sort());
    }
    for (const l of ls) {
      expect(existsSync(l.target), l.href).toBe(true);
      if (l.hash)
        expect(
          reportData(l.target).symbols.map((s: any) => s.symbol),
          l.href,
        ).toContain(l.hash);
    }
    expect(ls.length).toBe(6);
  });

  it("each report links to its previous and next day and to the index, and has one tab per symbol", () => {
    const [d1, d2] = [reportPath(out, "2024-01-02"), reportPath(out, "2024-01-03")];
    const html1 = readFileSync(d1, "utf8");
    const html2 = readFileSync(d2, "utf8");
    const nav = (html: string, rel: string) =>
      [...html.matchAll(/<a href="([^"]*)"(?: rel="\w+")? data-nav="(\w+)"/g)].find((m) => m[2] === rel)?.[1];
    // Day 1 was written by the first run, before day 2 existed: the second run relinked it.
    expect(nav(html1, "prev")).toBeUndefined();
    expect(nav(html1, "index")).toBe("../../index.html");
    expect(nav(html1, "next")).toBe("../../2024-01-03/processed/report.html");
    expect(nav(html2, "prev")).toBe("../../2024-01-02/processed/report.html");
    expect(nav(html2, "next")).toBeUndefined();
    expect(readFileSync(first.reports[0]!, "utf8")).toBe(html1);
    for (const f of [d1, d2]) {
      for (const l of links(f)) {
        expect(existsSync(l.target), l.href).toBe(true);
        if (l.hash) expect(reportData(l.target).symbols.map((s: any) => s.symbol)).toContain(l.hash);
      }
      const tabs = [...readFileSync(f, "utf8").matchAll(/<a href="#([^"]+)" data-tab="([^"]+)"/g)].map((m) => m[2]);
      expect(tabs).toEqual(reportData(f).symbols.map((s: any) => s.symbol));
    }
  });

  it("two runs into one folder give the reports and index of one run over both days, byte for byte", async () => {
    const both = temp("ict-rep-index-both-");
    const s = await replay({ bars: BARS, out: both, write: "close" });
    expect(s.reports.length).toBe(2);
    const h1 = readFileSync(s.reports[0]!, "utf8");
    const h2 = readFileSync(s.reports[1]!, "utf8");
    expect(h1).toContain('<a href="../../2024-01-03/processed/report.html" rel="next" data-nav="next">2024-01-03 →</a>');
    expect(h2).toContain('<a href="../../2024-01-02/processed/report.html" rel="prev" data-nav="prev">← 2024-01-02</a>');
    expect(readFileSync(reportPath(out, "2024-01-02"), "utf8")).toBe(h1);
    expect(readFileSync(reportPath(out, "2024-01-03"), "utf8")).toBe(h2);
    expect(readFileSync(reportIndexPath(out), "utf8")).toBe(readFileSync(reportIndexPath(both), "utf8"));
  });
});

describe("the bundled drawing code", () => {
  it("dist/report-client.js is the bundle of src/report/client (rebuild with pnpm build)", async () => {
    expect(readFileSync(CLIENT_BUNDLE, "utf8")).toBe(await bundleReportClient());
  });
});
