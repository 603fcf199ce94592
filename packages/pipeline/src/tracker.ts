import type { CapsuleFeatures } from "./capsule.js";
import { IctError, resolveProfile, type Profile, isoUtc, parseIsoMs } from "@ict/core";
import { jsonClone } from "./json.js";
import { pyFixed2 } from "./pyfmt.js";

/** A confluence's life: forming → active → filled | invalidated | expired. */
export type ConfluenceStatus = "forming" | "active" | "filled" | "invalidated" | "expired";

/** One tracked confluence: a detector record plus its identity, status and timestamps. */
export interface Confluence {
  [field: string]: unknown;
  id: string;
  kind: string;
  tf: string;
  status: ConfluenceStatus;
  first_seen_utc: string;
  last_seen_utc: string;
  /** `ict`: when the current status began (bar time). */
  status_since_utc?: string;
}

/** The tracker's per-symbol state (`state` of a symbol entry in `current_context.json`). */
export interface TrackerState {
  htf_stage: "none" | "reversal_seen" | "confirmed";
  ltf_stage: "none" | "scanning" | "entry_window" | "invalidated";
  last_update_utc: string;
  confluences: Confluence[];
  /** `ict`: direction of the last 5m break. */
  bias?: "bull" | "bear" | null;
  /** `ict`: the last 1m close, the 5m equilibrium and where price sits against it. */
  price?: number | null;
  eq_5m?: number | null;
  price_vs_eq?: "premium" | "discount" | "equilibrium" | null;
}

/** A symbol's entry in `current_context.json`. */
export interface SymbolState {
  [field: string]: unknown;
  symbol: string;
  state?: TrackerState;
  active_confluences?: string[];
}

/** Options of {@link updateSymbolState}. */
export interface TrackerOptions {
  profile?: Profile;
  /**
   * `ict`: an active record expires this many minutes (bar time) after it
   * became known, per timeframe (default 1m: 90, the seed's `STATUS_TTL_MIN`;
   * 5m: 390, one session).
   */
  ttlMinutes?: Partial<Record<string, number>>;
  /** `ict`: a filled, invalidated or expired record is dropped this many minutes after its status began (default 90). */
  retainMinutes?: number;
  /** `ict`: the last 1m close, for the entry window and premium/discount. */
  price?: number;
  /**
   * `ict`: per timeframe, the start time (epoch ms) of a last bar that is not
   * complete yet; records known at or after it are `forming`.
   */
  incompleteSince?: Partial<Record<string, number>>;
}

const TERMINAL: ReadonlySet<string> = new Set(["filled", "invalidated", "expired"]);

// ------------------------------------------------------------ summaries ----

const f2 = pyFixed2;

/**
 * The seed's `_short` summary, verbatim: truthiness guards drop a price of 0.0
 * (Q23); Python's `.2f` rounding (half-even on exact ties, Q24).
 */
export function seedShort(c: Record<string, any>): string {
  const k = c.kind;
  const tf = c.tf === undefined ? "None" : String(c.tf);
  const dir = c.dir === undefined ? "None" : String(c.dir);
  const truthy = (x: unknown) => x !== undefined && x !== null && x !== 0 && x !== false && x !== "";
  if (k === "FVG") {
    const [lo, hi] = c.gap ?? [null, null];
    return truthy(lo) && truthy(hi) ? `FVG(${tf} ${dir} @ ${f2(lo)}–${f2(hi)})` : `FVG(${tf})`;
  }
  if (k === "IFVG") {
    const [lo, hi] = c.gap ?? [null, null];
    return `IFVG(${tf} ${dir} @ ${f2(lo)}–${f2(hi)})`;
  }
  if (k === "OB") {
    const b = c.body ?? [null, null];
    return truthy(b[0]) && truthy(b[1]) ? `OB(${tf} ${dir} @ ${f2(b[0])}–${f2(b[1])})` : `OB(${tf})`;
  }
  if (k === "BB") return truthy(c.level) ? `BB(${tf} ${dir} @ ${f2(c.level)})` : `BB(${tf})`;
  if (k === "BOS") return truthy(c.level) ? `BOS(${tf} ${dir} @ ${f2(c.level)})` : `BOS(${tf})`;
  return `${k}(${tf})`;
}

/**
 * A confluence's one-line summary for the prompt, e.g. `FVG(5m bull @
 * 412.10–412.55)`. A price of 0 is printed (Q23); prices are rounded to two
 * decimals half-to-even on exact ties, as Python's `.2f` (Q24).
 */
export function shortSummary(c: Record<string, any>): string {
  const num = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  const range = (lo: unknown, hi: unknown) => (num(lo) && num(hi) ? ` @ ${f2(lo as number)}–${f2(hi as number)}` : "");
  const at = (x: unknown) => (num(x) ? ` @ ${f2(x as number)}` : "");
  const head = `${c.tf} ${c.dir}`;
  switch (c.kind) {
    case "FVG":
    case "IFVG":
      return `${c.kind}(${head}${range(c.gap?.[0], c.gap?.[1])})`;
    case "OB":
      return `OB(${head}${range(c.body?.[0], c.body?.[1])})`;
    case "BB":
      return `BB(${head}${at(c.level)})`;
    case "BOS":
      return `${c.event === "CHOCH" ? "CHOCH" : "BOS"}(${head}${at(c.level)})`;
    case "SMT":
      return `SMT(${c.tf} ${c.dir}${c.pair ? ` ${c.pair}` : ""})`;
    default:
      return `${c.kind}(${c.tf})`;
  }
}

// ---------------------------------------------------------- seed-v0.1 -----

function seedUpdate(existing: SymbolState, features: Partial<CapsuleFeatures>, nowIso: string): SymbolState {
  const state = { ...(existing.state as Record<string, unknown> | undefined) };
  const tf5 = (features.tf_5m ?? {}) as Record<string, any>;
  const tf1 = (features.tf_1m ?? {}) as Record<string, any>;
  const statusize = (kind: string, recs: Record<string, any>[] | undefined): Record<string, any>[] =>
    (recs ?? []).map((r) => {
      const rr: Record<string, any> = { ...r };
      rr.kind = kind;
      const key = r.time || r.start || r.retested_at || nowIso;
      rr.id = `${kind}:${r.tf ?? "?"}:${key}`;
      let status = "active";
      if (kind === "FVG") {
        if (r.filled) status = "filled";
        else if (!(r.active ?? true)) status = "invalidated";
      }
      if (kind === "OB" && r.invalidated) status = "invalidated";
      rr.status = status;
      return rr;
    });
  const incoming: Record<string, any>[] = [
    ...statusize("FVG", tf5.fvg),
    ...statusize("IFVG", tf5.ifvg),
    ...statusize("OB", tf5.ob),
    ...statusize("BB", tf5.bb),
  ];
  const ms = tf5.ms ?? {};
  if (ms.last_bos) {
    incoming.push({
      id: `BOS:${tf5.tf ?? "?"}:${ms.last_bos_time}`,
      kind: "BOS",
      tf: tf5.tf ?? "?",
      dir: ms.last_bos === "bull" ? "bull" : "bear",
      level: ms.last_bos_level,
      status: "active",
    });
  }
  incoming.push(...statusize("FVG", tf1.fvg), ...statusize("IFVG", tf1.ifvg), ...statusize("OB", tf1.ob), ...statusize("BB", tf1.bb));

  // _merge_list: the seed reads the TOP-LEVEL `confluences` (never written: Q04).
  const byId = new Map<string, Record<string, any>>();
  for (const e of (existing.confluences as Record<string, any>[] | undefined) ?? []) byId.set(e.id, e);
  for (const inc of incoming) {
    const prev = byId.get(inc.id);
    if (prev !== undefined) {
      Object.assign(prev, inc);
      prev.last_seen_utc = nowIso;
    } else {
      inc.first_seen_utc = nowIso;
      inc.last_seen_utc = inc.first_seen_utc;
      byId.set(inc.id, inc);
    }
  }
  const now = parseIsoMs(nowIso);
  const pruned = [...byId.values()].filter((e) => {
    if (e.status === "active" || e.status === "forming") return true;
    const seen = typeof e.last_seen_utc === "string" ? parseIsoMs(e.last_seen_utc) : NaN;
    const last = Number.isNaN(seen) ? now : seen;
    return now - last <= 90 * 60_000;
  });
  // Stable sort on the last_seen_utc string (missing = "").
  const merged = pruned
    .map((e, i) => [String(e.last_seen_utc ?? ""), i, e] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
    .map((x) => x[2]);

  let htf = (state.htf_stage as string | undefined) ?? "none";
  if (ms.last_bos) htf = "confirmed";
  else if ((tf5.ifvg ?? []).length || (tf5.ob ?? []).length) htf = "reversal_seen";
  let ltf = "none";
  if (htf === "confirmed") ltf = merged.some((c) => c.tf === "1m" && c.status === "active") ? "entry_window" : "scanning";

  const active = merged.filter((c) => c.status === "active");
  const newState = { htf_stage: htf, ltf_stage: ltf, last_update_utc: nowIso, confluences: merged };
  return { ...existing, state: newState as unknown as TrackerState, active_confluences: active.map(seedShort) };
}

// ----------------------------------------------------------------- ict -----

interface Incoming {
  rec: Record<string, any>;
  /** When the record became known (epoch ms). */
  known: number;
  /** Its status from its own events as of now, and since when. */
  status: ConfluenceStatus;
  since: number;
  /**
   * When its terminal status began as the context records it (`status_since_utc`,
   * read back), for the TTL `goneLimit`: the incremental tracker skips a record
   * whose confluence would be pruned at once.
   */
  goneAt?: number;
  goneLimit?: number;
}

// The same few hundred times are read at every tick (each record's known,
// filled and invalidated times): parsed once.
const parsed = new Map<string, number>();

function ms(iso: unknown): number {
  if (typeof iso !== "string") return NaN;
  let v = parsed.get(iso);
  if (v === undefined) {
    if (parsed.size >= 1 << 16) parsed.clear();
    v = parseIsoMs(iso);
    parsed.set(iso, v);
  }
  return v;
}

/** Status of a detector record from its events: the rule table of the README. */
function statusOf(kind: string, r: Record<string, any>, known: number): { status: ConfluenceStatus; since: number } {
  const tt = ms(r.traded_through_at);
  const fl = ms(r.filled_at);
  const inv = ms(r.invalidated_at);
  if (kind === "FVG") {
    // The first terminal event decides, as it did when the tracker saw it happen: a gap
    // filled before it was closed through stays filled (Q13). The same record therefore
    // gets the same status whenever it is first seen (also after it was pruned).
    if (!Number.isNaN(tt) && (Number.isNaN(fl) || tt <= fl)) return { status: "invalidated", since: tt };
    if (!Number.isNaN(fl)) return { status: "filled", since: fl };
  } else if (!Number.isNaN(inv)) {
    return { status: "invalidated", since: inv };
  }
  return { status: "active", since: known };
}

// A detector record and what the tracker reads from it, by the record's identity: a
// stream hands out the same record object from tick to tick while it is unchanged
// (records are never modified in place; a change is a new object). Only the incremental
// tracker reads by identity: updateSymbolState cannot assume its caller never mutates a record.
const incoming = new WeakMap<object, Incoming & { kind: string; tf: string }>();

function collect(features: Partial<CapsuleFeatures>, byIdentity: boolean): Incoming[] {
  const out: Incoming[] = [];
  const add = (kind: string, tf: string, anchor: unknown, rec: Record<string, any>, knownIso: unknown, key?: object) => {
    if (!byIdentity) key = undefined;
    if (key !== undefined) {
      const hit = incoming.get(key);
      if (hit !== undefined && hit.kind === kind && hit.tf === tf) {
        out.push(hit);
        return;
      }
    }
    const known = ms(knownIso);
    const s = statusOf(kind, rec, known);
    const inc = { rec: { ...rec, kind, tf, id: `${kind}:${tf}:${anchor}` }, known, status: s.status, since: s.since, kind, tf };
    if (key !== undefined) incoming.set(key, inc);
    out.push(inc);
  };
  for (const key of ["tf_5m", "tf_1m"] as const) {
    const f = features[key] as Record<string, any> | undefined;
    if (!f) continue;
    const tf = String(f.tf ?? key.slice(3));
    for (const r of f.fvg ?? []) add("FVG", tf, r.start, r, r.known_time, r);
    for (const r of f.ifvg ?? []) add("IFVG", tf, r.start, r, r.known_time ?? r.retested_at, r);
    for (const r of f.ob ?? []) add("OB", tf, r.time, r, r.known_time, r);
    // Breakers are keyed on their failed block's time, never the clock (Q18).
    for (const r of f.bb ?? []) add("BB", tf, r.from_ob_time, r, r.known_time, r);
    const m = f.ms ?? {};
    if (m.last_bos) {
      add("BOS", tf, m.last_bos_time, { dir: m.last_bos, level: m.last_bos_level, time: m.last_bos_time, event: m.last_bos_kind ?? "BOS" }, m.last_bos_time);
    }
  }
  for (const r of features.smt ?? []) {
    const rec = r as unknown as Record<string, any>;
    add("SMT", String(rec.tf ?? "5m"), `${rec.time}:${rec.type}`, { ...rec, dir: rec.type }, rec.known_time ?? rec.time, rec);
  }
  return out;
}

/** The tracker's clock and limits of one update. */
interface Clock {
  now: number;
  nowIso: string;
  /** Time-to-live per timeframe, ms. */
  ttl: (tf: string) => number;
  /** How long a terminal record is kept, ms. */
  retain: number;
}

function clockOf(now: number, o: TrackerOptions): Clock {
  const ttl: Record<string, number> = { "1m": 90, "5m": 390, ...(o.ttlMinutes as Record<string, number> | undefined) };
  return { now, nowIso: isoUtc(now), ttl: (tf) => (ttl[tf] ?? ttl["1m"]!) * 60_000, retain: (o.retainMinutes ?? 90) * 60_000 };
}

/**
 * The status of a reported record at `now`: its own events, forming while it
 * was known on an incomplete bar, expired once active longer than its TTL.
 * The first terminal event decides: a record filled or invalidated after its
 * time-to-live had already expired then, whenever it is first seen (also after
 * it was pruned), as a tracker ticking at every bar would have seen it.
 */
function statusAt(inc: Incoming, k: Clock, incomplete: number | undefined): { status: ConfluenceStatus; since: number } {
  let status = inc.status;
  let since = inc.since;
  if (status === "active" && incomplete !== undefined && inc.known >= incomplete) status = "forming";
  const limit = k.ttl(inc.rec.tf);
  if (status === "active" || status === "forming") {
    if (!Number.isNaN(inc.known) && k.now - inc.known > limit) {
      status = "expired";
      since = inc.known + limit;
    }
  } else if (!Number.isNaN(inc.known) && since > inc.known + limit) {
    status = "expired";
    since = inc.known + limit;
  }
  return { status, since };
}

/** Merges a reported record into its confluence `c` (terminal statuses are final: a filled gap stays filled, Q13). */
function mergeSeen(c: Confluence, inc: Incoming | null, st: { status: ConfluenceStatus; since: number }, k: Clock): void {
  if (inc !== null) Object.assign(c, inc.rec, { last_seen_utc: k.nowIso });
  else c.last_seen_utc = k.nowIso;
  if (TERMINAL.has(c.status)) return;
  if (c.status !== st.status) {
    c.status = st.status;
    c.status_since_utc = isoUtc(Number.isNaN(st.since) ? k.now : st.since);
  }
}

/** A new confluence from a reported record. */
function confluenceOf(inc: Incoming, st: { status: ConfluenceStatus; since: number }, k: Clock): Confluence {
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
function mergeUnseen(c: Confluence, latestBos: Map<string, Record<string, any>>, k: Clock): boolean {
  if (c.status === "forming") return false;
  const latest = latestBos.get(c.tf);
  if (c.kind === "BOS" && latest !== undefined && !TERMINAL.has(c.status)) {
    c.status = latest.dir !== c.dir ? "invalidated" : "expired";
    c.status_since_utc = String(latest.time);
  }
  if (c.status === "active") {
    const known = ms(c.known_time ?? c.first_seen_utc);
    const limit = k.ttl(c.tf);
    if (!Number.isNaN(known) && k.now - known > limit) {
      c.status = "expired";
      c.status_since_utc = isoUtc(known + limit);
    }
  }
  return true;
}

/** A terminal confluence is dropped `retain` after its status began (Q19). */
function pruned(c: Confluence, k: Clock): boolean {
  if (!TERMINAL.has(c.status)) return false;
  const since = ms(c.status_since_utc ?? c.last_seen_utc);
  return !Number.isNaN(since) && k.now - since > k.retain;
}

/** The stages (direction-aware, Q22) and the symbol's new state around its confluences. */
function stateOf(existing: SymbolState, out: Confluence[], features: Partial<CapsuleFeatures>, o: TrackerOptions, nowIso: string, summary: (c: Confluence) => string): SymbolState {
  const f5 = (features.tf_5m ?? {}) as Record<string, any>;
  const m5 = f5.ms ?? {};
  const bias: "bull" | "bear" | null = m5.last_bos ?? null;
  const htf: TrackerState["htf_stage"] = bias === null ? "none" : m5.last_bos_kind === "CHOCH" ? "reversal_seen" : "confirmed";
  const price = typeof o.price === "number" && Number.isFinite(o.price) ? o.price : null;
  const leg = f5.swings?.leg ?? null;
  let ltf: TrackerState["ltf_stage"] = "none";
  if (htf === "confirmed") {
    if (price !== null && leg && ((bias === "bull" && price < leg.low) || (bias === "bear" && price > leg.high))) {
      // Price is back beyond the origin of the leg that set the bias: the setup failed.
      ltf = "invalidated";
    } else {
      const inZone = (c: Confluence) => {
        const z = (c.gap ?? c.body ?? c.zone) as [number, number] | undefined;
        return price !== null && z !== undefined && price >= z[0] && price <= z[1];
      };
      const htfZone = out.some((c) => c.tf === "5m" && c.status === "active" && c.dir === bias && ["FVG", "IFVG", "OB", "BB"].includes(c.kind) && inZone(c));
      const ltfConf = out.some((c) => c.tf === "1m" && c.status === "active" && c.dir === bias && c.kind !== "BOS");
      ltf = htfZone && ltfConf ? "entry_window" : "scanning";
    }
  }
  const eq = typeof f5.swings?.eq === "number" ? (f5.swings.eq as number) : null;
  const where = price === null || eq === null ? null : price > eq ? "premium" : price < eq ? "discount" : "equilibrium";
  const state: TrackerState = {
    htf_stage: htf,
    ltf_stage: ltf,
    bias,
    price,
    eq_5m: eq,
    price_vs_eq: where,
    last_update_utc: nowIso,
    confluences: out,
  };
  const active: string[] = [];
  for (const c of out) if (c.status === "active") active.push(summary(c));
  return { ...existing, state, active_confluences: active };
}

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

/** JSON's number: a non-finite number is null, -0 is 0 (what a JSON file gives back). */
const jsonNumber = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x === 0 ? 0 : x);

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
  private readonly entries = new Map<string, { c: Confluence; inc: Incoming | null; seen: number; dirty: boolean }>();
  private readonly summaries = new WeakMap<Confluence, string>();
  private stamp = 0;
  private existing: SymbolState;

  constructor(initial: SymbolState) {
    this.existing = initial;
    for (const c of (initial.state?.confluences ?? []) as Confluence[]) this.entries.set(c.id, { c: { ...c }, inc: null, seen: 0, dirty: false });
  }

  /** Whether a terminal record's status began more than the retention ago (`pruned` of its confluence). */
  private longGone(inc: Incoming, st: { status: ConfluenceStatus; since: number }, k: Clock): boolean {
    if (Number.isNaN(st.since)) return false; // began "now": not gone
    const at = ms(isoUtc(st.since));
    inc.goneAt = at;
    inc.goneLimit = k.ttl(inc.rec.tf);
    return !Number.isNaN(at) && k.now - at > k.retain;
  }

  update(features: Partial<CapsuleFeatures>, now: number, o: TrackerOptions): SymbolState {
    const k = clockOf(now, o);
    const stamp = ++this.stamp;
    const latestBos = new Map<string, Record<string, any>>();
    for (const inc of collect(features, true)) {
      const { rec } = inc;
      if (rec.kind === "BOS") latestBos.set(rec.tf, rec);
      // Terminal since long before the retention (its status began at goneAt whatever the clock, as
      // its start is its own event or its known time + TTL): its confluence would be pruned at once.
      if (inc.goneAt !== undefined && inc.goneLimit === k.ttl(rec.tf) && k.now - inc.goneAt > k.retain && !this.entries.has(rec.id)) continue;
      const st = statusAt(inc, k, o.incompleteSince?.[rec.tf]);
      const e = this.entries.get(rec.id);
      if (e === undefined) {
        // A record that ended longer ago than the retention (pruned earlier, still reported by
        // the detectors) would be created and pruned again at once: nothing to do.
        if (TERMINAL.has(st.status) && this.longGone(inc, st, k)) continue;
        this.entries.set(rec.id, { c: confluenceOf(inc, st, k), inc, seen: stamp, dirty: true });
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
    const out: Confluence[] = [];
    for (const [id, e] of this.entries) {
      if ((e.seen !== stamp && !mergeUnseen(e.c, latestBos, k)) || pruned(e.c, k)) {
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
export function updateSymbolState(existing: SymbolState, features: Partial<CapsuleFeatures>, now: number, options: TrackerOptions = {}): SymbolState {
  if (!Number.isFinite(now)) throw new IctError(`updateSymbolState: now must be finite epoch milliseconds, got ${now}`);
  const profile = resolveProfile(options.profile);
  return profile === "seed-v0.1" ? seedUpdate(existing, features, isoUtc(now)) : ictUpdate(existing, features, now, options);
}
