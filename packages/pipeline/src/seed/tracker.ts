/**
 * The seed's tracker (`seed-v0.1` only): its `update_symbol_state` and its
 * `_short` summary, quirks included. Reached only through the pipeline rule
 * `tracker: "seedSnapshot"` (see ../rules.ts).
 */
import type { CapsuleFeatures } from "../capsule.js";
import { parseIsoMs } from "@ict/core";
import { pyFixed2 } from "../pyfmt.js";
import type { SymbolState, TrackerState } from "../tracker/types.js";

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

/** The seed's `update_symbol_state` with the clock frozen at `nowIso`. */
export function seedUpdate(existing: SymbolState, features: Partial<CapsuleFeatures>, nowIso: string): SymbolState {
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
