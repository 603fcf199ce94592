import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open as openAsync, rename as renameAsync, unlink as unlinkAsync } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { checkDay, checkSymbol, type Capsule } from "../capsule.js";
import { IctError } from "../errors.js";
import type { ContextDoc } from "../tick.js";

/** A value that JSON cannot carry faithfully (NaN, Infinity): refused, never written (Q25). */
export class NonFiniteJsonError extends IctError {
  constructor(readonly path: string) {
    super(`refusing to write a non-finite number at ${path} (JSON has no NaN or Infinity)`);
  }
}

/** True when every number reachable from `v` (array items, own enumerable members) is finite. */
function allFinite(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (v === null || typeof v !== "object") return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!allFinite(v[i])) return false;
    return true;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) if (!allFinite((v as Record<string, unknown>)[keys[i]!])) return false;
  return true;
}

/** Throws {@link NonFiniteJsonError} naming the first non-finite number's path. */
function throwAtNonFinite(value: unknown): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new NonFiniteJsonError(path);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  walk(value, "$");
}

/** JSON text of `value`, refusing NaN and ±Infinity anywhere in it. */
export function stringifyStrict(value: unknown, indent = 2): string {
  return jsonBody(value, indent) + "\n";
}

/** {@link stringifyStrict} without the final newline. */
function jsonBody(value: unknown, indent = 2): string {
  // The check walks without building paths; the path is only spelled out for the error.
  if (!allFinite(value)) throwAtNonFinite(value);
  return JSON.stringify(value, null, indent);
}

/** The day's output folder: `ROOT/data/daily_news/<day>/processed`. */
export function processedDir(root: string, dayEt: string): string {
  return join(root, "data", "daily_news", checkDay(dayEt), "processed");
}

/** `ROOT/data/daily_news/<day>/processed/context_capsules/<SYMBOL>.json` (both names validated). */
export function capsulePath(root: string, dayEt: string, symbol: string): string {
  return join(processedDir(root, dayEt), "context_capsules", `${checkSymbol(symbol)}.json`);
}

/** `ROOT/data/daily_news/<day>/processed/current_context.json`. */
export function contextPath(root: string, dayEt: string): string {
  return join(processedDir(root, dayEt), "current_context.json");
}

let seq = 0;
/** Encoding buffer of {@link writeFileAtomic} (a UTF-16 unit is at most 3 bytes of UTF-8). */
let scratch = Buffer.allocUnsafe(0);

/**
 * Writes a file atomically: the text goes to a temporary file in the same
 * folder, is flushed to disk, then renamed over the target (and the folder
 * flushed). A process killed at any instant leaves the old file or the new
 * one, never a torn one. `durable: false` skips the flushes: the rename alone
 * already protects against a killed process (not against a power loss) — for
 * files rewritten many times a second, such as a replay's per-tick outputs.
 */
export function writeFileAtomic(path: string, text: string, durable = true): void {
  writeTextAtomic(path, text, "", durable);
}

/** {@link writeFileAtomic} of `text + suffix`, without building that string. */
function writeTextAtomic(path: string, text: string, suffix: string, durable: boolean): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = tempName(path);
  // UTF-8 of the text into a reused buffer: allocating a fresh one per write costs more than the encoding.
  const need = (text.length + suffix.length) * 3;
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
  let len = scratch.write(text, 0, "utf8");
  if (suffix) len += scratch.write(suffix, len, "utf8");
  const fd = openSync(tmp, "w");
  try {
    let off = 0;
    while (off < len) off += writeSync(fd, scratch, off, len - off);
    if (durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  if (!durable) return;
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* some platforms cannot fsync a folder */
  }
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${(seq++).toString(36)}.tmp`);
}

/**
 * Atomic, not flushed file writes done off the main thread, for files that
 * are rewritten at every tick of a replay: each write goes to a temporary
 * file that is renamed over the target (a reader sees the old file or the new
 * one, never a torn one, as with `writeFileAtomic(path, text, false)`), but
 * the open, write and rename run on libuv's thread pool while the caller
 * computes the next tick — on ext4 the rename over an existing file starts the
 * new file's writeback and can block for milliseconds. Writes to one path land
 * in the order they were queued; `write` waits while `maxPending` writes are
 * in flight. Call {@link BackgroundWriter.flush} before relying on the files
 * (it also rethrows the first failed write).
 */
export class BackgroundWriter {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #dirs = new Set<string>();
  readonly #pool: Buffer[] = [];
  readonly #room: (() => void)[] = [];
  #pending = 0;
  #error: unknown = undefined;
  #failed = false;

  constructor(readonly maxPending = 8) {}

  /** Queues the bytes {@link writeJsonAtomic} would write (non-finite numbers refused) for `path`. */
  async writeJson(path: string, value: unknown): Promise<void> {
    await this.write(path, jsonBody(value), "\n");
  }

  /** Queues `text + suffix` for `path`; resolves once fewer than `maxPending` writes are in flight. */
  async write(path: string, text: string, suffix = ""): Promise<void> {
    this.#check();
    const dir = dirname(path);
    if (!this.#dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    // Encoded now into a pooled buffer (fresh memory costs a page fault per 4 KiB), sized in powers of two from 1 MiB;
    // the text is not kept, nor concatenated with the suffix.
    const need = (text.length + suffix.length) * 3;
    const k = this.#pool.findIndex((b) => b.length >= need);
    const buf = k >= 0 ? this.#pool.splice(k, 1)[0]! : Buffer.allocUnsafeSlow(2 ** Math.max(20, Math.ceil(Math.log2(need))));
    let len = buf.write(text, 0, "utf8");
    if (suffix) len += buf.write(suffix, len, "utf8");
    this.#pending++;
    const job = (this.#tails.get(path) ?? Promise.resolve())
      .then(() => writeBufferAtomicAsync(path, buf, len))
      .catch((e: unknown) => {
        if (!this.#failed) {
          this.#failed = true;
          this.#error = e;
        }
      })
      .finally(() => {
        this.#pool.push(buf);
        this.#pending--;
        if (this.#tails.get(path) === job) this.#tails.delete(path);
        this.#room.shift()?.();
      });
    this.#tails.set(path, job);
    while (this.#pending >= this.maxPending) await new Promise<void>((r) => this.#room.push(r));
  }

  /** Waits for every queued write; throws the first error of any of them. */
  async flush(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
    this.#check();
  }

  #check(): void {
    if (this.#failed) {
      this.#failed = false;
      const e = this.#error;
      this.#error = undefined;
      throw e;
    }
  }
}

async function writeBufferAtomicAsync(path: string, buf: Buffer, len: number): Promise<void> {
  const tmp = tempName(path);
  const fh = await openAsync(tmp, "w");
  try {
    let off = 0;
    while (off < len) off += (await fh.write(buf, off, len - off)).bytesWritten;
  } catch (e) {
    await fh.close();
    await unlinkAsync(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await renameAsync(tmp, path);
}

/** Writes JSON atomically, refusing non-finite numbers (see {@link writeFileAtomic} for `durable`). */
export function writeJsonAtomic(path: string, value: unknown, durable = true): void {
  writeTextAtomic(path, jsonBody(value), "\n", durable);
}

/**
 * Reads a JSON file written by this module. Missing: `null`. Unreadable or not
 * valid JSON: the file is moved aside (`<name>.corrupt-<time>`), `warn` is
 * told where, and `null` is returned — it is never silently overwritten.
 */
export function readJsonOrQuarantine<T>(path: string, warn: (message: string) => void = (m) => console.warn(m)): T | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
    return JSON.parse(text) as T;
  } catch (e) {
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, aside);
    warn(`warning: ${path} is not valid JSON (${(e as Error).message}); moved aside to ${aside}`);
    return null;
  }
}

/** Writes a capsule to its file under `root`; returns the path. */
export function writeCapsule(root: string, capsule: Capsule, durable = true): string {
  const p = capsulePath(root, capsule.day_et, capsule.symbol);
  writeJsonAtomic(p, capsule, durable);
  return p;
}

/** Writes the merged context document of a day; returns the path. */
export function writeContext(root: string, dayEt: string, doc: ContextDoc, durable = true): string {
  const p = contextPath(root, dayEt);
  writeJsonAtomic(p, doc, durable);
  return p;
}

/** Reads the day's context document (moving a corrupt one aside), or null. */
export function readContext(root: string, dayEt: string, warn?: (message: string) => void): ContextDoc | null {
  const doc = readJsonOrQuarantine<ContextDoc>(contextPath(root, dayEt), warn);
  if (doc !== null && (typeof doc !== "object" || !Array.isArray(doc.symbols))) {
    const p = contextPath(root, dayEt);
    const aside = `${p}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(p, aside);
    (warn ?? console.warn)(`warning: ${p} has no "symbols" list; moved aside to ${aside}`);
    return null;
  }
  return doc;
}
