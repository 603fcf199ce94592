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
import { offlineAnswer } from "./offline.js";
import { envOf, positiveOption } from "./options.js";
import { geminiProvider } from "./gemini.js";
import { openaiProvider } from "./openai.js";
import { redactError } from "./redact.js";
import { FailureBudget, withRetries, type Attempt } from "./retry.js";
import {
  DEFAULT_LLM_FAILURE_BUDGET,
  LLM_KINDS,
  LlmConfigError,
  LlmError,
  type LlmAnswer,
  type LlmKind,
  type LlmOptions,
  type LlmProvider,
  type LlmRequest,
} from "./types.js";

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
    const g = geminiProvider(options, env, fetchFn);
    secrets = [g.key];
    return { name: "gemini", model: g.model, complete: (req, opts) => call((signal) => g.attempt(req, signal), req, opts?.signal) };
  }
  const o = openaiProvider(options, env, fetchFn);
  secrets = [o.key];
  return { name: "openai", model: o.model, complete: (req, opts) => call((signal) => o.attempt(req, signal), req, opts?.signal) };
}
