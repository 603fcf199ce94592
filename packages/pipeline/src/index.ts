/**
 * @ict/pipeline — what the replay runner and the live loop share: the
 * per-symbol context capsule, the confluence tracker (forming → active →
 * filled / invalidated / expired), the prompt, the pure `tick` that runs
 * them for a watchlist at one bar, Python-compatible formatting and the LLM
 * providers. Built on `@ict/core`; storage for Node in `@ict/pipeline/node`.
 * @packageDocumentation
 */
export {
  buildCapsule,
  checkDay,
  checkSymbol,
  instrumentOf,
  InvalidNameError,
  type Capsule,
  type CapsuleFeatures,
  type CapsuleInput,
  type KeyLevels,
} from "./capsule.js";
export { pyFixed2, pyJsonDumps } from "./pyfmt.js";
export {
  updateSymbolState,
  shortSummary,
  type Confluence,
  type ConfluenceStatus,
  type SymbolState,
  type TrackerOptions,
  type TrackerState,
} from "./tracker/index.js";
export { seedShort } from "./seed/tracker.js";
export { PIPELINE_RULES, pipelineRules, type PipelineRules } from "./rules.js";
export { buildPrompt, PROMPT_BUDGET, promptKey, promptsLine, type PromptMarket, type PromptsLine } from "./prompt.js";
export { tick, nyDate, parseSmtPairs, smtReferences, type ContextDoc, type TickInput, type TickOutput } from "./tick.js";
export {
  createLlmProvider,
  DEFAULT_LLM_FAILURE_BUDGET,
  DEFAULT_LLM_MODELS,
  redactSecrets,
  offlineAnswer,
  parseLlmAnswer,
  LlmConfigError,
  LlmError,
  LLM_KINDS,
  LLM_SYSTEM_INSTRUCTION,
  type LlmAnswer,
  type LlmKind,
  type LlmOptions,
  type LlmProvider,
  type LlmRequest,
} from "./llm/index.js";
export { HTF_HISTORY_DAYS, HTFS, historyStart, type HtfName, type HtfView } from "./htf.js";
export { ZONE_HISTORY_DAYS } from "./window.js";
export { createWatchlist, DEFAULT_HISTORY_DAYS, type Watchlist, type WatchlistOptions } from "./watchlist.js";
