/** Retries (429, 5xx, malformed answers) honouring the server's delay, per-attempt timeouts and the failure budget. */
import { parseLlmAnswer } from "./answer.js";
import { redactAnswer, redactError, redactSecrets } from "./redact.js";
import { LlmError, type LlmAnswer, type LlmOptions } from "./types.js";

/** Parses a `Retry-After` header (seconds or an HTTP date) or `retry-after-ms`, in ms. */
function retryAfterMs(res: Response, now = Date.now()): number | undefined {
  const ms = res.headers.get("retry-after-ms");
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = res.headers.get("retry-after");
  if (ra === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Gemini's `google.rpc.RetryInfo.retryDelay` ("23s", "1.5s") from an error body, in ms. */
function geminiRetryDelay(body: unknown): number | undefined {
  const details = (body as { error?: { details?: Array<Record<string, unknown>> } } | null)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (typeof d?.["@type"] === "string" && d["@type"].endsWith("RetryInfo") && typeof d.retryDelay === "string") {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay);
      if (m) return Number(m[1]) * 1000;
    }
  }
  return undefined;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One HTTP attempt: JSON in, the answer's text out, or an LlmError. */
export type Attempt = (signal: AbortSignal) => Promise<string>;

export async function withRetries(
  name: string,
  attempt: Attempt,
  symbol: string,
  o: LlmOptions,
  secrets: readonly string[],
  outer?: AbortSignal,
): Promise<LlmAnswer> {
  const maxRetries = o.maxRetries ?? 3;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const maxDelay = o.maxRetryDelayMs ?? 60_000;
  const sleep = o.sleep ?? defaultSleep;
  for (let n = 0; ; n++) {
    let err: LlmError;
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    outer?.addEventListener("abort", onAbort);
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const text = await attempt(ctl.signal);
      return redactAnswer(parseLlmAnswer(text, symbol), secrets);
    } catch (e) {
      if (outer?.aborted) throw new LlmError(`${name}: aborted`, { retryable: false });
      if (e instanceof LlmError) err = e;
      else if (ctl.signal.aborted) err = new LlmError(`${name}: timed out after ${timeoutMs} ms`, { retryable: true });
      else err = new LlmError(`${name}: network error: ${networkCause(e)}`, { retryable: true });
      err = redactError(err, secrets);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
    if (!err.retryable || n >= maxRetries) throw err;
    const backoff = Math.min(maxDelay, 1000 * 2 ** n) * (0.75 + 0.5 * Math.random());
    const delay = err.retryAfterMs ?? backoff;
    if (delay > maxDelay)
      throw new LlmError(`${err.message} (server asks to wait ${Math.round(delay / 1000)} s, more than ${Math.round(maxDelay / 1000)} s)`, {
        status: err.status,
        retryable: false,
      });
    o.log?.(redactSecrets(`${err.message}; retry ${n + 1}/${maxRetries} in ${Math.round(delay)} ms`, secrets));
    await sleep(delay);
  }
}

/** A network error's message with its cause (undici hides "ECONNREFUSED" in `cause`). */
function networkCause(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  const c = (e as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof c?.code === "string" ? c.code : typeof c?.message === "string" ? c.message : undefined;
  return code && !m.includes(code) ? `${m} (${code})` : m;
}

/**
 * The failure budget shared by every call of one provider: after
 * `maxConsecutiveFailures` failed calls in a row, or once calls have been
 * failing for `maxFailingMs` without a success, every call (that one and all
 * later ones) fails with a fatal {@link LlmError}.
 */
export class FailureBudget {
  #consecutive = 0;
  #streakStart: number | undefined;
  #spent: string | undefined;
  constructor(
    private readonly name: string,
    private readonly maxConsecutive: number,
    private readonly maxFailingMs: number,
    private readonly now: () => number,
  ) {}

  /** Throws the fatal error once the budget is spent. */
  check(): void {
    if (this.#spent !== undefined) throw new LlmError(this.#spent, { retryable: false, fatal: true });
  }

  success(): void {
    this.#consecutive = 0;
    this.#streakStart = undefined;
  }

  /** Records a failed call that started at `started`; returns the error to throw (fatal once the budget is spent). */
  failure(e: LlmError, started: number): LlmError {
    this.#consecutive++;
    this.#streakStart ??= started;
    const failing = this.now() - this.#streakStart;
    let why: string | undefined;
    if (this.#consecutive >= this.maxConsecutive) why = `${this.#consecutive} consecutive failed calls`;
    else if (failing >= this.maxFailingMs) why = `calls failing for ${Math.round(failing / 1000)} s`;
    if (why === undefined || e.fatal) return e;
    this.#spent = `${this.name}: failure budget spent (${why}; limits: ${this.maxConsecutive} calls, ${Math.round(this.maxFailingMs / 1000)} s); last error: ${e.message}`;
    return new LlmError(this.#spent, { status: e.status, retryable: false, fatal: true });
  }
}

export async function httpError(name: string, res: Response): Promise<LlmError> {
  let text = "";
  try {
    text = await res.text();
  } catch {
    /* body unreadable: the status says enough */
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  const error = (body as { error?: { message?: unknown; code?: unknown; type?: unknown; status?: unknown } } | null)?.error;
  const msg = error?.message;
  const detail = typeof msg === "string" ? msg : text;
  // OpenAI's 429 "insufficient_quota": the account has no credit left, no wait will help.
  const noQuota = res.status === 429 && (error?.code === "insufficient_quota" || error?.type === "insufficient_quota");
  const auth = res.status === 401 || res.status === 403;
  const fatal = auth || noQuota;
  const retryable = !fatal && (res.status === 429 || res.status >= 500 || res.status === 408);
  const what = auth ? " (the API key was refused)" : noQuota ? " (no quota left)" : "";
  return new LlmError(`${name}: HTTP ${res.status}${what}${detail ? `: ${detail.slice(0, 200)}` : ""}`, {
    status: res.status,
    retryable,
    fatal,
    retryAfterMs: retryAfterMs(res) ?? geminiRetryDelay(body),
  });
}
