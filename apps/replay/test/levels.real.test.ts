/**
 * The capsules of a replay of real extended-hours SPY and QQQ bars around the
 * November 2025 DST change, against levels and session ranges recomputed here
 * from the raw bars with Intl's America/New_York clock (not the library's
 * arithmetic): previous day (regular session), overnight range and every
 * session and killzone window with bars.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { columnsFromCsv, type Columns } from "@ict/core";
import { replay } from "../src/replay.js";
import { HAS_SHARED, NO_SHARED_REASON, SHARED } from "../../../packages/core/test/helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "ict-levels-real-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fmt = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
function local(t: number): { date: string; min: number } {
  const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, min: Number(p.hour) * 60 + Number(p.minute) };
}

/** The default equity windows in their order, minutes of the New York day (Asia: 20:00–00:00 of the evening before, -240…0). */
const WINDOWS: Array<[string, number, number]> = [
  ["pre_market", 240, 570],
  ["regular", 570, 960],
  ["after_hours", 960, 1200],
  ["asia", -240, 0],
  ["london", 120, 300],
  ["silver_bullet_london", 180, 240],
  ["ny_am", 420, 600],
  ["silver_bullet_am", 600, 660],
  ["london_close", 600, 720],
  ["lunch", 720, 780],
  ["ny_pm", 810, 960],
  ["silver_bullet_pm", 840, 900],
];

describe.skipIf(!HAS_SHARED && !process.env.CI)(`real extended hours${HAS_SHARED ? "" : ` (skipped: ${NO_SHARED_REASON})`}`, () => {
  it("../shared is present (required in CI)", () => {
    expect(HAS_SHARED).toBe(true);
  });

  it("SPY and QQQ 2025-10-29 … 2025-11-05 (DST ends 11-02): levels and sessions equal an independent recomputation", async () => {
    const read = (sym: string): Columns =>
      columnsFromCsv(
        gunzipSync(readFileSync(join(SHARED, `data/real/${sym}_1m/${sym}_1m_20250811_20260120_polygon_eth.csv.gz`))).toString("utf8"),
      );
    const bars = { SPY: read("SPY"), QQQ: read("QQQ") };
    const out = join(tmp, "out");
    const s = await replay({ bars, out, from: "2025-10-29", to: "2025-11-05", write: "close", report: false });
    // The files have no bars on 2025-10-31: the previous day of 11-03 is 10-30.
    expect(s.days).toEqual(["2025-10-29", "2025-10-30", "2025-11-03", "2025-11-04", "2025-11-05"]);
    let checked = 0;
    let asia = 0;
    for (const [sym, cols] of Object.entries(bars)) {
      const byDay = new Map<string, Array<{ i: number; min: number }>>();
      for (let i = 0; i < cols.length; i++) {
        const l = local(cols.t[i]!);
        if (!byDay.has(l.date)) byDay.set(l.date, []);
        byDay.get(l.date)!.push({ i, min: l.min });
      }
      const dates = [...byDay.keys()];
      const hi = (rows: Array<{ i: number }>) => Math.max(...rows.map((r) => cols.h[r.i]!));
      const lo = (rows: Array<{ i: number }>) => Math.min(...rows.map((r) => cols.l[r.i]!));
      for (const day of s.days) {
        const f = JSON.parse(readFileSync(join(out, `data/daily_news/${day}/processed/context_capsules/${sym}.json`), "utf8")).features;
        const today = byDay.get(day)!;
        const prevDate = dates[dates.indexOf(day) - 1]!;
        const prev = byDay.get(prevDate)!;
        const rth = prev.filter((r) => r.min >= 570 && r.min < 960);
        expect(f.levels.prev_day, `${sym} ${day}`).toMatchObject({
          day: prevDate,
          open: cols.o[rth[0]!.i],
          close: cols.c[rth[rth.length - 1]!.i],
          high: hi(rth),
          low: lo(rth),
        });
        const overnight = [...prev.filter((r) => r.min >= 960), ...today.filter((r) => r.min < 570)];
        expect(f.levels.overnight, `${sym} ${day}`).toMatchObject({ high: hi(overnight), low: lo(overnight) });
        const open930 = today.find((r) => r.min === 570);
        if (open930) expect(f.levels.rth_open.price).toBe(cols.o[open930.i]);
        // A print at 20:00 or later belongs to the next day's Asia window (the evening before it).
        const dayBefore = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        const evening = (byDay.get(dayBefore) ?? []).map((r) => ({ i: r.i, min: r.min - 1440 }));
        const want = WINDOWS.map(([name, a, b]) => [name, [...evening, ...today].filter((r) => r.min >= a && r.min < b)] as const)
          .filter(([, rows]) => rows.length > 0)
          .map(([name, rows]) => ({ name, high: hi(rows), low: lo(rows) }));
        expect(
          f.sessions.map((x: { name: string; high: number; low: number }) => ({ name: x.name, high: x.high, low: x.low })),
          `${sym} ${day}`,
        ).toEqual(want);
        // Each window's start is its New York wall time on that day, in UTC (EDT before 11-02, EST after).
        for (const x of f.sessions as Array<{ name: string; start: string }>) {
          const w = WINDOWS.find((y) => y[0] === x.name)!;
          expect(local(Date.parse(x.start)), `${sym} ${day} ${x.name}`).toEqual(
            w[1] < 0 ? { date: dayBefore, min: w[1] + 1440 } : { date: day, min: w[1] },
          );
        }
        if (f.sessions.some((x: { name: string }) => x.name === "asia")) asia++;
        checked++;
      }
    }
    expect(checked).toBe(10);
    // Some days have 20:00 prints, which open the next day's Asia window.
    expect(asia).toBeGreaterThan(0);
  }, 240_000);
});
