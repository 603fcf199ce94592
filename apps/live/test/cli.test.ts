import { describe, expect, it } from "vitest";
import { parseLiveArgs, runLive, UsageError } from "../src/main.js";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
}

describe("live command line", () => {
  it("parses the flags; base URLs from flags, else the environment, else Alpaca's", () => {
    const a = parseLiveArgs(["--symbols", "spy, QQQ,IWM", "--feed", "sip", "--llm", "gemini", "--out", "x", "--profile", "seed-v0.1"], { APCA_API_DATA_URL: "http://d", APCA_API_STREAM_URL: "ws://s/v2" });
    expect(a).toMatchObject({ symbols: ["SPY", "QQQ", "IWM"], feed: "sip", llm: "gemini", out: "x", profile: "seed-v0.1", dataUrl: "http://d", streamUrl: "ws://s/v2", tradingUrl: "https://paper-api.alpaca.markets" });
    expect(parseLiveArgs(["--symbols", "SPY", "--data-url", "http://flag"], { APCA_API_DATA_URL: "http://env" }).dataUrl).toBe("http://flag");
    expect(parseLiveArgs(["--demo"], {}).symbols).toEqual(["SPY", "QQQ", "IWM"]);
  });

  it.each([
    [["--symbols", "SPY", "--feed", "nasdaq"], "--feed must be iex or sip"],
    [["--symbols", "SPY", "--llm", "claude"], "--llm must be one of offline, gemini, openai"],
    [["--feed", "iex"], "--symbols is required"],
    [["--symbols", "SPY,../x"], "is not a ticker"],
    [["--symbols", "SPY,SPY"], "listed twice"],
    [["--symbols", "SPY", "--clock", "soon"], "--clock must be ISO@WALLMS*SPEED"],
    [["--symbols", "SPY", "--debounce-ms=-1"], "--debounce-ms must be a number"],
  ])("refuses %j", (args, msg) => {
    expect(() => parseLiveArgs(args, {})).toThrow(UsageError);
    expect(() => parseLiveArgs(args, {})).toThrow(msg);
  });

  it("exits with 2 and one line on bad arguments, missing Alpaca keys or a missing LLM key (never printing a key)", async () => {
    let r = io();
    expect(await runLive(["--symbols", "SPY", "--feed", "nasdaq"], { env: {}, io: r.io })).toBe(2);
    expect(r.err.join("")).toBe("live: --feed must be iex or sip\n");
    r = io();
    expect(await runLive(["--symbols", "SPY", "--bogus"], { env: {}, io: r.io })).toBe(2);
    expect(r.err.join("").split("\n").filter(Boolean)).toHaveLength(1);
    r = io();
    expect(await runLive(["--symbols", "SPY"], { env: { APCA_API_KEY_ID: "only-id" }, io: r.io })).toBe(2);
    expect(r.err.join("")).toContain("APCA_API_KEY_ID and APCA_API_SECRET_KEY must be set");
    expect(r.err.join("")).not.toContain("only-id");
    r = io();
    expect(await runLive(["--symbols", "SPY", "--llm", "gemini"], { env: { APCA_API_KEY_ID: "k1", APCA_API_SECRET_KEY: "s3cr3t" }, io: r.io })).toBe(2);
    expect(r.err.join("")).toContain("GEMINI_API_KEY");
    expect(r.err.join("")).not.toContain("s3cr3t");
    r = io();
    expect(await runLive(["--help"], { env: {}, io: r.io })).toBe(0);
    expect(r.err.join("")).toContain("usage: live --symbols");
  });
});
