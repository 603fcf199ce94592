// Bench suite: FVG detection.
import { fvg } from "@ict/core";
import { fvgTs, type FvgTsOut } from "../baselines.js";
import { FVG_TOL } from "../xengine.js";
import { type SuiteEnv, checkSame, fail, timed } from "../common.js";

/** FVG detection (one size; verification first, then timing). */
export async function fvgSuite(env: SuiteEnv): Promise<void> {
  const { ctx, o, records, cRun } = env;
  const { n, engine, wb, bars } = ctx;
  const k = engine.kernels;
  const p = wb.ptr;
  const { h, l } = bars;
  {
    const mid = engine.alloc(n * 4 + 16),
      dir = engine.alloc(n * 4 + 16),
      glo = engine.alloc(n * 8 + 16),
      ghi = engine.alloc(n * 8 + 16);
    const tOut: FvgTsOut = { mid: new Int32Array(n), dir: new Int32Array(n), lo: new Float64Array(n), hi: new Float64Array(n) };
    const kernel = () => k.fvgDetect(p.h, p.l, n, FVG_TOL, 0, 0, mid, dir, glo, ghi);
    const tsLoop = () => fvgTs(h, l, n, FVG_TOL, tOut);
    const g = kernel();
    const tg = tsLoop();
    if (g !== tg) fail(`fvg: kernel ${g} gaps vs ts ${tg}`);
    checkSame("fvg mid", tOut.mid, engine.i32.subarray(mid >>> 2, (mid >>> 2) + g), g);
    checkSame("fvg dir", tOut.dir, engine.i32.subarray(dir >>> 2, (dir >>> 2) + g), g);
    checkSame("fvg lo", tOut.lo, engine.f64.subarray(glo >>> 3, (glo >>> 3) + g), g);
    checkSame("fvg hi", tOut.hi, engine.f64.subarray(ghi >>> 3, (ghi >>> 3) + g), g);
    const api = fvg(wb);
    checkSame("fvg() api mid", tOut.mid, api.mid, g);
    if (cRun && cRun.fvgs !== g) fail(`C fvg ${cRun.fvgs} gaps vs ${g}`);
    o.log(`  verified FVG detection: ${g} gaps; kernel = ts loop = fvg()${cRun ? " = C" : ""}`);
    await timed(
      ctx,
      o,
      records,
      "fvg",
      [
        { name: "wasm detect kernel", fn: kernel, key: true },
        { name: "ts detect loop", fn: tsLoop, key: true },
        { name: "fvg() api (detect+events)", fn: () => fvg(wb) },
      ],
      { c: cRun ? { impl: "c -O3 detect loop", ...cRun.timings.fvg } : undefined },
    );
    for (const ptr of [mid, dir, glo, ghi]) engine.free(ptr);
  }
}
