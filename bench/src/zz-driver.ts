import { columnsFromArrays, Engine } from "@ict/core";
import { DEFAULT_TIMING } from "./bench.js";
import { generateBars } from "./data.js";
import { timeSuite } from "./harness.js";
import { streamSuite } from "./suites/stream.js";
const sizes = (process.env.SIZES ?? "100000").split(",").map(Number);
const records: any[] = [];
const timed = async (ctx: any, o: any, recs: any[], suite: string, impls: any[]) => {
  const ts = await timeSuite(`${suite} ${ctx.n}`, impls, DEFAULT_TIMING);
  for (const t of ts) { const r = { suite, impl: t.impl, bars: ctx.n, nsPerBar: (t.median / ctx.n) * 1e9, samples: t.samples, mode: t.mode, rme: t.rme }; recs.push(r); console.log(JSON.stringify(r)); }
};
for (const n of sizes) {
  const b = generateBars(n);
  const cols = columnsFromArrays(b);
  const wb = Engine.shared().upload(cols);
  await streamSuite({ n, cols, wb }, { explicitSizes: false, log: console.log }, records, timed);
  wb.dispose();
}
console.log("load", (await import("node:os")).loadavg());
