import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
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
  // The check walks without building paths; the path is only spelled out for the error.
  if (!allFinite(value)) throwAtNonFinite(value);
  return JSON.stringify(value, null, indent) + "\n";
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
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${(seq++).toString(36)}.tmp`);
  // UTF-8 of the text into a reused buffer: allocating a fresh one per write costs more than the encoding.
  if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(Math.max(text.length * 3, scratch.length * 2));
  const len = scratch.write(text, 0, "utf8");
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

/** Writes JSON atomically, refusing non-finite numbers (see {@link writeFileAtomic} for `durable`). */
export function writeJsonAtomic(path: string, value: unknown, durable = true): void {
  writeFileAtomic(path, stringifyStrict(value), durable);
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
