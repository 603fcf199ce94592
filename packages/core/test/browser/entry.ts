/**
 * Browser entry of the cross-engine test, bundled by esbuild (see harness.ts)
 * and imported both by the page (index.html) and by the dedicated worker
 * (worker.js). Everything runs the library's TypeScript sources.
 */
import { columnsFromText, Engine } from "../../src/index.js";
import { computeAll, decodeColumns, exactJson, type Field, type Results } from "./shared.js";

/** What the page / worker reports about the shared engine. */
export interface EngineReport {
  /** Where it ran: "window" or "worker". */
  scope: string;
  /** Engine.shared() returned without throwing (synchronous compile of the inlined bytes). */
  ok: boolean;
  error: string | null;
  /** Engine.shared() is a singleton. */
  singleton: boolean;
  memoryBytes: number;
  exports: string[];
  /** Whether the host offers Buffer (the browser must take the atob path of @ict/wasm). */
  hasBuffer: boolean;
}

/**
 * Must be the first call into the library in a fresh realm: it proves that
 * Engine.shared() compiles and instantiates synchronously here.
 */
export function engineCheck(): EngineReport {
  const scope = typeof window !== "undefined" ? "window" : "worker";
  const hasBuffer = typeof (globalThis as { Buffer?: unknown }).Buffer === "function";
  try {
    const a = Engine.shared();
    const b = Engine.shared();
    return {
      scope,
      ok: a instanceof Engine,
      error: null,
      singleton: a === b,
      memoryBytes: a.memoryBytes,
      exports: Object.keys(a.kernels).sort(),
      hasBuffer,
    };
  } catch (e) {
    return { scope, ok: false, error: String((e as Error)?.stack ?? e), singleton: false, memoryBytes: 0, exports: [], hasBuffer };
  }
}

/** Runs every detector on bar columns given as base64 of their Float64 bytes. */
export function run(columns: Record<Field, string>): Results {
  return computeAll(decodeColumns(columns));
}

/** Parses bars text (CSV or JSON) with the library's own reader, then runs every detector. */
export function runText(text: string): Results {
  return computeAll(columnsFromText(text));
}

export { exactJson };
