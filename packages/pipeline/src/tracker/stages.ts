/** The HTF and LTF stages of a symbol from its confluences (direction-aware, Q22). */
import type { CapsuleFeatures } from "../capsule.js";
import type { Confluence, SymbolState, TrackerOptions, TrackerState } from "./types.js";

/** The stages (direction-aware, Q22) and the symbol's new state around its confluences. */
export function stateOf(
  existing: SymbolState,
  out: Confluence[],
  features: Partial<CapsuleFeatures>,
  o: TrackerOptions,
  nowIso: string,
  summary: (c: Confluence) => string,
): SymbolState {
  const f5 = (features.tf_5m ?? {}) as Record<string, any>;
  // The structure that frames the bias: the 5m one, or a higher timeframe's when asked for and present.
  const frame =
    (o.htfStage !== undefined && o.htfStage !== "5m" ? (features.htf?.[o.htfStage] as Record<string, any> | undefined) : undefined) ?? f5;
  const m5 = frame.ms ?? {};
  const bias: "bull" | "bear" | null = m5.last_bos ?? null;
  const htf: TrackerState["htf_stage"] = bias === null ? "none" : m5.last_bos_kind === "CHOCH" ? "reversal_seen" : "confirmed";
  const price = typeof o.price === "number" && Number.isFinite(o.price) ? o.price : null;
  const leg = frame.swings?.leg ?? null;
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
      const htfZone = out.some(
        (c) => c.tf === "5m" && c.status === "active" && c.dir === bias && ["FVG", "IFVG", "OB", "BB"].includes(c.kind) && inZone(c),
      );
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
  // ict: the sessions and killzones the last bar is in (the capsule's session_now).
  const sessionNow = (features as { session_now?: unknown }).session_now;
  if (Array.isArray(sessionNow)) state.session_now = [...(sessionNow as string[])];
  const active: string[] = [];
  for (const c of out) if (c.status === "active") active.push(summary(c));
  return { ...existing, state, active_confluences: active };
}
