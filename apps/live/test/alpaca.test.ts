import { describe, expect, it } from "vitest";
import { backoffDelay, rateLimitDelay } from "../src/alpaca/backoff.js";
import { AlpacaRest } from "../src/alpaca/rest.js";
import { AlpacaStream, type StreamTimings } from "../src/alpaca/stream.js";
import { AlpacaAuthError, type AlpacaConfig, type StreamBar } from "../src/alpaca/types.js";
import { virtualClock } from "../src/clock.js";
import { FakeAlpaca } from "../src/fake/server.js";

const cfg = (fake: FakeAlpaca, o: Partial<AlpacaConfig> = {}): AlpacaConfig => ({
  keyId: "fake-key",
  secretKey: "fake-secret",
  feed: "iex",
  ...fake.urls,
  ...o,
});

describe("backoff policy", () => {
  it("doubles up to the cap, with jitter in [d/2, d]", () => {
    const p = { baseMs: 1000, capMs: 30_000 };
    expect(backoffDelay(0, p, () => 0)).toBe(500);
    expect(backoffDelay(0, p, () => 0.999999)).toBeCloseTo(1000, 0);
    expect(backoffDelay(3, p, () => 0)).toBe(4000);
    expect(backoffDelay(10, p, () => 0)).toBe(15_000);
    expect(backoffDelay(100, p, () => 1)).toBe(30_000);
    for (let k = 0; k < 12; k++) {
      const d = Math.min(30_000, 1000 * 2 ** k);
      for (let i = 0; i < 20; i++) {
        const x = backoffDelay(k, p);
        expect(x).toBeGreaterThanOrEqual(d / 2);
        expect(x).toBeLessThanOrEqual(d);
      }
    }
  });

  it("reads the rate-limit reset (epoch seconds) or Retry-After", () => {
    const now = 1_700_000_000_000;
    expect(rateLimitDelay(new Headers({ "X-RateLimit-Reset": String(now / 1000 + 7) }), now)).toBe(7000);
    expect(rateLimitDelay(new Headers({ "X-RateLimit-Reset": String(now / 1000 - 7) }), now)).toBe(0);
    expect(rateLimitDelay(new Headers({ "Retry-After": "3" }), now)).toBe(3000);
    expect(rateLimitDelay(new Headers({ "Retry-After": new Date(now + 5000).toUTCString() }), now)).toBe(5000);
    expect(rateLimitDelay(new Headers({ "Retry-After": "9999" }), now, 60_000)).toBe(60_000);
    expect(rateLimitDelay(new Headers(), now)).toBeNull();
  });
});

describe("REST client against the fake server", () => {
  it("follows next_page_token across pages and returns the published bars per symbol in order", async () => {
    const fake = await new FakeAlpaca({ minutes: 30, speed: 1, leadMs: -40 * 60_000, faults: [] }).start();
    try {
      const seen: string[] = [];
      const rest = new AlpacaRest(cfg(fake), { clock: fake.clock, fetch: (u, i) => (seen.push(String(u)), fetch(u, i)) });
      const bars = await rest.bars({ symbols: ["SPY", "QQQ", "IWM"], start: fake.sessionStart, limit: 7 });
      const served = fake.served();
      for (const s of ["SPY", "QQQ", "IWM"]) expect(bars[s]!.map((b) => b.t)).toEqual(served[s]!.map((b) => b.t));
      const total = Object.values(served).reduce((n, l) => n + l.length, 0);
      expect(seen.length).toBe(Math.ceil(total / 7));
      expect(seen.slice(1).every((u) => new URL(u).searchParams.has("page_token"))).toBe(true);
      const q = new URL(seen[0]!).searchParams;
      expect(Object.fromEntries(q)).toMatchObject({
        symbols: "SPY,QQQ,IWM",
        timeframe: "1Min",
        feed: "iex",
        adjustment: "raw",
        limit: "7",
      });
      const latest = await rest.latestBars(["SPY"]);
      expect(latest.SPY).toEqual(served.SPY!.at(-1));
      const cal = await rest.calendar("2024-03-11", "2024-03-17");
      expect(cal.map((d) => d.date)).toEqual(["2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15"]);
    } finally {
      await fake.close();
    }
  });

  it("retries 429 after the rate-limit reset and 500 with backoff; gives up at once on the 403 Alpaca answers to wrong keys", async () => {
    const fake = await new FakeAlpaca({
      minutes: 10,
      speed: 100,
      leadMs: -20 * 60_000,
      faults: [
        { at: -100, kind: "rest429", count: 2, resetMs: 5_000 },
        { at: -100, kind: "rest500", count: 1 },
      ],
    }).start();
    try {
      const logs: string[] = [];
      const rest = new AlpacaRest(cfg(fake), { clock: fake.clock, log: (m) => logs.push(m), backoff: { baseMs: 100, capMs: 1000 } });
      await new Promise((r) => setTimeout(r, 20));
      const t0 = fake.clock.now();
      const bars = await rest.bars({ symbols: ["SPY"], start: fake.sessionStart });
      expect(bars.SPY!.length).toBe(10);
      expect(rest.stats).toMatchObject({ rateLimited: 2, serverErrors: 1, retries: 3 });
      // Waited for the reset (~5 s of market time), not less.
      expect(fake.clock.now() - t0).toBeGreaterThanOrEqual(4_000);
      expect(logs.filter((l) => l.includes("HTTP 429")).length).toBe(2);
      const bad = new AlpacaRest(cfg(fake, { secretKey: "wrong" }), { clock: fake.clock });
      await expect(bad.bars({ symbols: ["SPY"], start: fake.sessionStart })).rejects.toBeInstanceOf(AlpacaAuthError);
      expect(bad.stats.requests).toBe(1);
    } finally {
      await fake.close();
    }
  });

  it("times out a hung request and retries it", async () => {
    let calls = 0;
    const hangingFetch: typeof fetch = (u, init) => {
      calls++;
      if (calls === 1) return new Promise((_, rej) => init!.signal!.addEventListener("abort", () => rej(new Error("aborted"))));
      return Promise.resolve(new Response(JSON.stringify({ bars: { SPY: [] }, next_page_token: null }), { status: 200 }));
    };
    const rest = new AlpacaRest(
      { keyId: "k", secretKey: "s", feed: "iex", dataUrl: "http://127.0.0.1:9", tradingUrl: "", streamUrl: "" },
      { fetch: hangingFetch, timeoutMs: 50, backoff: { baseMs: 1, capMs: 2 } },
    );
    expect(await rest.bars({ symbols: ["SPY"], start: 0 })).toEqual({ SPY: [] });
    expect(calls).toBe(2);
  });
});

describe("stream client against the fake server", () => {
  function open(fake: FakeAlpaca, o: { secret?: string; bars?: StreamBar[]; logs?: string[]; timings?: Partial<StreamTimings> } = {}) {
    let ready = 0;
    let fatal: Error | null = null;
    const s = new AlpacaStream({
      url: `${fake.urls.streamUrl}/iex`,
      keyId: "fake-key",
      secretKey: o.secret ?? "fake-secret",
      symbols: ["SPY", "QQQ", "IWM"],
      clock: fake.clock,
      // A generous real-time floor: a loaded machine must not pass for a dead socket.
      timings: {
        pingMs: 2_000,
        pongTimeoutMs: 6_000,
        backoff: { baseMs: 500, capMs: 2_000 },
        limitBackoff: { baseMs: 2_000, capMs: 4_000 },
        wallFloorMs: 2_000,
        ...o.timings,
      },
      onBar: (b) => o.bars?.push(b),
      onReady: () => ready++,
      onFatal: (e) => (fatal = e),
      log: (m) => o.logs?.push(m),
    });
    s.start();
    return { s, ready: () => ready, fatal: () => fatal };
  }
  const until = async (c: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!c()) {
      if (Date.now() > end) throw new Error("timeout");
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it("authenticates, subscribes to bars and updatedBars, and receives b and u messages", async () => {
    const fake = await new FakeAlpaca({ minutes: 6, speed: 300, corrections: { every: 2, delayMs: 5_000 }, faults: [] }).start();
    const bars: StreamBar[] = [];
    const c = open(fake, { bars });
    try {
      await fake.whenFinished();
      await until(() => bars.filter((b) => b.T === "b").length === fake.stats.streamBars);
      expect(c.ready()).toBe(1);
      expect(bars.some((b) => b.T === "u")).toBe(true);
      expect(bars[0]).toMatchObject({ T: "b", S: expect.any(String), t: expect.stringMatching(/Z$/), o: expect.any(Number) });
      await c.s.stop();
      // stop() closes the socket: the server sees it go.
      await until(() => fake.openConnections === 0, 2_000);
    } finally {
      await c.s.stop();
      await fake.close();
    }
  });

  it("a wrong key (402) is final: no reconnect", async () => {
    const fake = await new FakeAlpaca({ minutes: 5, speed: 300, faults: [] }).start();
    const c = open(fake, { secret: "nope" });
    try {
      await until(() => c.fatal() !== null);
      expect(c.fatal()).toBeInstanceOf(AlpacaAuthError);
      expect(c.fatal()!.message).toContain("402");
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.stats.connections).toBe(1);
      expect(fake.stats.authFailures).toBe(1);
    } finally {
      await c.s.stop();
      await fake.close();
    }
  });

  it("after a drop, waits out 406 connection-limit errors with backoff, reconnects and is ready again", async () => {
    const fake = await new FakeAlpaca({
      minutes: 20,
      speed: 300,
      faults: [
        { at: 2, kind: "drop" },
        { at: 2, kind: "reject406", count: 2 },
      ],
    }).start();
    const logs: string[] = [];
    const c = open(fake, { logs });
    try {
      await until(() => c.ready() === 2);
      expect(c.s.stats.limitErrors).toBe(2);
      expect(fake.stats.rejected406).toBe(2);
      expect(logs.filter((l) => l.includes("(connection limit)")).length).toBeGreaterThanOrEqual(2);
    } finally {
      await c.s.stop();
      await fake.close();
    }
  });

  it("a silent socket (no frame, no pong) is dropped by the watchdog and replaced", async () => {
    const fake = await new FakeAlpaca({ minutes: 20, speed: 300, faults: [{ at: 2, kind: "silent", holdMs: 600_000 }] }).start();
    const logs: string[] = [];
    // Silent for 90 s of market time (300 ms real) is dead; the server holds the socket for 2 s real.
    const c = open(fake, { logs, timings: { wallFloorMs: 300, limitBackoff: { baseMs: 60_000, capMs: 120_000 } } });
    try {
      await until(() => c.ready() === 2);
      expect(c.s.stats.watchdogKills).toBe(1);
      expect(logs.some((l) => /silent for \d+ s \(no frame, no pong\)/.test(l))).toBe(true);
      // The server still counted the silent socket for a while: the first reconnects met 406.
      expect(c.s.stats.limitErrors).toBeGreaterThanOrEqual(1);
    } finally {
      await c.s.stop();
      await fake.close();
    }
  });

  it("malformed frames are logged and skipped; the stream goes on", async () => {
    const fake = await new FakeAlpaca({ minutes: 8, speed: 300, faults: [{ at: 2, kind: "malformed" }] }).start();
    const logs: string[] = [];
    const bars: StreamBar[] = [];
    const c = open(fake, { logs, bars });
    try {
      await fake.whenFinished();
      await until(() => bars.filter((b) => b.T === "b").length >= fake.stats.streamBars);
      expect(c.s.stats.malformed).toBe(4);
      expect(logs.filter((l) => l.includes("malformed frame skipped")).length).toBe(4);
      expect(c.ready()).toBe(1);
    } finally {
      await c.s.stop();
      await fake.close();
    }
  });
});

describe("virtual clock", () => {
  it("runs at its speed from its origin", async () => {
    const c = virtualClock(1_000_000, 100);
    const a = c.now();
    await new Promise((r) => setTimeout(r, 30));
    const d = c.now() - a;
    expect(d).toBeGreaterThanOrEqual(2_500);
    expect(d).toBeLessThan(60_000);
  });
});
