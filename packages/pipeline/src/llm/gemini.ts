/** Google's Gemini REST API: `generateContent` with a JSON response schema, the key in the `x-goog-api-key` header. */
import { ANSWER_SCHEMA, LLM_SYSTEM_INSTRUCTION } from "./answer.js";
import { temperatureOption, trimSlash } from "./options.js";
import { httpError } from "./retry.js";
import { DEFAULT_LLM_MODELS, LlmConfigError, LlmError, type LlmOptions } from "./types.js";
import { userTurn, type VendorClient } from "./vendor.js";

/** The Gemini client from options and the environment (`GEMINI_API_KEY`, `GEMINI_BASE_URL`, `GEMINI_MODEL`, `GEMINI_TEMPERATURE`). */
export function geminiProvider(options: LlmOptions, env: Record<string, string | undefined>, fetchFn: typeof fetch): VendorClient {
  const key = env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY;
  if (!key) throw new LlmConfigError("the gemini provider needs GEMINI_API_KEY in the environment");
  const base = trimSlash(options.baseUrl ?? env.GEMINI_BASE_URL ?? "https://generativelanguage.googleapis.com/v1beta");
  const model = options.model ?? (env.GEMINI_MODEL || DEFAULT_LLM_MODELS.gemini);
  const temperature = temperatureOption(options.temperature, env.GEMINI_TEMPERATURE, "GEMINI_TEMPERATURE");
  const url = `${base}/models/${encodeURIComponent(model)}:generateContent`;
  return {
    key,
    model,
    async attempt(req, signal) {
      const res = await fetchFn(url, {
        method: "POST",
        signal,
        headers: { "content-type": "application/json", "x-goog-api-key": key },
        body: JSON.stringify({
          systemInstruction: { parts: [{ text: LLM_SYSTEM_INSTRUCTION }] },
          contents: [{ role: "user", parts: [{ text: userTurn(req) }] }],
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
  };
}
