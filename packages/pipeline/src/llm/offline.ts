/** The `offline` provider's rule: a deterministic answer from the prompt's sections, no network. */
import type { LlmAnswer, LlmRequest } from "./types.js";

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
