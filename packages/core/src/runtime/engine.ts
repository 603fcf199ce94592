import { wasmBytes, type IctKernels } from "@ict/wasm";
import type { Columns } from "../io/columns.js";
import { ColumnsError, EngineDeadError, EngineTrapError, IctError } from "../base/errors.js";

/** The fields of a bar column set, in storage order. */
const FIELDS = ["t", "o", "h", "l", "c", "v"] as const;
type Field = (typeof FIELDS)[number];

/**
 * The WebAssembly kernels and their linear memory. Columns live in that
 * memory; kernels receive pointers and lengths, so nothing is copied per call.
 * Typed-array views over the memory are rebuilt whenever the memory has grown
 * (a grown memory detaches the old `ArrayBuffer`).
 *
 * Most users never touch the engine: the detector functions use
 * {@link Engine.shared}. It is public for zero-copy work on large histories
 * ({@link Engine.upload}, {@link WasmBars}).
 */
/**
 * Bytes every column buffer gets beyond its last element: the kernels read
 * and write two lanes at a time (f64x2) and may touch one lane past the end.
 */
export const SIMD_SLACK = 16;

/**
 * The allocator of one {@link Engine.scoped} call: `alloc(bytes)` for raw
 * scratch, and `f64(n)`, `i32(n)`, `u8(n)` for columns of n elements with
 * the kernels' {@link SIMD_SLACK}. Every block is freed when the scope ends.
 */
export interface ScopeAlloc {
  (bytes: number): number;
  f64(n: number): number;
  i32(n: number): number;
  u8(n: number): number;
}

export class Engine {
  /** The raw kernel exports. */
  readonly kernels: IctKernels;
  private buffer: ArrayBuffer;
  private f64View: Float64Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  private readonly registry: FinalizationRegistry<number[]>;
  private _dead = false;

  private constructor(instance: WebAssembly.Instance) {
    this.kernels = instance.exports as unknown as IctKernels;
    this.buffer = this.kernels.memory.buffer;
    this.f64View = new Float64Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
    // Backstop: blocks of WasmBars dropped without dispose() go back to the
    // heap. It runs outside any caller's try, so it must never throw: a dead
    // instance is left alone, and a failing free only ends the clean-up.
    this.registry = new FinalizationRegistry((ptrs) => {
      if (this._dead) return;
      try {
        for (const p of ptrs) this.kernels.free(p);
      } catch {
        // The instance is unusable; the next guarded call discovers and replaces it.
      }
    });
  }

  private static instance: Engine | undefined;
  private static module: WebAssembly.Module | undefined;

  private static imports(): WebAssembly.Imports {
    return {
      env: {
        abort(_msg: number, _file: number, line: number, col: number): never {
          throw new KernelAbort(`WebAssembly kernel aborted at ${line}:${col}`);
        },
      },
    };
  }

  /**
   * The engine shared by all detector functions, instantiated on first use
   * from the bytes inlined in `@ict/wasm` (synchronous compilation: allowed in
   * Node, workers and, for a module of this size, browser main threads).
   */
  static shared(): Engine {
    if (Engine.instance === undefined) {
      Engine.module ??= new WebAssembly.Module(wasmBytes() as Uint8Array<ArrayBuffer>);
      Engine.instance = new Engine(new WebAssembly.Instance(Engine.module, Engine.imports()));
    }
    return Engine.instance;
  }

  /**
   * Compiles asynchronously and installs the shared engine. Optional: call it
   * once at start-up where synchronous compilation is not wanted.
   */
  static async ready(): Promise<Engine> {
    if (Engine.instance === undefined) {
      const { instance } = await WebAssembly.instantiate(wasmBytes() as Uint8Array<ArrayBuffer>, Engine.imports());
      Engine.instance ??= new Engine(instance);
    }
    return Engine.instance;
  }

  /**
   * A new, independent engine with its own memory (for example one per worker
   * task). `growOnEveryAlloc` (for tests) grows the memory before every
   * allocation, so that any typed-array view held across an allocation is
   * detached at once.
   */
  static create(options?: { growOnEveryAlloc?: boolean }): Engine {
    Engine.module ??= new WebAssembly.Module(wasmBytes() as Uint8Array<ArrayBuffer>);
    const e = new Engine(new WebAssembly.Instance(Engine.module, Engine.imports()));
    e.growOnEveryAlloc = options?.growOnEveryAlloc === true;
    return e;
  }

  private growOnEveryAlloc = false;

  /** Whether this instance was discarded after a WebAssembly trap (see {@link Engine.guard}). */
  get dead(): boolean {
    return this._dead;
  }

  /** Throws {@link EngineDeadError} when this engine was discarded. */
  assertAlive(): void {
    if (this._dead)
      throw new EngineDeadError(
        "this engine was discarded after a WebAssembly trap; its resident bars are gone (upload them again: the shared engine is recreated on use)",
      );
  }

  /**
   * Runs `fn`; when the WebAssembly instance traps inside it (a
   * `RuntimeError` such as `unreachable` or an out-of-bounds access, or an
   * abort of the kernel runtime), its memory can no longer be trusted: the
   * engine is marked dead (the shared engine is replaced on the next
   * {@link Engine.shared}) and an {@link EngineTrapError} is thrown instead.
   * Every other error passes through unchanged.
   */
  guard<T>(fn: () => T): T {
    this.assertAlive();
    try {
      return fn();
    } catch (e) {
      if (isTrap(e)) {
        this.discard();
        throw new EngineTrapError(
          `WebAssembly kernel trapped (${(e as Error).message}); the engine was discarded and is recreated on the next call`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  /** Marks the engine dead and, if it is the shared one, lets the next call build a fresh one. */
  private discard(): void {
    this._dead = true;
    if (Engine.instance === this) Engine.instance = undefined;
  }

  private refresh(): void {
    const b = this.kernels.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.f64View = new Float64Array(b);
      this.i32View = new Int32Array(b);
      this.u8View = new Uint8Array(b);
    }
  }

  /** The whole memory as Float64 (index = byte pointer / 8). Valid until the next allocation. */
  get f64(): Float64Array {
    this.refresh();
    return this.f64View;
  }

  /** The whole memory as Int32 (index = byte pointer / 4). Valid until the next allocation. */
  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  /** The whole memory as bytes. Valid until the next allocation. */
  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  /** Copies `n` Int32 values at byte pointer `ptr` out of WebAssembly memory. */
  readI32(ptr: number, n: number): Int32Array {
    return this.i32.slice(ptr >>> 2, (ptr >>> 2) + n);
  }

  /** Copies `n` Float64 values at byte pointer `ptr` out of WebAssembly memory. */
  readF64(ptr: number, n: number): Float64Array {
    return this.f64.slice(ptr >>> 3, (ptr >>> 3) + n);
  }

  /** Copies `n` Int32 values at byte pointer `ptr` out of WebAssembly memory as Int8 (for direction columns). */
  readI8(ptr: number, n: number): Int8Array {
    const out = new Int8Array(n);
    out.set(this.i32.subarray(ptr >>> 2, (ptr >>> 2) + n));
    return out;
  }

  /** Allocates (through `alloc`) and fills an Int32 buffer; returns its pointer. */
  putI32(alloc: ScopeAlloc, values: ArrayLike<number>): number {
    const p = alloc.i32(values.length);
    this.i32.set(values, p >>> 2);
    return p;
  }

  /** Allocates (through `alloc`) and fills a Float64 buffer; returns its pointer. */
  putF64(alloc: ScopeAlloc, values: ArrayLike<number>): number {
    const p = alloc.f64(values.length);
    this.f64.set(values, p >>> 3);
    return p;
  }

  /** Current size of the linear memory in bytes. */
  get memoryBytes(): number {
    return this.kernels.memory.buffer.byteLength;
  }

  /** Allocates `bytes` bytes (16-byte aligned) in WebAssembly memory. */
  alloc(bytes: number): number {
    if (this.growOnEveryAlloc) this.kernels.memory.grow(1);
    const p = this.kernels.alloc(Math.max(16, Math.ceil(bytes / 16) * 16));
    if (p === 0) throw new EngineTrapError(`WebAssembly memory exhausted allocating ${bytes} bytes`);
    return p;
  }

  /** Frees a block from {@link Engine.alloc}. */
  free(ptr: number): void {
    this.kernels.free(ptr);
  }

  /**
   * Runs `fn` with an allocator whose blocks are all freed when it returns
   * (scratch space and event buffers of one detector call).
   */
  scoped<T>(fn: (alloc: ScopeAlloc) => T): T {
    const blocks: number[] = [];
    let trapped = false;
    try {
      const alloc = ((bytes: number) => {
        const p = this.alloc(bytes);
        blocks.push(p);
        return p;
      }) as ScopeAlloc;
      alloc.f64 = (n) => alloc(n * 8 + SIMD_SLACK);
      alloc.i32 = (n) => alloc(n * 4 + SIMD_SLACK);
      alloc.u8 = (n) => alloc(n + SIMD_SLACK);
      return fn(alloc);
    } catch (e) {
      // After a trap the heap is not touched again (the guard discards the instance).
      trapped = isTrap(e);
      throw e;
    } finally {
      if (!trapped && !this._dead) for (const p of blocks) this.kernels.free(p);
    }
  }

  /**
   * Copies columns into WebAssembly memory and returns the copy, owned by the
   * caller: free it with {@link WasmBars.dispose} (the garbage collector frees
   * a forgotten copy eventually, as a backstop). Every call makes a new copy
   * of the arrays as they are now, so a later change to them is not seen by
   * this copy and is seen by the next upload. The columns' shape is checked
   * first ({@link checkColumns}).
   */
  upload(cols: Columns): WasmBars {
    checkColumns(cols);
    return this.guard(() => {
      const wb = this.allocBars(cols.length);
      const f64 = this.f64;
      for (const f of FIELDS) f64.set(cols[f], wb.ptr[f] >>> 3);
      return wb;
    });
  }

  /**
   * Runs `fn` on a temporary copy of `cols` in this engine's memory, freed
   * when `fn` returns or throws (what every detector function does with
   * {@link Columns}: nothing stays behind between calls).
   */
  withColumns<T>(cols: Columns, fn: (wb: WasmBars) => T): T {
    checkColumns(cols);
    return this.guard(() => {
      const n = cols.length;
      const bytes = (n + 2) * 8;
      const ptr = {} as Record<Field, number>;
      const blocks: number[] = [];
      let trapped = false;
      try {
        for (const f of FIELDS) {
          ptr[f] = this.alloc(bytes);
          blocks.push(ptr[f]);
        }
        const wb = new WasmBars(this, n, ptr);
        const f64 = this.f64;
        for (const f of FIELDS) f64.set(cols[f], ptr[f] >>> 3);
        try {
          return fn(wb);
        } finally {
          wb.markDisposed();
        }
      } catch (e) {
        trapped = isTrap(e);
        throw e;
      } finally {
        if (!trapped && !this._dead) for (const p of blocks) this.kernels.free(p);
      }
    });
  }

  /**
   * Allocates resident columns for `n` bars, to be filled through
   * {@link WasmBars.view} (for loaders that write straight into WebAssembly
   * memory). The caller is responsible for their validity.
   */
  allocBars(n: number): WasmBars {
    // One block per field; +2 slack values so f64x2 loads at the end stay inside the block.
    const bytes = (n + 2) * 8;
    const ptr = {} as Record<Field, number>;
    for (const f of FIELDS) ptr[f] = this.alloc(bytes);
    const wb = new WasmBars(this, n, ptr);
    this.registry.register(
      wb,
      FIELDS.map((f) => ptr[f]),
      wb,
    );
    return wb;
  }

  /** @internal */
  release(wb: WasmBars): void {
    this.registry.unregister(wb);
    if (!this._dead) for (const f of FIELDS) this.kernels.free(wb.ptr[f]);
  }
}

/**
 * Bars resident in WebAssembly memory: one Float64 column per field. Detector
 * functions accept them wherever they accept {@link Columns}.
 */
export class WasmBars {
  /** Byte pointers of the columns. */
  readonly ptr: Readonly<Record<Field, number>>;
  private _disposed = false;

  /** @internal */
  constructor(
    readonly engine: Engine,
    readonly length: number,
    ptr: Record<Field, number>,
  ) {
    this.ptr = Object.freeze(ptr);
  }

  /** Whether {@link WasmBars.dispose} was called. */
  get disposed(): boolean {
    return this._disposed;
  }

  /** Throws when these bars can no longer be read (disposed, or their engine discarded after a trap). */
  assertUsable(): void {
    this.engine.assertAlive();
    if (this._disposed) throw new IctError("WasmBars used after dispose()");
  }

  /** @internal Ends a temporary copy's life (its blocks are freed by its owner). */
  markDisposed(): void {
    this._disposed = true;
  }

  /** A Float64Array view of one column (valid until the next allocation in the engine). */
  view(field: Field): Float64Array {
    this.assertUsable();
    const f64 = this.engine.f64;
    const at = this.ptr[field] >>> 3;
    return f64.subarray(at, at + this.length);
  }

  /** Frees the columns now rather than when the handle is collected. */
  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this.engine.release(this);
    }
  }
}

/** Input accepted by every detector: validated columns, or bars already resident in WebAssembly memory. */
export type BarsInput = Columns | WasmBars;

/**
 * Resolves a detector input to bars resident in an engine. For
 * {@link WasmBars}, the bars themselves (checked alive); for {@link Columns},
 * a new copy in the shared engine that the caller owns and should
 * {@link WasmBars.dispose} (detector functions use {@link withBars}
 * instead, which frees the copy at once).
 */
export function resident(bars: BarsInput): WasmBars {
  if (bars instanceof WasmBars) {
    bars.assertUsable();
    return bars;
  }
  return Engine.shared().upload(bars);
}

/**
 * Runs `fn` on the bars resident in WebAssembly memory: {@link WasmBars} as
 * they are, {@link Columns} as a temporary copy in the shared engine, freed
 * when `fn` returns. A trap inside `fn` discards the engine
 * ({@link Engine.guard}).
 */
export function withBars<T>(bars: BarsInput, fn: (wb: WasmBars) => T): T {
  if (bars instanceof WasmBars) {
    bars.assertUsable();
    return bars.engine.guard(() => fn(bars));
  }
  return Engine.shared().withColumns(bars, fn);
}

/**
 * {@link withBars} for two series that must live in one engine (SMT): a
 * {@link Columns} goes into the engine of the other input when that one is
 * {@link WasmBars}, else into the shared engine.
 */
export function withBarsPair<T>(a: BarsInput, b: BarsInput, fn: (wa: WasmBars, wb: WasmBars) => T): T {
  const engine = a instanceof WasmBars ? a.engine : b instanceof WasmBars ? b.engine : Engine.shared();
  const on = (x: BarsInput, f: (w: WasmBars) => T): T => {
    if (x instanceof WasmBars) {
      if (x.engine !== engine) throw new IctError("both series must live in the same engine");
      x.assertUsable();
      return engine.guard(() => f(x));
    }
    return engine.withColumns(x, f);
  };
  return on(a, (wa) => on(b, (wb) => fn(wa, wb)));
}

const ARRAY_FIELDS = ["t", "o", "h", "l", "c", "v"] as const;

/**
 * Checks the shape of a {@link Columns} before it reaches WebAssembly memory:
 * an object whose `t, o, h, l, c, v` are `Float64Array`s of one common
 * length, and whose `length` is that length (a whole number). Values are not
 * re-validated here: the readers (`columnsFrom*`) did that; a hand-made
 * `Columns` with impossible prices gives meaningless features, never a
 * memory fault. Throws {@link ColumnsError} naming the field and the value.
 */
export function checkColumns(cols: unknown): asserts cols is Columns {
  if (cols === null || typeof cols !== "object")
    throw new ColumnsError("columns", cols, "bars must be a Columns object (from columnsFrom*) or WasmBars");
  if (Array.isArray(cols))
    throw new ColumnsError(
      "columns",
      `an array of ${cols.length} values`,
      "bars must be a Columns object: convert an array of bar objects with columnsFromBars(bars)",
    );
  const c = cols as Record<string, unknown>;
  const n = c.length;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new ColumnsError("length", n, "must be a whole number >= 0");
  for (const f of ARRAY_FIELDS) {
    const a = c[f];
    if (!(a instanceof Float64Array)) {
      const what = a === undefined ? "is missing" : ArrayBuffer.isView(a) ? "is a typed array of the wrong kind" : "is not an array";
      throw new ColumnsError(f, a, `${what}: must be a Float64Array`);
    }
    if (a.length !== n) throw new ColumnsError(f, a.length, `has ${a.length} values but length is ${n}`);
  }
}

/** An abort raised by the kernel runtime (the instance is left in an unknown state). */
class KernelAbort extends Error {}

/** Whether `e` means the WebAssembly instance can no longer be trusted. */
function isTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || e instanceof KernelAbort;
}
