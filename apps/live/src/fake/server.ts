/**
 * A fake Alpaca on 127.0.0.1 for demos and tests, composed of its timeline
 * (`timeline.ts`: which bars, published when, on a virtual clock), its
 * faults (`faults.ts`), its WebSocket stream (`ws.ts`) and its REST side
 * (`rest.ts`: market data and the calendar on a paper and a live trading
 * host). It behaves as Alpaca's documentation says: bars about a second
 * after their minute, corrections at 30 s, no bar for a minute without
 * trades, opens outside the high–low range, 403 for wrong keys, keys that
 * work on one trading host only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { FaultCounters, isSocketFault, type FakeFault } from "./faults.js";
import { handleRest } from "./rest.js";
import { Timeline, type TimelineOptions } from "./timeline.js";
import { FakeStream } from "./ws.js";

export type { FakeFault } from "./faults.js";

/** Options of {@link FakeAlpaca}. */
export interface FakeOptions extends TimelineOptions {
  faults?: FakeFault[];
  keyId?: string;
  secretKey?: string;
  /** Which trading host the keys belong to (default paper): the other host's calendar answers 403. */
  account?: "paper" | "live";
  /** Market ms a connection may take to authenticate (404 after; at least 2 s real). */
  authTimeoutMs?: number;
  /** Answer every stream authentication with this error (e.g. 409 insufficient subscription). */
  streamErrorOnAuth?: { code: number; msg: string };
  /** Answer the first authentication of each connection with 401 "not authenticated". */
  unauthFirst?: boolean;
  log?: (msg: string) => void;
}

/** What the fake did. */
export interface FakeStats {
  connections: number;
  rejected406: number;
  authFailures: number;
  streamBars: number;
  streamUpdates: number;
  restRequests: number;
  calendarRequests: number;
  rest429: number;
  rest500: number;
  malformedSent: number;
  drops: number;
  silences: number;
}

/** The fake server. */
export class FakeAlpaca {
  readonly stats: FakeStats = {
    connections: 0,
    rejected406: 0,
    authFailures: 0,
    streamBars: 0,
    streamUpdates: 0,
    restRequests: 0,
    calendarRequests: 0,
    rest429: 0,
    rest500: 0,
    malformedSent: 0,
    drops: 0,
    silences: 0,
  };
  readonly timeline: Timeline;
  readonly faults = new FaultCounters();
  readonly stream: FakeStream;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  /** Socket faults waiting for a subscribed connection. */
  private deferred: FakeFault[] = [];
  port = 0;

  constructor(private readonly o: FakeOptions = {}) {
    this.timeline = new Timeline(o);
    this.stream = new FakeStream({
      symbols: this.timeline.symbols,
      sessionStart: this.timeline.sessionStart,
      speed: this.timeline.speed,
      keyId: o.keyId ?? "fake-key",
      secretKey: o.secretKey ?? "fake-secret",
      authTimeoutMs: o.authTimeoutMs ?? 10_000,
      errorOnAuth: o.streamErrorOnAuth,
      unauthFirst: o.unauthFirst,
      take406: () => this.faults.take("reject406"),
      stats: this.stats,
      log: o.log,
      onSubscribed: () => {
        if (!this.deferred.length) return;
        // Deferred faults hit the new connection once it has settled (its backfill done): 30 market s, at least 200 ms real.
        const due = this.deferred.splice(0);
        setTimeout(() => due.forEach((f) => this.fault(f)), Math.max(200, 30_000 / this.timeline.speed));
      },
    });
  }

  /** The symbols the fake serves. */
  get symbols(): readonly string[] {
    return this.timeline.symbols;
  }
  /** The New York trading day of the session. */
  get day(): string {
    return this.timeline.day;
  }
  /** Start of the first minute. */
  get sessionStart(): number {
    return this.timeline.sessionStart;
  }
  /** Market ms per real ms of the fake's clock. */
  get speed(): number {
    return this.timeline.speed;
  }
  /** The fake's virtual clock (set by {@link start}); the client must run on it. */
  get clock(): Timeline["clock"] {
    return this.timeline.clock;
  }

  /** The bars as finally served (corrected values where a correction was published; opens outside the range as served), per symbol in time order. */
  served(): ReturnType<Timeline["served"]> {
    return this.timeline.served();
  }

  /** New York `HH:MM` at which the fake's session ends (the minute after its last bar). */
  get closeHHMM(): string {
    return this.timeline.closeHHMM;
  }

  /** Stream connections open right now (as the server sees them). */
  get openConnections(): number {
    return this.stream.conns.size;
  }

  /** Number of (symbol, minute) bars of the session. */
  get barCount(): number {
    return this.timeline.records.size;
  }

  /** Market time when the last bar and correction have been published. */
  get endsAt(): number {
    return this.timeline.endsAt;
  }

  /** Base URLs for the client: REST data, trading (paper and live hosts), stream (without the feed). */
  get urls(): { dataUrl: string; tradingUrl: string; liveTradingUrl: string; streamUrl: string } {
    const base = `127.0.0.1:${this.port}`;
    return { dataUrl: `http://${base}`, tradingUrl: `http://${base}`, liveTradingUrl: `http://${base}/live`, streamUrl: `ws://${base}/v2` };
  }

  /** Starts listening on 127.0.0.1 (a free port unless given) and starts the clock. */
  async start(port = 0): Promise<this> {
    const restHost = {
      timeline: this.timeline,
      faults: this.faults,
      keyId: this.o.keyId ?? "fake-key",
      secretKey: this.o.secretKey ?? "fake-secret",
      account: this.o.account ?? "paper",
      open: this.o.open ?? "09:30",
      stats: this.stats,
    };
    this.http = createServer((req, res) => handleRest(restHost, req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (!/^\/v2\/(iex|sip|test)$/.test(path)) {
        socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
        return;
      }
      this.wss!.handleUpgrade(req, socket as Socket, head, (ws) => this.stream.onConnection(ws, socket as Socket));
    });
    await new Promise<void>((resolve) => this.http!.listen(port, "127.0.0.1", resolve));
    this.port = (this.http.address() as AddressInfo).port;
    const faultEvents = (this.o.faults ?? []).map((f) => ({ at: this.timeline.sessionStart + f.at * 60_000, run: () => this.fault(f) }));
    this.timeline.start(
      (S, bar, T) => this.stream.publish(S, bar, T, T === "u" ? this.timeline.records.get(`${S}|${Date.parse(bar.t)}`)!.bar : undefined),
      faultEvents,
      () => this.stream.flush(),
    );
    return this;
  }

  /** Resolves when every bar and correction has been published. */
  whenFinished(): Promise<void> {
    return this.timeline.whenFinished();
  }

  private fault(f: FakeFault): void {
    // What was published before the fault goes out before it.
    this.stream.flush();
    if (this.faults.add(f)) {
      this.o.log?.(`fake: fault ${f.kind} at minute ${f.at}`);
      return;
    }
    // A socket fault that finds no subscribed connection (the client is reconnecting) waits for the next one: every scheduled fault happens.
    if (isSocketFault(f) && !this.stream.hasSubscriber) {
      this.deferred.push(f);
      return;
    }
    this.o.log?.(
      `fake: fault ${f.kind} at minute ${f.at}${this.clock.now() > this.sessionStart + f.at * 60_000 + 1_000 ? " (deferred until a connection was up)" : ""}`,
    );
    this.stream.socketFault(f);
  }

  /** Stops the clock, closes every socket and the server. */
  async close(): Promise<void> {
    this.timeline.stop();
    this.stream.closeAll();
    this.wss?.close();
    const closed = new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    this.http?.closeAllConnections();
    await closed;
  }
}
