/**
 * LLM providers behind one interface (see create.ts): the answer's schema and
 * parser, the offline rule, retries and the failure budget, one file per
 * vendor.
 */
export {
  LLM_KINDS,
  DEFAULT_LLM_MODELS,
  DEFAULT_LLM_FAILURE_BUDGET,
  LlmConfigError,
  LlmError,
  type LlmKind,
  type LlmRequest,
  type LlmAnswer,
  type LlmProvider,
  type LlmOptions,
} from "./types.js";
export { redactSecrets } from "./redact.js";
export { LLM_SYSTEM_INSTRUCTION, parseLlmAnswer } from "./answer.js";
export { offlineAnswer } from "./offline.js";
export { createLlmProvider } from "./create.js";
