/** One tracker update of one symbol, the reference the incremental tracker equals. */
import type { CapsuleFeatures } from "../capsule.js";
import { IctError, isoUtc } from "@ict/core";
import { pipelineRules } from "../rules.js";
import { seedUpdate } from "../seed/tracker.js";
import { confluenceOf, mergeSeen, mergeUnseen, pruned } from "./merge.js";
import { stateOf } from "./stages.js";
import { clockOf, collect, statusAt } from "./status.js";
import { shortSummary } from "./summary.js";
import type { Confluence, SymbolState, TrackerOptions } from "./types.js";

function ictUpdate(existing: SymbolState, features: Partial<CapsuleFeatures>, now: number, o: TrackerOptions): SymbolState {
  const k = clockOf(now, o);
  const prev = (existing.state?.confluences ?? []) as Confluence[];
  const byId = new Map<string, Confluence>();
  for (const c of prev) byId.set(c.id, { ...c });
  const seen = new Set<string>();
  // Breaks of structure: a newer break on the same timeframe ends the older record.
  const latestBos = new Map<string, Record<string, any>>();
  for (const inc of collect(features, false)) {
    const { rec } = inc;
    const st = statusAt(inc, k, o.incompleteSince?.[rec.tf]);
    if (rec.kind === "BOS") latestBos.set(rec.tf, rec);
    seen.add(rec.id);
    const old = byId.get(rec.id);
    if (old !== undefined) mergeSeen(old, inc, st, k);
    else byId.set(rec.id, confluenceOf(inc, st, k));
  }
  const out: Confluence[] = [];
  for (const c of byId.values()) {
    if (!seen.has(c.id) && !mergeUnseen(c, latestBos, k)) continue;
    if (!pruned(c, k)) out.push(c);
  }
  return stateOf(existing, out, features, o, k.nowIso, shortSummary);
}

/**
 * Merges one capsule's features into a symbol's tracked state.
 *
 * `ict` (default): confluences persist from update to update with their
 * `first_seen_utc` (Q04); the clock is the caller's `now`, bar time in a
 * replay (Q20); ids come from each record's own anchor time (Q18, Q21). Status
 * rule table — forming: known on a bar that is not complete yet; active;
 * filled: a gap's fill level reached; invalidated: a gap closed through, a
 * block, IFVG or breaker closed beyond its far side, a break superseded by an
 * opposite one; expired: active longer than the timeframe's TTL, or a break
 * superseded in the same direction. Terminal statuses are final and are
 * pruned `retainMinutes` after they began (Q19). Stages follow the 5m bias
 * (Q22): htf none / reversal_seen (last 5m break a CHoCH) / confirmed (a BOS
 * in the bias direction); ltf none / scanning / entry_window (price inside an
 * active 5m zone of the bias and an active 1m confluence of the bias) /
 * invalidated (price back beyond the bias leg's origin).
 *
 * `seed-v0.1`: the seed's `update_symbol_state`, quirks included, with the
 * clock frozen at `now` (what the golden oracle records).
 */
export function updateSymbolState(
  existing: SymbolState,
  features: Partial<CapsuleFeatures>,
  now: number,
  options: TrackerOptions = {},
): SymbolState {
  if (!Number.isFinite(now)) throw new IctError(`updateSymbolState: now must be finite epoch milliseconds, got ${now}`);
  return pipelineRules(options.profile).tracker === "seedSnapshot"
    ? seedUpdate(existing, features, isoUtc(now))
    : ictUpdate(existing, features, now, options);
}
