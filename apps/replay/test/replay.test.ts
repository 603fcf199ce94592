import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { columnsFromArrays, columnsFromText } from "@ict/core";
import { tickWalkBars } from "@ict/testkit";
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

describe("futures trade the CME day (ict)", () => {
  it("a Sunday 18:00 open belongs to Monday: days, capsules and levels follow the day from 18:00 New York", async () => {
    // ES around the clock in January (EST): Sunday 18:00 to Monday 17:00, then Tuesday's day from Monday 18:00.
    const ny = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00Z`) + 5 * 3_600_000;
    const times: number[] = [];
    for (let t = ny("2024-01-07", "18:00"); t < ny("2024-01-08", "17:00"); t += 60_000) times.push(t);
    for (let t = ny("2024-01-08", "18:00"); t < ny("2024-01-08", "19:00"); t += 60_000) times.push(t);
    const w = tickWalkBars(times.length, 3);
    const es = columnsFromArrays({ t: times, o: w.o, h: w.h, l: w.l, c: w.c, v: w.v });
    const out = mkdtempSync(join(tmpdir(), "ict-replay-cme-"));
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));
    const s = await replay({ bars: { ES: es }, out, write: "close", report: false });
    expect(s.days).toEqual(["2024-01-08", "2024-01-09"]);
    const cap = JSON.parse(readFileSync(join(out, "data/daily_news/2024-01-09/processed/context_capsules/ES.json"), "utf8"));
    expect(cap.day_et).toBe("2024-01-09");
    // Tuesday's levels know Monday's CME day (Sunday 18:00 to Monday 17:00) as the previous day.
    const monday = Array.from(times.keys()).filter((i) => times[i]! < ny("2024-01-08", "17:00"));
    expect(cap.features.levels.prev_day).toMatchObject({
      day: "2024-01-08",
      open: w.o[monday[0]!],
      high: Math.max(...monday.map((i) => w.h[i]!)),
      low: Math.min(...monday.map((i) => w.l[i]!)),
      close: w.c[monday.at(-1)!],
    });
    // The seed keeps New York dates.
    const seedOut = mkdtempSync(join(tmpdir(), "ict-replay-cme-seed-"));
    onTestFinished(() => rmSync(seedOut, { recursive: true, force: true }));
    expect((await replay({ bars: { ES: es }, out: seedOut, write: "close", report: false, profile: "seed-v0.1" })).days).toEqual([
      "2024-01-07",
      "2024-01-08",
    ]);
  });
});
