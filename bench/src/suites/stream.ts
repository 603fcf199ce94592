// Suite "stream push": the whole feature set of one timeframe kept up to date
// one closed bar at a time (`createStream`, issue #13), in ns per bar.
//
// One timed call = a fresh stream fed every bar of the size, as a live loop
// would (bar objects prepared beforehand, not timed). Impls: `push` (the
// detectors and their bookkeeping only) and `push + features() every bar`
// (also reading the feature set after each bar: the record lists are copied
// when they changed, so that cost grows with the number of records; run up to
// 100k bars). Verified before timing: the stream's features after the last bar
// equal `computeFeatures` of all the bars (record for record up to 100k bars,
// record counts above).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { computeFeatureColumns, computeFeatures, createStream, type Columns, type WasmBars } from "@ict/core";
import type { Impl } from "../harness.js";

/** The part of a size's context this suite reads. */
interface Ctx {
  n: number;
  cols: Columns;
  wb: WasmBars;
}

type Timed = (ctx: any, o: any, records: any[], suite: string, impls: (Impl & { key?: boolean; heavy?: boolean })[]) => Promise<void>;

/** Sizes of the default run (any size with BENCH_BARS up to 1M). */
const DEFAULT_SIZES = [100_000, 1_000_000];
/** Largest size of the "push + features() every bar" impl. */
const FEATURES_MAX = 100_000;

/** Runs the suite at this size when it is one of its sizes. */
export async function streamSuite(
  ctx: Ctx,
  o: { explicitSizes: boolean; log: (s: string) => void },
  records: any[],
  timed: Timed,
): Promise<void> {
  const n = ctx.n;
  if (o.explicitSizes ? n > 1_000_000 : !DEFAULT_SIZES.includes(n)) return;
  const c = ctx.cols;
  const bars = new Array(n);
  for (let i = 0; i < n; i++) bars[i] = { t: c.t[i]!, o: c.o[i]!, h: c.h[i]!, l: c.l[i]!, c: c.c[i]!, v: c.v[i]! };
  const opts = { tf: "1m" };
  const push = () => {
    const s = createStream(opts);
    for (let i = 0; i < n; i++) s.push(bars[i]);
    return s;
  };
  const pushRead = () => {
    const s = createStream(opts);
    let k = 0;
    for (let i = 0; i < n; i++) {
      s.push(bars[i]);
      k += s.features().fvg.length;
    }
    return k >= 0 ? s : null;
  };
  // Verification (not timed): the stream's final features are the batch's.
  const f = push().features();
  if (n <= FEATURES_MAX) {
    if (JSON.stringify(f) !== JSON.stringify(computeFeatures(ctx.wb, opts)))
      throw new Error(`stream push: features after ${n} bars differ from computeFeatures`);
  } else {
    const cf = computeFeatureColumns(ctx.wb);
    if (
      f.fvg.length !== cf.fvg.mid.length ||
      f.ifvg.length !== cf.ifvg.gap.length ||
      f.ob.length !== cf.ob.candle.length ||
      f.bb.length !== cf.bb.ob.length
    ) {
      throw new Error(`stream push: record counts after ${n} bars differ from computeFeatureColumns`);
    }
  }
  o.log(
    `  verified: stream features after ${n} bars = computeFeatures${n <= FEATURES_MAX ? "" : " (record counts)"} (${f.fvg.length} FVGs, ${f.ifvg.length} IFVGs, ${f.ob.length} OBs, ${f.bb.length} breakers)`,
  );
  const impls: (Impl & { key?: boolean })[] = [{ name: "push", fn: push, key: true }];
  if (n <= FEATURES_MAX) impls.push({ name: "push + features() every bar", fn: pushRead, key: true });
  await timed(ctx, o, records, "stream push", impls);
}

/** One stream fed 30 days of 1m bars around the clock: its heap and its push cost on day 1 and on day 30. */
export interface StreamMonthRecord {
  suite: "stream month";
  /** Heap used (after a full GC) by one stream after day 1 and after day 30, bytes. */
  heapDay1Bytes: number;
  heapDay30Bytes: number;
  /** Of which the records a stream keeps available (JSON bytes of features(), a proxy for their size). */
  recordsJsonDay1Bytes: number;
  recordsJsonDay30Bytes: number;
  /** Median ns per push over the bars of day 1 and of day 30. */
  pushNsDay1: number;
  pushNsDay30: number;
}

/**
 * Memory per symbol over a month (issue #13: flat between day 1 and day 30):
 * a stream fed 43,200 1m bars (30 days of a 24/7 market), measured after a
 * full garbage collection at the end of day 1 and of day 30, with the push
 * cost of each day. The working state retires zones that can no longer
 * change; their records stay available, so the heap grows with the records
 * (reported beside it) and the per-bar cost should not.
 */
export function streamMonth(
  bars: { t: Float64Array; o: Float64Array; h: Float64Array; l: Float64Array; c: Float64Array; v: Float64Array },
  log: (s: string) => void,
): StreamMonthRecord | null {
  const DAY = 1440;
  if (bars.t.length < 30 * DAY) return null;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  // Warm-up (not measured): the same pushes on a throwaway stream, so day 1 is not timed cold.
  const warm = createStream({ tf: "1m" });
  for (let j = 0; j < 2 * DAY; j++)
    warm.push({ t: Date.UTC(2024, 0, 1) + j * 60_000, o: bars.o[j]!, h: bars.h[j]!, l: bars.l[j]!, c: bars.c[j]!, v: bars.v[j]! });
  const base = heap();
  const s = createStream({ tf: "1m" });
  const dayCost = (day: number): number => {
    const per: number[] = [];
    for (let i = day * DAY; i < (day + 1) * DAY; i += 60) {
      const a = performance.now();
      for (let j = i; j < i + 60; j++)
        s.push({ t: Date.UTC(2024, 0, 1) + j * 60_000, o: bars.o[j]!, h: bars.h[j]!, l: bars.l[j]!, c: bars.c[j]!, v: bars.v[j]! });
      per.push(((performance.now() - a) / 60) * 1e6);
    }
    per.sort((x, y) => x - y);
    return per[per.length >> 1]!;
  };
  const pushNsDay1 = dayCost(0);
  const heapDay1Bytes = heap() - base;
  const recordsJsonDay1Bytes = JSON.stringify(s.features()).length;
  for (let d = 1; d < 29; d++) dayCost(d);
  const pushNsDay30 = dayCost(29);
  const heapDay30Bytes = heap() - base;
  const recordsJsonDay30Bytes = JSON.stringify(s.features()).length;
  const r: StreamMonthRecord = {
    suite: "stream month",
    heapDay1Bytes,
    heapDay30Bytes,
    recordsJsonDay1Bytes,
    recordsJsonDay30Bytes,
    pushNsDay1,
    pushNsDay30,
  };
  const mb = (x: number) => `${(x / 2 ** 20).toFixed(2)} MiB`;
  log(
    `  stream month (one symbol, 1m, 24/7): heap ${mb(heapDay1Bytes)} after day 1, ${mb(heapDay30Bytes)} after day 30 (records as JSON ${mb(recordsJsonDay1Bytes)} -> ${mb(recordsJsonDay30Bytes)}); push median ${(pushNsDay1 / 1000).toFixed(2)} µs/bar on day 1, ${(pushNsDay30 / 1000).toFixed(2)} µs/bar on day 30`,
  );
  return r;
}
