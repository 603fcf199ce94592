// The targets of the issues, read from one report.
import {} from "@ict/core";
import { type LiveTickRecord } from "./suites/livetick.js";
import { ATR_PERIOD } from "./xengine.js";
import { fmtBars, type BenchRecord, type Report, type TargetResult } from "./common.js";

function find(r: Report, suite: string, impl: string, bars?: number): BenchRecord | undefined {
  const xs = r.results.filter((x) => x.suite === suite && x.impl === impl && (bars === undefined || x.bars === bars));
  return xs.sort((a, b) => b.bars - a.bars)[0];
}

/** A live tick record in the shape of the others (per bar: one symbol's bar of the tick). */
export function liveTickRecord(r: LiveTickRecord): BenchRecord {
  const nsPerBar = (r.msPerTick * 1e6) / r.symbols;
  return { ...r, bars: r.bar, nsPerBar, barsPerSec: 1e9 / nsPerBar, rme: 0, mode: "single calls" };
}

/** The targets on this machine, with the measured values. */
export function evaluateTargets(r: Report): TargetResult[] {
  const out: TargetResult[] = [];
  const atMost = (target: string, value: number | undefined, limit: number, unit: string, detail: string): void => {
    if (value === undefined)
      out.push({ target, measured: "not measured", limit: `≤ ${+limit.toFixed(3)} ${unit}`, met: null, factor: null, detail });
    else
      out.push({
        target,
        measured: `${value.toFixed(2)} ${unit}`,
        limit: `≤ ${+limit.toFixed(3)} ${unit}`,
        met: value <= limit,
        factor: value / limit,
        detail,
      });
  };
  // 1. The whole feature set of one timeframe at 1M bars.
  const f1 = find(r, "features(1 tf)", "columns ict", 1_000_000);
  atMost(
    "feature set of one timeframe at 1M bars (columns, ict)",
    f1?.nsPerBar,
    50,
    "ns/bar",
    f1 ? `seed-v0.1: ${find(r, "features(1 tf)", "columns seed-v0.1", 1_000_000)?.nsPerBar.toFixed(1)} ns/bar` : "needs a 1M size",
  );
  // Streaming (issue #13): the whole feature set one bar at a time, and one live tick of 50 symbols.
  const push = r.results.filter((x) => x.suite === "stream push" && x.impl === "push").sort((a, b) => b.bars - a.bars)[0];
  atMost(
    "stream push, whole feature set of one timeframe",
    push ? push.nsPerBar / 1000 : undefined,
    1,
    "µs/bar",
    push ? `at ${fmtBars(push.bars)} bars` : "needs a size of 100k or 1M",
  );
  const lt = (impl: string) =>
    r.results.find((x) => x.suite === "live tick" && x.impl === impl) as
      | (BenchRecord & { msPerTick?: number; symbols?: number })
      | undefined;
  const ls = lt("stream");
  atMost(
    `live tick, ${ls?.symbols ?? 50} symbols (1m + 5m + SMT + tracker + prompt)`,
    ls?.msPerTick,
    5,
    "ms",
    lt("recompute") ? `recompute (tick()): ${lt("recompute")!.msPerTick!.toFixed(1)} ms` : "not run",
  );
  const sm = r.streamMonth;
  atMost(
    "stream over a month: push cost day 30 / day 1 (flat)",
    sm ? sm.pushNsDay30 / sm.pushNsDay1 : undefined,
    1.5,
    "x",
    sm
      ? `heap of one stream ${(sm.heapDay1Bytes / 2 ** 20).toFixed(2)} MiB after day 1, ${(sm.heapDay30Bytes / 2 ** 20).toFixed(2)} MiB after day 30 (records as JSON ${(sm.recordsJsonDay1Bytes / 2 ** 20).toFixed(2)} -> ${(sm.recordsJsonDay30Bytes / 2 ** 20).toFixed(2)} MiB)`
      : "needs 43,200 bars",
  );
  // 2. ATR within 1.3x of a C loop (the issue quotes 1.8 ns/bar; the C loop of this run is the reference when there is one).
  const atrBig = r.results
    .filter((x) => x.suite === `atr(${ATR_PERIOD})` && x.impl === "wasm kernel" && x.bars >= 1_000_000)
    .sort((a, b) => b.bars - a.bars)[0];
  const cBig = atrBig ? find(r, `atr(${ATR_PERIOD})`, "c -O3 loop", atrBig.bars) : undefined;
  atMost(
    "ATR within 1.3x of 1.8 ns/bar (issue's C figure)",
    atrBig?.nsPerBar,
    1.8 * 1.3,
    "ns/bar",
    atrBig ? `wasm kernel at ${fmtBars(atrBig.bars)}` : "needs a size ≥ 1M",
  );
  if (atrBig && cBig)
    atMost(
      "ATR within 1.3x of the C loop measured in this run",
      atrBig.nsPerBar / cBig.nsPerBar,
      1.3,
      "x",
      `wasm ${atrBig.nsPerBar.toFixed(2)} vs C ${cBig.nsPerBar.toFixed(2)} ns/bar at ${fmtBars(atrBig.bars)}`,
    );
  // 3. Flat ns/bar from 100k to 10M (every impl measured at >= 2 sizes in that range: worst spread).
  {
    const groups = new Map<string, BenchRecord[]>();
    // The library's impls only (not the baselines): ts loops, C, peers and the seed scale as they do.
    const baseline = (x: BenchRecord): boolean =>
      x.mode === "python" || x.mode === "c loop" || /^(ts |technicalindicators|trading-signals)/.test(x.impl);
    for (const x of r.results) {
      if (x.bars < 100_000 || baseline(x)) continue;
      const key = `${x.suite} / ${x.impl}`;
      groups.set(key, [...(groups.get(key) ?? []), x]);
    }
    let worst: { key: string; spread: number; lo: BenchRecord; hi: BenchRecord } | null = null;
    const keyOnes: string[] = [];
    for (const [key, xs] of groups) {
      if (xs.length < 2 || Math.max(...xs.map((x) => x.bars)) < 1_000_000) continue;
      const lo = xs.reduce((a, b) => (b.nsPerBar < a.nsPerBar ? b : a));
      const hi = xs.reduce((a, b) => (b.nsPerBar > a.nsPerBar ? b : a));
      const spread = hi.nsPerBar / lo.nsPerBar;
      if (["atr(14) / wasm kernel", "swings(k=2) / wasm kernel", "features(1 tf) / columns ict"].includes(key))
        keyOnes.push(`${key.replace(" / ", " ")} ${spread.toFixed(2)}x`);
      if (!worst || spread > worst.spread) worst = { key, spread, lo, hi };
    }
    if (worst) {
      out.push({
        target: "ns/bar flat from 100k to 10M bars (max/min over sizes, worst @ict impl)",
        measured: `${worst.spread.toFixed(2)}x (${worst.key}: ${worst.lo.nsPerBar.toFixed(2)} at ${fmtBars(worst.lo.bars)}, ${worst.hi.nsPerBar.toFixed(2)} at ${fmtBars(worst.hi.bars)})`,
        limit: "≤ 1.5x",
        met: worst.spread <= 1.5,
        factor: worst.spread / 1.5,
        detail: `key kernels: ${keyOnes.join(", ")}`,
      });
    } else
      out.push({
        target: "ns/bar flat from 100k to 10M bars",
        measured: "not measured",
        limit: "≤ 1.5x",
        met: null,
        factor: null,
        detail: "needs sizes from 100k to ≥ 1M",
      });
  }
  // 4. CSV -> columns.
  const csv = r.results.filter((x) => x.suite === "read CSV -> columns").sort((a, b) => b.bars - a.bars)[0];
  if (csv)
    out.push({
      target: "CSV text -> columns",
      measured: `${(csv.rowsPerSec! / 1e6).toFixed(2)} M rows/s at ${fmtBars(csv.bars)} rows (${csv.mbPerSec!.toFixed(0)} MB/s)`,
      limit: "≥ 5 M rows/s",
      met: csv.rowsPerSec! >= 5e6,
      factor: 5e6 / csv.rowsPerSec!,
      detail: "",
    });
  else out.push({ target: "CSV text -> columns", measured: "not measured", limit: "≥ 5 M rows/s", met: null, factor: null, detail: "" });
  // 5. Chromium within 1.3x of Node (worst kernel at sizes >= 100k; all sizes in detail).
  const xs = r.chromium.results;
  if (xs.length > 0) {
    const big = xs.filter((x) => x.bars >= 100_000);
    const pool = big.length > 0 ? big : xs;
    const worst = pool.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const med = pool.map((x) => x.ratio).sort((a, b) => a - b)[pool.length >> 1]!;
    out.push({
      target: `Chromium within 1.3x of Node (worst kernel${big.length > 0 ? " at ≥ 100k bars" : ""})`,
      measured: `${worst.ratio.toFixed(2)}x (${worst.kernel} at ${fmtBars(worst.bars)}); median ${med.toFixed(2)}x`,
      limit: "≤ 1.3x",
      met: worst.ratio <= 1.3,
      factor: worst.ratio / 1.3,
      detail: xs.map((x) => `${x.kernel.split(" ")[0]}@${fmtBars(x.bars)} ${x.ratio.toFixed(2)}`).join(", "),
    });
  } else
    out.push({
      target: "Chromium within 1.3x of Node",
      measured: "not measured",
      limit: "≤ 1.3x",
      met: null,
      factor: null,
      detail: r.chromium.reason ?? "",
    });
  return out;
}
