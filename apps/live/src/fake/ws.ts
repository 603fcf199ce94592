/**
 * The fake Alpaca's WebSocket stream (`/v2/{iex,sip,test}`) with the
 * documented handshake: `connected` on open; `auth` → `authenticated`, or
 * 402 "auth failed" for wrong keys; a second authenticated connection →
 * 406 "connection limit exceeded"; a message before authentication → 401
 * "not authenticated" (the socket stays open: the client may authenticate);
 * no authentication within the time limit → 404 "auth timeout"; `subscribe`
 * → `subscription`; then `b` and `u` messages, a minute's bars in one frame.
 * `errorOnAuth` answers every authentication with a given error code (408,
 * 409, 410, 411... to test the client's final errors).
 */
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { AlpacaBar } from "../alpaca/types.js";
import { malformedFrames, type FakeFault } from "./faults.js";

/** One stream connection as the server sees it. */
export interface Conn {
  ws: WebSocket;
  socket: Socket;
  authed: boolean;
  bars: Set<string>;
  updated: Set<string>;
  silent: boolean;
  closed: boolean;
}

/** What the stream needs from the rest of the fake. */
export interface StreamHost {
  readonly symbols: readonly string[];
  readonly sessionStart: number;
  readonly speed: number;
  keyId: string;
  secretKey: string;
  authTimeoutMs: number;
  /** Answer every `auth` with this error code instead of authenticating. */
  errorOnAuth?: { code: number; msg: string };
  /** Answer the first `auth` of each connection with 401 "not authenticated" (the client must authenticate again). */
  unauthFirst?: boolean;
  /** Uses one pending 406 rejection, if any. */
  take406(): boolean;
  stats: {
    connections: number;
    rejected406: number;
    authFailures: number;
    streamBars: number;
    streamUpdates: number;
    malformedSent: number;
    drops: number;
    silences: number;
  };
  log?: (msg: string) => void;
  /** A subscribed connection appeared: run the socket faults that waited for one. */
  onSubscribed(): void;
}

/** The stream side of the fake. */
export class FakeStream {
  readonly conns = new Set<Conn>();
  private batch: Array<Record<string, unknown>> = [];
  private lastPublished: Array<{ S: string; bar: AlpacaBar }> = [];
  private lastCorrected: { S: string; bar: AlpacaBar } | null = null;

  constructor(private readonly h: StreamHost) {}

  /** Queues a bar (`b`) or a correction (`u`, with `original` the bar it corrects) for the next frame. */
  publish(S: string, bar: AlpacaBar, T: "b" | "u", original?: AlpacaBar): void {
    if (T === "b") this.lastPublished.push({ S, bar });
    else this.lastCorrected = { S, bar: original ?? bar };
    this.batch.push({ T, S, ...bar });
    if (T === "b") this.h.stats.streamBars++;
    else this.h.stats.streamUpdates++;
  }

  /** Sends the queued messages to every subscribed connection, in one frame. */
  flush(): void {
    if (!this.batch.length) return;
    const msgs = this.batch;
    this.batch = [];
    for (const c of this.conns) {
      if (!c.authed || c.silent || c.closed) continue;
      const mine = msgs.filter((m) => (m.T === "b" ? c.bars : c.updated).has(m.S as string) || (m.T === "b" ? c.bars : c.updated).has("*"));
      if (mine.length) c.ws.send(JSON.stringify(mine));
    }
    if (this.lastPublished.length > 3 * this.h.symbols.length)
      this.lastPublished.splice(0, this.lastPublished.length - this.h.symbols.length);
  }

  /** Whether a connection is subscribed and healthy (a socket fault can act on it). */
  get hasSubscriber(): boolean {
    return [...this.conns].some((c) => c.authed && c.bars.size > 0 && !c.silent && !c.closed);
  }

  /** Applies a socket fault to the open connections. */
  socketFault(f: FakeFault): void {
    switch (f.kind) {
      case "drop":
        for (const c of this.conns) {
          if (c.closed || c.silent) continue;
          this.h.stats.drops++;
          c.ws.terminate();
        }
        break;
      case "silent":
        for (const c of this.conns) {
          if (c.closed || c.silent) continue;
          this.h.stats.silences++;
          c.silent = true;
          // Stop reading too: pings go unanswered, and the server keeps counting the connection until it gives up on it.
          c.socket.pause();
          const conn = c;
          setTimeout(() => {
            conn.socket.resume();
            conn.ws.terminate();
          }, f.holdMs / this.h.speed).unref();
        }
        break;
      case "malformed": {
        const frames = malformedFrames(this.h.symbols[0]!, this.h.sessionStart);
        for (const c of this.conns) {
          if (!c.authed || c.silent || c.closed) continue;
          for (const fr of frames) c.ws.send(fr);
          this.h.stats.malformedSent += frames.length;
        }
        break;
      }
      case "duplicate": {
        // The last minute's bars again, and the original of the last corrected bar (stale: it must not undo the correction).
        const again = [...this.lastPublished.slice(-this.h.symbols.length), ...(this.lastCorrected ? [this.lastCorrected] : [])].map(
          ({ S, bar }) => ({ T: "b", S, ...bar }),
        );
        for (const c of this.conns) if (c.authed && !c.silent && !c.closed && again.length) c.ws.send(JSON.stringify(again));
        break;
      }
      default:
        break;
    }
  }

  /** A new stream connection: the handshake, then the subscription. */
  onConnection(ws: WebSocket, socket: Socket): void {
    const h = this.h;
    h.stats.connections++;
    const c: Conn = { ws, socket, authed: false, bars: new Set(), updated: new Set(), silent: false, closed: false };
    this.conns.add(c);
    const send = (m: unknown) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
    send([{ T: "success", msg: "connected" }]);
    let unauthSent = false;
    const authTimer = setTimeout(
      () => {
        if (!c.authed && !c.closed) {
          send([{ T: "error", code: 404, msg: "auth timeout" }]);
          ws.close();
        }
      },
      Math.max(2_000, h.authTimeoutMs / h.speed),
    );
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
        if (h.unauthFirst && !unauthSent) {
          unauthSent = true;
          send([{ T: "error", code: 401, msg: "not authenticated" }]);
          return;
        }
        if (h.errorOnAuth) {
          send([{ T: "error", code: h.errorOnAuth.code, msg: h.errorOnAuth.msg }]);
          ws.close();
          return;
        }
        if (m.key !== h.keyId || m.secret !== h.secretKey) {
          h.stats.authFailures++;
          send([{ T: "error", code: 402, msg: "auth failed" }]);
          ws.close();
          return;
        }
        const others = [...this.conns].filter((x) => x !== c && x.authed && !x.closed).length;
        if (others > 0 || h.take406()) {
          h.stats.rejected406++;
          send([{ T: "error", code: 406, msg: "connection limit exceeded" }]);
          ws.close();
          return;
        }
        c.authed = true;
        clearTimeout(authTimer);
        send([{ T: "success", msg: "authenticated" }]);
      } else if (m.action === "subscribe") {
        if (!c.authed) {
          // Alpaca's answer to a message before authentication; the socket stays open.
          send([{ T: "error", code: 401, msg: "not authenticated" }]);
          return;
        }
        for (const s of m.bars ?? []) c.bars.add(s);
        for (const s of m.updatedBars ?? []) c.updated.add(s);
        send([
          {
            T: "subscription",
            trades: [],
            quotes: [],
            bars: [...c.bars],
            updatedBars: [...c.updated],
            dailyBars: [],
            statuses: [],
            lulds: [],
            corrections: [],
            cancelErrors: [],
          },
        ]);
        h.onSubscribed();
      } else {
        send([{ T: "error", code: 400, msg: "invalid syntax" }]);
      }
    });
  }

  /** Closes every connection at once. */
  closeAll(): void {
    for (const c of this.conns) {
      c.socket.resume();
      c.ws.terminate();
    }
  }
}
