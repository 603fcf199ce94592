// Bench suite: ATR.
import { atr } from "@ict/core";
import { ATR as TiATR } from "technicalindicators";
import { ATR as TsATR } from "trading-signals";
import { atrTs, atrWilderTs } from "../baselines.js";
import { ATR_PERIOD } from "../xengine.js";
import { type BImpl, type BenchRecord, type SuiteEnv, checkF64, checkSame, close, fail, timed } from "../common.js";

/** ATR (one size; verification first, then timing). */
export async function atrSuite(env: SuiteEnv): Promise<void> {
  const { ctx, o, records, cRun } = env;
  const { n, engine, bars, wb } = ctx;
  const k = engine.kernels;
  const p = wb.ptr;
  const { h, l, c } = bars;
  {
    const wAtr = engine.alloc(n * 8 + 16);
    const wAtrW = engine.alloc(n * 8 + 16);
    const scratch = engine.alloc(k.atrScratchBytes(ATR_PERIOD));
    const tAtr = new Float64Array(n);
    const tAtrW = new Float64Array(n);
    const ring = new Float64Array(ATR_PERIOD);
    const kernel = () => k.atr(p.h, p.l, p.c, n, ATR_PERIOD, 0, wAtr, scratch);
    const kernelW = () => k.atr(p.h, p.l, p.c, n, ATR_PERIOD, 1, wAtrW, scratch);
    const tsLoop = () => atrTs(h, l, c, n, ATR_PERIOD, tAtr, ring);
    const tsLoopW = () => atrWilderTs(h, l, c, n, ATR_PERIOD, tAtrW);
    kernel();
    kernelW();
    tsLoop();
    tsLoopW();
    const view = (ptr: number) => engine.f64.subarray(ptr >>> 3, (ptr >>> 3) + n);
    checkF64("ATR kernel vs ts loop", tAtr, view(wAtr), n, 1e-9);
    checkF64("ATR wilder kernel vs ts loop", tAtrW, view(wAtrW), n, 1e-9);
    const api = atr(wb); // allocates (memory may grow): take the kernel's view after it
    checkSame("atr() api vs kernel", view(wAtr), api, n);
    const wilderLast = view(wAtrW)[n - 1]!;
    if (cRun) {
      let s = 0;
      for (let i = 0; i < n; i++) s += tAtr[i]!;
      if (!close(s, cRun.atrSum, 1e-12) || !close(tAtr[n - 1]!, cRun.atrLast, 1e-12))
        fail(`C ATR differs from the ts loop: sum ${cRun.atrSum} vs ${s}`);
      if (!close(tAtrW[n - 1]!, cRun.atrWilderLast, 1e-12)) fail(`C Wilder ATR differs: ${cRun.atrWilderLast} vs ${tAtrW[n - 1]}`);
    }
    const impls: BImpl[] = [
      { name: "wasm kernel", fn: kernel, key: true },
      { name: "ts loop", fn: tsLoop, key: true },
      { name: "atr() api", fn: () => atr(wb) },
      { name: "wasm kernel wilder", fn: kernelW },
      { name: "ts loop wilder", fn: tsLoopW },
    ];
    // The peers, on the inputs their APIs take (built here, not timed).
    if (ctx.all) {
      const hA = Array.from(h),
        lA = Array.from(l),
        cA = Array.from(c);
      const ti = TiATR.calculate({ high: hA, low: lA, close: cA, period: ATR_PERIOD });
      if (!close(ti[ti.length - 1]!, wilderLast, 1e-6))
        fail(`technicalindicators ATR last ${ti[ti.length - 1]} vs wasm wilder ${wilderLast}`);
      const candles = hA.map((hv, i) => ({ high: hv, low: lA[i]!, close: cA[i]! }));
      const tsig = new TsATR(ATR_PERIOD).updates(candles);
      if (!close(tsig[tsig.length - 1]!, wilderLast, 1e-6))
        fail(`trading-signals ATR last ${tsig[tsig.length - 1]} vs wasm wilder ${wilderLast}`);
      impls.push(
        { name: "technicalindicators (wilder)", fn: () => TiATR.calculate({ high: hA, low: lA, close: cA, period: ATR_PERIOD }) },
        { name: "trading-signals (wilder)", fn: () => new TsATR(ATR_PERIOD).updates(candles) },
      );
    }
    o.log(
      `  verified ATR: kernel = ts loop (1e-9), atr() = kernel (bit for bit), wilder kernel = ts wilder${ctx.all ? ", technicalindicators and trading-signals agree on the last value (1e-6)" : ""}${cRun ? ", C = ts" : ""}`,
    );
    await timed(ctx, o, records, `atr(${ATR_PERIOD})`, impls, { c: cRun ? { impl: "c -O3 loop", ...cRun.timings.atr } : undefined });
    if (cRun && ctx.all) {
      const wk = records.find((r) => r.suite === `atr(${ATR_PERIOD})` && r.bars === n && r.impl === "wasm kernel wilder");
      const rec: BenchRecord = {
        suite: `atr(${ATR_PERIOD})`,
        impl: "c -O3 loop wilder",
        bars: n,
        nsPerBar: cRun.timings.atrWilder.nsPerBar,
        barsPerSec: 1e9 / cRun.timings.atrWilder.nsPerBar,
        rme: cRun.timings.atrWilder.rme,
        samples: cRun.timings.atrWilder.samples,
        mode: "c loop",
      };
      records.push(rec);
      o.log(
        `  ${`atr(${ATR_PERIOD})`.padEnd(24)} ${rec.impl.padEnd(30)} ${rec.nsPerBar.toFixed(3).padStart(10)} ns/bar${wk ? `  (wasm kernel wilder: ${(wk.nsPerBar / rec.nsPerBar).toFixed(2)}x C time)` : ""}`,
      );
    }
    for (const ptr of [wAtr, wAtrW, scratch]) engine.free(ptr);
  }
}
