import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open as openAsync, rename as renameAsync, unlink as unlinkAsync } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { checkDay, checkSymbol, type Capsule } from "../capsule.js";
import { IctError } from "@ict/core";
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
  // The check walks without building paths; the path is only spelled out for the error.
  if (!allFinite(value)) throwAtNonFinite(value);
  return JSON.stringify(value, null, indent) + "\n";
}

/** Encodes into `buf` from offset 0; returns the byte length, or -1 when `buf` is too small. */
type Encoder = (buf: Buffer) => number;

const textEncoder =
  (text: string, suffix = ""): Encoder =>
  (buf) => {
    if (buf.length < (text.length + suffix.length) * 3) return -1; // a UTF-16 unit is at most 3 bytes of UTF-8
    const len = buf.write(text, 0, "utf8");
    return suffix ? len + buf.write(suffix, len, "utf8") : len;
  };

/**
 * The bytes of {@link stringifyStrict}`(value)` (indent 2), non-finite numbers
 * refused. Node 20's JSON.stringify with an indent returns a rope of tiny
 * pieces whose flattening (before any encoding) costs more than the
 * stringify itself; the compact text is flat, so it is indented here while
 * being encoded to UTF-8 — only the whitespace outside strings differs
 * between the two forms, and the result is the same bytes.
 */
function jsonEncoder(value: unknown): Encoder {
  if (!allFinite(value)) throwAtNonFinite(value);
  const compact = JSON.stringify(value) as string | undefined;
  if (compact === undefined) return textEncoder(stringifyStrict(value));
  return (buf) => indentInto(compact, buf);
}

/** UTF-8 of JSON.stringify(v, null, 2) + "\n" from `s` = JSON.stringify(v), or -1 when `out` is too small. */
function indentInto(s: string, out: Buffer): number {
  const cap = out.length;
  let o = 0;
  let depth = 0;
  let inStr = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    // At most 2·depth + 4 bytes are written per step.
    if (o + 2 * depth + 8 > cap) return -1;
    let c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) {
        // An escape: backslash and the ASCII character after it (\u digits follow as plain characters).
        out[o++] = 92;
        c = s.charCodeAt(++i);
        out[o++] = c;
        continue;
      }
      if (c === 34) inStr = false;
      if (c < 0x80) out[o++] = c;
      else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6);
        out[o++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdbff) {
        // JSON.stringify escapes lone surrogates: a high surrogate here is followed by its low one.
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        out[o++] = 0xf0 | (cp >> 18);
        out[o++] = 0x80 | ((cp >> 12) & 63);
        out[o++] = 0x80 | ((cp >> 6) & 63);
        out[o++] = 0x80 | (cp & 63);
      } else {
        out[o++] = 0xe0 | (c >> 12);
        out[o++] = 0x80 | ((c >> 6) & 63);
        out[o++] = 0x80 | (c & 63);
      }
      continue;
    }
    switch (c) {
      case 34: // "
        inStr = true;
        out[o++] = 34;
        break;
      case 123: // {
      case 91: // [
        if (s.charCodeAt(i + 1) === c + 2) {
          // {} and [] stay on one line.
          out[o++] = c;
          out[o++] = c + 2;
          i++;
          break;
        }
        out[o++] = c;
        out[o++] = 10;
        depth++;
        for (let k = 0; k < depth; k++) {
          out[o++] = 32;
          out[o++] = 32;
        }
        break;
      case 125: // }
      case 93: // ]
        out[o++] = 10;
        depth--;
        for (let k = 0; k < depth; k++) {
          out[o++] = 32;
          out[o++] = 32;
        }
        out[o++] = c;
        break;
      case 44: // ,
        out[o++] = 44;
        out[o++] = 10;
        for (let k = 0; k < depth; k++) {
          out[o++] = 32;
          out[o++] = 32;
        }
        break;
      case 58: // :
        out[o++] = 58;
        out[o++] = 32;
        break;
      default:
        out[o++] = c;
    }
  }
  if (o + 1 > cap) return -1;
  out[o++] = 10;
  return o;
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
  writeEncodedAtomic(path, textEncoder(text), durable);
}

/** {@link writeFileAtomic} of the bytes an encoder makes. */
function writeEncodedAtomic(path: string, encode: Encoder, durable: boolean): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = tempName(path);
  // Encoded into a reused buffer: allocating a fresh one per write costs more than the encoding.
  let len: number;
  while ((len = encode(scratch)) < 0) scratch = Buffer.allocUnsafeSlow(Math.max(1 << 20, scratch.length * 2));
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
    throw withPath(e, path);
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

/**
 * An OS error of a write (ENOSPC, EFBIG, EIO …) carries no path: it is given
 * the target's, so that the message can say which file could not be written.
 */
function withPath(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === "object" && typeof err.code === "string" && err.path === undefined) err.path = path;
  return e;
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
    this.#check();
    await this.#queue(path, jsonEncoder(value));
  }

  /** Queues `text` for `path`; resolves once fewer than `maxPending` writes are in flight. */
  async write(path: string, text: string): Promise<void> {
    this.#check();
    await this.#queue(path, textEncoder(text));
  }

  async #queue(path: string, encode: Encoder): Promise<void> {
    const dir = dirname(path);
    if (!this.#dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    // Encoded now into a pooled buffer (fresh memory costs a page fault per 4 KiB), sized in powers of two from 1 MiB.
    let buf = this.#pool.pop() ?? Buffer.allocUnsafeSlow(1 << 20);
    let len: number;
    while ((len = encode(buf)) < 0) buf = Buffer.allocUnsafeSlow(buf.length * 2);
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
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
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
    throw withPath(e, path);
  }
  await fh.close();
  await renameAsync(tmp, path);
}

/** Writes JSON atomically, refusing non-finite numbers (see {@link writeFileAtomic} for `durable`). */
export function writeJsonAtomic(path: string, value: unknown, durable = true): void {
  writeEncodedAtomic(path, jsonEncoder(value), durable);
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
