import { IctError } from "@ict/core";

/**
 * LLM providers behind one interface: the model reads one symbol's prompt
 * sections (`## CONTEXT_STAGE`, `## ACTIVE_CONFLUENCES`, see `buildPrompt`)
 * and answers with a structured trade read ({@link LlmAnswer}).
 *
 * - `offline`: deterministic, no network; answers from the prompt's sections
 *   by a fixed rule (see {@link offlineAnswer}). Replays and tests use it.
 * - `gemini`: Google's Gemini REST API (`generateContent` with a JSON response
 *   schema). Key from `GEMINI_API_KEY`.
 * - `openai`: any OpenAI-compatible `chat/completions` endpoint (OpenAI,
 *   vLLM, Ollama, OpenRouter …) in JSON mode. Key from `OPENAI_API_KEY`.
 *
 * Network providers retry 429 and 5xx answers (and answers that are not valid
 * JSON of the right shape), honouring the server's retry delay, with a
 * per-attempt timeout. A 400 is not retried; 401/403 and OpenAI's
 * `insufficient_quota` 429 are fatal (the run must stop: trying again cannot
 * help). A failure budget (consecutive failed calls, length of a failing
 * streak) turns an outage into one fatal error instead of hours of retries.
 * Keys are sent in headers only; every error and log line is redacted of the
 * configured key in any form a server may echo ({@link redactSecrets}).
 */
export type LlmKind = "offline" | "gemini" | "openai";

/** The LLM kinds accepted by {@link createLlmProvider}. */
export const LLM_KINDS: readonly LlmKind[] = ["offline", "gemini", "openai"];

/** One question to the model: one symbol's prompt at one tick. */
export interface LlmRequest {
  symbol: string;
  /** New York trading day, `YYYY-MM-DD`. */
  dayEt: string;
  /** The tick's clock (epoch ms; bar time in a replay). */
  now: number;
  /** The prompt sections of `buildPrompt`. */
  prompt: string;
}

/** The model's structured answer, validated. */
export interface LlmAnswer {
  symbol: string;
  /** The trade the model would take now: `flat` means no trade. */
  bias: "long" | "short" | "flat";
  /** 0 … 1. */
  confidence: number;
  /** One or two sentences of reasoning. */
  rationale: string;
  /** The confluences (their summaries, as in the prompt) worth watching. */
  watch: string[];
}

/** A model behind the common interface. */
export interface LlmProvider {
  readonly name: LlmKind;
  readonly model: string;
  /** Asks the model; resolves with a validated answer or rejects with an {@link LlmError}. */
  complete(req: LlmRequest, opts?: { signal?: AbortSignal }): Promise<LlmAnswer>;
}

/**
 * Default models. Gemini: `gemini-3.5-flash`, a stable model with that
 * endpoint name on Google's Gemini API model list (the 2.5 models are
 * retired). OpenAI-compatible servers have no default: every server (OpenAI,
 * Ollama, vLLM, …) names its models differently and OpenAI's change often, so
 * `OPENAI_MODEL` (or the `model` option) must be set. Override Gemini's with
 * `GEMINI_MODEL` or the `model` option.
 */
export const DEFAULT_LLM_MODELS: { readonly gemini: string; readonly openai: null } = { gemini: "gemini-3.5-flash", openai: null };

/**
 * Default failure budget: the run stops (a fatal {@link LlmError}) after this
 * many consecutive failed calls, or once calls have been failing for this long
 * without a success in between (the failing streak, from the start of its
 * first failed call). A closed port costs about 8 s a call (3 retries with
 * backoff), so either limit ends an outage in well under a minute.
 */
export const DEFAULT_LLM_FAILURE_BUDGET = { maxConsecutiveFailures: 5, maxFailingMs: 60_000 } as const;

/** Options of {@link createLlmProvider}. */
export interface LlmOptions {
  /** Where keys and settings are read from (default `process.env` when it exists). */
  env?: Record<string, string | undefined>;
  /** API base URL (default from `GEMINI_BASE_URL` / `OPENAI_BASE_URL`, else the vendor's). */
  baseUrl?: string;
  /** Model name (default from `GEMINI_MODEL` / `OPENAI_MODEL`, else {@link DEFAULT_LLM_MODELS}). */
  model?: string;
  /**
   * Sampling temperature (default from `GEMINI_TEMPERATURE` / `OPENAI_TEMPERATURE`;
   * when neither is set none is sent: current Gemini models are tuned for their
   * default and OpenAI reasoning models refuse the parameter with a 400).
   */
  temperature?: number;
  /** Consecutive failed calls after which every call fails fatally (default 5; env `ICT_LLM_MAX_CONSECUTIVE_FAILURES`). */
  maxConsecutiveFailures?: number;
  /** Longest failing streak, ms, after which every call fails fatally (default 60 000; env `ICT_LLM_MAX_FAILING_SECONDS` in seconds). */
  maxFailingMs?: number;
  /** The clock of the failure budget (default `Date.now`); tests pass a virtual one. */
  now?: () => number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** Timeout of one attempt, ms (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Longest retry delay honoured, ms (default 60 000); a longer server delay fails at once. */
  maxRetryDelayMs?: number;
  /** Waits between attempts (default `setTimeout`); tests pass a virtual clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Receives one line per retry (redacted: never contains the key). */
  log?: (msg: string) => void;
}

/** A provider cannot be set up: an unknown kind, a missing key or URL. */
export class LlmConfigError extends IctError {}

/** A model call failed: HTTP error, timeout, network error or an answer of the wrong shape. */
export class LlmError extends IctError {
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** Whether trying again may succeed (429, 5xx, timeouts, network errors, malformed answers). */
  readonly retryable: boolean;
  /**
   * Whether the run must stop: the model refused the key (401/403), the
   * account has no quota left (`insufficient_quota`), or the failure budget is
   * spent. Later calls would fail the same way.
   */
  readonly fatal: boolean;
  /** The server's requested delay before the next attempt, ms. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, o: { status?: number; retryable: boolean; retryAfterMs?: number; fatal?: boolean }) {
    super(message);
    this.status = o.status;
    this.retryable = o.retryable;
    this.fatal = o.fatal ?? false;
    this.retryAfterMs = o.retryAfterMs;
  }
}

/** Shortest configured value treated as a secret (shorter ones, such as `none` for a local server, are not keys). */
const MIN_SECRET_LENGTH = 8;
/** Characters vendors use to mask the middle of a key they echo (`sk-ab…wxyz`, `sk-proj-****wxyz`). */
const MASK = /[*…•]|\.\.\.|x{4,}|X{4,}/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes every trace of the given secrets from a text: each secret as it is,
 * URL-encoded, JSON-escaped, in base64 and base64url, and the partially
 * masked forms a vendor may echo (a word holding a mask run — `*`, `…`, `•`,
 * `...`, `xxxx` — that starts with the secret's first 3 characters or ends
 * with its last 4, such as OpenAI's `sk-proj-****…wxyz`). Each is replaced by
 * `[redacted]`. Secrets shorter than 8 characters are left alone (they are not
 * keys, and redacting them would mangle ordinary words).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const key of secrets) {
    if (typeof key !== "string" || key.length < MIN_SECRET_LENGTH) continue;
    const b64 = btoa(Array.from(new TextEncoder().encode(key), (b) => String.fromCharCode(b)).join(""));
    const forms = new Set([
      key,
      encodeURIComponent(key),
      JSON.stringify(key).slice(1, -1),
      b64,
      b64.replace(/=+$/, ""),
      b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
    ]);
    for (const f of [...forms].sort((a, b) => b.length - a.length))
      if (f.length >= MIN_SECRET_LENGTH) out = out.split(f).join("[redacted]");
    // Masked echoes: one "word" (no spaces or quotes) holding a mask run, tied to the key by its first or last characters.
    const head = escapeRe(key.slice(0, 3));
    const tail = escapeRe(key.slice(-4));
    out = out.replace(new RegExp(`[^\\s"'\`<>(),;]*(?:${head}|${tail})[^\\s"'\`<>(),;]*`, "g"), (w) => {
      const core = w.replace(/[.:]+$/, "");
      if (!MASK.test(core)) return w;
      if (!core.startsWith(key.slice(0, 3)) && !core.endsWith(key.slice(-4))) return w;
      return "[redacted]" + w.slice(core.length);
    });
  }
  return out;
}

/** What the model is told, whichever provider. */
export const LLM_SYSTEM_INSTRUCTION =
  "You are an ICT (smart-money concepts) intraday trading assistant. You receive one symbol's market-structure context: " +
  "CONTEXT_STAGE (the 5m higher-timeframe stage: none, reversal_seen after a change of character, confirmed after a break of structure; " +
  "the 1m lower-timeframe stage: none, scanning, entry_window when price trades inside an aligned higher-timeframe zone, invalidated; " +
  "and, when present, the 5m bias and whether price is at a premium or discount to the 5m equilibrium) and ACTIVE_CONFLUENCES " +
  "(active fair value gaps, inversion gaps, order blocks, breaker blocks, breaks of structure and SMT divergences). " +
  'Answer with one JSON object only: {"symbol": string, "bias": "long"|"short"|"flat", "confidence": number 0..1, ' +
  '"rationale": string (at most two sentences), "watch": string[] (confluences from the list worth watching)}. ' +
  "Say flat unless the stages and confluences support a trade now.";

const ANSWER_SCHEMA = {
  type: "OBJECT",
  properties: {
    symbol: { type: "STRING" },
    bias: { type: "STRING", enum: ["long", "short", "flat"] },
    confidence: { type: "NUMBER" },
    rationale: { type: "STRING" },
    watch: { type: "ARRAY", items: { type: "STRING" } },
  },
  required: ["symbol", "bias", "confidence", "rationale", "watch"],
  propertyOrdering: ["symbol", "bias", "confidence", "rationale", "watch"],
};

/**
 * Validates a model's text answer: one JSON object (a Markdown code fence
 * around it is tolerated) with `bias` long/short/flat, `confidence` in 0…1,
 * a string `rationale` and a `watch` list of strings. The symbol is the
 * request's. Throws a retryable {@link LlmError} naming what is wrong.
 */
export function parseLlmAnswer(text: string, symbol: string): LlmAnswer {
  const bad = (why: string) => new LlmError(`malformed answer: ${why}`, { retryable: true });
  let body = text.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(body);
  if (fence) body = fence[1]!;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw bad(`not JSON (${JSON.stringify(body.slice(0, 80))})`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw bad("not a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.bias !== "long" && d.bias !== "short" && d.bias !== "flat") throw bad(`bias ${JSON.stringify(d.bias)} is not long, short or flat`);
  if (typeof d.confidence !== "number" || !Number.isFinite(d.confidence) || d.confidence < 0 || d.confidence > 1)
    throw bad(`confidence ${JSON.stringify(d.confidence)} is not a number in 0..1`);
  if (typeof d.rationale !== "string") throw bad("rationale is not a string");
  const watch = d.watch ?? [];
  if (!Array.isArray(watch) || !watch.every((w) => typeof w === "string")) throw bad("watch is not a list of strings");
  return { symbol, bias: d.bias, confidence: d.confidence, rationale: d.rationale, watch: watch as string[] };
}

/** The JSON of one `## NAME` section of a prompt, or undefined. */
function section(prompt: string, name: string): unknown {
  const m = new RegExp(`## ${name}\\n([^\\n]*)`).exec(prompt);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]!);
  } catch {
    return undefined;
  }
}

/**
 * The `offline` provider's rule, a plain reading of the prompt: the bias is
 * the stage's 5m bias (or, without one, the majority direction of the active
 * confluences); a trade (long for bull, short for bear) only when the 1m
 * stage is `entry_window`, otherwise flat. Confidence: 0.5 for a confirmed
 * 5m structure, 0.3 after a change of character, 0.1 otherwise; +0.3 in the
 * entry window; +0.05 per active confluence in the bias's direction (at most
 * +0.15); 0 without a bias or after the 1m stage was invalidated. `watch`
 * lists the aligned active confluences (at most five).
 */
export function offlineAnswer(req: LlmRequest): LlmAnswer {
  const stage = (section(req.prompt, "CONTEXT_STAGE") ?? {}) as Record<string, unknown>;
  const active = section(req.prompt, "ACTIVE_CONFLUENCES");
  const list = Array.isArray(active) ? active.filter((x): x is string => typeof x === "string") : [];
  const dirOf = (s: string) => (/\bbull\b/.test(s) ? "bull" : /\bbear\b/.test(s) ? "bear" : null);
  let bias = stage.bias === "bull" || stage.bias === "bear" ? stage.bias : null;
  if (bias === null) {
    const bull = list.filter((s) => dirOf(s) === "bull").length;
    const bear = list.filter((s) => dirOf(s) === "bear").length;
    bias = bull > bear ? "bull" : bear > bull ? "bear" : null;
  }
  const htf = typeof stage.htf === "string" ? stage.htf : "none";
  const ltf = typeof stage.ltf === "string" ? stage.ltf : "none";
  const aligned = bias === null ? [] : list.filter((s) => dirOf(s) === bias);
  if (bias === null || ltf === "invalidated") {
    const why = bias === null ? "no directional bias" : `the ${bias} setup was invalidated on 1m`;
    return { symbol: req.symbol, bias: "flat", confidence: 0, rationale: `Flat: ${why} (5m ${htf}, 1m ${ltf}).`, watch: [] };
  }
  const base = htf === "confirmed" ? 0.5 : htf === "reversal_seen" ? 0.3 : 0.1;
  const entry = ltf === "entry_window";
  const confidence = Math.round((base + (entry ? 0.3 : 0) + Math.min(0.15, 0.05 * aligned.length)) * 100) / 100;
  const where = typeof stage.price_vs_eq === "string" ? `, price at ${stage.price_vs_eq}` : "";
  const rationale = entry
    ? `5m ${htf} ${bias} structure and price inside an aligned zone on 1m${where}; ${aligned.length} aligned confluence(s).`
    : `5m ${htf} ${bias} bias but no 1m entry window yet${where}; waiting.`;
  return {
    symbol: req.symbol,
    bias: entry ? (bias === "bull" ? "long" : "short") : "flat",
    confidence,
    rationale,
    watch: aligned.slice(0, 5),
  };
}

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

function envOf(o: LlmOptions): Record<string, string | undefined> {
  if (o.env) return o.env;
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

/** One HTTP attempt: JSON in, the answer's text out, or an LlmError. */
type Attempt = (signal: AbortSignal) => Promise<string>;

/** An error with its message redacted (same class, status and flags). */
function redactError(e: LlmError, secrets: readonly string[], fatal = e.fatal): LlmError {
  const r = new LlmError(redactSecrets(e.message, secrets), {
    status: e.status,
    retryable: e.retryable,
    retryAfterMs: e.retryAfterMs,
    fatal,
  });
  return r;
}

/** An answer with every text field redacted (a model may quote what it was sent or told). */
function redactAnswer(a: LlmAnswer, secrets: readonly string[]): LlmAnswer {
  return { ...a, rationale: redactSecrets(a.rationale, secrets), watch: a.watch.map((w) => redactSecrets(w, secrets)) };
}

async function withRetries(
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
class FailureBudget {
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

function positiveOption(v: number | undefined, envValue: string | undefined, envName: string, scale: number, dflt: number): number {
  if (v !== undefined) {
    if (!Number.isFinite(v) || v <= 0) throw new LlmConfigError(`LLM option: expected a positive number, got ${String(v).slice(0, 80)}`);
    return v;
  }
  if (envValue === undefined || envValue === "") return dflt;
  const n = Number(envValue);
  if (!Number.isFinite(n) || n <= 0)
    throw new LlmConfigError(`${envName} must be a positive number, got ${JSON.stringify(envValue.slice(0, 80))}`);
  return n * scale;
}

function temperatureOption(v: number | undefined, envValue: string | undefined, envName: string): number | undefined {
  const t = v ?? (envValue === undefined || envValue === "" ? undefined : Number(envValue));
  if (t === undefined) return undefined;
  if (!Number.isFinite(t) || t < 0 || t > 2)
    throw new LlmConfigError(
      `${v !== undefined ? "temperature" : envName} must be a number in 0..2, got ${JSON.stringify(String(v ?? envValue).slice(0, 80))}`,
    );
  return t;
}

async function httpError(name: string, res: Response): Promise<LlmError> {
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

function trimSlash(u: string): string {
  return u.replace(/\/+$/, "");
}

/**
 * Creates a provider. `offline` needs nothing; `gemini` needs `GEMINI_API_KEY`
 * (base URL `GEMINI_BASE_URL`, model `GEMINI_MODEL`, `GEMINI_TEMPERATURE`);
 * `openai` needs `OPENAI_API_KEY` (base URL `OPENAI_BASE_URL`, e.g.
 * `http://127.0.0.1:11434/v1` for a local server, model `OPENAI_MODEL`,
 * `OPENAI_TEMPERATURE`). Throws {@link LlmConfigError} when a key is missing,
 * a setting is malformed or the kind is unknown. Every error a network
 * provider throws and every line it logs is redacted of its key; a fatal
 * error ({@link LlmError.fatal}) means the run must stop.
 */
export function createLlmProvider(kind: LlmKind, options: LlmOptions = {}): LlmProvider {
  const env = envOf(options);
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (kind === "offline") {
    return { name: "offline", model: "offline-rules-v1", complete: async (req) => offlineAnswer(req) };
  }
  if (kind !== "gemini" && kind !== "openai")
    throw new LlmConfigError(`unknown LLM provider ${JSON.stringify(String(kind).slice(0, 80))} (expected ${LLM_KINDS.join(", ")})`);
  const budget = new FailureBudget(
    kind,
    positiveOption(
      options.maxConsecutiveFailures,
      env.ICT_LLM_MAX_CONSECUTIVE_FAILURES,
      "ICT_LLM_MAX_CONSECUTIVE_FAILURES",
      1,
      DEFAULT_LLM_FAILURE_BUDGET.maxConsecutiveFailures,
    ),
    positiveOption(
      options.maxFailingMs,
      env.ICT_LLM_MAX_FAILING_SECONDS,
      "ICT_LLM_MAX_FAILING_SECONDS",
      1000,
      DEFAULT_LLM_FAILURE_BUDGET.maxFailingMs,
    ),
    options.now ?? Date.now,
  );
  let secrets: string[] = [];
  /** One call: the budget checked before, charged after a failure; every error redacted. */
  const call = async (attempt: Attempt, req: LlmRequest, signal: AbortSignal | undefined): Promise<LlmAnswer> => {
    budget.check();
    const started = (options.now ?? Date.now)();
    try {
      const a = await withRetries(kind, attempt, req.symbol, options, secrets, signal);
      budget.success();
      return a;
    } catch (e) {
      const err = e instanceof LlmError ? e : new LlmError(`${kind}: ${(e as Error)?.message ?? String(e)}`, { retryable: false });
      if (signal?.aborted) throw redactError(err, secrets);
      throw redactError(budget.failure(redactError(err, secrets), started), secrets);
    }
  };
  if (kind === "gemini") {
    const key = env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY;
    if (!key) throw new LlmConfigError("the gemini provider needs GEMINI_API_KEY in the environment");
    secrets = [key];
    const base = trimSlash(options.baseUrl ?? env.GEMINI_BASE_URL ?? "https://generativelanguage.googleapis.com/v1beta");
    const model = options.model ?? (env.GEMINI_MODEL || DEFAULT_LLM_MODELS.gemini);
    const temperature = temperatureOption(options.temperature, env.GEMINI_TEMPERATURE, "GEMINI_TEMPERATURE");
    const url = `${base}/models/${encodeURIComponent(model)}:generateContent`;
    return {
      name: "gemini",
      model,
      complete: (req, opts) =>
        call(
          async (signal) => {
            const res = await fetchFn(url, {
              method: "POST",
              signal,
              headers: { "content-type": "application/json", "x-goog-api-key": key },
              body: JSON.stringify({
                systemInstruction: { parts: [{ text: LLM_SYSTEM_INSTRUCTION }] },
                contents: [{ role: "user", parts: [{ text: `SYMBOL: ${req.symbol}\nDAY: ${req.dayEt}\n${req.prompt}` }] }],
                generationConfig: {
                  ...(temperature !== undefined ? { temperature } : {}),
                  responseMimeType: "application/json",
                  responseSchema: ANSWER_SCHEMA,
                },
              }),
            });
            if (!res.ok) throw await httpError("gemini", res);
            const doc = (await res.json()) as {
              candidates?: Array<{ content?: { parts?: Array<{ text?: string }> }; finishReason?: string }>;
            };
            const text = doc.candidates?.[0]?.content?.parts?.map((p) => p.text ?? "").join("");
            if (!text)
              throw new LlmError(`gemini: empty answer (finishReason ${doc.candidates?.[0]?.finishReason ?? "none"})`, { retryable: true });
            return text;
          },
          req,
          opts?.signal,
        ),
    };
  }
  const key = env.OPENAI_API_KEY;
  if (!key)
    throw new LlmConfigError("the openai provider needs OPENAI_API_KEY in the environment (any value for a local server that takes none)");
  secrets = [key];
  const base = trimSlash(options.baseUrl ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1");
  const model = options.model ?? env.OPENAI_MODEL;
  if (!model)
    throw new LlmConfigError(
      "the openai provider needs a model name: set OPENAI_MODEL (e.g. the model id your OpenAI-compatible server lists) or the model option",
    );
  const temperature = temperatureOption(options.temperature, env.OPENAI_TEMPERATURE, "OPENAI_TEMPERATURE");
  return {
    name: "openai",
    model,
    complete: (req, opts) =>
      call(
        async (signal) => {
          const res = await fetchFn(`${base}/chat/completions`, {
            method: "POST",
            signal,
            headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
            body: JSON.stringify({
              model,
              ...(temperature !== undefined ? { temperature } : {}),
              response_format: { type: "json_object" },
              messages: [
                { role: "system", content: LLM_SYSTEM_INSTRUCTION },
                { role: "user", content: `SYMBOL: ${req.symbol}\nDAY: ${req.dayEt}\n${req.prompt}` },
              ],
            }),
          });
          if (!res.ok) throw await httpError("openai", res);
          const doc = (await res.json()) as { choices?: Array<{ message?: { content?: string | null } }> };
          const text = doc.choices?.[0]?.message?.content;
          if (!text) throw new LlmError("openai: empty answer", { retryable: true });
          return text;
        },
        req,
        opts?.signal,
      ),
  };
}
