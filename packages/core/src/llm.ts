import { IctError } from "./errors.js";

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
 * per-attempt timeout. Keys are sent in headers only and never appear in an
 * error message.
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

/** Options of {@link createLlmProvider}. */
export interface LlmOptions {
  /** Where keys and settings are read from (default `process.env` when it exists). */
  env?: Record<string, string | undefined>;
  /** API base URL (default from `GEMINI_BASE_URL` / `OPENAI_BASE_URL`, else the vendor's). */
  baseUrl?: string;
  /** Model name (default from `GEMINI_MODEL` / `OPENAI_MODEL`, else `gemini-2.5-flash` / `gpt-4o-mini`). */
  model?: string;
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
  /** Receives one line per retry (never contains the key). */
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
  /** The server's requested delay before the next attempt, ms. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, o: { status?: number; retryable: boolean; retryAfterMs?: number }) {
    super(message);
    this.status = o.status;
    this.retryable = o.retryable;
    this.retryAfterMs = o.retryAfterMs;
  }
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
  if (typeof d.confidence !== "number" || !Number.isFinite(d.confidence) || d.confidence < 0 || d.confidence > 1) throw bad(`confidence ${JSON.stringify(d.confidence)} is not a number in 0..1`);
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
  return { symbol: req.symbol, bias: entry ? (bias === "bull" ? "long" : "short") : "flat", confidence, rationale, watch: aligned.slice(0, 5) };
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

async function withRetries(name: string, attempt: Attempt, symbol: string, o: LlmOptions, outer?: AbortSignal): Promise<LlmAnswer> {
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
      return parseLlmAnswer(text, symbol);
    } catch (e) {
      if (outer?.aborted) throw new LlmError(`${name}: aborted`, { retryable: false });
      if (e instanceof LlmError) err = e;
      else if (ctl.signal.aborted) err = new LlmError(`${name}: timed out after ${timeoutMs} ms`, { retryable: true });
      else err = new LlmError(`${name}: network error: ${(e as Error)?.message ?? String(e)}`, { retryable: true });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
    if (!err.retryable || n >= maxRetries) throw err;
    const backoff = Math.min(maxDelay, 1000 * 2 ** n) * (0.75 + 0.5 * Math.random());
    const delay = err.retryAfterMs ?? backoff;
    if (delay > maxDelay) throw new LlmError(`${err.message} (server asks to wait ${Math.round(delay / 1000)} s, more than ${Math.round(maxDelay / 1000)} s)`, { status: err.status, retryable: false });
    o.log?.(`${err.message}; retry ${n + 1}/${maxRetries} in ${Math.round(delay)} ms`);
    await sleep(delay);
  }
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
  const msg = (body as { error?: { message?: unknown } } | null)?.error?.message;
  const detail = typeof msg === "string" ? msg : text;
  const retryable = res.status === 429 || res.status >= 500 || res.status === 408;
  return new LlmError(`${name}: HTTP ${res.status}${detail ? `: ${detail.slice(0, 200)}` : ""}`, {
    status: res.status,
    retryable,
    retryAfterMs: retryAfterMs(res) ?? geminiRetryDelay(body),
  });
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, "");
}

/**
 * Creates a provider. `offline` needs nothing; `gemini` needs `GEMINI_API_KEY`
 * (base URL `GEMINI_BASE_URL`, model `GEMINI_MODEL`); `openai` needs
 * `OPENAI_API_KEY` (base URL `OPENAI_BASE_URL`, e.g. `http://127.0.0.1:11434/v1`
 * for a local server, model `OPENAI_MODEL`). Throws {@link LlmConfigError}
 * when a key is missing or the kind is unknown.
 */
export function createLlmProvider(kind: LlmKind, options: LlmOptions = {}): LlmProvider {
  const env = envOf(options);
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (kind === "offline") {
    return { name: "offline", model: "offline-rules-v1", complete: async (req) => offlineAnswer(req) };
  }
  if (kind === "gemini") {
    const key = env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY;
    if (!key) throw new LlmConfigError("the gemini provider needs GEMINI_API_KEY in the environment");
    const base = trimSlash(options.baseUrl ?? env.GEMINI_BASE_URL ?? "https://generativelanguage.googleapis.com/v1beta");
    const model = options.model ?? env.GEMINI_MODEL ?? "gemini-2.5-flash";
    const url = `${base}/models/${encodeURIComponent(model)}:generateContent`;
    return {
      name: "gemini",
      model,
      complete: (req, opts) =>
        withRetries(
          "gemini",
          async (signal) => {
            const res = await fetchFn(url, {
              method: "POST",
              signal,
              headers: { "content-type": "application/json", "x-goog-api-key": key },
              body: JSON.stringify({
                systemInstruction: { parts: [{ text: LLM_SYSTEM_INSTRUCTION }] },
                contents: [{ role: "user", parts: [{ text: `SYMBOL: ${req.symbol}\nDAY: ${req.dayEt}\n${req.prompt}` }] }],
                generationConfig: { temperature: 0, responseMimeType: "application/json", responseSchema: ANSWER_SCHEMA },
              }),
            });
            if (!res.ok) throw await httpError("gemini", res);
            const doc = (await res.json()) as { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> }; finishReason?: string }> };
            const text = doc.candidates?.[0]?.content?.parts?.map((p) => p.text ?? "").join("");
            if (!text) throw new LlmError(`gemini: empty answer (finishReason ${doc.candidates?.[0]?.finishReason ?? "none"})`, { retryable: true });
            return text;
          },
          req.symbol,
          options,
          opts?.signal,
        ),
    };
  }
  if (kind === "openai") {
    const key = env.OPENAI_API_KEY;
    if (!key) throw new LlmConfigError("the openai provider needs OPENAI_API_KEY in the environment (any value for a local server that takes none)");
    const base = trimSlash(options.baseUrl ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1");
    const model = options.model ?? env.OPENAI_MODEL ?? "gpt-4o-mini";
    return {
      name: "openai",
      model,
      complete: (req, opts) =>
        withRetries(
          "openai",
          async (signal) => {
            const res = await fetchFn(`${base}/chat/completions`, {
              method: "POST",
              signal,
              headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
              body: JSON.stringify({
                model,
                temperature: 0,
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
          req.symbol,
          options,
          opts?.signal,
        ),
    };
  }
  throw new LlmConfigError(`unknown LLM provider ${JSON.stringify(kind)} (expected ${LLM_KINDS.join(", ")})`);
}
