/**
 * Times one day's report (render + atomic write) for SPY/QQQ/IWM × 390 real
 * 1m bars (ICT_SHARED_DIR or ../../shared: data/real, see its PROVENANCE.md),
 * against the day's replay without a report, in one run. Prints medians.
 *
 *   npx tsx apps/replay/scripts/time-report.ts [DAY]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { columnsFromText, type Columns } from "@ict/core";
import { replay } from "../src/replay.js";
import { DayReportCollector, renderDayReport, writeDayReport } from "../src/report/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const shared = process.env.ICT_SHARED_DIR ?? resolve(here, "../../../../shared");
const real = join(shared, "data/real");
if (!existsSync(real)) {
  console.log(`skipped: no real data at ${real} (set ICT_SHARED_DIR)`);
  process.exit(0);
}
const day = process.argv[2] ?? "2026-03-12";
const load = (s: string): Columns => columnsFromText(readFileSync(join(real, `${s}_1m/${s}_1m_20260312_20260330_yahoo.csv`), "utf8"));
const bars = { SPY: load("SPY"), QQQ: load("QQQ"), IWM: load("IWM") };
const out = mkdtempSync(join(tmpdir(), "ict-report-time-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// The input of the day's report, collected by a replay of that day.
let captured: ReturnType<DayReportCollector["finish"]> | null = null;
const finish = DayReportCollector.prototype.finish;
DayReportCollector.prototype.finish = function (this: DayReportCollector) {
  captured = finish.call(this);
  return captured;
};
const withReport = await replay({ bars, out, from: day, to: day, write: "close" });
DayReportCollector.prototype.finish = finish;
const input = captured!;
const html = renderDayReport(input);
const render: number[] = [];
const write: number[] = [];
for (let i = 0; i < 40; i++) {
  let t = performance.now();
  renderDayReport(input);
  render.push(performance.now() - t);
  t = performance.now();
  writeDayReport(out, input);
  write.push(performance.now() - t);
}
const rep: number[] = [];
const noRep: number[] = [];
// Alternating order, so that neither side always runs first.
for (let i = 0; i < 6; i++) {
  const a = async () => rep.push((await replay({ bars, out, from: day, to: day, write: "close" })).seconds * 1000);
  const b = async () => noRep.push((await replay({ bars, out, from: day, to: day, write: "close", report: false })).seconds * 1000);
  for (const run of i % 2 === 0 ? [a, b] : [b, a]) await run();
}
console.log(
  `day ${day}: ${input.symbols.map((s) => `${s.symbol} ${s.bars.length} bars`).join(", ")}; report ${(html.length / 1024).toFixed(0)} KiB (${withReport.reports[0]})`,
);
console.log(
  `renderDayReport median ${median(render).toFixed(2)} ms; render + atomic write (rename, not flushed) median ${median(write).toFixed(2)} ms (40 runs)`,
);
console.log(
  `replay of the day: with report median ${median(rep).toFixed(0)} ms, without ${median(noRep).toFixed(0)} ms (6 runs each, alternating; ratio ${(median(rep) / median(noRep)).toFixed(3)})`,
);
rmSync(out, { recursive: true, force: true });
