/**
 * Alpaca Market Data v2 REST client (global `fetch`): historical 1m bars with
 * pagination, latest bars, and the trading calendar. Requests that fail for a
 * passing reason (HTTP 429, 5xx, a network error, a timeout) are retried with
 * backoff, honouring the server's rate-limit reset; any other 4xx is final
 * (an {@link AlpacaError} with `final: true`: asking again gets the same
 * answer), 401/403 as an {@link AlpacaAuthError} (Alpaca's market data
 * answers 403 to missing or wrong keys, the trading API 401 or 403).
 */
import { systemClock, sleepMarket, type Clock } from "../clock.js";
import { backoffDelay, rateLimitDelay, type BackoffPolicy } from "./backoff.js";
import { AlpacaAuthError, AlpacaError, restFeed, type AlpacaBar, type AlpacaConfig, type BarsPage, type CalendarDay } from "./types.js";

/** Options of {@link AlpacaRest}. */
export interface RestOptions {
  fetch?: typeof fetch;
  clock?: Clock;
  /** Real milliseconds before one request is abandoned (and retried). */
  timeoutMs?: number;
  /** Retries of one request before giving up. */
  maxRetries?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  log?: (msg: string) => void;
}

/** Query of {@link AlpacaRest.bars}. */
export interface BarsQuery {
  symbols: readonly string[];
  /** Inclusive start, epoch ms. */
  start: number;
  /** Inclusive end, epoch ms (default: the server's now). */
  end?: number;
  /** Page size (1..10000). */
  limit?: number;
}

/** Counters of a client, for the run's summary. */
export interface RestStats {
  requests: number;
  retries: number;
  rateLimited: number;
  serverErrors: number;
}

/** A typed Alpaca Market Data v2 REST client. */
export class AlpacaRest {
  readonly stats: RestStats = { requests: 0, retries: 0, rateLimited: 0, serverErrors: 0 };
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly log: (msg: string) => void;
  /** The trading host in use (the configured one, or the fallback once it accepted the keys). */
  tradingUrl: string;

  constructor(
    private readonly cfg: AlpacaConfig,
    o: RestOptions = {},
  ) {
    this.fetch = o.fetch ?? globalThis.fetch;
    this.clock = o.clock ?? systemClock;
    this.timeoutMs = o.timeoutMs ?? 15_000;
    this.maxRetries = o.maxRetries ?? 8;
    this.backoff = o.backoff ?? { baseMs: 1_000, capMs: 30_000 };
    this.random = o.random ?? Math.random;
    this.log = o.log ?? (() => {});
    this.tradingUrl = cfg.tradingUrl;
  }

  /**
   * 1m bars of `symbols` in [start, end], unadjusted (`adjustment=raw`: the
   * stream's bars are raw prices, and a backfilled bar must compare equal to
   * the streamed one), from the configured feed, following `next_page_token` until the last page. Bars come back per
   * symbol in time order.
   */
  async bars(q: BarsQuery, signal?: AbortSignal): Promise<Record<string, AlpacaBar[]>> {
    const out: Record<string, AlpacaBar[]> = {};
    for (const s of q.symbols) out[s] = [];
    let token: string | null | undefined;
    let pages = 0;
    do {
      const u = new URL(`${this.cfg.dataUrl.replace(/\/$/, "")}/v2/stocks/bars`);
      u.searchParams.set("symbols", q.symbols.join(","));
      u.searchParams.set("timeframe", "1Min");
      u.searchParams.set("start", new Date(q.start).toISOString());
      if (q.end !== undefined) u.searchParams.set("end", new Date(q.end).toISOString());
      u.searchParams.set("feed", restFeed(this.cfg.feed));
      u.searchParams.set("adjustment", "raw");
      u.searchParams.set("limit", String(q.limit ?? 10_000));
      u.searchParams.set("sort", "asc");
      if (token) u.searchParams.set("page_token", token);
      const page = (await this.get(u, signal)) as BarsPage;
      if (page === null || typeof page !== "object") throw new AlpacaError(`bars: unexpected answer ${String(page)}`, undefined, false);
      for (const [sym, list] of Object.entries(page.bars ?? {})) {
        if (!Array.isArray(list)) continue;
        (out[sym] ??= []).push(...list);
      }
      token = page.next_page_token;
      if (++pages > 10_000) throw new AlpacaError("bars: more than 10000 pages, giving up", undefined, true);
    } while (token);
    return out;
  }

  /** The latest 1m bar of each symbol. */
  async latestBars(symbols: readonly string[], signal?: AbortSignal): Promise<Record<string, AlpacaBar>> {
    const u = new URL(`${this.cfg.dataUrl.replace(/\/$/, "")}/v2/stocks/bars/latest`);
    u.searchParams.set("symbols", symbols.join(","));
    u.searchParams.set("feed", restFeed(this.cfg.feed));
    const r = (await this.get(u, signal)) as { bars?: Record<string, AlpacaBar> };
    return r?.bars ?? {};
  }

  /**
   * Trading days between two New York dates (inclusive), with their regular
   * session times (half days included), from the trading API host. Paper
   * keys work only on the paper host and live keys only on the live one: when
   * the configured host refuses the keys (401/403) and a fallback host is
   * configured, the fallback is tried, and kept from then on when it accepts
   * them. Refused by both: {@link AlpacaAuthError}.
   */
  async calendar(start: string, end: string, signal?: AbortSignal): Promise<CalendarDay[]> {
    const ask = async (base: string): Promise<CalendarDay[]> => {
      const u = new URL(`${base.replace(/\/$/, "")}/v2/calendar`);
      u.searchParams.set("start", start);
      u.searchParams.set("end", end);
      const r = await this.get(u, signal);
      if (!Array.isArray(r)) throw new AlpacaError("calendar: the answer is not a list", undefined, false);
      return r as CalendarDay[];
    };
    try {
      return await ask(this.tradingUrl);
    } catch (e) {
      const alt = this.cfg.tradingFallbackUrl;
      if (!(e instanceof AlpacaAuthError) || !alt || alt === this.tradingUrl) throw e;
      this.log(`alpaca rest: ${this.tradingUrl} refused the keys for the calendar (HTTP ${e.status}); trying ${alt}`);
      let days: CalendarDay[];
      try {
        days = await ask(alt);
      } catch (e2) {
        if (e2 instanceof AlpacaAuthError) {
          throw new AlpacaAuthError(
            `calendar: both trading hosts refused the keys (${this.tradingUrl}: HTTP ${e.status}, ${alt}: HTTP ${e2.status}); check APCA_API_KEY_ID / APCA_API_SECRET_KEY`,
            e2.status ?? 403,
          );
        }
        throw e2;
      }
      this.log(
        `alpaca rest: the keys belong to ${alt}; calendar read from there from now on (choose it with --account or APCA_API_BASE_URL)`,
      );
      this.tradingUrl = alt;
      return days;
    }
  }

  /** GET with the key headers, a timeout, and retries of passing failures. */
  private async get(u: URL, signal?: AbortSignal): Promise<unknown> {
    const what = `${u.pathname}`;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      this.stats.requests++;
      let res: Response;
      const timeout = AbortSignal.timeout(this.timeoutMs);
      try {
        res = await this.fetch(u, {
          headers: { "APCA-API-KEY-ID": this.cfg.keyId, "APCA-API-SECRET-KEY": this.cfg.secretKey, accept: "application/json" },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        const why = timeout.aborted ? `timed out after ${this.timeoutMs} ms` : (e as Error).message;
        await this.retryOrThrow(attempt, `${what}: ${why}`, null, signal);
        continue;
      }
      if (res.ok) {
        try {
          return await res.json();
        } catch (e) {
          await this.retryOrThrow(attempt, `${what}: answer is not JSON (${(e as Error).message})`, null, signal);
          continue;
        }
      }
      const body = (await res.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ");
      if (res.status === 401 || res.status === 403)
        throw new AlpacaAuthError(
          `${what}: HTTP ${res.status} (check APCA_API_KEY_ID / APCA_API_SECRET_KEY and the plan) ${body}`,
          res.status,
        );
      if (res.status === 429) {
        this.stats.rateLimited++;
        await this.retryOrThrow(attempt, `${what}: HTTP 429 rate limited`, rateLimitDelay(res.headers, this.clock.now()), signal);
        continue;
      }
      if (res.status >= 500) {
        this.stats.serverErrors++;
        await this.retryOrThrow(attempt, `${what}: HTTP ${res.status} ${body}`, null, signal);
        continue;
      }
      // Any other 4xx: the request itself is refused (bad symbol, feed not in the plan...): final.
      throw new AlpacaError(`${what}: HTTP ${res.status} ${body}`, res.status, true);
    }
  }

  private async retryOrThrow(attempt: number, why: string, delay: number | null, signal?: AbortSignal): Promise<void> {
    if (attempt >= this.maxRetries) throw new AlpacaError(`${why}; gave up after ${attempt + 1} attempts`, undefined, false);
    const d = delay ?? backoffDelay(attempt, this.backoff, this.random);
    this.stats.retries++;
    this.log(`alpaca rest: ${why}; retry ${attempt + 1}/${this.maxRetries} in ${(d / 1000).toFixed(1)} s`);
    await sleepMarket(this.clock, d, signal);
  }
}
