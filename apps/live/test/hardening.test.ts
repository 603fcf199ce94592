/**
 * Issue #11, the live loop's findings: each test is named after the finding
 * it covers. Everything runs against the fake Alpaca or a stub on 127.0.0.1.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLlmProvider, type LlmProvider } from "@ict/pipeline";
import { AlpacaStream, type StreamTimings } from "../src/alpaca/stream.js";
import { AlpacaAuthError, AlpacaError, type AlpacaBar, type StreamBar } from "../src/alpaca/types.js";
import { journalPath } from "../src/barstore.js";
import { nyTime } from "../src/calendar.js";
import { virtualClock } from "../src/clock.js";
import { FAST_TIMINGS, repairedServed } from "../src/demo.js";
import { FakeAlpaca, type FakeOptions } from "../src/fake/server.js";
import { LiveLoop, StartupError, type LoopOptions } from "../src/loop.js";
import { runLive } from "../src/main.js";
import { tmp } from "./helpers.js";

const SYMBOLS = ["SPY", "QQQ", "IWM"];
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function fakeOf(o: FakeOptions): Promise<FakeAlpaca> {
  const fake = await new FakeAlpaca({ symbols: SYMBOLS, faults: [], ...o }).start();
  cleanup.push(() => fake.close());
  return fake;
}

function outDir(prefix: string): string {
  const d = tmp(prefix);
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function loopOn(fake: FakeAlpaca, o: Partial<LoopOptions> & { logs?: string[] } = {}): LiveLoop {
  const loop = new LiveLoop({
    symbols: SYMBOLS,
    out: outDir("hard"),
    alpaca: {
      keyId: "fake-key",
      secretKey: "fake-secret",
      feed: "iex",
      dataUrl: fake.urls.dataUrl,
      tradingUrl: fake.urls.tradingUrl,
      streamUrl: fake.urls.streamUrl,
    },
    clock: fake.clock,
    debounceMs: 3_000,
    streamTimings: FAST_TIMINGS,
    reconcileAfterCloseMs: null,
    restTimeoutMs: 5_000,
    startTimeoutMs: 20_000,
    log: (m) => o.logs?.push(m),
    ...o,
  });
  cleanup.push(() => loop.stop(1_000));
  return loop;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("processes: bounded start-up, indefinite reconnects after it", () => {
  it("live against an unreachable endpoint fails its start-up clearly within the start-up time (it used to retry forever)", async () => {
    const port = await closedPort();
    const logs: string[] = [];
    const loop = new LiveLoop({
      symbols: ["SPY"],
      out: outDir("unreach"),
      alpaca: {
        keyId: "k",
        secretKey: "s",
        feed: "iex",
        dataUrl: `http://127.0.0.1:${port}`,
        tradingUrl: `http://127.0.0.1:${port}`,
        streamUrl: `ws://127.0.0.1:${port}/v2`,
      },
      startTimeoutMs: 1_500,
      streamTimings: { backoff: { baseMs: 200, capMs: 400 } },
      log: (m) => logs.push(m),
    });
    const t0 = Date.now();
    const err = await loop.start().then(
      () => null,
      (e: unknown) => e,
    );
    await loop.stop(500);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(
      new RegExp(`^could not connect to ws://127.0.0.1:${port}/v2/iex within 2 s \\(last: socket error: .*ECONNREFUSED`),
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    // It tried more than once before giving up (the start-up retries too, within its time).
    expect(logs.filter((l) => l.includes("reconnect attempt")).length).toBeGreaterThanOrEqual(2);
  });

  it("the CLI against an unreachable endpoint exits 4 with one clear line, in about --start-timeout", async () => {
    const port = await closedPort();
    const err: string[] = [];
    const out = outDir("cli-unreach");
    const t0 = Date.now();
    const code = await runLive(
      [
        "--symbols",
        "SPY",
        "--out",
        out,
        "--start-timeout",
        "2",
        "--data-url",
        `http://127.0.0.1:${port}`,
        "--trading-url",
        `http://127.0.0.1:${port}`,
        "--stream-url",
        `ws://127.0.0.1:${port}/v2`,
      ],
      {
        env: { APCA_API_KEY_ID: "k", APCA_API_SECRET_KEY: "s" },
        io: { stdout: () => {}, stderr: (s) => void err.push(s) },
        onSignal: () => {},
      },
    );
    expect(code).toBe(4);
    expect(Date.now() - t0).toBeLessThan(8_000);
    const errors = err
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("live: error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^live: error: could not connect to ws:\/\/127\.0\.0\.1:\d+\/v2\/iex within 2 s/);
  });

  it("after a successful start the stream reconnects indefinitely with backoff, logged (a server gone for good is not fatal)", async () => {
    const fake = await fakeOf({ minutes: 30, speed: 300, leadMs: 5 * 60_000 });
    const logs: string[] = [];
    const loop = loopOn(fake, { logs });
    await loop.start();
    await fake.close();
    await until(() => logs.filter((l) => /reconnect attempt \d+ in \d+\.\d s/.test(l)).length >= 4, 20_000, "four reconnect attempts");
    expect(loop.fatal).toBeNull();
    const delays = logs.filter((l) => l.includes("reconnect attempt")).map((l) => Number(/in (\d+\.\d) s/.exec(l)![1]));
    // Backoff: the later delays are longer than the first.
    expect(Math.max(...delays.slice(2))).toBeGreaterThan(delays[0]!);
  });
});

describe("real-service behaviour", () => {
  it("Alpaca bars with the open above the high (or below the low) are repaired and counted, from the stream and from REST, not dropped", async () => {
    const day = "2024-03-15";
    const loop = new LiveLoop({
      symbols: ["SPY"],
      out: outDir("repair"),
      alpaca: {
        keyId: "k",
        secretKey: "s",
        feed: "iex",
        dataUrl: "http://127.0.0.1:9",
        tradingUrl: "http://127.0.0.1:9",
        streamUrl: "ws://127.0.0.1:9/v2",
      },
      clock: virtualClock(nyTime(day, "09:30"), 1),
      debounceMs: 0,
      log: () => {},
    });
    cleanup.push(() => loop.stop(500));
    const t = (hhmm: string) => new Date(nyTime(day, hhmm)).toISOString();
    const above: AlpacaBar = { t: t("09:30"), o: 101.5, h: 101.2, l: 100.1, c: 100.9, v: 5000 };
    const below: AlpacaBar = { t: t("09:31"), o: 99.8, h: 101.0, l: 100.0, c: 100.6, v: 4000 };
    expect(loop.ingest("SPY", above, "b")).toBe("new");
    expect(loop.ingest("SPY", below, "rest")).toBe("new");
    // The same raw bar again is a duplicate of the repaired one, not a change.
    expect(loop.ingest("SPY", above, "b")).toBe("duplicate");
    expect(loop.store.get("SPY", Date.parse(above.t))).toMatchObject({ o: 101.5, h: 101.5, l: 100.1, c: 100.9 });
    expect(loop.store.get("SPY", Date.parse(below.t))).toMatchObject({ o: 99.8, h: 101.0, l: 99.8, c: 100.6 });
    expect(loop.summary()).toMatchObject({ repaired: 2, invalid: 0, duplicates: 1 });
    await loop.stop(500);
    const journal = readFileSync(journalPath(loop["o"].out, day), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(journal.map((r) => [r.o, r.h, r.l])).toEqual([
      [101.5, 101.5, 100.1],
      [99.8, 101.0, 99.8],
    ]);
  });

  it("REST 4xx marked final is not retried by fetchAndIngest (it used to be retried forever)", async () => {
    let calls = 0;
    const logs: string[] = [];
    const day = "2024-03-15";
    const loop = new LiveLoop({
      symbols: ["SPY"],
      out: outDir("rest4xx"),
      alpaca: {
        keyId: "k",
        secretKey: "s",
        feed: "iex",
        dataUrl: "http://127.0.0.1:9",
        tradingUrl: "http://127.0.0.1:9",
        streamUrl: "ws://127.0.0.1:9/v2",
      },
      clock: virtualClock(nyTime(day, "10:00"), 1),
      fetch: (async () => {
        calls++;
        return new Response(JSON.stringify({ message: "invalid symbol" }), { status: 422 });
      }) as typeof fetch,
      log: (m) => logs.push(m),
    });
    cleanup.push(() => loop.stop(500));
    loop["openDay"](day);
    await loop.backfill();
    expect(calls).toBe(1);
    expect(logs.some((l) => /backfill failed: \/v2\/stocks\/bars: HTTP 422 .*final, not retried/.test(l))).toBe(true);
    expect(loop.fatal).toBeNull();
  });

  it("REST asks adjustment=raw, as the stream's bars are raw", async () => {
    const fake = await fakeOf({ minutes: 5, speed: 1, leadMs: -10 * 60_000 });
    const seen: string[] = [];
    const loop = loopOn(fake, {
      fetch: ((u: string | URL | Request, i?: RequestInit) => (seen.push(String(u)), fetch(u, i))) as typeof fetch,
    });
    const bars = await loop.rest.bars({ symbols: ["SPY"], start: fake.sessionStart });
    expect(bars.SPY!.length).toBeGreaterThan(0);
    expect(new URL(seen[0]!).searchParams.get("adjustment")).toBe("raw");
  });

  it("live keys on the default paper host: the calendar is read from the live host (the paper host answers 403), not silently assumed", async () => {
    const fake = await fakeOf({ minutes: 20, speed: 300, leadMs: 5 * 60_000, account: "live" });
    const logs: string[] = [];
    const loop = loopOn(fake, {
      logs,
      alpaca: {
        keyId: "fake-key",
        secretKey: "fake-secret",
        feed: "iex",
        dataUrl: fake.urls.dataUrl,
        tradingUrl: fake.urls.tradingUrl,
        tradingFallbackUrl: fake.urls.liveTradingUrl,
        streamUrl: fake.urls.streamUrl,
      },
    });
    await loop.start();
    await until(() => loop.rest.tradingUrl === fake.urls.liveTradingUrl, 10_000, "the calendar from the live host");
    expect(fake.stats.calendarRequests).toBe(2);
    expect(logs.join("\n")).toContain("refused the keys for the calendar (HTTP 403); trying");
    expect(logs.join("\n")).not.toContain("assuming weekdays");
    // The fake's day closes when its bars end: that came from the calendar, not from the weekday guess.
    expect(new Date(loop.calendar.session(fake.day)!.close).toISOString()).toBe(new Date(nyTime(fake.day, fake.closeHHMM)).toISOString());
  });

  it("a calendar host refusing the keys is fatal with one clear line and a non-zero exit (not a silent 09:30-16:00 guess)", async () => {
    const fake = await fakeOf({ minutes: 20, speed: 300, leadMs: 5 * 60_000, account: "live" });
    const err: string[] = [];
    const out = outDir("cal-cli");
    const u = fake.urls;
    const code = await runLive(
      [
        "--symbols",
        SYMBOLS.join(","),
        "--out",
        out,
        "--account",
        "paper",
        "--data-url",
        u.dataUrl,
        "--stream-url",
        u.streamUrl,
        "--trading-url",
        u.tradingUrl,
      ],
      {
        env: { APCA_API_KEY_ID: "fake-key", APCA_API_SECRET_KEY: "fake-secret" },
        io: { stdout: () => {}, stderr: (s) => void err.push(s) },
        onSignal: () => {},
      },
    );
    expect(code).toBe(3);
    const text = err.join("");
    expect(text).toMatch(/live: (error|stopping \(fatal): calendar: \/v2\/calendar: HTTP 403/);
    expect(text).not.toContain("assuming weekdays");
    expect(text).not.toContain("fake-secret");
  });

  it("the calendar is reloaded each New York day, not only at start", async () => {
    // A session that crosses midnight New York time, at 600x.
    const fake = await fakeOf({ minutes: 8, speed: 600, open: "23:56", day: "2024-03-14", leadMs: 60_000 });
    const loop = loopOn(fake, {});
    await loop.start();
    await until(() => fake.stats.calendarRequests >= 1, 10_000, "the first calendar request");
    await until(() => fake.stats.calendarRequests >= 2, 20_000, "the calendar to be fetched again on the new day");
    expect(loop.currentDay === "2024-03-15" || fake.clock.now() >= nyTime("2024-03-15", "00:00")).toBe(true);
  });

  it("3 minutes and more without a bar (thin symbols, no trades) is not a dead socket: liveness comes from frames and pongs", async () => {
    // Minutes 2..7 have no bar for any symbol; before, a bar-silence watchdog reconnected after 3 minutes.
    const fake = await fakeOf({ minutes: 12, speed: 300, leadMs: 60_000, silentMinutes: [2, 3, 4, 5, 6, 7], corrections: null });
    const logs: string[] = [];
    const loop = loopOn(fake, { logs });
    await loop.start();
    await fake.whenFinished();
    await until(() => loop.store.count(fake.day) === fake.barCount, 10_000, "every bar");
    expect(loop.summary().stream).toMatchObject({ connects: 1, reconnects: 0, watchdogKills: 0 });
    expect(logs.join("\n")).not.toMatch(/no bar for|reconnect attempt/);
    const served = repairedServed(fake);
    expect(served.SPY!.length).toBe(6);
  });
});

describe("stream errors", () => {
  function open(fake: FakeAlpaca, url = `${fake.urls.streamUrl}/iex`, timings: Partial<StreamTimings> = {}) {
    const st = { ready: 0, fatal: null as AlpacaError | null, bars: [] as StreamBar[], logs: [] as string[] };
    const s = new AlpacaStream({
      url,
      keyId: "fake-key",
      secretKey: "fake-secret",
      symbols: SYMBOLS,
      clock: fake.clock,
      timings: { pingMs: 2_000, pongTimeoutMs: 6_000, backoff: { baseMs: 200, capMs: 400 }, wallFloorMs: 2_000, ...timings },
      onBar: (b) => st.bars.push(b),
      onReady: () => st.ready++,
      onFatal: (e) => (st.fatal = e),
      log: (m) => st.logs.push(m),
    });
    s.start();
    cleanup.push(() => s.stop());
    return { s, st };
  }

  it.each([
    [408, "v2 not enabled"],
    [409, "insufficient subscription"],
    [410, "invalid subscribe action for this feed"],
    [411, "insufficient scope"],
  ])("stream error %i is final: one clear error, no reconnect", async (code, msg) => {
    const fake = await fakeOf({ minutes: 5, speed: 300, streamErrorOnAuth: { code, msg } });
    const { st } = open(fake);
    await until(() => st.fatal !== null, 10_000, "the final error");
    expect(st.fatal).toBeInstanceOf(AlpacaError);
    expect(st.fatal!.final).toBe(true);
    expect(st.fatal!.message).toBe(`stream: ${code} ${msg}`);
    await new Promise((r) => setTimeout(r, 600));
    expect(fake.stats.connections).toBe(1);
    expect(st.logs.join("\n")).not.toContain("reconnect attempt");
  });

  it("an HTTP 4xx on the upgrade is final (a wrong feed or URL stays wrong)", async () => {
    const fake = await fakeOf({ minutes: 5, speed: 300 });
    const { st } = open(fake, `${fake.urls.streamUrl}/nasdaq`);
    await until(() => st.fatal !== null, 10_000, "the final error");
    expect(st.fatal!.message).toMatch(
      /^stream: HTTP 404 on connect to ws:\/\/127\.0\.0\.1:\d+\/v2\/nasdaq \(check the stream URL and the feed\)$/,
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(st.logs.join("\n")).not.toContain("reconnect attempt");
  });

  it('401 "not authenticated" means not authenticated yet: the client authenticates and goes on', async () => {
    const fake = await fakeOf({ minutes: 5, speed: 300, leadMs: 60_000, unauthFirst: true });
    const { st } = open(fake);
    await until(() => st.ready === 1, 10_000, "the subscription");
    expect(st.fatal).toBeNull();
    expect(fake.stats.connections).toBe(1);
    expect(st.logs.join("\n")).toContain("401 not authenticated; authenticating");
  });

  it("wrong keys get 403 from REST (as Alpaca answers) and stop the loop", async () => {
    const fake = await fakeOf({ minutes: 5, speed: 300, leadMs: 60_000 });
    const loop = loopOn(fake, {
      alpaca: {
        keyId: "fake-key",
        secretKey: "wrong",
        feed: "iex",
        dataUrl: fake.urls.dataUrl,
        tradingUrl: fake.urls.tradingUrl,
        streamUrl: fake.urls.streamUrl,
      },
    });
    const err = await loop.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AlpacaAuthError);
    expect([402, 403]).toContain((err as AlpacaAuthError).status);
    const rest = await loop.rest.bars({ symbols: ["SPY"], start: fake.sessionStart }).catch((e: unknown) => e);
    expect(rest).toBeInstanceOf(AlpacaAuthError);
    expect((rest as AlpacaAuthError).status).toBe(403);
  });
});

describe("LLM", () => {
  it("a fatal LLM error (keys refused, quota) stops the live loop; the tick is not written, so a restart asks again", async () => {
    const fake = await fakeOf({ minutes: 12, speed: 300, leadMs: 60_000 });
    const offline = createLlmProvider("offline");
    let calls = 0;
    const llm: LlmProvider = {
      ...offline,
      name: "openai",
      model: "stub-1",
      complete: async () => {
        calls++;
        throw Object.assign(new Error("llm stub: HTTP 401 (the key is refused)"), { fatal: true });
      },
    };
    const logs: string[] = [];
    const loop = loopOn(fake, { llm, logs, llmMaxLagMs: 86_400_000 });
    await loop.start();
    const e = await Promise.race([loop.whenFatal(), new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    expect(e).not.toBeNull();
    expect(e!.message).toBe("llm stub: HTTP 401 (the key is refused)");
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => l.includes("(fatal)"))).toBe(true);
    await loop.stop(500);
    const prompts = join(loop["o"].out, "data/daily_news", fake.day, "processed/prompts.jsonl");
    const lines = (() => {
      try {
        return readFileSync(prompts, "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    })();
    expect(lines.some((l) => l.includes("HTTP 401"))).toBe(false);
  });
});
