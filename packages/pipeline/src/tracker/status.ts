/** A detector record's status from its own events, and the clock of an update (the status rules of the README). */
import type { CapsuleFeatures } from "../capsule.js";
import { isoUtc, OptionError, parseIsoMs, tfMinutes } from "@ict/core";
import type { ConfluenceStatus, TrackerOptions } from "./types.js";
import { lowerBound } from "../sorted.js";

export interface Incoming {
  rec: Record<string, any>;
  /** The record's kind, timeframe and confluence id (`rec.kind`, `rec.tf`, `rec.id`, read without a lookup on the record's own shape). */
  kind: string;
  tf: string;
  id: string;
  /** When the record became known (epoch ms). */
  known: number;
  /** Its status from its own events as of now, and since when. */
  status: ConfluenceStatus;
  since: number;
  /**
   * When its terminal status began as the context records it (`status_since_utc`,
   * read back), under the TTL of `goneLimit` bars: the incremental tracker
   * skips a record whose confluence would be pruned at once.
   */
  goneAt?: number;
  goneLimit?: number;
  /** When its time-to-live runs out (epoch ms), once that bar has opened, under the TTL of `expiryBars` bars. */
  expiry?: number;
  expiryBars?: number;
}

// The same few hundred times are read at every tick (each record's known,
// filled and invalidated times): parsed once.
const parsed = new Map<string, number>();

export function ms(iso: unknown): number {
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
const incoming = new WeakMap<object, Incoming>();

/** The incoming records of one record list as last collected, for a list handed out again unchanged (same array). */
export interface ListCache {
  arr: readonly unknown[];
  incs: Incoming[];
}

export function collect(features: Partial<CapsuleFeatures>, byIdentity: boolean, cache?: Map<string, ListCache>): Incoming[] {
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
    const id = `${kind}:${tf}:${anchor}`;
    const inc: Incoming = {
      rec: { ...rec, kind, tf, id },
      kind,
      tf,
      id,
      known,
      status: s.status,
      since: s.since,
      goneAt: undefined,
      goneLimit: undefined,
    };
    if (key !== undefined) incoming.set(key, inc);
    out.push(inc);
  };
  for (const key of ["tf_5m", "tf_1m"] as const) {
    const f = features[key] as Record<string, any> | undefined;
    if (!f) continue;
    const tf = String(f.tf ?? key.slice(3));
    // A list handed out again unchanged (a stream shares it while nothing in it changed) gives the same records.
    const list = (name: string, arr: readonly Record<string, any>[] | undefined, each: (r: Record<string, any>) => void) => {
      if (arr === undefined) return;
      const c = cache?.get(`${key}:${name}`);
      if (c !== undefined && c.arr === arr) {
        for (const inc of c.incs) out.push(inc);
        return;
      }
      const start = out.length;
      for (const r of arr) each(r);
      cache?.set(`${key}:${name}`, { arr, incs: out.slice(start) });
    };
    list("fvg", f.fvg, (r) => add("FVG", tf, r.start, r, r.known_time, r));
    list("ifvg", f.ifvg, (r) => add("IFVG", tf, r.start, r, r.known_time ?? r.retested_at, r));
    list("ob", f.ob, (r) => add("OB", tf, r.time, r, r.known_time, r));
    // Breakers are keyed on their failed block's time, never the clock (Q18).
    list("bb", f.bb, (r) => add("BB", tf, r.from_ob_time, r, r.known_time, r));
    const m = f.ms ?? {};
    if (m.last_bos) {
      add(
        "BOS",
        tf,
        m.last_bos_time,
        { dir: m.last_bos, level: m.last_bos_level, time: m.last_bos_time, event: m.last_bos_kind ?? "BOS" },
        m.last_bos_time,
      );
    }
  }
  for (const r of features.smt ?? []) {
    const rec = r as unknown as Record<string, any>;
    add("SMT", String(rec.tf ?? "5m"), `${rec.time}:${rec.type}`, { ...rec, dir: rec.type }, rec.known_time ?? rec.time, rec);
  }
  return out;
}

/** The tracker's clock and limits of one update. */
export interface Clock {
  now: number;
  nowIso: string;
  /** Time-to-live per timeframe, in bars of that timeframe. */
  ttlBars: (tf: string) => number;
  /**
   * When a record of timeframe `tf` known at `known` runs out of time (epoch
   * ms): the open of the `ttlBars(tf)`-th bar after the bar it became known
   * on, as the timeframe's bars so far say (Infinity while that bar has not
   * opened). It is expired once the clock is past it, since then.
   */
  expiry: (tf: string, known: number) => number;
  /** How long a terminal record is kept, ms. */
  retain: number;
}

const HTF_STAGES: ReadonlySet<unknown> = new Set([undefined, "5m", "15m", "1h", "4h", "1d"]);

/** Default time-to-live in bars: 90 one-minute bars (the seed's 90 minutes), 78 five-minute bars (one regular session). */
export const DEFAULT_TTL_BARS: Readonly<Record<string, number>> = Object.freeze({ "1m": 90, "5m": 78 });

export function clockOf(now: number, o: TrackerOptions): Clock {
  if (!HTF_STAGES.has(o.htfStage))
    throw new OptionError("htfStage", `must be one of 5m, 15m, 1h, 4h, 1d, got ${JSON.stringify(o.htfStage)}`);
  if ((o as { ttlMinutes?: unknown }).ttlMinutes !== undefined)
    throw new OptionError(
      "ttlMinutes",
      "was replaced by ttlBars: the time-to-live counts bars of the timeframe (the instrument's sessions), not clock minutes",
    );
  const ttl: Record<string, number> = { ...DEFAULT_TTL_BARS };
  for (const [tf, n] of Object.entries(o.ttlBars ?? {})) {
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 1)
      throw new OptionError("ttlBars", `${tf}: must be a whole number of bars >= 1, got ${JSON.stringify(n)}`);
    ttl[tf] = n;
  }
  const ttlBars = (tf: string) => ttl[tf] ?? ttl["1m"]!;
  const times = o.barTimes;
  const expiry = (tf: string, known: number): number => {
    const n = ttlBars(tf);
    const t = times?.[tf];
    // Without the bars: contiguous bars of the timeframe's length.
    if (t === undefined || t.length === 0) return known + n * (tfMinutes(tf) || 1) * 60_000;
    // Older than the first bar the detectors saw: its life is over by then.
    if (known < t[0]!) return t[0]!;
    const j = lowerBound(t, known) + n;
    return j < t.length ? t[j]! : Infinity;
  };
  return { now, nowIso: isoUtc(now), ttlBars, expiry, retain: (o.retainMinutes ?? 90) * 60_000 };
}

/** When an incoming record's time-to-live runs out (kept on it once that bar has opened: bars never move). */
function expiryOf(inc: Incoming, k: Clock): number {
  const n = k.ttlBars(inc.tf);
  if (inc.expiryBars === n && inc.expiry !== undefined) return inc.expiry;
  const e = k.expiry(inc.tf, inc.known);
  if (e !== Infinity) {
    inc.expiry = e;
    inc.expiryBars = n;
  }
  return e;
}

/**
 * The status of a reported record at `now`: its own events, forming while it
 * was known on an incomplete bar, expired once its time-to-live (bars of its
 * timeframe) ran out while active. The first terminal event decides: a record
 * filled or invalidated after its time-to-live had already run out expired
 * then, whenever it is first seen (also after it was pruned), as a tracker
 * ticking at every bar would have seen it.
 */
export function statusAt(inc: Incoming, k: Clock, incomplete: number | undefined): { status: ConfluenceStatus; since: number } {
  let status = inc.status;
  let since = inc.since;
  if (status === "active" && incomplete !== undefined && inc.known >= incomplete) status = "forming";
  if (Number.isNaN(inc.known)) return { status, since };
  const end = expiryOf(inc, k);
  if (status === "active" || status === "forming") {
    if (end < k.now) {
      status = "expired";
      since = end;
    }
  } else if (since > end) {
    status = "expired";
    since = end;
  }
  return { status, since };
}
