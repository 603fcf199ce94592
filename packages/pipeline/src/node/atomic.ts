/** Atomic writes: a temporary file in the same folder renamed over the target; a killed process leaves the old file or the new one. */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open as openAsync, rename as renameAsync, unlink as unlinkAsync } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { jsonEncoder, textEncoder, type Encoder } from "./json.js";

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

/** @internal */
export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${(seq++).toString(36)}.tmp`);
}

/** @internal */
export async function writeBufferAtomicAsync(path: string, buf: Buffer, len: number): Promise<void> {
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
