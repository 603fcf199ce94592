// Page side of the Chromium benchmark (bundled by src/browser.ts with
// esbuild): fetches the bars as raw Float64 bytes from the benchmark's
// 127.0.0.1 server and runs src/xengine.ts, the same code Node runs.

import { Engine } from "@ict/core";
import type { SamplerOptions } from "./sampler.js";
import { CrossBench, type BarArrays, type XKernel, type XTiming } from "./xengine.js";

const FIELDS = ["t", "o", "h", "l", "c", "v"] as const;
let current: CrossBench | null = null;

/** Fetches the first n bars and uploads them to the page's engine. */
async function prepare(n: number): Promise<void> {
  current?.dispose();
  current = null;
  const res = await fetch(`/bars/${n}`);
  if (!res.ok) throw new Error(`GET /bars/${n}: HTTP ${res.status}`);
  const buf = await res.arrayBuffer();
  if (buf.byteLength !== n * 8 * FIELDS.length) throw new Error(`GET /bars/${n}: ${buf.byteLength} bytes, expected ${n * 48}`);
  const bars = {} as BarArrays;
  FIELDS.forEach((f, i) => (bars[f] = new Float64Array(buf, i * n * 8, n)));
  current = new CrossBench(Engine.shared(), bars);
}

function time(kernel: XKernel, opts: SamplerOptions, warm: boolean): XTiming {
  if (!current) throw new Error("prepare(n) first");
  return current.time(kernel, opts, warm);
}

function release(): number {
  current?.dispose();
  current = null;
  return Engine.shared().memoryBytes;
}

(window as unknown as { __bench: unknown }).__bench = {
  prepare,
  time,
  release,
  info: () => ({
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
  }),
};
(window as unknown as { __ready: boolean }).__ready = true;
