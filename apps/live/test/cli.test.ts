import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { restFeed, streamFeedUrl } from "../src/alpaca/types.js";
import { demoOutDir, parseLiveArgs, runLive, UsageError, USAGE } from "../src/main.js";
import { tmp } from "./helpers.js";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
}

describe("live command line", () => {
  it("parses the flags; base URLs from flags, else the environment, else Alpaca's", () => {
    const a = parseLiveArgs(["--symbols", "spy, QQQ,IWM", "--feed", "sip", "--llm", "gemini", "--out", "x", "--profile", "seed-v0.1"], {
      APCA_API_DATA_URL: "http://d",
      APCA_API_STREAM_URL: "ws://s/v2",
    });
    expect(a).toMatchObject({
      symbols: ["SPY", "QQQ", "IWM"],
      feed: "sip",
      llm: "gemini",
      out: "x",
      profile: "seed-v0.1",
      dataUrl: "http://d",
      streamUrl: "ws://s/v2",
      tradingUrl: "https://paper-api.alpaca.markets",
    });
    expect(parseLiveArgs(["--symbols", "SPY", "--data-url", "http://flag"], { APCA_API_DATA_URL: "http://env" }).dataUrl).toBe(
      "http://flag",
    );
    expect(parseLiveArgs(["--demo"], {}).symbols).toEqual(["SPY", "QQQ", "IWM"]);
    expect(parseLiveArgs(["--symbols", "ES,NQ,SPY", "--smt", "NQ:ES"], {}).smtPairs).toEqual({ NQ: "ES" });
    expect(parseLiveArgs(["--symbols", "SPY"], {}).smtPairs).toBeUndefined();
  });

  it.each([
    [["--symbols", "SPY", "--feed", "nasdaq"], "--feed must be iex, sip or test"],
    [["--symbols", "SPY", "--llm", "claude"], "--llm must be one of offline, gemini, openai"],
    [["--feed", "iex"], "--symbols is required"],
    [["--symbols", "SPY,../x"], "is not a ticker"],
    [["--symbols", "SPY,SPY"], "listed twice"],
    [["--symbols", "SPY", "--clock", "soon"], "--clock must be ISO@WALLMS*SPEED"],
    [["--symbols", "SPY", "--debounce-ms=-1"], "--debounce-ms must be a number"],
    [["--symbols", "SPY,QQQ", "--smt", "QQQ"], "--smt expects SYMBOL:REFERENCE"],
    [["--symbols", "SPY,QQQ", "--smt", "NQ:ES"], "--smt NQ:ES must pair two different symbols of --symbols"],
  ])("refuses %j", (args, msg) => {
    expect(() => parseLiveArgs(args, {})).toThrow(UsageError);
    expect(() => parseLiveArgs(args, {})).toThrow(msg);
  });

  it("exits with 2 and one line on bad arguments, missing Alpaca keys or a missing LLM key (never printing a key)", async () => {
    let r = io();
    expect(await runLive(["--symbols", "SPY", "--feed", "nasdaq"], { env: {}, io: r.io })).toBe(2);
    expect(r.err.join("")).toBe("live: --feed must be iex, sip or test\n");
    r = io();
    expect(await runLive(["--symbols", "SPY", "--bogus"], { env: {}, io: r.io })).toBe(2);
    expect(r.err.join("").split("\n").filter(Boolean)).toHaveLength(1);
    r = io();
    expect(await runLive(["--symbols", "SPY"], { env: { APCA_API_KEY_ID: "only-id" }, io: r.io })).toBe(2);
    expect(r.err.join("")).toContain("APCA_API_KEY_ID and APCA_API_SECRET_KEY must be set");
    expect(r.err.join("")).not.toContain("only-id");
    r = io();
    expect(
      await runLive(["--symbols", "SPY", "--llm", "gemini"], { env: { APCA_API_KEY_ID: "k1", APCA_API_SECRET_KEY: "s3cr3t" }, io: r.io }),
    ).toBe(2);
    expect(r.err.join("")).toContain("GEMINI_API_KEY");
    expect(r.err.join("")).not.toContain("s3cr3t");
  });

  it("live CLI parsing: --help prints the usage on stdout and exits 0; an unknown flag exits 2 naming it and pointing to the usage", async () => {
    for (const flag of ["--help", "-h"]) {
      const r = io();
      expect(await runLive([flag], { env: {}, io: r.io })).toBe(0);
      expect(r.out.join("")).toBe(USAGE + "\n");
      expect(r.err.join("")).toBe("");
    }
    const r = io();
    expect(await runLive(["--symbols", "SPY", "--bogus"], { env: {}, io: r.io })).toBe(2);
    const lines = r.err.join("").split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^live: .*'--bogus'.*\(see live --help\)$/);
    // Strict parsing: a value given to a boolean flag, a missing value, a stray argument.
    expect(() => parseLiveArgs(["--demo=yes"], {})).toThrow(UsageError);
    expect(() => parseLiveArgs(["--symbols"], {})).toThrow(/--symbols/);
    expect(() => parseLiveArgs(["--symbols", "SPY", "extra"], {})).toThrow('unexpected argument "extra" (see live --help)');
    expect(() => parseLiveArgs(["--symbols", "SPY", "--start-timeout", "0"], {})).toThrow("--start-timeout must be a number in 1..86400");
    expect(parseLiveArgs(["--symbols", "SPY", "--start-timeout", "5"], {}).startTimeoutMs).toBe(5_000);
    expect(parseLiveArgs(["--symbols", "SPY"], {}).startTimeoutMs).toBe(60_000);
  });

  it("--feed test selects Alpaca's test stream and its one symbol, FAKEPACA", () => {
    const a = parseLiveArgs(["--feed", "test"], {});
    expect(a.symbols).toEqual(["FAKEPACA"]);
    expect(streamFeedUrl(a.streamUrl, a.feed)).toBe("wss://stream.data.alpaca.markets/v2/test");
    expect(restFeed(a.feed)).toBe("iex");
    expect(parseLiveArgs(["--feed", "test", "--symbols", "fakepaca"], {}).symbols).toEqual(["FAKEPACA"]);
    expect(() => parseLiveArgs(["--feed", "test", "--symbols", "SPY"], {})).toThrow("serves only FAKEPACA");
    expect(() => parseLiveArgs(["--feed", "test", "--demo"], {})).toThrow(UsageError);
    expect(streamFeedUrl("ws://127.0.0.1:9/v2/", "iex")).toBe("ws://127.0.0.1:9/v2/iex");
  });

  it("the calendar's trading host: paper by default with the live host as fallback; --account or APCA_API_BASE_URL choose one, without fallback", () => {
    expect(parseLiveArgs(["--symbols", "SPY"], {})).toMatchObject({
      tradingUrl: "https://paper-api.alpaca.markets",
      tradingFallbackUrl: "https://api.alpaca.markets",
    });
    expect(parseLiveArgs(["--symbols", "SPY", "--account", "live"], {})).toMatchObject({
      tradingUrl: "https://api.alpaca.markets",
      tradingFallbackUrl: undefined,
    });
    expect(parseLiveArgs(["--symbols", "SPY", "--account", "paper"], {})).toMatchObject({
      tradingUrl: "https://paper-api.alpaca.markets",
      tradingFallbackUrl: undefined,
    });
    expect(parseLiveArgs(["--symbols", "SPY"], { APCA_API_BASE_URL: "http://t" })).toMatchObject({
      tradingUrl: "http://t",
      tradingFallbackUrl: undefined,
    });
    expect(() => parseLiveArgs(["--symbols", "SPY", "--account", "cash"], {})).toThrow("--account must be paper or live");
  });
});

describe("live --demo output folder", () => {
  it("live --demo --out refuses a non-empty output folder and deletes nothing of the user's", async () => {
    const dir = tmp("demo-out");
    try {
      // An earlier replay's outputs.
      const old = join(dir, "data", "daily_news", "2025-02-10", "processed");
      mkdirSync(old, { recursive: true });
      writeFileSync(join(old, "prompts.jsonl"), "{}\n");
      const r = io();
      expect(await runLive(["--demo", "--out", dir], { env: {}, io: r.io })).toBe(2);
      const err = r.err.join("");
      expect(err.split("\n").filter(Boolean)).toHaveLength(1);
      expect(err).toContain('is not empty (1 entries: "data")');
      expect(r.out.join("")).toBe("");
      expect(readFileSync(join(old, "prompts.jsonl"), "utf8")).toBe("{}\n");
      // A file given as the folder is refused too; a new folder is created; an empty one is used as is.
      expect(() => demoOutDir(join(old, "prompts.jsonl"))).toThrow("is not a folder");
      expect(demoOutDir(join(dir, "new", "deeper"))).toBe(join(dir, "new", "deeper"));
      expect(existsSync(join(dir, "new", "deeper"))).toBe(true);
      expect(demoOutDir(join(dir, "new", "deeper"))).toBe(join(dir, "new", "deeper"));
      const fresh = demoOutDir(undefined);
      expect(readdirSync(fresh)).toEqual([]);
      rmSync(fresh, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
