import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { columnsFromBars } from "@ict/core";
import { buildCapsule, InvalidNameError } from "../src/index.js";
import {
  capsulePath,
  contextPath,
  NonFiniteJsonError,
  readContext,
  stringifyStrict,
  writeCapsule,
  writeContext,
} from "../src/node/index.js";

const here = dirname(fileURLToPath(import.meta.url));
// tsx's loader in the same process (its CLI would run the script in a grandchild that SIGKILL misses).
const TSX_LOADER = pathToFileURL(resolve(here, "../../../node_modules/tsx/dist/loader.mjs")).href;

describe("atomic writes", () => {
  it("a process killed by SIGKILL in a write loop leaves the old or the new file, never a torn one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ict-kill-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "doc.json");
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ["--import", TSX_LOADER, join(here, "storage", "writer.ts"), path], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const pid = await new Promise<number>((ok) => child.stdout!.once("data", (d) => ok(Number(String(d).trim()))));
      // The writer is the process we kill, not a wrapper around it.
      expect(pid).toBe(child.pid);
      await new Promise((ok) => setTimeout(ok, 150 + round * 97));
      child.kill("SIGKILL");
      await new Promise((ok) => child.once("exit", ok));
      expect(existsSync(path)).toBe(true);
      const doc = JSON.parse(readFileSync(path, "utf8"));
      expect(["A", "B"]).toContain(doc.tag);
      expect(doc.rows).toHaveLength(20_000);
    }
  }, 60_000);

  it("NaN and Infinity never reach JSON (Q25)", () => {
    expect(() => stringifyStrict({ a: [1, { b: NaN }] })).toThrow(NonFiniteJsonError);
    expect(() => stringifyStrict({ a: -Infinity })).toThrow(/\$\.a/);
    expect(stringifyStrict({ a: 1 })).toBe('{\n  "a": 1\n}\n');
    // And bars with missing prices are refused before anything is computed.
    expect(() => columnsFromBars([{ t: "2024-01-02T14:30:00Z", o: null, h: null, l: null, c: null }])).toThrow(/field "o": is null/);
  });
});

describe("paths and names", () => {
  it("capsules live at data/daily_news/<day>/processed/context_capsules/<SYMBOL>.json", () => {
    expect(capsulePath("/r", "2024-01-02", "SPY")).toBe("/r/data/daily_news/2024-01-02/processed/context_capsules/SPY.json");
    expect(contextPath("/r", "2024-01-02")).toBe("/r/data/daily_news/2024-01-02/processed/current_context.json");
  });
  it("hostile symbols and days are refused with a typed error", () => {
    for (const s of ["../x", "/", "..", ".", "", "a\u0000b", "a/b", "a\\b", "x".repeat(33), " SPY"])
      expect(() => capsulePath("/r", "2024-01-02", s), JSON.stringify(s)).toThrow(InvalidNameError);
    for (const d of ["../2024-01-02", "2024-01-02/..", "2024-13-01", "", "2024-01-02\u0000"])
      expect(() => capsulePath("/r", d, "SPY"), JSON.stringify(d)).toThrow(InvalidNameError);
  });
  it("writes a capsule and the context; a corrupt context is moved aside with a warning, not overwritten", () => {
    const root = mkdtempSync(join(tmpdir(), "ict-store-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const cap = buildCapsule({
      symbol: "SPY",
      dayEt: "2024-01-02",
      bars1m: columnsFromBars([{ t: "2024-01-02T14:30:00Z", o: 1, h: 2, l: 0.5, c: 1.5 }]),
      now: Date.UTC(2024, 0, 2, 14, 30),
    });
    const p = writeCapsule(root, cap);
    expect(JSON.parse(readFileSync(p, "utf8"))).toEqual(cap);
    writeContext(root, "2024-01-02", { symbols: [{ symbol: "SPY" }] });
    expect(readContext(root, "2024-01-02")).toEqual({ symbols: [{ symbol: "SPY" }] });
    const cp = contextPath(root, "2024-01-02");
    writeFileSync(cp, '{"symbols": [');
    const warnings: string[] = [];
    expect(readContext(root, "2024-01-02", (m) => warnings.push(m))).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/moved aside/);
    const files = readdirSync(dirname(cp));
    expect(files.some((f) => f.startsWith("current_context.json.corrupt-"))).toBe(true);
    expect(existsSync(cp)).toBe(false);
  });
});
