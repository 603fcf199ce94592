import { execFile, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columnsFromCsv, columnsFromText, computeFeatures } from "@ict/core";
import { createLlmProvider, LlmError, type LlmProvider } from "@ict/pipeline";
import { DEMO_MARKER, demoMayWrite, runCli } from "../src/main.js";
import { replay } from "../src/replay.js";
import { generateSample } from "../src/sample.js";

/** Issue #11 (hardening), the replay and CLI findings; each test is named after its finding. */

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, "../../..");
const GOLDEN = resolve(ROOT, "packages/core/test/fixtures/golden");
const TSX = join(ROOT, "node_modules/tsx/dist/cli.mjs");
const CLI = join(ROOT, "apps/replay/src/cli.ts");
const tmp = mkdtempSync(join(tmpdir(), "ict-hardening-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sample = generateSample();
/** The first `n` bars of each of the first `days` sample days, CSV. */
const bars = (sym: string, n: number, days = 1) => {
  const lines = sample[sym]!.split("\n");
  const out = [lines[0]];
  for (let d = 0; d < days; d++) out.push(...lines.slice(1 + 390 * d, 1 + 390 * d + n));
  return out.join("\n") + "\n";
};
const write = (name: string, text: string) => {
  const p = join(tmp, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}
/** Every file under `root`, relative, with its bytes. */
function tree(root: string): Record<string, string> {
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
const withEnv = async <T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> => {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
};

const KEY = "sk-proj-Zq7Yw4Xv1Ut8Sr5Qp2On9Ml6Kj3Ih0Gf";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const leaks = (text: string) =>
  [KEY, encodeURIComponent(KEY), b64(KEY).replace(/=+$/, ""), KEY.slice(-8), `…${KEY.slice(-4)}`, `*${KEY.slice(-4)}`].filter((f) =>
    text.includes(f),
  );

let server: ReturnType<typeof createServer>;
let base = "";
let status = 401;
beforeAll(async () => {
  // Echoes the key it was sent in every form a vendor might, in its error body.
  server = createServer((rq: IncomingMessage, rs: ServerResponse) => {
    rq.resume();
    rq.on("end", () => {
      const k = String(rq.headers.authorization ?? "").replace(/^Bearer /, "") || String(rq.headers["x-goog-api-key"] ?? "");
      const msg = `Incorrect API key provided: ${k} ${encodeURIComponent(k)} ${b64(k)} ${k.slice(0, 8)}${"*".repeat(24)}${k.slice(-4)} ${k.slice(0, 5)}…${k.slice(-4)}.`;
      rs.writeHead(status, { "content-type": "application/json" }).end(
        JSON.stringify({ error: { message: msg, type: "invalid_request_error" } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("finding 1: API keys leak; a refused key is fatal; a failure budget", () => {
  const providers = [
    ["openai", () => ({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${base}/v1`, OPENAI_MODEL: "m" })],
    ["gemini", () => ({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: base, GEMINI_MODEL: "m" })],
  ] as const;

  it.each(providers)("%s: a 401 echoing the key stops the replay with one redacted line, exit 3, nothing written", async (kind, env) => {
    status = 401;
    const out = join(tmp, `f1-401-${kind}`);
    const r = await withEnv(env(), () =>
      cli("replay", "--bars", `QQQ=${write("f1/q.csv", bars("QQQ", 5))}`, "--out", out, "--llm", kind, "--no-report"),
    );
    expect(r.code).toBe(3);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(
      new RegExp(`^ict: llm: ${kind}: HTTP 401 \\(the API key was refused\\): Incorrect API key provided: \\[redacted\\]`),
    );
    expect(r.err).toMatch(/the run stopped\n$/);
    expect(leaks(r.err + r.out)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it.each(providers)(
    "%s: a 400 echoing the key is recorded redacted in prompts.jsonl and stderr; the failure budget then stops the run",
    async (kind, env) => {
      status = 400;
      const out = join(tmp, `f1-400-${kind}`);
      const q = write("f1/q2.csv", bars("QQQ", 5, 2));
      const r = await withEnv(env(), () =>
        cli("replay", "--bars", `QQQ=${q}`, "--out", out, "--llm", kind, "--no-report", "--to", "2025-02-10"),
      );
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/HTTP 400: Incorrect API key provided: \[redacted\]/);
      const prompts = readFileSync(join(out, "data/daily_news/2025-02-10/processed/prompts.jsonl"), "utf8");
      expect(prompts).toContain("[redacted]");
      expect(leaks(r.err + r.out + prompts)).toEqual([]);
      const out2 = join(tmp, `f1-budget-${kind}`);
      const b = await withEnv({ ...env(), ICT_LLM_MAX_CONSECUTIVE_FAILURES: "2" }, () =>
        cli("replay", "--bars", `QQQ=${q}`, "--out", out2, "--llm", kind, "--no-report"),
      );
      expect(b.code).toBe(3);
      expect(b.err.trim().split("\n").pop()).toMatch(
        /^ict: llm: .*failure budget spent \(2 consecutive failed calls; limits: 2 calls, 60 s\)/,
      );
      expect(leaks(b.err)).toEqual([]);
    },
  );

  it("a fatal model error on the second day leaves the first day complete and nothing of the second (replay())", async () => {
    const offline = createLlmProvider("offline");
    const llm: LlmProvider = {
      ...offline,
      complete: async (req) => {
        if (req.dayEt === "2025-02-11")
          throw new LlmError("openai: HTTP 403 (the API key was refused)", { status: 403, retryable: false, fatal: true });
        return offline.complete(req);
      },
    };
    const out = join(tmp, "f1-midway");
    const cols = { SPY: columnsFromCsv(bars("SPY", 20, 2)) };
    await expect(replay({ bars: cols, out, llm, write: "every", report: false })).rejects.toThrow(/HTTP 403.*the run stopped/);
    expect(readdirSync(join(out, "data/daily_news"))).toEqual(["2025-02-10"]);
    expect(readdirSync(out)).toEqual(["data"]);
    const ok = mkdtempSync(join(tmpdir(), "ict-hardening-ref-"));
    try {
      await replay({ bars: { SPY: columnsFromCsv(bars("SPY", 20, 1)) }, out: ok, write: "every", report: false });
      expect(tree(join(out, "data/daily_news/2025-02-10"))).toEqual(tree(join(ok, "data/daily_news/2025-02-10")));
    } finally {
      rmSync(ok, { recursive: true, force: true });
    }
  });
});

describe("finding 3: replay/CLI validation", () => {
  const spy = () => write("f3/spy.csv", bars("SPY", 5));
  it.each([
    [["--from", "2026-02-30"], /--from must be a New York date YYYY-MM-DD that exists on the calendar, got "2026-02-30"/],
    [["--to", "2026-13-45"], /--to must be a New York date .* got "2026-13-45"/],
    [["--from", "2025-02-12", "--to", "2025-02-10"], /--from 2025-02-12 is after --to 2025-02-10/],
  ])("impossible dates are refused before anything is written (%j)", async (args, re) => {
    const out = join(tmp, `f3-date-${Math.random()}`);
    const r = await cli("replay", "--bars", `SPY=${spy()}`, "--out", out, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(re);
    expect(existsSync(out)).toBe(false);
  });

  it("an empty input file is a clear error, not a 1970-01-01 capsule", async () => {
    for (const text of ["", "t,o,h,l,c,v\n", "[]"]) {
      const f = write("f3/empty.csv", text);
      for (const args of [
        ["capsule", "--symbol", "SPY", "--tf", "1m", f],
        ["features", "--tf", "1m", f],
        ["replay", "--bars", `SPY=${f}`, "--out", join(tmp, "f3-empty")],
      ]) {
        const r = await cli(...args);
        expect(r.code, `${args[0]} ${JSON.stringify(text)}`).toBe(2);
        expect(r.err).toMatch(/empty\.csv: no bars/);
        expect(r.out).not.toContain("1970-01-01");
      }
    }
    expect(existsSync(join(tmp, "f3-empty"))).toBe(false);
  });

  it("symbols named like Object members: constructor and toString are symbols; __proto__ is refused as a name (leading punctuation)", async () => {
    const out = join(tmp, "f3-proto");
    const r = await cli(
      "replay",
      "--bars",
      `constructor=${spy()}`,
      "--bars",
      `toString=${write("f3/qqq.csv", bars("QQQ", 5))}`,
      "--out",
      out,
      "--no-report",
      "--quiet",
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/2 symbols \(constructor,toString\)/);
    const caps = readdirSync(join(out, "data/daily_news/2025-02-10/processed/context_capsules")).sort();
    expect(caps).toEqual(["constructor.json", "toString.json"]);
    // No key level comes from Object.prototype: the levels are the computed ones only (no user keys).
    expect(
      Object.keys(
        JSON.parse(readFileSync(join(out, "data/daily_news/2025-02-10/processed/context_capsules/constructor.json"), "utf8")).features
          .levels,
      ),
    ).toEqual([
      "instrument",
      "day",
      "prev_day",
      "prev_week",
      "prev_month",
      "midnight_open",
      "open_0830",
      "rth_open",
      "overnight",
      "opening_gap",
    ]);
    const bad = await cli("replay", "--bars", `__proto__=${spy()}`, "--out", join(tmp, "f3-proto2"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/invalid symbol "__proto__": .*not starting with a punctuation mark/);
    expect(bad.err).not.toMatch(/given twice/);
    expect(existsSync(join(tmp, "f3-proto2"))).toBe(false);
  });

  it("error messages quote at most 80 characters of a value", async () => {
    const huge = "9".repeat(100_000);
    const csv = bars("SPY", 3).split("\n");
    csv[2] = csv[2]!.replace(/,[\d.]+,/, `,1${"x".repeat(100_000)},`);
    const f = write("f3/huge.csv", csv.join("\n"));
    const header = write("f3/header.csv", `t,o,h,l,c,${"y".repeat(100_000)}\n2025-02-10T14:30:00Z,1,2,0.5,1\n`);
    for (const args of [
      ["features", "--tf", "1m", header],
      ["replay", "--bars", `SPY=${spy()}`, "--out", join(tmp, "x"), "--from", huge],
      ["features", "--tf", "1m", f],
      ["features", "--tf", huge, f],
      ["replay", "--bars", `SPY=${spy()}`, "--out", join(tmp, "x"), "--llm", huge],
      ["features", `--${huge}`],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.err.length, r.err.slice(0, 200)).toBeLessThan(2000);
      if (args[3] !== header) expect(r.err).toMatch(/…["']? \(1000\d\d characters\)/);
    }
  });

  it("--out under /proc, /sys or /dev is refused at once; a file or a path through a file is one human line, exit 2", async () => {
    for (const out of ["/proc/self", "/proc/self/cwd/x", "/sys/kernel", "/dev/null", "/dev/shm/ict"]) {
      const r = await cli("replay", "--bars", `SPY=${spy()}`, "--out", out);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(/refusing to write under \/(proc|sys|dev)/);
    }
    const file = write("f3/afile", "x");
    const a = await cli("replay", "--bars", `SPY=${spy()}`, "--out", file);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/afile is not a folder/);
    const b = await cli("replay", "--bars", `SPY=${spy()}`, "--out", join(file, "sub"));
    expect(b.code).toBe(2);
    expect(b.err.trim().split("\n")).toHaveLength(1);
    expect(b.err).toMatch(/afile is not a folder/);
    expect(b.err).not.toMatch(/ENOTDIR|internal/);
    const c = await cli("capsule", "--symbol", "SPY", "--tf", "1m", "--out", join(file, "sub"), spy());
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/afile is not a folder/);
    // An OS error met while writing is one line naming the path, exit 2 (not a bare code with exit 1).
    const d = await cli("sample", "--out", join(tmp, "f3-sample"));
    expect(d.code).toBe(0);
  });
});

describe("levels, instruments and SMT pairs on the command line", () => {
  it("--history-days, --instrument and --smt reach the capsules; bad values are usage errors (exit 2)", async () => {
    const out = join(tmp, "lv-smt");
    const spy = write("lv/spy.csv", bars("SPY", 390, 2));
    const qqq = write("lv/qqq.csv", bars("QQQ", 390, 2));
    const iwm = write("lv/iwm.csv", bars("IWM", 390, 2));
    const base = [
      "replay",
      "--bars",
      `SPY=${spy}`,
      "--bars",
      `QQQ=${qqq}`,
      "--bars",
      `IWM=${iwm}`,
      "--write",
      "close",
      "--no-report",
      "--quiet",
    ];
    const r = await cli(
      ...base,
      "--out",
      out,
      "--from",
      "2025-02-11",
      "--history-days",
      "1",
      "--instrument",
      "SPY=equity",
      "--smt",
      "IWM:QQQ",
    );
    expect(r.code, r.err).toBe(0);
    const cap = (sym: string) =>
      JSON.parse(readFileSync(join(out, `data/daily_news/2025-02-11/processed/context_capsules/${sym}.json`), "utf8")).features;
    // The day before --from fed the levels: the previous day is known at the first replayed day.
    expect(cap("SPY").levels).toMatchObject({ instrument: "equity", day: "2025-02-11", prev_day: { day: "2025-02-10" } });
    expect(cap("SPY").sessions.map((x: { name: string }) => x.name)).toContain("regular");
    const pairs = cap("IWM").smt.map((x: { pair: string }) => x.pair);
    expect(pairs.length).toBeGreaterThan(0);
    expect(new Set(pairs)).toEqual(new Set(["IWM/QQQ"]));
    expect(cap("QQQ").smt).toEqual([]);
    // Without history the first day has no previous day.
    const r0 = await cli(...base, "--out", join(tmp, "lv-smt0"), "--from", "2025-02-11", "--history-days", "0");
    expect(r0.code, r0.err).toBe(0);
    expect(
      JSON.parse(readFileSync(join(tmp, "lv-smt0", "data/daily_news/2025-02-11/processed/context_capsules/SPY.json"), "utf8")).features
        .levels.prev_day,
    ).toBeNull();
    for (const [flag, value, msg] of [
      ["--smt", "IWM", /--smt expects SYMBOL:REFERENCE/],
      ["--smt", "NQ:ES", /--smt NQ:ES must pair two different symbols given with --bars/],
      ["--smt", "IWM:QQQ,IWM:SPY", /gives IWM twice/],
      ["--instrument", "bonds", /--instrument expects equity\|futures\|crypto/],
      ["--history-days", "1.5", /--history-days expects a whole number/],
    ] as const) {
      const bad = await cli(...base, "--out", join(tmp, "lv-bad"), flag, value);
      expect(bad.code, `${flag} ${value}`).toBe(2);
      expect(bad.err).toMatch(msg);
      expect(existsSync(join(tmp, "lv-bad"))).toBe(false);
    }
  }, 120_000);
});

describe("finding 4: all-or-nothing outputs", () => {
  it("disk full (a file-size limit, ulimit -f, in a child process): the run fails with one line and leaves nothing new; the next run cleans up", async () => {
    const out = join(tmp, "f4-full");
    const spy = write("f4/spy.csv", bars("SPY", 390, 2));
    // 64 KiB per file: the first day's prompts.jsonl outgrows it mid-day.
    const run = (extra: string) =>
      promisify(execFile)(
        "/bin/bash",
        ["-c", `${extra} exec "${process.execPath}" "${TSX}" "${CLI}" replay --bars SPY=${spy} --out ${out} --write close --no-report`],
        { cwd: ROOT },
      ).then(
        (r) => ({ code: 0, ...r }),
        (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
      );
    const full = await run("ulimit -f 64;");
    expect(full.code).toBe(2);
    expect(full.stderr.trim().split("\n")).toHaveLength(1);
    expect(full.stderr).toMatch(/^ict: cannot write \S+prompts\.jsonl: file too large .*\(EFBIG\)$/m);
    expect(tree(out)).toEqual({});
    // A stale temporary file and a staging folder of a killed run (their process is gone) are removed by the next run.
    const dead = await new Promise<number>((ok) => {
      const c = spawn(process.execPath, ["-e", ""]);
      c.on("exit", () => ok(c.pid!));
    });
    mkdirSync(join(out, `.ict-staging-${dead}`, "data"), { recursive: true });
    const stale = join(out, "data/daily_news/2025-02-09/processed/context_capsules");
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, `.SPY.json.${dead}.lz0abc.3.tmp`), "{");
    writeFileSync(join(stale, "SPY.json"), "{}");
    const ok = await run("");
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["data"]);
    expect(readdirSync(stale)).toEqual(["SPY.json"]);
    for (const day of ["2025-02-10", "2025-02-11"]) {
      const lines = readFileSync(join(out, `data/daily_news/${day}/processed/prompts.jsonl`), "utf8");
      expect(lines.endsWith("\n")).toBe(true);
      expect(lines.trim().split("\n")).toHaveLength(390);
    }
  }, 120_000);

  it("invalid symbols, a missing file or a bad option leave no folder and no prompts.jsonl", async () => {
    const spy = write("f4/s.csv", bars("SPY", 5));
    for (const args of [
      ["--bars", `../x=${spy}`],
      ["--bars", `SPY=${spy}`, "--bars", `QQQ=${join(tmp, "nope.csv")}`],
      ["--bars", `SPY=${spy}`, "--write", "sometimes"],
    ]) {
      const out = join(tmp, `f4-none-${Math.random()}`);
      const r = await cli("replay", ...args, "--out", out);
      expect(r.code, args.join(" ")).toBe(2);
      expect(existsSync(out), args.join(" ")).toBe(false);
    }
  });
});

describe("finding 5: nothing of the user's is overwritten without an explicit flag", () => {
  it("ict replay refuses a folder holding outputs for the same days unless --overwrite; other days are kept", async () => {
    const out = join(tmp, "f5");
    const two = write("f5/spy2.csv", bars("SPY", 10, 2));
    expect((await cli("replay", "--bars", `SPY=${two}`, "--out", out, "--no-report", "--to", "2025-02-10")).code).toBe(0);
    const before = tree(out);
    writeFileSync(join(out, "data/daily_news/2025-02-10/processed/mine.txt"), "user data");
    const r = await cli("replay", "--bars", `SPY=${two}`, "--out", out, "--no-report");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`ict: ${out} already holds outputs for 2025-02-10; pass --overwrite to replace them`);
    expect(readFileSync(join(out, "data/daily_news/2025-02-10/processed/mine.txt"), "utf8")).toBe("user data");
    expect(existsSync(join(out, "data/daily_news/2025-02-11"))).toBe(false);
    const o = await cli("replay", "--bars", `SPY=${two}`, "--out", out, "--no-report", "--overwrite");
    expect(o.code, o.err).toBe(0);
    const after = tree(out);
    for (const [k, v] of Object.entries(before)) expect(after[k], k).toBe(v);
    expect(Object.keys(after).some((k) => k.includes("2025-02-11"))).toBe(true);
    expect(Object.keys(after).some((k) => k.endsWith("mine.txt"))).toBe(false);
  });

  it("ict demo refuses a non-empty folder it did not write", async () => {
    const out = join(tmp, "f5-demo");
    write("f5-demo/notes.txt", "mine");
    const r = await cli("demo", "--out", out, "--quiet");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not empty and was not written by ict demo/);
    expect(readdirSync(out)).toEqual(["notes.txt"]);
  });

  it("ict demo writes into a new or empty folder, and replaces only a previous demo's output (its marker file)", () => {
    expect(demoMayWrite(join(tmp, "f5-new"))).toBe(false);
    mkdirSync(join(tmp, "f5-empty"));
    expect(demoMayWrite(join(tmp, "f5-empty"))).toBe(false);
    write("f5-prev/data/daily_news/2025-02-10/processed/prompts.jsonl", "{}\n");
    expect(() => demoMayWrite(join(tmp, "f5-prev"))).toThrow(/not written by ict demo/);
    write(`f5-prev/${DEMO_MARKER}`, "written by ict demo\n");
    expect(demoMayWrite(join(tmp, "f5-prev"))).toBe(true);
  });
});

describe("finding 6: ict features streams its output", () => {
  it.each([
    ["small_1m.csv", "1m", "ict"],
    ["small_5m.json", "5m", "seed-v0.1"],
    ["pair_1m.json", "1m", "ict"],
  ] as const)("the same bytes as JSON.stringify(features, null, 2) (%s, %s, %s)", async (file, tf, profile) => {
    const path = join(GOLDEN, "inputs", file);
    const r = await cli("features", "--tf", tf, "--profile", profile, path);
    expect(r.code).toBe(0);
    const f = computeFeatures(columnsFromText(readFileSync(path, "utf8")), { tf, profile });
    expect(r.out).toBe(JSON.stringify(f, null, 2) + "\n");
  });

  it("a reader that closes the pipe early (| head -c 200) ends it quietly with exit 0", async () => {
    const big = write("f6/big.csv", sample.SPY!);
    const r = await promisify(execFile)(
      "/bin/bash",
      ["-o", "pipefail", "-c", `"${process.execPath}" "${TSX}" "${CLI}" features --tf 1m ${big} | head -c 200 >/dev/null`],
      { cwd: ROOT },
    ).then(
      (x) => ({ code: 0, stderr: x.stderr }),
      (e) => ({ code: e.code as number, stderr: e.stderr as string }),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);
});

describe("finding 7: CLI parsing (issue #12 item 6)", () => {
  it("ict --help and ict <command> --help print usage and exit 0; --version prints the version", async () => {
    const all = await cli("--help");
    expect(all.code).toBe(0);
    for (const c of ["features", "smt", "capsule", "replay", "demo", "sample"]) expect(all.out).toContain(`ict ${c}`);
    for (const c of ["features", "smt", "capsule", "replay", "demo", "sample"]) {
      const r = await cli(c, "--help");
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(new RegExp(`^usage: ict ${c} `));
      expect(r.out, c).not.toMatch(new RegExp(`ict (?!${c})(features|smt|capsule|replay|demo|sample) `));
      expect((await cli(c, "-h")).out).toBe(r.out);
    }
    const v = await cli("--version");
    expect(v.code).toBe(0);
    expect(v.out).toBe(`ict ${JSON.parse(readFileSync(join(here, "../package.json"), "utf8")).version}\n`);
  });

  it("an unknown flag names the command and its usage, exit 2", async () => {
    const r = await cli("replay", "--bogus");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ict: replay: Unknown option '--bogus'/);
    expect(r.err).toMatch(/\nusage: ict replay --bars SYMBOL=PATH/);
    expect(r.err).not.toContain("ict features");
  });

  it("singular and plural in the summary: 1 day, 1 tick, 1 symbol, 1 call; 2 days", async () => {
    const one = await cli("replay", "--bars", `SPY=${write("f7/one.csv", bars("SPY", 1))}`, "--out", join(tmp, "f7-one"), "--no-report");
    expect(one.code, one.err).toBe(0);
    expect(one.out).toMatch(/^replayed 1 day \(2025-02-10 … 2025-02-10\), 1 tick, 1 symbol \(SPY\)/);
    expect(one.out).toMatch(/llm: offline \(offline-rules-v1\), 1 call, 0 failed/);
    const two = await cli("replay", "--bars", `SPY=${write("f7/two.csv", bars("SPY", 2, 2))}`, "--out", join(tmp, "f7-two"), "--no-report");
    expect(two.out).toMatch(/^replayed 2 days \(2025-02-10 … 2025-02-11\), 4 ticks, 1 symbol/);
  });
});
