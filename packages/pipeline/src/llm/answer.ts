/** What the model is told and the answer it must give: the system instruction, the JSON schema and its strict parser. */
import { LlmError, type LlmAnswer } from "./types.js";

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

export const ANSWER_SCHEMA = {
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
