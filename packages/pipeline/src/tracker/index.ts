/**
 * The confluence tracker: each detector record becomes a confluence whose life
 * (forming → active → filled | invalidated | expired) is followed from tick to
 * tick, and the symbol's HTF/LTF stages are derived from the active ones.
 */
export type { Confluence, ConfluenceStatus, SymbolState, TrackerOptions, TrackerState } from "./types.js";
export { shortSummary } from "./summary.js";
export { updateSymbolState } from "./update.js";
export { IncrementalTracker } from "./incremental.js";
