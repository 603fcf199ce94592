import type { LlmRequest } from "./types.js";

/** A vendor's part of a provider: its key (redacted everywhere), model, and one HTTP attempt returning the answer's text. */
export interface VendorClient {
  key: string;
  model: string;
  attempt(req: LlmRequest, signal: AbortSignal): Promise<string>;
}

/** The user turn every vendor receives: the symbol, the New York day and the prompt's sections. */
export const userTurn = (req: LlmRequest) => `SYMBOL: ${req.symbol}\nDAY: ${req.dayEt}\n${req.prompt}`;
