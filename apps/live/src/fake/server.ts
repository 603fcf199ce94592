/**
 * A fake Alpaca on 127.0.0.1 for demos and tests: the Market Data v2 REST
 * endpoints (`/v2/stocks/bars` with pagination, `/v2/stocks/bars/latest`),
 * the trading API's `/v2/calendar`, and the WebSocket stream (`/v2/{feed}`)
 * with the documented handshake (`connected`, `auth` → `authenticated`,
 * `subscribe` → `subscription`, `error` codes 401/402/404/406) and messages
 * (`b` bars, `u` updated bars). It serves recorded or generated bars on a
 * virtual clock that can run faster than real time: the bar of minute m is
 * published shortly after m + 1 min, a correction of it some seconds later,
 * and REST returns what has been published so far (corrected values
 * included). Faults are injected on a schedule: a dropped socket, a silent
 * socket (that the server keeps counting against the one-connection limit for
 * a while, hence 406s), 406 rejections, REST 429s with rate-limit headers,
 * REST 500s, malformed frames and re-sent bars.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { AlpacaBar, CalendarDay } from "../alpaca/types.js";
import { nyOffsetMs as nyOffset, nyTime } from "../calendar.js";
import { virtualClock } from "../clock.js";
import { correctBar, generateBars } from "./bars.js";

/** A fault, `at` market minutes after the session's first minute opened. */
export type FakeFault =
  | { at: number; kind: "drop" }
  | { at: number; kind: "silent"; holdMs: number }
  | { at: number; kind: "reject406"; count: number }
  | { at: number; kind: "rest429"; count: number; resetMs?: number }
  | { at: number; kind: "rest500"; count: number }
  | { at: number; kind: "malformed" }
  | { at: number; kind: "duplicate" };
// duplicate: re-sends the last minute's bars and the original of the last corrected bar.

/** Options of {@link FakeAlpaca}. */
export interface FakeOptions {
  symbols?: readonly string[];
  /** New York trading day (default 2024-03-15). */
  day?: string;
  /** Session start, New York `HH:MM` (default 09:30). */
  open?: string;
  minutes?: number;
  /** Market ms per real ms. */
  speed?: number;
  /** Recorded bars per symbol (replace the generated ones); `t` RFC 3339. */
  bars?: Record<string, AlpacaBar[]>;
  seed?: number;
  gapRate?: number;
  /** Every `every`-th bar (deterministic) gets a correction `delayMs` market ms after it was published. */
  corrections?: { every: number; delayMs: number } | null;
  /** Market ms after a minute closes before its bar is published. */
  barDelayMs?: number;
  /** Market ms of clock before the first minute opens. */
  leadMs?: number;
  faults?: FakeFault[];
  keyId?: string;
  secretKey?: string;
  /** Market ms a connection may take to authenticate (404 after; at least 2 s real). */
  authTimeoutMs?: number;
  log?: (msg: string) => void;
}

interface Conn {
  ws: WebSocket;
  socket: Socket;
  authed: boolean;
  bars: Set<string>;
  updated: Set<string>;
  silent: boolean;
  closed: boolean;
}

interface Ev {
  at: number;
  run: () => void;
}

/** What the fake did. */
export interface FakeStats {
  connections: number;
  rejected406: number;
  authFailures: number;
  streamBars: number;
  streamUpdates: number;
  restRequests: number;
  rest429: number;
  rest500: number;
  malformedSent: number;
  drops: number;
  silences: number;
}

/** The fake server. */
export class FakeAlpaca {
  readonly stats: FakeStats = { connections: 0, rejected406: 0, authFailures: 0, streamBars: 0, streamUpdates: 0, restRequests: 0, rest429: 0, rest500: 0, malformedSent: 0, drops: 0, silences: 0 };
  readonly symbols: readonly string[];
  readonly day: string;
  /** Start of the first minute. */
  readonly sessionStart: number;
  readonly speed: number;
  clock!: ReturnType<typeof virtualClock>;
  private readonly o: FakeOptions;
  private readonly final = new Map<string, { bar: AlpacaBar; publishAt: number; corrected?: AlpacaBar; correctAt?: number }>();
  private readonly minutes: number[] = [];
  private readonly events: Ev[] = [];
  private timer: NodeJS.Timeout | null = null;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly conns = new Set<Conn>();
  private reject406 = 0;
  private rest429 = 0;
  private rest429ResetMs = 2_000;
  private rest500 = 0;
  private lastEventAt = 0;
  private finishedWaiters: Array<() => void> = [];
  private finished = false;
  private lastPublished: Array<{ S: string; bar: AlpacaBar }> = [];
  private lastCorrected: { S: string; bar: AlpacaBar } | null = null;
  port = 0;

  constructor(o: FakeOptions = {}) {
    this.o = o;
    this.symbols = o.symbols ?? ["SPY", "QQQ", "IWM"];
    this.day = o.day ?? "2024-03-15";
    this.speed = o.speed ?? 60;
    this.sessionStart = nyTime(this.day, o.open ?? "09:30");
    const bars = o.bars ?? generateBars({ symbols: this.symbols, start: this.sessionStart, minutes: o.minutes ?? 60, seed: o.seed, gapRate: o.gapRate });
    const delay = o.barDelayMs ?? 1_500;
    const corr = o.corrections === undefined ? { every: 9, delayMs: 40_000 } : o.corrections;
    let k = 0;
    const times = new Set<number>();
    for (const [S, list] of Object.entries(bars)) {
      for (const b of list) {
        const t = Date.parse(b.t);
        times.add(t);
        const rec: { bar: AlpacaBar; publishAt: number; corrected?: AlpacaBar; correctAt?: number } = { bar: b, publishAt: t + 60_000 + delay };
        if (corr && k % corr.every === corr.every - 1) {
          rec.corrected = correctBar(b, k);
          rec.correctAt = rec.publishAt + corr.delayMs;
        }
        k++;
        this.final.set(`${S}|${t}`, rec);
      }
    }
    this.minutes = [...times].sort((a, b) => a - b);
  }

  /** The bars as finally served (corrected values where a correction was published), per symbol in time order. */
  served(): Record<string, AlpacaBar[]> {
    const out: Record<string, AlpacaBar[]> = {};
    for (const s of this.symbols) out[s] = [];
    for (const [key, r] of this.final) {
      const S = key.slice(0, key.indexOf("|"));
      (out[S] ??= []).push(r.corrected ?? r.bar);
    }
    for (const l of Object.values(out)) l.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    return out;
  }

  /** New York `HH:MM` at which the fake's session ends (the minute after its last bar). */
  get closeHHMM(): string {
    const end = (this.minutes.at(-1) ?? this.sessionStart) + 60_000;
    const local = new Date(end + nyOffset(end));
    return `${String(local.getUTCHours()).padStart(2, "0")}:${String(local.getUTCMinutes()).padStart(2, "0")}`;
  }

  /** Stream connections open right now (as the server sees them). */
  get openConnections(): number {
    return this.conns.size;
  }

  /** Number of (symbol, minute) bars of the session. */
  get barCount(): number {
    return this.final.size;
  }

  /** Market time when the last bar and correction have been published. */
  get endsAt(): number {
    return this.lastEventAt;
  }

  /** Base URLs for the client: REST data, trading, stream (without the feed). */
  get urls(): { dataUrl: string; tradingUrl: string; streamUrl: string } {
    const base = `127.0.0.1:${this.port}`;
    return { dataUrl: `http://${base}`, tradingUrl: `http://${base}`, streamUrl: `ws://${base}/v2` };
  }

  /** Starts listening on 127.0.0.1 (a free port unless given) and starts the clock. */
  async start(port = 0): Promise<this> {
    this.http = createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (!/^\/v2\/(iex|sip|test)$/.test(path)) {
        socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
        return;
      }
      this.wss!.handleUpgrade(req, socket as Socket, head, (ws) => this.onConnection(ws, socket as Socket));
    });
    await new Promise<void>((resolve) => this.http!.listen(port, "127.0.0.1", resolve));
    this.port = (this.http.address() as AddressInfo).port;
    this.clock = virtualClock(this.sessionStart - (this.o.leadMs ?? 30_000), this.speed);
    this.schedule();
    return this;
  }

  private schedule(): void {
    for (const [key, r] of this.final) {
      const S = key.slice(0, key.indexOf("|"));
      this.events.push({ at: r.publishAt, run: () => this.publish(S, r.bar, "b") });
      if (r.corrected) this.events.push({ at: r.correctAt!, run: () => this.publish(S, r.corrected!, "u") });
    }
    this.lastEventAt = Math.max(...this.events.map((e) => e.at));
    for (const f of this.o.faults ?? []) this.events.push({ at: this.sessionStart + f.at * 60_000, run: () => this.fault(f) });
    // Bars of one minute go out in one frame, as Alpaca batches them.
    this.events.sort((a, b) => a.at - b.at);
    this.pump();
  }

  private batch: Array<Record<string, unknown>> = [];

  private pump(): void {
    this.timer = null;
    const now = this.clock.now();
    while (this.events.length && this.events[0]!.at <= now) this.events.shift()!.run();
    this.sendBatch();
    if (!this.finished && now >= this.lastEventAt) {
      this.finished = true;
      for (const w of this.finishedWaiters.splice(0)) w();
    }
    if (this.events.length) this.timer = setTimeout(() => this.pump(), Math.max(0, (this.events[0]!.at - this.clock.now()) / this.speed));
  }

  /** Resolves when every bar and correction has been published. */
  whenFinished(): Promise<void> {
    return this.finished ? Promise.resolve() : new Promise((r) => this.finishedWaiters.push(r));
  }

  private publish(S: string, bar: AlpacaBar, T: "b" | "u"): void {
    if (T === "b") this.lastPublished.push({ S, bar });
    else this.lastCorrected = { S, bar: this.final.get(`${S}|${Date.parse(bar.t)}`)!.bar };
    this.batch.push({ T, S, ...bar });
    if (T === "b") this.stats.streamBars++;
    else this.stats.streamUpdates++;
  }

  private sendBatch(): void {
    if (!this.batch.length) return;
    const msgs = this.batch;
    this.batch = [];
    for (const c of this.conns) {
      if (!c.authed || c.silent || c.closed) continue;
      const mine = msgs.filter((m) => (m.T === "b" ? c.bars : c.updated).has(m.S as string) || (m.T === "b" ? c.bars : c.updated).has("*"));
      if (mine.length) c.ws.send(JSON.stringify(mine));
    }
    if (this.lastPublished.length > 3 * this.symbols.length) this.lastPublished.splice(0, this.lastPublished.length - this.symbols.length);
  }

  /** Socket faults waiting for a subscribed connection. */
  private deferred: FakeFault[] = [];

  private fault(f: FakeFault): void {
    // What was published before the fault goes out before it.
    this.sendBatch();
    const socketFault = f.kind === "drop" || f.kind === "silent" || f.kind === "malformed" || f.kind === "duplicate";
    // A socket fault that finds no subscribed connection (the client is reconnecting) waits for the next one: every scheduled fault happens.
    if (socketFault && ![...this.conns].some((c) => c.authed && c.bars.size > 0 && !c.silent && !c.closed)) {
      this.deferred.push(f);
      return;
    }
    this.o.log?.(`fake: fault ${f.kind} at minute ${f.at}${this.clock.now() > this.sessionStart + f.at * 60_000 + 1_000 ? " (deferred until a connection was up)" : ""}`);
    switch (f.kind) {
      case "drop":
        for (const c of this.conns) {
          if (c.closed || c.silent) continue;
          this.stats.drops++;
          c.ws.terminate();
        }
        break;
      case "silent":
        for (const c of this.conns) {
          if (c.closed || c.silent) continue;
          this.stats.silences++;
          c.silent = true;
          // Stop reading too: pings go unanswered, and the server keeps counting the connection until it gives up on it.
          c.socket.pause();
          const conn = c;
          const wall = f.holdMs / this.speed;
          setTimeout(() => {
            conn.socket.resume();
            conn.ws.terminate();
          }, wall).unref();
        }
        break;
      case "reject406":
        this.reject406 += f.count;
        break;
      case "rest429":
        this.rest429 += f.count;
        this.rest429ResetMs = f.resetMs ?? 2_000;
        break;
      case "rest500":
        this.rest500 += f.count;
        break;
      case "malformed": {
        const sym = this.symbols[0]!;
        const frames = [
          "this is not json",
          JSON.stringify({ T: "b", S: sym }),
          JSON.stringify([{ S: sym, o: 1 }]),
          JSON.stringify([{ T: "b", S: sym, t: "not a time", o: 1, h: 1, l: 1, c: 1, v: 1 }]),
          JSON.stringify([{ T: "b", S: sym, t: new Date(this.sessionStart).toISOString(), o: 10, h: 9, l: 8, c: 9.5, v: 5 }]),
          JSON.stringify([{ T: "b", S: sym, t: new Date(this.sessionStart + 60_000).toISOString(), o: "1", h: 2, l: 0.5, c: 1, v: 5 }]),
          JSON.stringify([{ T: "b", t: new Date(this.sessionStart).toISOString(), o: 1, h: 1, l: 1, c: 1, v: 1 }]),
        ];
        for (const c of this.conns) {
          if (!c.authed || c.silent || c.closed) continue;
          for (const fr of frames) c.ws.send(fr);
          this.stats.malformedSent += frames.length;
        }
        break;
      }
      case "duplicate": {
        // The last minute's bars again, and the original of the last corrected bar (stale: it must not undo the correction).
        const again = [...this.lastPublished.slice(-this.symbols.length), ...(this.lastCorrected ? [this.lastCorrected] : [])].map(({ S, bar }) => ({ T: "b", S, ...bar }));
        for (const c of this.conns) if (c.authed && !c.silent && !c.closed && again.length) c.ws.send(JSON.stringify(again));
        break;
      }
    }
  }

  private onConnection(ws: WebSocket, socket: Socket): void {
    this.stats.connections++;
    const c: Conn = { ws, socket, authed: false, bars: new Set(), updated: new Set(), silent: false, closed: false };
    this.conns.add(c);
    const send = (m: unknown) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
    send([{ T: "success", msg: "connected" }]);
    const authTimer = setTimeout(() => {
      if (!c.authed && !c.closed) {
        send([{ T: "error", code: 404, msg: "auth timeout" }]);
        ws.close();
      }
    }, Math.max(2_000, (this.o.authTimeoutMs ?? 10_000) / this.speed));
    ws.on("close", () => {
      c.closed = true;
      clearTimeout(authTimer);
      this.conns.delete(c);
    });
    ws.on("error", () => {});
    ws.on("message", (data) => {
      if (c.silent) return;
      let m: { action?: string; key?: string; secret?: string; bars?: string[]; updatedBars?: string[] };
      try {
        m = JSON.parse(data.toString());
      } catch {
        send([{ T: "error", code: 400, msg: "invalid syntax" }]);
        return;
      }
      if (m.action === "auth") {
        if (m.key !== (this.o.keyId ?? "fake-key") || m.secret !== (this.o.secretKey ?? "fake-secret")) {
          this.stats.authFailures++;
          send([{ T: "error", code: 402, msg: "auth failed" }]);
          ws.close();
          return;
        }
        const others = [...this.conns].filter((x) => x !== c && x.authed && !x.closed).length;
        if (others > 0 || this.reject406 > 0) {
          if (others === 0) this.reject406--;
          this.stats.rejected406++;
          send([{ T: "error", code: 406, msg: "connection limit exceeded" }]);
          ws.close();
          return;
        }
        c.authed = true;
        clearTimeout(authTimer);
        send([{ T: "success", msg: "authenticated" }]);
      } else if (m.action === "subscribe") {
        if (!c.authed) {
          send([{ T: "error", code: 401, msg: "not authenticated" }]);
          ws.close();
          return;
        }
        for (const s of m.bars ?? []) c.bars.add(s);
        for (const s of m.updatedBars ?? []) c.updated.add(s);
        send([{ T: "subscription", trades: [], quotes: [], bars: [...c.bars], updatedBars: [...c.updated], dailyBars: [], statuses: [], lulds: [], corrections: [], cancelErrors: [] }]);
        if (this.deferred.length) {
          // Deferred faults hit the new connection once it has settled (its backfill done): 30 market s, at least 200 ms real.
          const due = this.deferred.splice(0);
          setTimeout(() => due.forEach((f) => this.fault(f)), Math.max(200, 30_000 / this.speed));
        }
      } else {
        send([{ T: "error", code: 400, msg: "invalid syntax" }]);
      }
    });
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  /** The published version of a bar at market time `now`, or null if not yet published. */
  private versionAt(r: { bar: AlpacaBar; publishAt: number; corrected?: AlpacaBar; correctAt?: number }, now: number): AlpacaBar | null {
    if (r.publishAt > now) return null;
    return r.corrected && r.correctAt! <= now ? r.corrected : r.bar;
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    this.stats.restRequests++;
    const u = new URL(req.url ?? "/", "http://x");
    const now = this.clock.now();
    const rl = { "X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "199", "X-RateLimit-Reset": String(Math.ceil(now / 1000) + 60) };
    if (req.headers["apca-api-key-id"] !== (this.o.keyId ?? "fake-key") || req.headers["apca-api-secret-key"] !== (this.o.secretKey ?? "fake-secret")) {
      return this.json(res, 401, { message: "unauthorized." });
    }
    if (this.rest429 > 0) {
      this.rest429--;
      this.stats.rest429++;
      return this.json(res, 429, { message: "too many requests." }, { ...rl, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Math.ceil((now + this.rest429ResetMs) / 1000)) });
    }
    if (this.rest500 > 0) {
      this.rest500--;
      this.stats.rest500++;
      return this.json(res, 500, { message: "internal server error" }, rl);
    }
    const syms = (u.searchParams.get("symbols") ?? "").split(",").filter(Boolean);
    if (u.pathname === "/v2/stocks/bars") {
      if (u.searchParams.get("timeframe") !== "1Min") return this.json(res, 400, { message: "this fake serves timeframe=1Min only" }, rl);
      const start = u.searchParams.has("start") ? Date.parse(u.searchParams.get("start")!) : this.sessionStart;
      const end = u.searchParams.has("end") ? Date.parse(u.searchParams.get("end")!) : now;
      const limit = Math.min(10_000, Math.max(1, Number(u.searchParams.get("limit") ?? 1000)));
      if (Number.isNaN(start) || Number.isNaN(end)) return this.json(res, 400, { message: "invalid start or end" }, rl);
      const flat: Array<{ S: string; bar: AlpacaBar }> = [];
      for (const S of [...syms].sort()) {
        for (const t of this.minutes) {
          if (t < start || t > end) continue;
          const r = this.final.get(`${S}|${t}`);
          const v = r && this.versionAt(r, now);
          if (v) flat.push({ S, bar: v });
        }
      }
      const tok = u.searchParams.get("page_token");
      const from = tok ? Number(Buffer.from(tok, "base64url").toString()) : 0;
      const page = flat.slice(from, from + limit);
      const bars: Record<string, AlpacaBar[]> = {};
      for (const { S, bar } of page) (bars[S] ??= []).push(bar);
      const next = from + limit < flat.length ? Buffer.from(String(from + limit)).toString("base64url") : null;
      return this.json(res, 200, { bars, next_page_token: next }, rl);
    }
    if (u.pathname === "/v2/stocks/bars/latest") {
      const bars: Record<string, AlpacaBar> = {};
      for (const S of syms) {
        for (let i = this.minutes.length - 1; i >= 0; i--) {
          const r = this.final.get(`${S}|${this.minutes[i]}`);
          const v = r && this.versionAt(r, now);
          if (v) {
            bars[S] = v;
            break;
          }
        }
      }
      return this.json(res, 200, { bars }, rl);
    }
    if (u.pathname === "/v2/calendar") {
      const start = u.searchParams.get("start") ?? this.day;
      const end = u.searchParams.get("end") ?? this.day;
      const days: CalendarDay[] = [];
      for (let d = start; d <= end; d = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10)) {
        const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
        if (wd === 0 || wd === 6) continue;
        // The fake's own day closes when its bars end (like a half day), so regular-hours watchdogs stop with them.
        const close = d === this.day ? this.closeHHMM : "16:00";
        days.push({ date: d, open: this.o.open ?? "09:30", close, session_open: "0400", session_close: "2000", settlement_date: d });
      }
      return this.json(res, 200, days);
    }
    return this.json(res, 404, { message: "not found" });
  }

  /** Stops the clock, closes every socket and the server. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of this.conns) {
      c.socket.resume();
      c.ws.terminate();
    }
    this.wss?.close();
    const closed = new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    this.http?.closeAllConnections();
    await closed;
  }
}
