/**
 * Cross-engine test: the WebAssembly kernels give bit-identical numbers in
 * headless Chromium (main thread and a dedicated Web Worker) and in Node.
 *
 * The same function (test/browser/shared.ts computeAll) runs on the same input
 * bytes on both sides; typed-array outputs are compared as raw bytes, object
 * outputs (features, equilibrium) as JSON that keeps every double exactly.
 * Skipped when no Chromium is installed (set CHROMIUM_PATH to point at one).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { regimeWalkBars } from "@ict/testkit";
import { columnsFromText, Engine } from "../src/index.js";
import { CHROMIUM_PATH, openHarness, type Harness } from "./browser/harness.js";
import type { EngineReport } from "./browser/entry.js";
import {
  base64ToBytes,
  computeAll,
  decodeColumns,
  encodeColumns,
  type EncodedArray,
  type Field,
  type RawColumns,
  type Results,
} from "./browser/shared.js";

const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
if (!HAS_CHROMIUM) console.warn(`browser.test.ts skipped: no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);

interface Dataset {
  name: string;
  /** Bar columns as base64 of their Float64 bytes, or bars text parsed on each side. */
  input: Record<Field, string> | string;
}

const GOLDEN_INPUTS = fileURLToPath(new URL("./fixtures/golden/inputs/", import.meta.url));

/**
 * Seeded random walks (one large, a few edge sizes around the f64x2 pair and
 * ATR block boundaries) and, when the project has golden fixtures, its largest
 * golden input file, sent as text so both sides also run the library's parser.
 */
function datasets(): Dataset[] {
  const out: Dataset[] = [];
  const add = (name: string, raw: RawColumns) => out.push({ name, input: encodeColumns(raw) });
  add("random-walk 50000 bars (seed 20240102)", regimeWalkBars(50_000, 20240102));
  add("random-walk 1025 bars (seed 7)", regimeWalkBars(1025, 7));
  add("random-walk 37 bars (seed 11)", regimeWalkBars(37, 11));
  add("random-walk 1 bar (seed 3)", regimeWalkBars(1, 3));
  add("empty", regimeWalkBars(0, 1));
  if (existsSync(GOLDEN_INPUTS)) {
    const files = readdirSync(GOLDEN_INPUTS)
      .filter((f) => /\.(csv|json)$/i.test(f) && !/\.ref\.json$/i.test(f))
      .map((f) => ({ f, size: statSync(GOLDEN_INPUTS + f).size }))
      .sort((a, b) => b.size - a.size || (a.f < b.f ? -1 : 1));
    for (const { f } of files) {
      const text = readFileSync(GOLDEN_INPUTS + f, "utf8");
      try {
        if (columnsFromText(text).length === 0) continue;
      } catch {
        continue; // not a bars file
      }
      out.push({ name: `golden fixture inputs/${f}`, input: text });
      break;
    }
  }
  return out;
}

function decodeF64(a: EncodedArray): Float64Array {
  const b = base64ToBytes(a.b64);
  return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
}

function f64Bits(bytes: Uint8Array, i: number): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + i * 8, 8);
  return `${dv.getFloat64(0, true)} (0x${dv.getBigUint64(0, true).toString(16).padStart(16, "0")})`;
}

/** Human-readable first difference between two encoded arrays (null when byte-identical). */
function arrayDiff(node: EncodedArray, other: EncodedArray): string | null {
  if (node.type !== other.type || node.length !== other.length)
    return `type/length ${node.type}[${node.length}] (node) vs ${other.type}[${other.length}]`;
  if (node.b64 === other.b64) return null;
  const a = base64ToBytes(node.b64);
  const b = base64ToBytes(other.b64);
  const width = a.length / Math.max(1, node.length);
  let diffs = 0;
  let first = -1;
  for (let i = 0; i < node.length; i++) {
    let same = true;
    for (let j = 0; j < width; j++) if (a[i * width + j] !== b[i * width + j]) same = false;
    if (!same) {
      diffs++;
      if (first < 0) first = i;
    }
  }
  const show = (u: Uint8Array) =>
    node.type === "Float64Array" ? f64Bits(u, first) : String(Array.from(u.subarray(first * width, (first + 1) * width)));
  return `${diffs} of ${node.length} elements differ; first at [${first}]: node ${show(a)} vs ${show(b)}`;
}

/** Asserts that `other` (page or worker) equals the Node results bit for bit. */
function expectIdentical(where: string, data: string, node: Results, other: Results): void {
  expect(other.n, `${where} ${data}: n`).toBe(node.n);
  expect(other.input, `${where} ${data}: validated input columns`).toEqual(node.input);
  expect(Object.keys(other.arrays).sort(), `${where} ${data}: array outputs`).toEqual(Object.keys(node.arrays).sort());
  expect(Object.keys(other.objects).sort(), `${where} ${data}: object outputs`).toEqual(Object.keys(node.objects).sort());
  const diffs: string[] = [];
  for (const k of Object.keys(node.arrays)) {
    const d = arrayDiff(node.arrays[k]!, other.arrays[k]!);
    if (d !== null) diffs.push(`${k}: ${d}`);
  }
  for (const k of Object.keys(node.objects)) {
    if (node.objects[k] !== other.objects[k]) diffs.push(`${k}: node ${node.objects[k]} vs ${other.objects[k]}`);
  }
  expect(diffs, `${where} ${data}: outputs that differ from Node`).toEqual([]);
}

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)(
  HAS_CHROMIUM
    ? "kernels in headless Chromium match Node bit for bit"
    : `kernels in headless Chromium (skipped: no Chromium at ${CHROMIUM_PATH}; set CHROMIUM_PATH)`,
  () => {
    let h: Harness | undefined;
    let data: Dataset[] = [];
    const node = new Map<string, Results>();
    let nodeExports: string[] = [];

    beforeAll(async () => {
      data = datasets();
      nodeExports = Object.keys(Engine.shared().kernels).sort();
      for (const d of data) {
        node.set(d.name, typeof d.input === "string" ? computeAll(columnsFromText(d.input)) : computeAll(decodeColumns(d.input)));
      }
      h = await openHarness();
    });

    afterAll(async () => {
      await h?.close();
    });

    afterEach(() => {
      // Each test answers for what the browser reported while it ran.
      const seen = h?.problems.splice(0) ?? [];
      expect(seen, "console errors, page errors or failed requests in the browser").toEqual([]);
    });

    it("the data sets are non-trivial (swings, breaks of both kinds, gaps)", () => {
      const big = node.get(data[0]!.name)!;
      expect(big.n).toBe(50_000);
      for (const p of ["ict", "seed-v0.1"]) {
        expect(big.arrays[`swings[${p}].highs`]!.length).toBeGreaterThan(1000);
        expect(big.arrays[`structure[${p}].index`]!.length).toBeGreaterThan(100);
        const choch = base64ToBytes(big.arrays[`structure[${p}].choch`]!.b64);
        expect(choch.includes(1) && choch.includes(0), `${p}: both BOS and CHoCH events`).toBe(true);
      }
      // The equal-pivot rule matters on this data: the two profiles find different swings.
      expect(big.arrays["swings[ict].highs"]!.b64).not.toBe(big.arrays["swings[seed-v0.1].highs"]!.b64);
      // The project's golden input takes part whenever the fixtures are there.
      if (existsSync(GOLDEN_INPUTS)) expect(data.some((d) => d.name.startsWith("golden fixture") && node.get(d.name)!.n > 0)).toBe(true);
      // Gaps: the true range exceeds the bar's own range h - l on many bars.
      const cols = decodeColumns(big.input);
      const tr = decodeF64(big.arrays["trueRange"]!);
      let gaps = 0;
      for (let i = 0; i < big.n; i++) if (tr[i]! > cols.h[i]! - cols.l[i]!) gaps++;
      expect(gaps).toBeGreaterThan(500);
    });

    it("Engine.shared() compiles the inlined module synchronously on the page's main thread", async () => {
      const engine = (await h!.page.evaluate(() => (window as unknown as { __ict: { engine: unknown } }).__ict.engine)) as EngineReport;
      expect(engine.error).toBeNull();
      expect(engine).toMatchObject({ scope: "window", ok: true, singleton: true, hasBuffer: false });
      expect(engine.memoryBytes).toBeGreaterThan(0);
      expect(engine.exports).toEqual(nodeExports);
    });

    it("main thread: every detector output is bit-identical to Node", async () => {
      for (const d of data) {
        const page = (await h!.page.evaluate((input) => {
          const ict = (window as unknown as { __ict: { run(c: unknown): unknown; runText(t: string): unknown } }).__ict;
          return typeof input === "string" ? ict.runText(input) : ict.run(input);
        }, d.input)) as Results;
        expectIdentical("page", d.name, node.get(d.name)!, page);
      }
    });

    it("dedicated Web Worker: Engine.shared() works there and every output is bit-identical to Node", async () => {
      for (const d of data) {
        const w = (await h!.page.evaluate(
          (input) => (window as unknown as { __ict: { runInWorker(c: unknown): Promise<unknown> } }).__ict.runInWorker(input),
          d.input,
        )) as { engine: EngineReport; results: Results };
        expect(w.engine.error).toBeNull();
        expect(w.engine).toMatchObject({ scope: "worker", ok: true, singleton: true, hasBuffer: false });
        expect(w.engine.exports).toEqual(nodeExports);
        const n = node.get(d.name)!;
        // ATR first, by name, as the headline check; then everything.
        expect(arrayDiff(n.arrays["atr"]!, w.results.arrays["atr"]!), `worker ${d.name}: atr`).toBeNull();
        expect(arrayDiff(n.arrays["atr.wilder"]!, w.results.arrays["atr.wilder"]!), `worker ${d.name}: atr wilder`).toBeNull();
        expectIdentical("worker", d.name, n, w.results);
      }
      expect(h!.served).toContain("/worker.js");
    });
  },
);
