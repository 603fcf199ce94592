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
export async function streamSuite(ctx: Ctx, o: { explicitSizes: boolean; log: (s: string) => void }, records: any[], timed: Timed): Promise<void> {
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
    if (JSON.stringify(f) !== JSON.stringify(computeFeatures(ctx.wb, opts))) throw new Error(`stream push: features after ${n} bars differ from computeFeatures`);
  } else {
    const cf = computeFeatureColumns(ctx.wb);
    if (f.fvg.length !== cf.fvg.mid.length || f.ifvg.length !== cf.ifvg.gap.length || f.ob.length !== cf.ob.candle.length || f.bb.length !== cf.bb.ob.length) {
      throw new Error(`stream push: record counts after ${n} bars differ from computeFeatureColumns`);
    }
  }
  o.log(`  verified: stream features after ${n} bars = computeFeatures${n <= FEATURES_MAX ? "" : " (record counts)"} (${f.fvg.length} FVGs, ${f.ifvg.length} IFVGs, ${f.ob.length} OBs, ${f.bb.length} breakers)`);
  const impls: (Impl & { key?: boolean })[] = [{ name: "push", fn: push, key: true }];
  if (n <= FEATURES_MAX) impls.push({ name: "push + features() every bar", fn: pushRead, key: true });
  await timed(ctx, o, records, "stream push", impls);
}
