// The printed summary of a run: the results table, Node vs Chromium, the
// targets.

import { fmtBars, type Report } from "./bench.js";

function table(head: string[], rows: string[][], right: boolean[], groupKey?: (i: number) => string): string[] {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((s, c) => (right[c] ? s.padStart(widths[c]!) : s.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("  ")];
  let prev = "";
  rows.forEach((r, i) => {
    const key = groupKey?.(i) ?? "";
    if (prev !== "" && key !== prev) out.push("");
    prev = key;
    out.push(line(r));
  });
  return out;
}

function ns(x: number): string {
  if (x >= 1000) return x.toFixed(0);
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

function perSec(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

/** The whole summary as lines. */
export function summary(r: Report): string[] {
  const out: string[] = [];
  out.push("", `Results (median ns/bar; ratios within the same suite, size and run; data: ${r.data.source})`, "");
  const recs = [...r.results];
  // Suites in first-seen order, then size, then impl order as measured.
  const suiteOrder = [...new Set(recs.map((x) => x.suite))];
  recs.sort((a, b) => suiteOrder.indexOf(a.suite) - suiteOrder.indexOf(b.suite) || a.bars - b.bars);
  out.push(
    ...table(
      ["suite", "impl", "bars", "ns/bar", "bars/s", "±rme", "samples", "vs ts loop", "x C time", "notes"],
      recs.map((x) => [
        x.suite,
        x.impl,
        fmtBars(x.bars),
        ns(x.nsPerBar),
        perSec(x.barsPerSec),
        x.mode === "python" && x.samples < 2 ? "-" : `±${x.rme.toFixed(1)}%`,
        String(x.samples),
        x.speedupVsTs !== undefined ? `${x.speedupVsTs.toFixed(2)}x` : "",
        x.ratioToC !== undefined ? `${x.ratioToC.toFixed(2)}` : "",
        [x.speedupVsSeed !== undefined ? `${Math.round(x.speedupVsSeed).toLocaleString("en-US")}x seed` : "", x.note ?? ""]
          .filter(Boolean)
          .join("; "),
      ]),
      [false, false, true, true, true, true, true, true, true, false],
      (i) => `${recs[i]!.suite}/${recs[i]!.bars}`,
    ),
  );

  // ATR against the peers.
  const peers = r.results.filter((x) => x.suite.startsWith("atr(") && x.impl === "wasm kernel wilder");
  if (peers.length > 0) {
    out.push("", "ATR (Wilder) against the npm peers, same bars (how many times faster the wasm kernel is):");
    for (const w of peers) {
      const row = ["technicalindicators (wilder)", "trading-signals (wilder)", "ts loop wilder", "c -O3 loop wilder"]
        .map((impl) => {
          const p = r.results.find((x) => x.suite === w.suite && x.bars === w.bars && x.impl === impl);
          return p ? `${impl.replace(" (wilder)", "")} ${(p.nsPerBar / w.nsPerBar).toFixed(p.nsPerBar / w.nsPerBar < 10 ? 2 : 0)}x` : null;
        })
        .filter(Boolean);
      out.push(`  ${fmtBars(w.bars).padStart(5)}: wasm kernel wilder ${ns(w.nsPerBar)} ns/bar; vs ${row.join(", ")}`);
    }
  }

  if (r.chromium.results.length > 0) {
    const xs = [...r.chromium.results].sort((a, b) => (a.kernel < b.kernel ? -1 : a.kernel > b.kernel ? 1 : a.bars - b.bars));
    out.push(
      "",
      `Node vs headless Chromium (${r.chromium.info?.version ?? "?"}; same code and sampler, same bars; ratio = Chromium / Node)`,
      "",
    );
    out.push(
      ...table(
        ["kernel", "bars", "node ns/bar", "chromium ns/bar", "ratio", "±rme node/chromium"],
        xs.map((x) => [
          x.kernel,
          fmtBars(x.bars),
          ns(x.node.nsPerBar),
          ns(x.chromium.nsPerBar),
          `${x.ratio.toFixed(2)}x`,
          `±${x.node.rme.toFixed(1)}% / ±${x.chromium.rme.toFixed(1)}%`,
        ]),
        [false, true, true, true, true, true],
        (i) => xs[i]!.kernel,
      ),
    );
  } else out.push("", `Node vs Chromium: skipped (${r.chromium.reason})`);

  if (r.seedOracle.runs.length === 0)
    out.push("", `Seed oracle: not run (${r.seedOracle.reason ?? "no size within BENCH_SEED_MAX_SECONDS"})`);

  if (r.largest) {
    const m = r.largest;
    out.push(
      "",
      `Memory at the largest run (${fmtBars(m.bars)} bars): peak RSS ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB; WebAssembly memory ${(m.wasmMemoryBytes / 2 ** 20).toFixed(0)} MiB = ${m.wasmBytesPerBar.toFixed(0)} bytes/bar (6 input columns are 48 bytes/bar)`,
    );
  }

  out.push("", "Targets (issue #7, this machine; not unit tests):", "");
  out.push(
    ...table(
      ["target", "limit", "measured", "status"],
      r.targets.map((t) => [t.target, t.limit, t.measured, t.met === null ? "n/a" : t.met ? "MET" : `MISSED by ${t.factor!.toFixed(2)}x`]),
      [false, false, false, false],
    ),
  );
  for (const t of r.targets) if (t.detail) out.push(`  ${t.target}: ${t.detail}`);
  if (r.skipped.length > 0) out.push("", "Skipped:", ...r.skipped.map((s) => `  - ${s}`));
  out.push(
    "",
    `load average ${r.machine.loadavgStart.join(" ")} at the start, ${r.machine.loadavgEnd.join(" ")} at the end (${r.machine.cores} cores: above ${r.machine.cores} other jobs were competing)`,
  );
  return out;
}
