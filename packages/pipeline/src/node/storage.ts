/** Capsules and the context document of a day, written and read back. */
import { renameSync } from "node:fs";
import type { Capsule } from "../capsule.js";
import type { ContextDoc } from "../tick.js";
import { readJsonOrQuarantine, writeJsonAtomic } from "./atomic.js";
import { capsulePath, contextPath } from "./paths.js";

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
