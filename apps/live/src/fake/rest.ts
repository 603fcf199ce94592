/**
 * The fake Alpaca's REST side: Market Data v2 `/v2/stocks/bars` (pagination
 * by `page_token`) and `/v2/stocks/bars/latest`, and the trading API's
 * `/v2/calendar` on two hosts, paper (the root) and live (`/live`). As
 * Alpaca does: wrong keys get 403 on market data; paper keys are refused by
 * the live host and live keys by the paper host (403); 429 carries
 * `X-RateLimit-*` headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AlpacaBar, CalendarDay } from "../alpaca/types.js";
import type { FaultCounters } from "./faults.js";
import type { Timeline } from "./timeline.js";

/** What the REST side needs from the rest of the fake. */
export interface RestHost {
  readonly timeline: Timeline;
  readonly faults: FaultCounters;
  keyId: string;
  secretKey: string;
  /** Which trading host the keys belong to. */
  account: "paper" | "live";
  /** Session open, New York `HH:MM`. */
  open: string;
  stats: { restRequests: number; rest429: number; rest500: number; calendarRequests: number };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Answers one HTTP request. */
export function handleRest(h: RestHost, req: IncomingMessage, res: ServerResponse): void {
  h.stats.restRequests++;
  const tl = h.timeline;
  const u = new URL(req.url ?? "/", "http://x");
  const now = tl.clock.now();
  const rl = { "X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "199", "X-RateLimit-Reset": String(Math.ceil(now / 1000) + 60) };
  const keysOk = req.headers["apca-api-key-id"] === h.keyId && req.headers["apca-api-secret-key"] === h.secretKey;
  const calendarHost = u.pathname === "/v2/calendar" ? "paper" : u.pathname === "/live/v2/calendar" ? "live" : null;
  if (calendarHost) {
    h.stats.calendarRequests++;
    // The trading API: keys are valid on their own account's host only.
    if (!keysOk || calendarHost !== h.account) return json(res, 403, { code: 40310000, message: "forbidden." });
    const start = u.searchParams.get("start") ?? tl.day;
    const end = u.searchParams.get("end") ?? tl.day;
    const days: CalendarDay[] = [];
    for (let d = start; d <= end; d = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10)) {
      const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
      if (wd === 0 || wd === 6) continue;
      // The fake's own day closes when its bars end (like a half day).
      const close = d === tl.day ? tl.closeHHMM : "16:00";
      days.push({ date: d, open: h.open, close, session_open: "0400", session_close: "2000", settlement_date: d });
    }
    return json(res, 200, days);
  }
  // Market data: wrong or missing keys are 403 (Alpaca's market data FAQ).
  if (!keysOk) return json(res, 403, { message: "forbidden" });
  if (h.faults.take("rest429")) {
    h.stats.rest429++;
    return json(
      res,
      429,
      { message: "too many requests." },
      { ...rl, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Math.ceil((now + h.faults.rest429ResetMs) / 1000)) },
    );
  }
  if (h.faults.take("rest500")) {
    h.stats.rest500++;
    return json(res, 500, { message: "internal server error" }, rl);
  }
  const syms = (u.searchParams.get("symbols") ?? "").split(",").filter(Boolean);
  if (u.pathname === "/v2/stocks/bars") {
    if (u.searchParams.get("timeframe") !== "1Min") return json(res, 400, { message: "this fake serves timeframe=1Min only" }, rl);
    if ((u.searchParams.get("adjustment") ?? "raw") !== "raw")
      return json(res, 400, { message: "this fake serves raw (unadjusted) bars only, as the stream sends them" }, rl);
    const start = u.searchParams.has("start") ? Date.parse(u.searchParams.get("start")!) : tl.sessionStart;
    const end = u.searchParams.has("end") ? Date.parse(u.searchParams.get("end")!) : now;
    const limit = Math.min(10_000, Math.max(1, Number(u.searchParams.get("limit") ?? 1000)));
    if (Number.isNaN(start) || Number.isNaN(end)) return json(res, 400, { message: "invalid start or end" }, rl);
    const flat: Array<{ S: string; bar: AlpacaBar }> = [];
    for (const S of [...syms].sort()) {
      for (const bar of tl.history[S] ?? []) {
        const t = Date.parse(bar.t);
        if (t >= start && t <= end) flat.push({ S, bar });
      }
      for (const t of tl.minutes) {
        if (t < start || t > end) continue;
        const r = tl.records.get(`${S}|${t}`);
        const v = r && tl.versionAt(r, now);
        if (v) flat.push({ S, bar: v });
      }
    }
    const tok = u.searchParams.get("page_token");
    const from = tok ? Number(Buffer.from(tok, "base64url").toString()) : 0;
    const page = flat.slice(from, from + limit);
    const bars: Record<string, AlpacaBar[]> = {};
    for (const { S, bar } of page) (bars[S] ??= []).push(bar);
    const next = from + limit < flat.length ? Buffer.from(String(from + limit)).toString("base64url") : null;
    return json(res, 200, { bars, next_page_token: next }, rl);
  }
  if (u.pathname === "/v2/stocks/bars/latest") {
    const bars: Record<string, AlpacaBar> = {};
    for (const S of syms) {
      for (let i = tl.minutes.length - 1; i >= 0; i--) {
        const r = tl.records.get(`${S}|${tl.minutes[i]}`);
        const v = r && tl.versionAt(r, now);
        if (v) {
          bars[S] = v;
          break;
        }
      }
    }
    return json(res, 200, { bars }, rl);
  }
  return json(res, 404, { message: "not found" });
}
