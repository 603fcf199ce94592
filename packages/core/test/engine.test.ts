import { describe, expect, it } from "vitest";
import { wasmBytes, WASM_BYTE_LENGTH } from "@ict/wasm";
import { atr, columnsFromArrays, computeFeatures, Engine, smtObjects, swings, WasmBars } from "../src/index.js";
import { randomBars } from "./helpers.js";

describe("engine", () => {
  it("exports every kernel the typings declare", () => {
    const k = Engine.shared().kernels as unknown as Record<string, unknown>;
    for (const name of ["memory", "alloc", "free", "r0", "r1", "r2", "atr", "atrScratchBytes", "trueRange", "swings", "structure", "impulseLeg", "maxHigh", "minLow"]) {
      expect(k[name], name).toBeDefined();
    }
    expect(wasmBytes().length).toBe(WASM_BYTE_LENGTH);
  });

  it("rebuilds views after memory.grow and keeps resident columns intact", () => {
    const e = Engine.create();
    const cols = columnsFromArrays(randomBars(5_000, 3));
    const wb = e.upload(cols);
    const before = e.memoryBytes;
    const viewBefore = wb.view("c");
    // Force growth well past the current memory.
    const big = e.alloc(before * 3);
    expect(e.memoryBytes).toBeGreaterThan(before);
    expect(viewBefore.length).toBe(0); // the old view is detached by the growth
    expect(Array.from(wb.view("c"))).toEqual(Array.from(cols.c));
    // Detectors on this engine's resident bars still agree with the shared engine.
    expect(atr(wb)).toEqual(atr(cols));
    expect(swings(wb).highs).toEqual(swings(cols).highs);
    e.free(big);
  });

  it("uploads a Columns object once and frees disposed bars", () => {
    const e = Engine.create();
    const cols = columnsFromArrays(randomBars(1_000, 4));
    const a = e.upload(cols);
    expect(e.upload(cols)).toBe(a);
    a.dispose();
    expect(a.disposed).toBe(true);
    expect(() => a.view("h")).toThrow(/after dispose/);
    expect(() => atr(a)).toThrow(/after dispose/);
    const b = e.upload(cols);
    expect(b).not.toBe(a);
    expect(b).toBeInstanceOf(WasmBars);
  });

  it("memory stays flat over many detector calls (scratch is freed)", () => {
    const cols = columnsFromArrays(randomBars(20_000, 5));
    const e = Engine.shared();
    atr(cols);
    swings(cols);
    const size = e.memoryBytes;
    for (let i = 0; i < 200; i++) {
      atr(cols);
      swings(cols);
    }
    expect(e.memoryBytes).toBe(size);
  });

  it("a fresh engine, whose memory grows during the calls, computes what the shared engine computes", () => {
    // Guards against typed-array views taken before an allocation that grows the memory.
    for (const n of [50, 700, 5_000]) {
      for (const profile of ["ict", "seed-v0.1"] as const) {
        const cols = columnsFromArrays(randomBars(n, n + 1));
        const e = Engine.create({ growOnEveryAlloc: true });
        const wb = e.upload(cols);
        expect(computeFeatures(wb, { tf: "1m", profile })).toEqual(computeFeatures(cols, { tf: "1m", profile }));
        const e2 = Engine.create({ growOnEveryAlloc: true });
        const ref = columnsFromArrays(randomBars(n, n + 2));
        expect(smtObjects(e2.upload(cols), e2.upload(ref), { profile })).toEqual(smtObjects(cols, ref, { profile }));
      }
    }
  });

  it("Engine.ready() compiles asynchronously and returns the shared engine", async () => {
    const e = await Engine.ready();
    expect(e).toBe(Engine.shared());
  });
});
