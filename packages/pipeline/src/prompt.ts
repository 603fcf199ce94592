import type { Profile } from "@ict/core";
import { pipelineRules } from "./rules.js";
import { pyJsonDumps } from "./pyfmt.js";
import type { SymbolState } from "./tracker/index.js";

/**
 * The two prompt sections of the seed's live-loop patch for one symbol:
 * `## CONTEXT_STAGE` (the HTF and LTF stages) and `## ACTIVE_CONFLUENCES`
 * (the summaries of the active confluences only), written as the seed writes
 * them (Python `json.dumps`). In `ict` the stage also carries the 5m bias and
 * where price sits against the 5m equilibrium (premium or discount).
 */
export function buildPrompt(symbolState: SymbolState, options: { profile?: Profile } = {}): string {
  const rules = pipelineRules(options.profile);
  const st = symbolState.state;
  const stage: Record<string, unknown> = { htf: st?.htf_stage ?? null, ltf: st?.ltf_stage ?? null };
  if (rules.stageWithBias) {
    stage.bias = st?.bias ?? null;
    stage.price_vs_eq = st?.price_vs_eq ?? null;
  }
  const active = symbolState.active_confluences ?? [];
  return `\n## CONTEXT_STAGE\n${pyJsonDumps(stage)}\n` + `\n## ACTIVE_CONFLUENCES\n${pyJsonDumps(active)}\n`;
}

/** One line of `prompts.jsonl`: a symbol's prompt at a tick and the model's answer. */
export interface PromptsLine {
  /** The tick's time (ISO 8601, UTC). */
  t: string;
  symbol: string;
  prompt: string;
  /** The provider's name (`offline`, `gemini:…`, `openai:…`). */
  llm: string;
  /** True when the model was asked at this tick (the prompt changed); false when the answer is the last one kept. */
  asked: boolean;
  answer: unknown;
  /** Why there is no answer (a failed or skipped request). */
  error?: string;
}

/**
 * The text of one `prompts.jsonl` line (with its newline), the same bytes in
 * the replay and the live loop: keys in the order t, symbol, prompt, llm,
 * asked, answer, then error only when there is one.
 */
export function promptsLine(x: PromptsLine): string {
  const line: Record<string, unknown> = { t: x.t, symbol: x.symbol, prompt: x.prompt, llm: x.llm, asked: x.asked, answer: x.answer };
  if (x.error !== undefined) line.error = x.error;
  return JSON.stringify(line) + "\n";
}
