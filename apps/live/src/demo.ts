/**
 * `pnpm live --demo`: the live loop against the fake Alpaca server on
 * 127.0.0.1, on an accelerated clock, with the offline LLM and a schedule of
 * faults (a dropped socket, a silent one, 406 rejections, REST 429 and 500,
 * malformed frames, re-sent and late corrected bars). No keys, no network.
 * At the end it compares what the loop stored with what the fake served.
 */
import { readFileSync } from "node:fs";
import { repairOhlc } from "@ict/core";
import { createLlmProvider, type LlmProvider } from "@ict/pipeline";
import { journalPath } from "./barstore.js";
import { FakeAlpaca, type FakeFault, type FakeOptions } from "./fake/server.js";
import { LiveLoop, type LoopSummary } from "./loop.js";
import type { StreamTimings } from "./alpaca/stream.js";

/** Stream timings for an accelerated session (market ms). */
export const FAST_TIMINGS: Partial<StreamTimings> = {
  pingMs: 5_000,
  pongTimeoutMs: 20_000,
  handshakeTimeoutMs: 10_000,
  backoff: { baseMs: 1_000, capMs: 20_000 },
  limitBackoff: { baseMs: 10_000, capMs: 60_000 },
  wallFloorMs: 600,
};

/**
 * Every kind of fault, spread over a session of `minutes` (at least ~40) on a
 * clock `speed` times real time. A silent socket is held by the server for at
 * least 1.5 s of real time, longer than the watchdog's real-time floor, so
 * that the client's watchdog finds it (and its reconnects meet 406s).
 */
export function allFaults(minutes: number, speed = 200): FakeFault[] {
  const at = (f: number) => Math.round(minutes * f * 10) / 10;
  const hold = (ms: number) => Math.max(ms, 1_500 * speed);
  return [
    { at: at(0.1), kind: "rest429", count: 2, resetMs: 3_000 },
    { at: at(0.15), kind: "drop" },
    { at: at(0.15), kind: "reject406", count: 2 },
    { at: at(0.28), kind: "malformed" },
    { at: at(0.33), kind: "duplicate" },
    { at: at(0.42), kind: "silent", holdMs: hold(120_000) },
    { at: at(0.55), kind: "rest500", count: 2 },
    { at: at(0.58), kind: "drop" },
    { at: at(0.7), kind: "malformed" },
    { at: at(0.78), kind: "silent", holdMs: hold(30_000) },
  ];
}

/** Counts of a session: bars the fake served and what the loop holds. */
export interface BarCounts {
  served: number;
  /** Served bars held with the served (final) values. */
  received: number;
  /** Served bars not held, or held with other values. */
  missing: number;
  /** Bars journaled as new more than once. */
  duplicated: number;
  /** The missing bars, `SYMBOL t` (and `(other values)` when held with values other than the final ones). */
  missingBars: string[];
}

/**
 * The fake's final bars as the loop must hold them: an open or close outside
 * the high–low range repaired (high = max(o,h,c), low = min(o,l,c)).
 */
export function repairedServed(fake: FakeAlpaca): ReturnType<FakeAlpaca["served"]> {
  const out = fake.served();
  for (const list of Object.values(out)) {
    for (let i = 0; i < list.length; i++) {
      const b = { ...list[i]! };
      repairOhlc(b);
      list[i] = b;
    }
  }
  return out;
}

/** Compares the loop's store (and its journal) with what the fake served (repaired). */
export function countBars(fake: FakeAlpaca, loop: LiveLoop, out: string): BarCounts {
  const served = repairedServed(fake);
  let n = 0;
  let received = 0;
  const missingBars: string[] = [];
  for (const [S, list] of Object.entries(served)) {
    for (const b of list) {
      n++;
      const got = loop.store.get(S, Date.parse(b.t));
      if (got && got.o === b.o && got.h === b.h && got.l === b.l && got.c === b.c && got.v === b.v) received++;
      else missingBars.push(`${S} ${b.t}${got ? " (other values)" : ""}`);
    }
  }
  // A bar is journaled once when first received and again only for a correction (other values).
  let duplicated = 0;
  const seen = new Map<string, string>();
  for (const line of readFileSync(journalPath(out, fake.day), "utf8").split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line) as { S: string; t: string; o: number; h: number; l: number; c: number; v: number; n?: number; vw?: number };
    const key = `${r.S}|${r.t}`;
    const val = JSON.stringify([r.o, r.h, r.l, r.c, r.v, r.n, r.vw]);
    if (seen.get(key) === val) duplicated++;
    seen.set(key, val);
  }
  return { served: n, received, missing: n - received, duplicated, missingBars };
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  out: string;
  symbols?: string[];
  minutes?: number;
  speed?: number;
  faults?: boolean;
  llm?: LlmProvider;
  fake?: FakeOptions;
  log?: (msg: string) => void;
  /** Real ms to wait for the loop to catch up after the fake's last bar. */
  catchUpMs?: number;
  /** Receives the fake server once started (tests). */
  onFake?: (fake: FakeAlpaca) => void;
}

/** What {@link runDemo} did. */
export interface DemoResult {
  counts: BarCounts;
  /** Bars the final REST reconciliation still had to add or correct (0 when the stream and backfills got everything). */
  reconcileFixed: number;
  summary: LoopSummary;
  fake: FakeAlpaca["stats"];
  /** The trading host the calendar came from in the end. */
  tradingUrl: string;
  seconds: number;
}

/** Runs an accelerated session against the fake server and counts the bars. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const log = o.log ?? ((m: string) => process.stderr.write(m + "\n"));
  const symbols = o.symbols ?? ["SPY", "QQQ", "IWM"];
  const minutes = o.minutes ?? 90;
  const speed = o.speed ?? 200;
  // 1.5 s of real time before the first bar: the loop is up before the session starts, even on a loaded machine.
  // Four minutes in a row without a bar for any symbol (no trades anywhere), as Alpaca's feed has them: not a dead socket.
  const quiet = Math.round(minutes * 0.63);
  // Live-account keys, and the client starting on the default paper host: the calendar must come from the live host.
  const fake = await new FakeAlpaca({
    symbols,
    minutes,
    speed,
    leadMs: Math.max(30_000, 1_500 * speed),
    faults: o.faults === false ? [] : allFaults(minutes, speed),
    silentMinutes: [quiet, quiet + 1, quiet + 2, quiet + 3],
    account: "live",
    log,
    ...o.fake,
  }).start();
  o.onFake?.(fake);
  const loop = new LiveLoop({
    symbols,
    out: o.out,
    alpaca: {
      keyId: "fake-key",
      secretKey: "fake-secret",
      feed: "iex",
      dataUrl: fake.urls.dataUrl,
      tradingUrl: fake.urls.tradingUrl,
      tradingFallbackUrl: fake.urls.liveTradingUrl,
      streamUrl: fake.urls.streamUrl,
    },
    clock: fake.clock,
    llm: o.llm ?? createLlmProvider("offline"),
    debounceMs: 3_000,
    streamTimings: FAST_TIMINGS,
    reconcileAfterCloseMs: null,
    restTimeoutMs: 5_000,
    log,
  });
  try {
    await loop.start();
    const fatal = loop.whenFatal().then((e) => {
      throw e;
    });
    await Promise.race([fake.whenFinished(), fatal]);
    // Let the last bars arrive (and a reconnect finish its backfill) before counting.
    const deadline = performance.now() + (o.catchUpMs ?? 20_000);
    let counts = countBars(fake, loop, o.out);
    while (counts.missing > 0 && performance.now() < deadline && !loop.fatal) {
      await new Promise((r) => setTimeout(r, 50));
      counts = countBars(fake, loop, o.out);
    }
    // The final REST reconciliation (run by the loop after each close) should find nothing left to fix.
    const before = loop.summary().added + loop.summary().corrected;
    await loop.reconcile();
    const reconcileFixed = loop.summary().added + loop.summary().corrected - before;
    await loop.stop();
    counts.duplicated = countBars(fake, loop, o.out).duplicated;
    return {
      counts,
      reconcileFixed,
      summary: loop.summary(),
      fake: fake.stats,
      tradingUrl: loop.rest.tradingUrl,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await loop.stop();
    await fake.close();
  }
}
