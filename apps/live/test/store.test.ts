import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BarValidationError } from "@ict/core";
import { createLlmProvider, LlmError } from "@ict/pipeline";
import { replay } from "../../replay/src/replay.js";
import { BarStore, Journal, parseAlpacaBar } from "../src/barstore.js";
import { addDays, nyTime, TradingCalendar } from "../src/calendar.js";
import { DayChain } from "../src/chain.js";
import { virtualClock } from "../src/clock.js";
import { correctBar, generateBars, prng } from "../src/fake/bars.js";
import { asColumns, expectEqualsReplay, tmp } from "./helpers.js";

const bar = (t: string, c = 10) => ({ t, o: 10, h: 11, l: 9, c, v: 100 });

describe("bar validation", () => {
  it("accepts a minute bar and keeps n and vw", () => {
    expect(parseAlpacaBar({ ...bar("2024-03-15T13:30:00Z"), n: 5, vw: 10.1 })).toEqual({
      t: Date.parse("2024-03-15T13:30:00Z"),
      o: 10,
      h: 11,
      l: 9,
      c: 10,
      v: 100,
      n: 5,
      vw: 10.1,
    });
  });
  it.each([
    [{ ...bar("2024-03-15T13:30:00Z"), h: 9.5 }, "h"],
    [{ ...bar("2024-03-15T13:30:00Z"), l: 10.5 }, "l"],
    [{ ...bar("2024-03-15T13:30:00Z"), v: -1 }, "v"],
    [{ ...bar("2024-03-15T13:30:00Z"), c: "10" }, "c"],
    [{ ...bar("2024-03-15T13:30:00Z"), o: null }, "o"],
    [bar("yesterday"), "t"],
    [bar("2024-03-15T13:30:20Z"), "t"],
  ])("rejects %j naming field %s", (raw, field) => {
    let err: unknown;
    try {
      parseAlpacaBar(raw as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BarValidationError);
    expect((err as BarValidationError).field).toBe(field);
  });
});

describe("bar store", () => {
  it("deduplicates on (symbol, t); a bar with other values replaces the stored one (and so its 5m bucket)", () => {
    const s = new BarStore();
    const t0 = "2024-03-15T13:30:00Z";
    expect(s.apply("SPY", parseAlpacaBar(bar(t0)))).toBe("new");
    expect(s.apply("SPY", parseAlpacaBar(bar(t0)))).toBe("duplicate");
    expect(s.apply("QQQ", parseAlpacaBar(bar(t0)))).toBe("new");
    expect(s.apply("SPY", parseAlpacaBar(bar("2024-03-15T13:31:00Z")))).toBe("new");
    const before = s.columns("2024-03-15", "SPY");
    expect(s.apply("SPY", parseAlpacaBar(bar(t0, 10.5)))).toBe("corrected");
    const after = s.columns("2024-03-15", "SPY");
    expect(before.c[0]).toBe(10);
    expect(after.c[0]).toBe(10.5);
    expect(after.length).toBe(2);
    expect(s.stats).toEqual({ added: 3, duplicates: 1, corrected: 1, stale: 0, invalid: 0 });
    expect(s.times("2024-03-15")).toEqual([Date.parse(t0), Date.parse("2024-03-15T13:31:00Z")]);
    expect(s.lastT("2024-03-15", "QQQ")).toBe(Date.parse(t0));
  });
  it("keeps the newest version: a correction beats a re-sent original, a REST answer beats only what was known when it was asked", () => {
    const s = new BarStore();
    const t = "2024-03-15T13:30:00Z";
    const orig = parseAlpacaBar(bar(t, 10));
    const fixed = parseAlpacaBar(bar(t, 10.25));
    const later = parseAlpacaBar(bar(t, 10.5));
    expect(s.apply("SPY", orig, "b", 1_000)).toBe("new");
    expect(s.apply("SPY", fixed, "u", 2_000)).toBe("corrected");
    expect(s.apply("SPY", orig, "b", 3_000)).toBe("stale");
    // A REST page asked for before the correction arrived knows only the original.
    expect(s.apply("SPY", orig, "rest", 1_500)).toBe("stale");
    expect(s.get("SPY", Date.parse(t))!.c).toBe(10.25);
    // A REST page asked for afterwards is the latest word.
    expect(s.apply("SPY", later, "rest", 4_000)).toBe("corrected");
    expect(s.apply("SPY", fixed, "u", 5_000)).toBe("corrected");
    expect(s.stats).toMatchObject({ added: 1, corrected: 3, stale: 2 });
  });
});

describe("journal", () => {
  it("reads back complete lines, cuts a torn tail, and appends after it", () => {
    const p = join(tmp("journal"), "raw", "bars_1m.jsonl");
    const j = new Journal(p);
    expect(j.open()).toEqual([]);
    j.append([
      { S: "SPY", ...bar("2024-03-15T13:30:00Z"), src: "b" },
      { S: "QQQ", ...bar("2024-03-15T13:30:00Z"), src: "rest" },
    ]);
    j.close();
    appendFileSync(p, '{"S":"IWM","t":"2024-03-15T13:3');
    const warnings: string[] = [];
    const j2 = new Journal(p);
    const recs = j2.open((m) => warnings.push(m));
    expect(recs.map((r) => r.S)).toEqual(["SPY", "QQQ"]);
    expect(warnings.join()).toContain("torn last line");
    j2.append([{ S: "IWM", ...bar("2024-03-15T13:31:00Z"), src: "u" }]);
    j2.close();
    const lines = readFileSync(p, "utf8").split("\n");
    expect(lines.length).toBe(4);
    expect(lines.slice(0, 3).map((l) => JSON.parse(l).S)).toEqual(["SPY", "QQQ", "IWM"]);
  });
});

describe("New York calendar", () => {
  it("converts New York local times across daylight saving", () => {
    expect(new Date(nyTime("2024-03-08", "09:30")).toISOString()).toBe("2024-03-08T14:30:00.000Z");
    expect(new Date(nyTime("2024-03-11", "09:30")).toISOString()).toBe("2024-03-11T13:30:00.000Z");
    expect(new Date(nyTime("2024-11-04", "16:00")).toISOString()).toBe("2024-11-04T21:00:00.000Z");
    expect(addDays("2024-02-28", 2)).toBe("2024-03-01");
  });

  it("takes holidays and half days from the calendar endpoint, caches them in a file, and falls back to weekdays", async () => {
    const dir = tmp("cal");
    let calls = 0;
    const src = async (start: string, end: string) => {
      calls++;
      expect([start, end]).toEqual(["2024-11-01", "2024-11-30"]);
      return [
        { date: "2024-11-27", open: "09:30", close: "16:00" },
        { date: "2024-11-29", open: "09:30", close: "13:00" },
      ];
    };
    const cal = new TradingCalendar(src, join(dir, "calendar.json"));
    await cal.load("2024-11-29");
    expect(cal.session("2024-11-28")).toBeNull(); // Thanksgiving
    const half = cal.session("2024-11-29")!;
    expect(new Date(half.close).toISOString()).toBe("2024-11-29T18:00:00.000Z");
    expect(cal.isRegularHours(Date.parse("2024-11-29T17:59:00Z"))).toBe(true);
    expect(cal.isRegularHours(Date.parse("2024-11-29T18:00:00Z"))).toBe(false);
    // A second calendar reads the cache, not the endpoint.
    const again = new TradingCalendar(
      async () => {
        throw new Error("no network");
      },
      join(dir, "calendar.json"),
    );
    await again.load("2024-11-29");
    expect(again.session("2024-11-28")).toBeNull();
    expect(calls).toBe(1);
    // Unreachable calendar: weekdays 09:30-16:00.
    const logs: string[] = [];
    const none = new TradingCalendar(
      async () => {
        throw new Error("offline");
      },
      null,
      (m) => logs.push(m),
    );
    await none.load("2024-07-04");
    expect(none.session("2024-07-06")).toBeNull();
    expect(new Date(none.session("2024-07-04")!.open).toISOString()).toBe("2024-07-04T13:30:00.000Z");
    expect(logs.join()).toContain("assuming weekdays");
  });
});

describe("day chain", () => {
  it("bars arriving in any order, late and corrected, end in the files a replay of the final bars writes", async () => {
    const symbols = ["SPY", "QQQ", "IWM"];
    const start = Date.parse("2024-03-15T13:30:00Z");
    const gen = generateBars({ symbols, start, minutes: 20, seed: 3 });
    const rnd = prng(99);
    // Arrivals: mostly in order, some late (shuffled within a window), some corrected later.
    type Arrival = { S: string; b: (typeof gen)["SPY"][number] };
    const arrivals: Arrival[] = [];
    const final: typeof gen = { SPY: [], QQQ: [], IWM: [] };
    let k = 0;
    for (const S of symbols) for (const b of gen[S]!) arrivals.push({ S, b });
    arrivals.sort((x, y) => Date.parse(x.b.t) + rnd() * 240_000 - (Date.parse(y.b.t) + rnd() * 240_000));
    const late: Arrival[] = [];
    for (const a of arrivals) {
      if (k++ % 7 === 3) {
        const c = correctBar(a.b, k);
        late.push({ S: a.S, b: c });
        final[a.S]!.push(c);
      } else final[a.S]!.push(a.b);
    }
    const order = [...arrivals];
    late.forEach((l, i) => order.splice(Math.min(order.length, 20 + i * 9), 0, l));
    const out = tmp("chain");
    const store = new BarStore();
    const clock = virtualClock(start, 1);
    const chain = new DayChain({
      day: "2024-03-15",
      symbols,
      out,
      clock,
      llm: createLlmProvider("offline"),
      cache: new Map(),
      debounceMs: 0,
      log: () => {},
    });
    chain.resume(store);
    for (const a of order) {
      const b = parseAlpacaBar(a.b);
      if (store.apply(a.S, b) !== "duplicate") chain.noteBar(b.t);
      chain.step(store);
      await new Promise((r) => setImmediate(r));
    }
    chain.step(store, { all: true });
    await chain.drain(1000);
    chain.close();
    expect(chain.stats.rewinds).toBeGreaterThan(5);
    for (const S of symbols) final[S]!.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    await expectEqualsReplay(out, "2024-03-15", asColumns(final, symbols));
  });

  it("an LLM failure is logged and the chain goes on; the lines say so, as the replay's do", async () => {
    const symbols = ["SPY", "QQQ"];
    const start = Date.parse("2024-03-15T13:30:00Z");
    const gen = generateBars({ symbols, start, minutes: 10, seed: 8 });
    const offline = createLlmProvider("offline");
    // QQQ's calls fail (after the provider's own retries): deterministic, so a replay with the same provider agrees.
    const flaky = {
      ...offline,
      complete: async (req: Parameters<typeof offline.complete>[0]) => {
        if (req.symbol === "QQQ") throw new LlmError("openai: HTTP 503: overloaded", { status: 503, retryable: true });
        return offline.complete(req);
      },
    };
    const out = tmp("chain-llm-fail");
    const logs: string[] = [];
    const store = new BarStore();
    const chain = new DayChain({
      day: "2024-03-15",
      symbols,
      out,
      clock: virtualClock(start, 1),
      llm: flaky,
      cache: new Map(),
      debounceMs: 0,
      log: (m) => logs.push(m),
    });
    chain.resume(store);
    for (let i = 0; i < 10; i++) {
      for (const S of symbols) {
        const b = parseAlpacaBar(gen[S]![i]!);
        store.apply(S, b);
        chain.noteBar(b.t);
      }
      chain.step(store);
      await new Promise((r) => setImmediate(r));
    }
    await chain.drain(1000);
    chain.close();
    expect(chain.stats.llmFailures).toBeGreaterThan(0);
    expect(chain.uncommitted).toBe(0);
    expect(logs.some((l) => l.includes("llm offline QQQ") && l.includes("HTTP 503") && l.includes("going on without an answer"))).toBe(
      true,
    );
    const lines = readFileSync(join(out, "data/daily_news/2024-03-15/processed/prompts.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(20);
    for (const l of lines.filter((x) => x.symbol === "QQQ"))
      expect(l).toMatchObject({ answer: null, error: "openai: HTTP 503: overloaded" });
    expect(lines.filter((x) => x.symbol === "SPY").every((l) => l.answer !== null)).toBe(true);
    const ref = tmp("replay-llm-fail");
    await replay({ bars: asColumns(gen, symbols), out: ref, write: "close", llm: flaky, report: false });
    expect(readFileSync(join(out, "data/daily_news/2024-03-15/processed/prompts.jsonl"), "utf8")).toBe(
      readFileSync(join(ref, "data/daily_news/2024-03-15/processed/prompts.jsonl"), "utf8"),
    );
  });

  it("a restart keeps the answers already in prompts.jsonl and asks only about new ticks", async () => {
    const symbols = ["SPY", "QQQ"];
    const start = Date.parse("2024-03-15T13:30:00Z");
    const gen = generateBars({ symbols, start, minutes: 12, seed: 4 });
    const out = tmp("chain-resume");
    const clock = virtualClock(start, 1);
    let calls = 0;
    const offline = createLlmProvider("offline");
    const counting = { ...offline, complete: (...a: Parameters<typeof offline.complete>) => (calls++, offline.complete(...a)) };
    const run = async (n: number) => {
      const store = new BarStore();
      for (const S of symbols) for (const b of gen[S]!.slice(0, n)) store.apply(S, parseAlpacaBar(b));
      const chain = new DayChain({ day: "2024-03-15", symbols, out, clock, llm: counting, cache: new Map(), debounceMs: 0, log: () => {} });
      chain.resume(store);
      await new Promise((r) => setTimeout(r, 10));
      await chain.drain(1000);
      chain.close();
      return chain;
    };
    await run(6);
    const first = calls;
    expect(first).toBeGreaterThan(0);
    // Tear the last line as a kill would.
    const p = join(out, "data/daily_news/2024-03-15/processed/prompts.jsonl");
    const text = readFileSync(p, "utf8");
    writeFileSync(p, text.slice(0, text.length - 30));
    await run(12);
    const want = new Set<string>();
    const lines = readFileSync(p, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(12 * 2);
    for (const l of lines) want.add(`${l.symbol}|${l.prompt}`);
    // Only the prompts not answered in the first run were asked in the second (the torn tick's answer was lost and asked again).
    expect(calls - first).toBeLessThanOrEqual(want.size - first + 2);
    await expectEqualsReplay(out, "2024-03-15", asColumns(gen, symbols));
  });

  it("a restart resumes from the persisted snapshot (only later minutes ticked); a snapshot whose bars changed is not used", async () => {
    const symbols = ["SPY", "QQQ"];
    const day = "2024-03-15";
    const start = Date.parse("2024-03-15T13:30:00Z");
    const gen = generateBars({ symbols, start, minutes: 40, seed: 6, gapRate: 0 });
    const out = tmp("chain-snapshot");
    const clock = virtualClock(start, 1);
    const run = async (bars: typeof gen, n: number) => {
      const store = new BarStore();
      for (const S of symbols) for (const b of bars[S]!.slice(0, n)) store.apply(S, parseAlpacaBar(b));
      const logs: string[] = [];
      const chain = new DayChain({
        day,
        symbols,
        out,
        clock,
        llm: createLlmProvider("offline"),
        cache: new Map(),
        debounceMs: 0,
        log: (m) => logs.push(m),
      });
      chain.resume(store);
      await new Promise((r) => setTimeout(r, 10));
      await chain.drain(1000);
      chain.close();
      return { chain, logs, snap: JSON.parse(readFileSync(chain.snapshotPath, "utf8")) as { ticks: number; now: number } };
    };
    const a = await run(gen, 34);
    expect(a.chain.stats).toMatchObject({ ticks: 34, restored: 0 });
    // The checkpoints are every 15th tick: the newest whose lines are in the file is the 30th.
    expect(a.snap).toMatchObject({ ticks: 30, now: Date.parse(gen.SPY![29]!.t) });
    const b = await run(gen, 40);
    expect(b.chain.stats).toMatchObject({ restored: 30, ticks: 10 });
    expect(b.logs.join("\n")).toMatch(/30 from the snapshot, 10 ticked/);
    await expectEqualsReplay(out, day, asColumns(gen, symbols));
    // A bar before the snapshot corrected in the journal: the snapshot no longer holds, the day is re-ticked.
    const fixed = { ...gen, SPY: gen.SPY!.map((x, i) => (i === 5 ? correctBar(x, 1) : x)) };
    const c = await run(fixed, 40);
    expect(c.chain.stats).toMatchObject({ restored: 0, ticks: 40 });
    expect(c.logs.join("\n")).toMatch(/not used \(the journal's bars differ\)/);
    await expectEqualsReplay(out, day, asColumns(fixed, symbols));
  });

  it("a rewind before the snapshot removes it, and rewinds across checkpoints end in a replay's files", async () => {
    const symbols = ["SPY", "QQQ"];
    const day = "2024-03-15";
    const start = Date.parse("2024-03-15T13:30:00Z");
    const gen = generateBars({ symbols, start, minutes: 50, seed: 11, gapRate: 0 });
    const out = tmp("chain-rewind");
    const store = new BarStore();
    // Each minute waits for both symbols' bars (no debounce), so the only rewinds are the two corrections.
    const chain = new DayChain({
      day,
      symbols,
      out,
      clock: virtualClock(start, 1),
      llm: createLlmProvider("offline"),
      cache: new Map(),
      debounceMs: 1e12,
      log: () => {},
    });
    chain.resume(store);
    const final = { SPY: [...gen.SPY!], QQQ: [...gen.QQQ!] };
    const put = (S: string, x: (typeof gen)["SPY"][number]) => {
      const b = parseAlpacaBar(x);
      if (store.apply(S, b) !== "duplicate") chain.noteBar(b.t);
      chain.step(store);
    };
    const feed = async (S: string, x: (typeof gen)["SPY"][number]) => {
      put(S, x);
      await new Promise((r) => setTimeout(r, 2));
    };
    for (let i = 0; i < 50; i++) {
      for (const S of symbols) await feed(S, gen[S]![i]!);
      if (i === 35) {
        expect(JSON.parse(readFileSync(chain.snapshotPath, "utf8")).ticks).toBe(30);
        // A correction of minute 12 (before both checkpoints): the snapshot goes, the chain rebuilds from the day's start.
        final.SPY[12] = correctBar(gen.SPY![12]!, 7);
        put("SPY", final.SPY[12]);
        expect(existsSync(chain.snapshotPath)).toBe(false);
        // Once the re-ticked minutes' lines are in, the 30th tick's checkpoint is persisted again (with the corrected bar's digest).
        await new Promise((r) => setTimeout(r, 20));
        expect(JSON.parse(readFileSync(chain.snapshotPath, "utf8")).ticks).toBe(30);
      }
      if (i === 44) {
        // A correction of minute 33 (after the 30th tick's checkpoint): rebuilt from that checkpoint.
        final.QQQ[33] = correctBar(gen.QQQ![33]!, 9);
        await feed("QQQ", final.QQQ[33]);
      }
    }
    chain.step(store, { all: true });
    await chain.drain(1000);
    chain.close();
    expect(chain.stats.rewinds).toBe(2);
    expect(chain.stats.reticks).toBe(24 + 12);
    expect(JSON.parse(readFileSync(chain.snapshotPath, "utf8")).ticks).toBe(45);
    await expectEqualsReplay(out, day, asColumns(final, symbols));
  });
});
