import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { columnsFromCsv } from "@ict/core";
import { parseLlmAnswer, promptKey } from "@ict/pipeline";
import { checkReplayBars, loadBarsFile, UsageError, type InputWarning } from "../src/input.js";
import { runCli, SAMPLE_DIR } from "../src/main.js";
import { ProgressBar } from "../src/progress.js";
import { generateSample, SAMPLE_DAYS, SAMPLE_SYMBOLS } from "../src/sample.js";

const tmp = mkdtempSync(join(tmpdir(), "ict-input-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, data: string | Uint8Array | ArrayBuffer) => {
  const p = join(tmp, name);
  writeFileSync(p, data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  return p;
};
async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

const sample = generateSample();
/** The first `n` bars of the sample's first day, CSV. */
const head = (sym: string, n: number) =>
  sample[sym]!.split("\n")
    .slice(0, n + 1)
    .join("\n") + "\n";

describe("the bundled sample", () => {
  it("is generated deterministically and the committed files are exactly the generator's output", () => {
    expect(generateSample()).toEqual(sample);
    for (const s of SAMPLE_SYMBOLS) expect(readFileSync(join(SAMPLE_DIR, `${s.symbol}.csv`), "utf8"), s.symbol).toBe(sample[s.symbol]);
  });

  it("is valid 1m bars: 390 per New York session, five sessions, no warnings", () => {
    const warnings: InputWarning[] = [];
    const bars = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, columnsFromCsv(v)]));
    for (const c of Object.values(bars)) expect(c.length).toBe(390 * SAMPLE_DAYS.length);
    checkReplayBars(bars, (w) => warnings.push(w));
    expect(warnings).toEqual([]);
  });
});

describe("loadBarsFile: bad input", () => {
  const csv = head("SPY", 10).split("\n");
  it("skips bad rows with the file, original row, line and field, and reads the rest", async () => {
    const lines = [...csv];
    lines[3] = lines[3]!.replace(/,(\d+\.\d+),/, ",abc,"); // row 2: o not a number
    lines[7] = lines[6]!; // row 6: duplicate of row 5
    const p = write("bad-rows.csv", lines.join("\n"));
    const warnings: InputWarning[] = [];
    const cols = await loadBarsFile(p, { warn: (w) => warnings.push(w) });
    expect(cols.length).toBe(8);
    expect(warnings.map((w) => w.kind)).toEqual(["bad-row", "duplicate"]);
    expect(warnings[0]!.message).toContain(`${p}: row 2 (line 4), field "o"`);
    expect(warnings[0]!.message).toMatch(/value: "?abc"?.*row skipped/);
    expect(warnings[1]!.message).toContain(`row 6 (line 8), field "t": duplicate timestamp`);
    await expect(loadBarsFile(p, { badRows: "stop" })).rejects.toThrow(/bad-rows\.csv: row 2 \(line 4\), field "o"/);
    await expect(loadBarsFile(p, { maxBadRows: 1, warn: () => {} })).rejects.toThrow(/row 6 \(line 8\).*after 1 bad rows skipped/);
  });

  it("JSON arrays: a bad bar is skipped with its original index", async () => {
    const bars = columnsFromCsv(head("QQQ", 5));
    const arr = Array.from({ length: bars.length }, (_, i) => ({
      t: bars.t[i],
      o: bars.o[i],
      h: bars.h[i],
      l: bars.l[i],
      c: bars.c[i],
      v: bars.v[i],
    }));
    arr[1]!.h = arr[1]!.l - 1;
    arr[3]!.c = Number.NaN as never;
    const p = write("bad.json", JSON.stringify(arr).replace("null", '"x"'));
    const warnings: InputWarning[] = [];
    expect((await loadBarsFile(p, { warn: (w) => warnings.push(w) })).length).toBe(3);
    expect(warnings.map((w) => w.message.replace(p, "F"))).toEqual([
      expect.stringMatching(/^F: row 1, field "h"/),
      expect.stringMatching(/^F: row 3, field "c"/),
    ]);
  });

  it("Parquet is read; a bad row in it refuses the file, naming the row", async () => {
    const c = columnsFromCsv(head("IWM", 20));
    const cols = (h: number[]) => [
      { name: "t", data: Array.from(c.t, (t) => new Date(t)), type: "TIMESTAMP" as const },
      ...(["o", "h", "l", "c", "v"] as const).map((f) => ({ name: f, data: f === "h" ? h : Array.from(c[f]), type: "DOUBLE" as const })),
    ];
    const good = write("bars.parquet", parquetWriteBuffer({ columnData: cols(Array.from(c.h)) }));
    expect(Array.from((await loadBarsFile(good)).c)).toEqual(Array.from(c.c));
    const h = Array.from(c.h);
    h[4] = 0;
    const bad = write("bad.parquet", parquetWriteBuffer({ columnData: cols(h) }));
    await expect(loadBarsFile(bad)).rejects.toThrow(/bad\.parquet: row 4, field "h"/);
  });

  it("unreadable files are refused as a whole with one clear line", async () => {
    await expect(loadBarsFile(join(tmp, "missing.csv"))).rejects.toThrow(/cannot read .*missing\.csv: ENOENT/);
    await expect(loadBarsFile(write("fake.gz", Buffer.from([0x1f, 0x8b, 1, 2, 3])))).rejects.toThrow(/not a valid gzip file/);
    await expect(loadBarsFile(write("noheader.csv", "1,2,3\n4,5,6\n"))).rejects.toBeInstanceOf(UsageError);
    await expect(loadBarsFile(write("obj.json", '{"t":1}'))).rejects.toThrow(/not an array of bars/);
    const gz = write("ok.csv.gz", gzipSync(head("SPY", 3)));
    expect((await loadBarsFile(gz)).length).toBe(3);
  });
});

describe("checkReplayBars", () => {
  it("warns about gaps inside a day and a symbol missing a day; refuses bars that are not 1m", () => {
    const spy = sample.SPY!.split("\n");
    const gappy = [spy[0], ...spy.slice(1, 391).filter((_, i) => i < 100 || i > 102), ...spy.slice(391, 781)].join("\n");
    const qqqDay1 = sample.QQQ!.split("\n").slice(0, 391).join("\n");
    const warnings: InputWarning[] = [];
    checkReplayBars({ SPY: columnsFromCsv(gappy), QQQ: columnsFromCsv(qqqDay1) }, (w) => warnings.push(w));
    expect(warnings.map((w) => w.kind)).toEqual(["gap", "no-bars"]);
    expect(warnings[0]!.message).toBe("SPY 2025-02-10: 1 gap(s), 3 bar(s) missing (3 after 11:09 ET); ticking on the bars there are");
    expect(warnings[1]!.message).toBe("QQQ 2025-02-11: no bars that day; its capsule is empty");
    const fiveMin = [
      "t,o,h,l,c,v",
      ...Array.from({ length: 20 }, (_, i) => `${new Date(Date.UTC(2025, 1, 10, 14, 30 + 5 * i)).toISOString()},1,2,0.5,1,1`),
    ].join("\n");
    expect(() => checkReplayBars({ X: columnsFromCsv(fiveMin) }, () => {})).toThrow(/5 minutes apart.*needs 1-minute bars/);
  });
});

describe("ict replay: input problems, LLM answers, summary", () => {
  it("goes on past a bad row and a gap with warnings; every prompt line carries a valid offline answer", async () => {
    const spy = head("SPY", 40).split("\n");
    spy[5] = spy[5]!.replace(/,\d+$/, ",-5"); // row 4: negative volume
    spy.splice(20, 2); // two bars missing
    const out = join(tmp, "run1");
    const r = await cli(
      "replay",
      "--bars",
      `SPY=${write("spy.csv", spy.join("\n"))}`,
      "--bars",
      `QQQ=${write("qqq.csv", head("QQQ", 40))}`,
      "--out",
      out,
      "--no-report",
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*spy\.csv: row 4 \(line 6\), field "v"/);
    // The dropped bar is a gap like the two removed ones.
    expect(r.err).toMatch(/warning: SPY 2025-02-10: 2 gap\(s\), 3 bar\(s\) missing \(1 after 09:33, 2 after 09:48 ET\)/);
    expect(r.out).toMatch(/^replayed 1 day \(2025-02-10 … 2025-02-10\), 40 ticks, 2 symbols \(SPY,QQQ\)/);
    expect(r.out).toMatch(/warnings: 1 bad-row, 1 gap/);
    expect(r.out).toMatch(/llm: offline \(offline-rules-v1\), \d+ calls, 0 failed/);
    const lines = readFileSync(join(out, "data/daily_news/2025-02-10/processed/prompts.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(80);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(["t", "symbol", "prompt", "llm", "asked", "answer"]);
      expect(parseLlmAnswer(JSON.stringify(l.answer), l.symbol)).toEqual(l.answer);
    }
    // The model is asked again only when the substance of a symbol's prompt changed (promptKey: not its clock, price or distances).
    for (const sym of ["SPY", "QQQ"]) {
      const mine = lines.filter((l) => l.symbol === sym);
      mine.forEach((l, i) => expect(l.asked, `${sym} ${i}`).toBe(i === 0 || promptKey(l.prompt) !== promptKey(mine[i - 1].prompt)));
      // The full prompt does change between asks (its market sections).
      expect(mine.filter((l, i) => i > 0 && !l.asked && l.prompt !== mine[i - 1].prompt).length).toBeGreaterThan(0);
    }
  });

  it("--strict stops on any warning and --bad-rows stop on the first bad row, exit 2, nothing written", async () => {
    const spy = head("SPY", 20).split("\n");
    spy[3] = spy[3]!.replace("Z,", "Q,");
    const p = write("spy-bad.csv", spy.join("\n"));
    for (const flag of ["--strict", "--bad-rows=stop"]) {
      const out = join(tmp, `none${flag}`);
      const r = await cli("replay", "--bars", `SPY=${p}`, "--out", out, flag);
      expect(r.code, flag).toBe(2);
      expect(r.err.trim().split("\n").pop()).toMatch(
        flag === "--strict" ? /--strict: 2 input warnings/ : /spy-bad\.csv: row 2 \(line 4\), field "t"/,
      );
      expect(existsSync(out)).toBe(false);
    }
  });

  it("a missing file, a 5m file, a missing LLM key, an empty date range: exit 2 with one line, nothing written", async () => {
    const good = write("q.csv", head("QQQ", 10));
    const five = write(
      "five.csv",
      [
        "t,o,h,l,c,v",
        ...Array.from({ length: 12 }, (_, i) => `${new Date(Date.UTC(2025, 1, 10, 14, 30 + 5 * i)).toISOString()},1,2,0.5,1,1`),
      ].join("\n"),
    );
    const cases: Array<[string[], RegExp]> = [
      [["--bars", `SPY=${join(tmp, "nope.csv")}`, "--bars", `QQQ=${good}`], /cannot read .*nope\.csv: ENOENT/],
      [["--bars", `X=${five}`], /X: bars are 5 minutes apart/],
      [["--bars", `QQQ=${good}`, "--from", "2030-01-01"], /no bars between 2030-01-01 and the end/],
      [["--bars", `QQQ=${good}`, "--from", "yesterday"], /--from must be a New York date/],
      [["--bars", "QQQ"], /--bars expects SYMBOL=PATH/],
      [["--bars", `QQQ=${good}`, "--llm", "claude"], /--llm must be one of offline, gemini, openai/],
    ];
    for (const [args, re] of cases) {
      const out = join(tmp, `x${Math.random()}`);
      const r = await cli("replay", ...args, "--out", out);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.err).toMatch(re);
      if (!args.includes("--from") || args.includes("yesterday")) expect(existsSync(out), args.join(" ")).toBe(false);
    }
    const saved = process.env.GEMINI_API_KEY;
    delete process.env.GEMINI_API_KEY;
    delete process.env.GOOGLE_API_KEY;
    try {
      const out = join(tmp, "gem");
      const r = await cli("replay", "--bars", `QQQ=${good}`, "--out", out, "--llm", "gemini");
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/needs GEMINI_API_KEY/);
      expect(existsSync(out)).toBe(false);
    } finally {
      if (saved !== undefined) process.env.GEMINI_API_KEY = saved;
    }
  });

  it("an LLM that fails is logged per call and the replay goes on (openai-compatible server on 127.0.0.1 answering 400)", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_q, s) =>
      s.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"bad request"}}'),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const env = {
      OPENAI_API_KEY: process.env.OPENAI_API_KEY,
      OPENAI_BASE_URL: process.env.OPENAI_BASE_URL,
      OPENAI_MODEL: process.env.OPENAI_MODEL,
    };
    process.env.OPENAI_API_KEY = "sk-test-secret";
    process.env.OPENAI_MODEL = "test-model-1";
    process.env.OPENAI_BASE_URL = `http://127.0.0.1:${port}/v1`;
    try {
      const out = join(tmp, "oai");
      const r = await cli("replay", "--bars", `QQQ=${write("q5.csv", head("QQQ", 5))}`, "--out", out, "--llm", "openai", "--no-report");
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/llm openai QQQ 2025-02-10T14:30:00.000Z: openai: HTTP 400: bad request/);
      expect(r.err).not.toContain("sk-test-secret");
      expect(r.out).toContain(`llm: openai (test-model-1), `);
      expect(r.out).toMatch(/llm: openai \(\S+\), \d+ calls?, \d+ failed/);
      const lines = readFileSync(join(out, "data/daily_news/2025-02-10/processed/prompts.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatchObject({ llm: "openai", asked: true, answer: null, error: expect.stringMatching(/HTTP 400/) });
    } finally {
      server.close();
      for (const [k, v] of Object.entries(env))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});

describe("progress bar", () => {
  it("draws nothing for a short run, draws after the delay, and clears its line", () => {
    let text = "";
    const quick = new ProgressBar({ write: (s: string) => (text += s) }, { delayMs: 60_000 });
    quick.update(5, 10);
    quick.done();
    expect(text).toBe("");
    const slow = new ProgressBar({ write: (s: string) => (text += s), columns: 100 }, { delayMs: 0, everyMs: 0 });
    slow.update(5, 10, "2025-02-10");
    expect(text).toMatch(/^\r\[#+-+\]  50% 5\/10 \d+\/s eta \d+s 2025-02-10\x1b\[K$/);
    slow.done();
    expect(text.endsWith("\r\x1b[K")).toBe(true);
  });
});

describe("ict demo", () => {
  it("the sample folder holds exactly the three sample files", () => {
    expect(readdirSync(SAMPLE_DIR).sort()).toEqual(["IWM.csv", "QQQ.csv", "SPY.csv"]);
  });

  it("replays the whole sample and prints the path of a report that exists (the README's main command)", async () => {
    const out = join(tmp, "demo");
    const r = await cli("demo", "--out", out, "--quiet");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^replayed 5 days \(2025-02-10 … 2025-02-14\), 1950 ticks, 3 symbols \(SPY,QQQ,IWM\)/);
    const report = /^report: (\S+) \(and 4 more, one per day\)$/m.exec(r.out)?.[1];
    expect(report).toBe(join(out, "data", "daily_news", "2025-02-14", "processed", "report.html"));
    for (const day of SAMPLE_DAYS) expect(existsSync(join(out, "data", "daily_news", day, "processed", "report.html")), day).toBe(true);
  });
});

describe("issue #11: error messages", () => {
  it("finding 4: a bad cell of 50,000 characters is quoted in at most 80 characters, in the warning and in the fatal line", async () => {
    const lines = head("SPY", 5).trimEnd().split("\n");
    const cells = lines[2]!.split(",");
    cells[4] = "9".repeat(50_000) + "x";
    lines[2] = cells.join(",");
    const p = write("long-cell.csv", lines.join("\n") + "\n");
    const warnings: InputWarning[] = [];
    await loadBarsFile(p, { warn: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message.length).toBeLessThan(300);
    expect(warnings[0]!.message).toContain("… (50001 characters)");
    const err = await loadBarsFile(p, { badRows: "stop" }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message.length).toBeLessThan(300);
    expect((err as Error).message).not.toContain("9".repeat(81));
  });
});

describe("issue #11: --repair-ohlc", () => {
  /** The sample's first bars with the open of bar 1 above its high and the close of bar 3 below its low (as Alpaca publishes them). */
  const broken = () => {
    const lines = head("SPY", 30).trimEnd().split("\n");
    const bump = (i: number, f: (o: number, h: number, l: number, c: number) => [number, number, number, number]) => {
      const [t, o, h, l, c, v] = lines[i]!.split(",");
      lines[i] = [t, ...f(+o!, +h!, +l!, +c!), v].join(",");
    };
    bump(2, (o, h, l, c) => [h + 0.5, h, l, c]);
    bump(4, (o, h, l) => [o, h, l, l - 0.25]);
    return lines.join("\n") + "\n";
  };

  it("finding 8: a bar with the open above the high is refused by default and repaired and counted with repairOhlc", async () => {
    const p = write("broken.csv", broken());
    await expect(loadBarsFile(p, { badRows: "stop" })).rejects.toThrow(/row 1 \(line 3\), field "h": high is below max\(o, c\)/);
    const warnings: InputWarning[] = [];
    const c = await loadBarsFile(p, { badRows: "stop", repairOhlc: true, warn: (w) => warnings.push(w) });
    expect(c.length).toBe(30);
    expect(c.h[1]).toBe(c.o[1]);
    expect(c.l[3]).toBe(c.c[3]);
    expect(warnings).toEqual([
      {
        kind: "repaired",
        message: expect.stringMatching(/broken\.csv: 2 bar\(s\) with the open or close outside the high-low range repaired/),
      },
    ]);
    // JSON and Parquet go through the same option.
    const objects = broken()
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => {
        const [t, o, h, l, cl, v] = line.split(",");
        return { t, o: +o!, h: +h!, l: +l!, c: +cl!, v: +v! };
      });
    const json = write("broken.json", JSON.stringify(objects));
    const w2: InputWarning[] = [];
    expect((await loadBarsFile(json, { repairOhlc: true, warn: (w) => w2.push(w) })).length).toBe(30);
    expect(w2.map((w) => w.kind)).toEqual(["repaired"]);
  });

  it("finding 8: ict replay --repair-ohlc replays the file with one warning line giving the count; without it the bars are skipped", async () => {
    const p = write("broken-cli.csv", broken());
    const out = join(tmp, "repair");
    const r = await cli("replay", "--bars", `SPY=${p}`, "--out", out, "--no-report", "--quiet", "--repair-ohlc");
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(/^ict: warning: .*repaired.*$/gm)).toEqual([
      expect.stringContaining("2 bar(s) with the open or close outside the high-low range repaired"),
    ]);
    expect(r.err).not.toMatch(/row skipped/);
    const r2 = await cli("replay", "--bars", `SPY=${p}`, "--out", join(tmp, "norepair"), "--no-report", "--quiet");
    expect(r2.code, r2.err).toBe(0);
    expect(r2.err.match(/row skipped/g)?.length).toBe(2);
  });
});
