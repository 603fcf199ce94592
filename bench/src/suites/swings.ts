// Bench suite: Swings.
import { swings } from "@ict/core";
import { swingsK2Ts, type SwingsTsOut } from "../baselines.js";
import { SWING_K } from "../xengine.js";
import { type SuiteEnv, checkSame, fail, timed } from "../common.js";

/** Swings (one size; verification first, then timing). */
export async function swingsSuite(env: SuiteEnv): Promise<void> {
  const { ctx, o, records, cRun } = env;
  const { n, engine, wb, bars } = ctx;
  const k = engine.kernels;
  const p = wb.ptr;
  const { h, l } = bars;
  {
    const flags = engine.alloc(n + 16),
      hi = engine.alloc(n * 4 + 16),
      lo = engine.alloc(n * 4 + 16),
      nLo = engine.alloc(16);
    const tSw: SwingsTsOut = { flags: new Uint8Array(n), hi: new Int32Array(n), lo: new Int32Array(n) };
    const kernel = () => k.swings(p.h, p.l, n, SWING_K, 1, flags, hi, lo, nLo);
    const tsLoop = () => swingsK2Ts(h, l, n, true, tSw);
    const nh = kernel();
    const nl = engine.i32[nLo >>> 2]!;
    const [tnh, tnl] = tsLoop();
    if (nh !== tnh || nl !== tnl) fail(`swings: kernel ${nh}/${nl} vs ts ${tnh}/${tnl}`);
    checkSame("swing flags", tSw.flags, engine.u8.subarray(flags, flags + n), n);
    checkSame("swing highs", tSw.hi, engine.i32.subarray(hi >>> 2, (hi >>> 2) + nh), nh);
    checkSame("swing lows", tSw.lo, engine.i32.subarray(lo >>> 2, (lo >>> 2) + nl), nl);
    const api = swings(wb);
    checkSame("swings() api highs", tSw.hi, api.highs, nh);
    if (api.highs.length !== nh || api.lows.length !== nl) fail("swings() api counts differ from the kernel");
    if (cRun && (cRun.swingHighs !== nh || cRun.swingLows !== nl)) fail(`C swings ${cRun.swingHighs}/${cRun.swingLows} vs ${nh}/${nl}`);
    o.log(`  verified swings (k=2, ICT ties): ${nh} highs, ${nl} lows; kernel = ts loop = swings()${cRun ? " = C" : ""}`);
    await timed(
      ctx,
      o,
      records,
      `swings(k=${SWING_K})`,
      [
        { name: "wasm kernel", fn: kernel, key: true },
        { name: "ts loop", fn: tsLoop, key: true },
        { name: "swings() api", fn: () => swings(wb) },
      ],
      { c: cRun ? { impl: "c -O3 loop", ...cRun.timings.swings } : undefined },
    );
    for (const ptr of [flags, hi, lo, nLo]) engine.free(ptr);
  }
}
