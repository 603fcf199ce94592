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
