/** Any OpenAI-compatible `chat/completions` endpoint (OpenAI, vLLM, Ollama, OpenRouter …) in JSON mode, the key as a bearer token. */
import { LLM_SYSTEM_INSTRUCTION } from "./answer.js";
import { temperatureOption, trimSlash } from "./options.js";
import { httpError } from "./retry.js";
import { LlmConfigError, LlmError, type LlmOptions } from "./types.js";
import { userTurn, type VendorClient } from "./vendor.js";

/** The OpenAI-compatible client from options and the environment (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`, `OPENAI_TEMPERATURE`). */
export function openaiProvider(options: LlmOptions, env: Record<string, string | undefined>, fetchFn: typeof fetch): VendorClient {
  const key = env.OPENAI_API_KEY;
  if (!key)
    throw new LlmConfigError("the openai provider needs OPENAI_API_KEY in the environment (any value for a local server that takes none)");
  const base = trimSlash(options.baseUrl ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1");
  const model = options.model ?? env.OPENAI_MODEL;
  if (!model)
    throw new LlmConfigError(
      "the openai provider needs a model name: set OPENAI_MODEL (e.g. the model id your OpenAI-compatible server lists) or the model option",
    );
  const temperature = temperatureOption(options.temperature, env.OPENAI_TEMPERATURE, "OPENAI_TEMPERATURE");
  return {
    key,
    model,
    async attempt(req, signal) {
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
            { role: "user", content: userTurn(req) },
          ],
        }),
      });
      if (!res.ok) throw await httpError("openai", res);
      const doc = (await res.json()) as { choices?: Array<{ message?: { content?: string | null } }> };
      const text = doc.choices?.[0]?.message?.content;
      if (!text) throw new LlmError("openai: empty answer", { retryable: true });
      return text;
    },
  };
}
