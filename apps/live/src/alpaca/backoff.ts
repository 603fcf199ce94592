/**
 * Reconnect and retry delays: exponential backoff with "equal jitter" — the
 * delay of attempt k is drawn uniformly in [d/2, d] with d = min(cap, base·2^k).
 * The floor of d/2 keeps a fleet of clients (or one client in a crash loop)
 * from hammering a server that just dropped them, the jitter spreads their
 * retries apart.
 */

/** Backoff parameters (market milliseconds). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** The delay before retry number `attempt` (0-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const d = Math.min(p.capMs, p.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return d / 2 + random() * (d / 2);
}

/**
 * How long to wait after an HTTP 429: until `X-RateLimit-Reset` (epoch seconds,
 * the server's clock, read on `now`) when given, else `Retry-After` (seconds or
 * an HTTP date), else null (use the backoff). Never negative; at most `capMs`.
 */
export function rateLimitDelay(headers: Headers, now: number, capMs = 120_000): number | null {
  const reset = headers.get("x-ratelimit-reset");
  if (reset !== null && /^\d+(\.\d+)?$/.test(reset.trim())) {
    return Math.min(capMs, Math.max(0, Number(reset) * 1000 - now));
  }
  const ra = headers.get("retry-after");
  if (ra !== null) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.min(capMs, Number(ra) * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.min(capMs, Math.max(0, at - now));
  }
  return null;
}
