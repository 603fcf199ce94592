/**
 * Alpaca Market Data v2 WebSocket stream (the `ws` package): connect to
 * `{streamUrl}/{feed}`, wait for `connected`, authenticate, subscribe to
 * `bars` and `updatedBars`, and hand every bar message over. Liveness comes
 * from frames and pongs only: a ping every `pingMs`, and a socket with no
 * frame and no pong for `pongTimeoutMs` is dropped. Bar silence is not a
 * sign of a dead socket: Alpaca sends a bar only for a minute with valid
 * trades, so thin (IEX) symbols go minutes without one. Any drop is followed
 * by a reconnect with jittered exponential backoff, for as long as the
 * stream runs. A 406 (connection limit: the server still counts the old
 * socket) waits on a longer backoff. Final, with one clear error and no
 * reconnect: 402 (bad keys), 405, 408, 409, 410, 411 (plan, feed or scope)
 * and an HTTP 4xx answer to the upgrade (wrong URL or feed, keys refused).
 * A 401 "not authenticated" means a message arrived before authentication:
 * the client authenticates (again) and goes on. After every successful
 * subscription `onReady` runs, so the caller can backfill the gap over REST.
 */
import WebSocket from "ws";
import { systemClock, wallMs, type Clock } from "../clock.js";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import { AlpacaAuthError, AlpacaError, FINAL_STREAM_CODES, type StreamBar } from "./types.js";

/** Timing of the stream (market milliseconds). */
export interface StreamTimings {
  pingMs: number;
  /** No frame and no pong for this long: the socket is dead. */
  pongTimeoutMs: number;
  /** No `connected`/`authenticated`/`subscription` answer for this long: give up on the attempt. */
  handshakeTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Backoff after a 406 connection-limit error. */
  limitBackoff: BackoffPolicy;
  /**
   * Least real ms of the silence limits: on a clock much faster than real
   * time a busy event loop (a burst of ticks) must not pass for a dead socket.
   */
  wallFloorMs: number;
}

/** Default timings for real use. */
export const DEFAULT_STREAM_TIMINGS: StreamTimings = {
  pingMs: 15_000,
  pongTimeoutMs: 45_000,
  handshakeTimeoutMs: 20_000,
  backoff: { baseMs: 1_000, capMs: 60_000 },
  limitBackoff: { baseMs: 10_000, capMs: 120_000 },
  wallFloorMs: 0,
};

/** Options of {@link AlpacaStream}. */
export interface StreamOptions {
  /** Full URL including the feed, e.g. `wss://stream.data.alpaca.markets/v2/iex`. */
  url: string;
  keyId: string;
  secretKey: string;
  symbols: readonly string[];
  clock?: Clock;
  timings?: Partial<StreamTimings>;
  random?: () => number;
  /** A `b` or `u` bar message (not yet validated). */
  onBar: (msg: StreamBar) => void;
  /** Subscribed (first time and after every reconnect). */
  onReady: () => void;
  /** A final error: the stream has stopped. */
  onFatal: (err: AlpacaError) => void;
  log?: (msg: string) => void;
}

/** Counters of a stream, for the run's summary. */
export interface StreamStats {
  connects: number;
  reconnects: number;
  limitErrors: number;
  watchdogKills: number;
  malformed: number;
  bars: number;
  updatedBars: number;
}

/** The stream client. */
export class AlpacaStream {
  readonly stats: StreamStats = { connects: 0, reconnects: 0, limitErrors: 0, watchdogKills: 0, malformed: 0, bars: 0, updatedBars: 0 };
  private readonly t: StreamTimings;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: (msg: string) => void;
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private lastWas406 = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;
  private live = false;
  private everSubscribed = false;
  private unauthRetries = 0;
  /** The last reason a connection attempt failed (for a failed start-up). */
  lastProblem = "";

  constructor(private readonly o: StreamOptions) {
    this.t = { ...DEFAULT_STREAM_TIMINGS, ...o.timings };
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.log = o.log ?? (() => {});
  }

  /** Opens the stream (and keeps it open until {@link stop}). */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and cancels every timer; resolves when the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once("close", () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, "shutdown");
    });
  }

  /** Whether the stream is subscribed right now. */
  get isLive(): boolean {
    return this.live;
  }

  private connect(): void {
    if (this.stopped) return;
    this.stats.connects++;
    if (this.stats.connects > 1) this.stats.reconnects++;
    this.live = false;
    const ws = new WebSocket(this.o.url, { handshakeTimeout: Math.max(1_000, wallMs(this.clock, this.t.handshakeTimeoutMs)) });
    this.ws = ws;
    this.lastFrameAt = this.clock.now();
    this.armHandshake(ws);
    ws.on("message", (data, isBinary) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.clock.now();
      this.onFrame(ws, isBinary ? "<binary>" : data.toString());
    });
    ws.on("pong", () => {
      if (this.ws === ws) this.lastFrameAt = this.clock.now();
    });
    ws.on("error", (e) => {
      if (this.ws !== ws) return;
      this.lastProblem = `socket error: ${e.message}`;
      this.log(`alpaca stream: socket error: ${e.message}`);
    });
    ws.on("unexpected-response", (_req, res) => {
      // An HTTP answer instead of the upgrade. 4xx (but 429) is final: the URL, the feed or the keys are wrong, and stay wrong.
      if (this.ws !== ws) return;
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403)
        return this.fatal(ws, new AlpacaAuthError(`stream: HTTP ${status} on connect to ${this.o.url} (keys refused)`, status));
      if (status >= 400 && status < 500 && status !== 429)
        return this.fatal(
          ws,
          new AlpacaError(`stream: HTTP ${status} on connect to ${this.o.url} (check the stream URL and the feed)`, status, true),
        );
      this.lastProblem = `HTTP ${status} on connect`;
      this.log(`alpaca stream: HTTP ${status} on connect`);
      ws.terminate();
    });
    ws.on("close", (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.live = false;
      this.clearTimers();
      if (this.stopped) return;
      this.log(`alpaca stream: closed (${code}); reconnecting`);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const policy = this.lastWas406 ? this.t.limitBackoff : this.t.backoff;
    const d = backoffDelay(this.attempt++, policy, this.random);
    this.log(
      `alpaca stream: reconnect attempt ${this.attempt} in ${(d / 1000).toFixed(1)} s${this.lastWas406 ? " (connection limit)" : ""}`,
    );
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = null;
        this.connect();
      },
      wallMs(this.clock, d),
    );
  }

  private armHandshake(ws: WebSocket): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(
      () => {
        if (this.ws !== ws || this.live) return;
        this.log("alpaca stream: handshake timed out");
        ws.terminate();
      },
      Math.max(this.t.wallFloorMs, wallMs(this.clock, this.t.handshakeTimeoutMs)),
    );
  }

  private clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.pingTimer = null;
    this.handshakeTimer = null;
  }

  private send(ws: WebSocket, msg: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  private onFrame(ws: WebSocket, text: string): void {
    let msgs: unknown;
    try {
      msgs = JSON.parse(text);
    } catch {
      return this.malformed(`not JSON: ${text.slice(0, 80)}`);
    }
    if (!Array.isArray(msgs)) return this.malformed(`not a list of messages: ${text.slice(0, 80)}`);
    for (const m of msgs) {
      if (this.ws !== ws) return;
      if (m === null || typeof m !== "object" || typeof (m as { T?: unknown }).T !== "string") {
        this.malformed(`message without a type: ${JSON.stringify(m)?.slice(0, 80)}`);
        continue;
      }
      const msg = m as Record<string, unknown> & { T: string };
      switch (msg.T) {
        case "success":
          if (msg.msg === "connected") {
            this.unauthRetries = 0;
            this.send(ws, { action: "auth", key: this.o.keyId, secret: this.o.secretKey });
            this.armHandshake(ws);
          } else if (msg.msg === "authenticated") {
            this.send(ws, { action: "subscribe", bars: this.o.symbols, updatedBars: this.o.symbols });
            this.armHandshake(ws);
          }
          break;
        case "subscription":
          this.onSubscribed(ws);
          break;
        case "error":
          this.onError(ws, Number(msg.code), String(msg.msg ?? ""));
          break;
        case "b":
        case "u":
          if (typeof msg.S !== "string") {
            this.malformed(`bar without a symbol: ${JSON.stringify(msg).slice(0, 80)}`);
            break;
          }
          if (msg.T === "b") this.stats.bars++;
          else this.stats.updatedBars++;
          if (this.attempt > 0 && this.live) this.attempt = 0; // a bar after subscribing: the connection is healthy
          this.o.onBar(msg as unknown as StreamBar);
          break;
        default:
          // Trades, quotes, statuses...: not subscribed, ignored.
          break;
      }
    }
  }

  private malformed(what: string): void {
    this.stats.malformed++;
    this.log(`alpaca stream: malformed frame skipped (${what})`);
  }

  private onSubscribed(ws: WebSocket): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    const first = !this.live;
    this.live = true;
    this.everSubscribed = true;
    this.lastWas406 = false;
    if (!first) return;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.watchdog(ws), wallMs(this.clock, this.t.pingMs));
    this.log(`alpaca stream: subscribed to bars and updatedBars of ${this.o.symbols.join(",")}`);
    this.o.onReady();
  }

  private watchdog(ws: WebSocket): void {
    if (this.ws !== ws) return;
    const now = this.clock.now();
    const floor = this.t.wallFloorMs * this.clock.speed;
    if (now - this.lastFrameAt > Math.max(this.t.pongTimeoutMs, floor)) {
      this.stats.watchdogKills++;
      this.log(`alpaca stream: silent for ${((now - this.lastFrameAt) / 1000).toFixed(0)} s (no frame, no pong); dropping the socket`);
      ws.terminate();
      return;
    }
    try {
      ws.ping();
    } catch {
      /* closing */
    }
  }

  /** Whether the stream has been subscribed at least once since {@link start}. */
  get hasConnected(): boolean {
    return this.everSubscribed;
  }

  private onError(ws: WebSocket, code: number, text: string): void {
    this.lastProblem = `error ${code} ${text}`;
    if (code === 401 && this.unauthRetries < 3) {
      // "not authenticated": something was sent before the authentication was through. Authenticate, then subscribe.
      this.unauthRetries++;
      this.log(`alpaca stream: 401 ${text}; authenticating`);
      this.send(ws, { action: "auth", key: this.o.keyId, secret: this.o.secretKey });
      this.armHandshake(ws);
      return;
    }
    if (code === 406) {
      this.stats.limitErrors++;
      this.lastWas406 = true;
      this.log(`alpaca stream: 406 ${text} (the server still counts an earlier connection)`);
      ws.terminate();
      return;
    }
    if (FINAL_STREAM_CODES.has(code)) {
      const err =
        code === 402 ? new AlpacaAuthError(`stream: ${code} ${text}`, code) : new AlpacaError(`stream: ${code} ${text}`, code, true);
      return this.fatal(ws, err);
    }
    this.log(`alpaca stream: error ${code} ${text}; reconnecting`);
    ws.terminate();
  }

  private fatal(ws: WebSocket, err: AlpacaError): void {
    this.stopped = true;
    this.clearTimers();
    this.ws = null;
    this.live = false;
    ws.terminate();
    this.log(`alpaca stream: ${err.message} (final, not retrying)`);
    this.o.onFatal(err);
  }
}
