import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { columnsFromBars, repairOhlc, type Columns } from "@ict/core";
import { offlineAnswer } from "@ict/pipeline";
import { replay } from "../../replay/src/replay.js";
import type { AlpacaBar } from "../src/alpaca/types.js";

export const here = dirname(fileURLToPath(import.meta.url));
export const CLI = resolve(here, "../src/cli.ts");

/** Temporary folders made by {@link tmp}, removed after each test file (`test/setup.ts`). */
export const madeDirs: string[] = [];

/** A fresh temporary folder, removed after the test file. */
export function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `ict-live-${prefix}-`));
  madeDirs.push(d);
  return d;
}

/** Every file under `root`, by relative path. */
export function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(root.length)] = readFileSync(p, "utf8");
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Served bars as replay input, in the watchlist's order, repaired as the live loop repairs them (an open outside the high–low range widens it). */
export function asColumns(served: Record<string, AlpacaBar[]>, symbols: readonly string[]): Record<string, Columns> {
  const out: Record<string, Columns> = {};
  for (const s of symbols) {
    out[s] = columnsFromBars(
      (served[s] ?? []).map((b) => {
        const r = { t: b.t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v };
        repairOhlc(r);
        return r;
      }),
    );
  }
  return out;
}

/**
 * Checks the live outputs of `day` against `ict replay` over `bars` with the
 * same (offline) LLM: the capsules, the context and prompts.jsonl (prompts
 * and answers) byte for byte. Also: every JSON file parses, no temporary
 * file is left. `from`: the replay's first day (earlier bars are its history).
 */
export async function expectEqualsReplay(liveOut: string, day: string, bars: Record<string, Columns>, from?: string): Promise<void> {
  const ref = tmp("replay");
  await replay({ bars, out: ref, write: "close", report: false, from });
  const rel = `/data/daily_news/${day}/processed`;
  const live = tree(join(liveOut, rel));
  const want = tree(join(ref, rel));
  expect(Object.keys(live).sort()).toEqual(Object.keys(want).sort());
  for (const k of Object.keys(want)) {
    if (k === "/prompts.jsonl") continue;
    expect(live[k], k).toBe(want[k]);
    expect(() => JSON.parse(live[k]!)).not.toThrow();
  }
  const liveLines = live["/prompts.jsonl"]!.split("\n");
  const wantLines = want["/prompts.jsonl"]!.split("\n");
  expect(liveLines.length).toBe(wantLines.length);
  for (let i = 0; i < wantLines.length; i++) expect(liveLines[i], `prompts.jsonl line ${i + 1}`).toBe(wantLines[i]);
  const asked = wantLines.filter((l) => l && JSON.parse(l).asked === true);
  expect(asked.length).toBeGreaterThan(0);
  for (const l of asked) {
    const x = JSON.parse(l) as { t: string; symbol: string; prompt: string; answer: unknown };
    expect(x.answer).toEqual(offlineAnswer({ symbol: x.symbol, dayEt: day, now: Date.parse(x.t), prompt: x.prompt }));
  }
}
