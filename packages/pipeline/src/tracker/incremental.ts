/** The watchlist's tracker: confluences kept between updates and updated in place. */
import type { CapsuleFeatures } from "../capsule.js";
import { isoUtc } from "@ict/core";
import { jsonClone } from "../json.js";
import { confluenceOf, mergeSeen, mergeUnseen, pruned } from "./merge.js";
import { stateOf } from "./stages.js";
import { clockOf, collect, ms, statusAt, type Clock, type Incoming, type ListCache } from "./status.js";
import { shortSummary } from "./summary.js";
import { TERMINAL, type Confluence, type ConfluenceStatus, type SymbolState, type TrackerOptions } from "./types.js";

/** JSON's number: a non-finite number is null, -0 is 0 (what a JSON file gives back). */
const jsonNumber = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x === 0 ? 0 : x;

/**
 * A confluence as the tracker keeps it: the record that last updated it, the
 * update that last saw it, whether it changed since its last copy, and — once
 * its status is terminal, which is final — when it is pruned.
 */
interface Entry {
  c: Confluence;
  inc: Incoming | null;
  seen: number;
  dirty: boolean;
  /** Epoch ms its terminal status began (NaN: not terminal yet, or unknown). */
  termSince: number;
  term: boolean;
}

const entryOf = (c: Confluence, inc: Incoming | null, seen: number, dirty: boolean): Entry => ({
  c,
  inc,
  seen,
  dirty,
  termSince: NaN,
  term: false,
});

/**
 * @internal The `ict` tracker of one symbol kept between updates (the
 * watchlist's): the same states as {@link updateSymbolState} followed by a
 * JSON round trip, for features whose record objects are never modified in
 * place (a stream's). Each confluence is an object of its own that is updated
 * in place from tick to tick, so a record unchanged since the last tick costs
 * a time stamp and its status checks, not a copy and a JSON round trip.
 * The confluences of a returned state belong to the tracker: they change at
 * the next update (serialise or copy what you keep).
 */
export class IncrementalTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly summaries = new WeakMap<Confluence, string>();
  private stamp = 0;
  private existing: SymbolState;
  /** The record lists of the last update and their incoming records, less those that can never matter again. */
  private readonly lists = new Map<string, ListCache>();
  /**
   * Records skipped for good: terminal longer ago than the retention with no
   * confluence (the clock only moves forward, the limits stay), so they are
   * dropped from the cached lists instead of being looked at every tick.
   */
  private readonly dead = new WeakSet<Incoming>();

  constructor(initial: SymbolState) {
    this.existing = initial;
    for (const c of (initial.state?.confluences ?? []) as Confluence[]) this.entries.set(c.id, entryOf({ ...c }, null, 0, false));
  }

  /** Whether a terminal record's status began more than the retention ago (`pruned` of its confluence). */
  private longGone(inc: Incoming, st: { status: ConfluenceStatus; since: number }, k: Clock): boolean {
    if (Number.isNaN(st.since)) return false; // began "now": not gone
    const at = ms(isoUtc(st.since));
    inc.goneAt = at;
    inc.goneLimit = k.ttlBars(inc.tf);
    return !Number.isNaN(at) && k.now - at > k.retain;
  }

  update(features: Partial<CapsuleFeatures>, now: number, o: TrackerOptions): SymbolState {
    const k = clockOf(now, o);
    const stamp = ++this.stamp;
    const latestBos = new Map<string, Record<string, any>>();
    let died = 0;
    for (const inc of collect(features, true, this.lists)) {
      const { rec, tf, id } = inc;
      if (inc.kind === "BOS") latestBos.set(tf, rec);
      // Terminal since long before the retention (its status began at goneAt whatever the clock, as
      // its start is its own event or its known time + TTL): its confluence would be pruned at once.
      const e = this.entries.get(id);
      if (e === undefined && inc.goneAt !== undefined && inc.goneLimit === k.ttlBars(tf) && k.now - inc.goneAt > k.retain) {
        this.dead.add(inc);
        died++;
        continue;
      }
      if (e !== undefined && e.term && e.inc === inc) {
        // A terminal status is final and the record did not change: only seen again.
        e.seen = stamp;
        e.c.last_seen_utc = k.nowIso;
        continue;
      }
      const st = statusAt(inc, k, o.incompleteSince?.[tf]);
      if (e === undefined) {
        // A record that ended longer ago than the retention (pruned earlier, still reported by
        // the detectors) would be created and pruned again at once: nothing to do.
        if (TERMINAL.has(st.status) && this.longGone(inc, st, k)) {
          this.dead.add(inc);
          died++;
          continue;
        }
        this.entries.set(id, entryOf(confluenceOf(inc, st, k), inc, stamp, true));
        continue;
      }
      e.seen = stamp;
      const changed = e.inc !== inc;
      if (changed) {
        e.inc = inc;
        e.dirty = true;
      }
      mergeSeen(e.c, changed ? inc : null, st, k);
    }
    if (died > 0) for (const c of this.lists.values()) c.incs = c.incs.filter((inc) => !this.dead.has(inc));
    const out: Confluence[] = [];
    for (const [id, e] of this.entries) {
      if (!e.term) {
        if ((e.seen !== stamp && !mergeUnseen(e.c, latestBos, k)) || pruned(e.c, k)) {
          this.entries.delete(id);
          continue;
        }
        // Terminal (final) with the time it began: from now on only its prune time is checked.
        if (TERMINAL.has(e.c.status) && typeof e.c.status_since_utc === "string") {
          e.term = true;
          e.termSince = ms(e.c.status_since_utc);
        }
      } else if (!Number.isNaN(e.termSince) && k.now - e.termSince > k.retain) {
        // pruned(): a terminal confluence goes `retain` after its status began.
        this.entries.delete(id);
        continue;
      }
      if (e.dirty) {
        // What the context file gives back: undefined members dropped, non-finite numbers null.
        e.c = jsonClone(e.c) as Confluence;
        e.dirty = false;
      }
      out.push(e.c);
    }
    const summary = (c: Confluence): string => {
      let t = this.summaries.get(c);
      if (t === undefined) this.summaries.set(c, (t = shortSummary(c)));
      return t;
    };
    const next = stateOf(this.existing, out, features, o, k.nowIso, summary);
    const st = next.state!;
    st.price = jsonNumber(st.price);
    st.eq_5m = jsonNumber(st.eq_5m);
    this.existing = next;
    return next;
  }
}
