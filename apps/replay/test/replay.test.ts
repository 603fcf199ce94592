import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { columnsFromText } from "@ict/core";
import { replay } from "../src/replay.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = resolve(here, "../../../packages/core/test/fixtures/golden");
const load = (f: string) => columnsFromText(readFileSync(join(GOLDEN, "inputs", f), "utf8"));

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(root.length)] = readFileSync(p, "utf8");
    }
  };
  walk(root);
  return out;
}

describe("replay (partial: the tick loop and its files)", () => {
  it("walks every bar of every New York day through tick(); the same input gives byte-identical files", async () => {
    const bars = { QQQ: load("pair_1m.json"), SPY: load("pair_1m.ref.json") };
    const a = mkdtempSync(join(tmpdir(), "ict-replay-a-"));
    const b = mkdtempSync(join(tmpdir(), "ict-replay-b-"));
    onTestFinished(() => [a, b].forEach((d) => rmSync(d, { recursive: true, force: true })));
    const s1 = await replay({ bars, out: a, write: "every" });
    await replay({ bars, out: b, write: "every" });
    expect(s1.ticks).toBe(600);
    expect(s1.days.length).toBeGreaterThan(1);
    const ta = tree(a);
    const tb = tree(b);
    expect(Object.keys(ta).sort()).toEqual(Object.keys(tb).sort());
    for (const k of Object.keys(ta)) expect(ta[k], k).toBe(tb[k]);
    for (const day of s1.days) {
      const dir = `/data/daily_news/${day}/processed`;
      expect(Object.keys(ta)).toEqual(
        expect.arrayContaining([
          `${dir}/context_capsules/QQQ.json`,
          `${dir}/context_capsules/SPY.json`,
          `${dir}/current_context.json`,
          `${dir}/prompts.jsonl`,
        ]),
      );
      const prompts = ta[`${dir}/prompts.jsonl`]!.trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(prompts.length % 2).toBe(0);
      for (const p of prompts) expect(p.prompt).toContain("## CONTEXT_STAGE");
      expect(ta[`${dir}/current_context.json`]).not.toMatch(/NaN|Infinity/);
    }
  });
});
