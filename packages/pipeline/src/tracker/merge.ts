/** How a reported record merges into its confluence, and when a confluence is dropped. */
import { isoUtc } from "@ict/core";
import type { Clock, Incoming } from "./status.js";
import { ms } from "./status.js";
import { TERMINAL, type Confluence, type ConfluenceStatus } from "./types.js";

/** Merges a reported record into its confluence `c` (terminal statuses are final: a filled gap stays filled, Q13). */
export function mergeSeen(c: Confluence, inc: Incoming | null, st: { status: ConfluenceStatus; since: number }, k: Clock): void {
  if (inc !== null) Object.assign(c, inc.rec, { last_seen_utc: k.nowIso });
  else c.last_seen_utc = k.nowIso;
  if (TERMINAL.has(c.status)) return;
  if (c.status !== st.status) {
    c.status = st.status;
    c.status_since_utc = isoUtc(Number.isNaN(st.since) ? k.now : st.since);
  }
}

/** A new confluence from a reported record. */
export function confluenceOf(inc: Incoming, st: { status: ConfluenceStatus; since: number }, k: Clock): Confluence {
  return {
    ...inc.rec,
    status: st.status,
    first_seen_utc: k.nowIso,
    last_seen_utc: k.nowIso,
    status_since_utc: isoUtc(Number.isNaN(st.since) ? k.now : st.since),
  } as Confluence;
}

/**
 * A confluence the detectors no longer report: a forming one never existed
 * (its bar changed; false: drop it), an older break of a timeframe is
 * superseded by the newer one, an active one still ages out.
 */
export function mergeUnseen(c: Confluence, latestBos: Map<string, Record<string, any>>, k: Clock): boolean {
  if (c.status === "forming") return false;
  const latest = latestBos.get(c.tf);
  if (c.kind === "BOS" && latest !== undefined && !TERMINAL.has(c.status)) {
    c.status = latest.dir !== c.dir ? "invalidated" : "expired";
    c.status_since_utc = String(latest.time);
  }
  if (c.status === "active") {
    const known = ms(c.known_time ?? c.first_seen_utc);
    const end = Number.isNaN(known) ? Infinity : k.expiry(c.tf, known);
    if (end < k.now) {
      c.status = "expired";
      c.status_since_utc = isoUtc(end);
    }
  }
  return true;
}

/** A terminal confluence is dropped `retain` after its status began (Q19). */
export function pruned(c: Confluence, k: Clock): boolean {
  if (!TERMINAL.has(c.status)) return false;
  const since = ms(c.status_since_utc ?? c.last_seen_utc);
  return !Number.isNaN(since) && k.now - since > k.retain;
}
