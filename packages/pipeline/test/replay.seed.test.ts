/**
 * The seed's live-loop step replayed exactly as shared/seed/golden.py does it:
 * for each prefix, the capsule (5m = aggregate of the 1m prefix, reference cut
 * at the same instant) and one tracker update, the state round-tripped through
 * JSON, compared with every replay step of every golden fixture.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aggregate, columnsFromText, sliceColumns, type Columns } from "@ict/core";
import { buildCapsule, updateSymbolState, type SymbolState } from "../src/index.js";
import { diff, GOLDEN, goldenText, MANIFEST, readJson } from "../../core/test/helpers.js";

const sha = (lines: string[]) => createHash("sha256").update(lines.join("\n"), "utf8").digest("hex");

function prefixUpTo(cols: Columns, tLast: number): Columns {
  let k = 0;
  while (k < cols.length && cols.t[k]! <= tLast) k++;
  return sliceColumns(cols, 0, k);
}

describe("seed-v0.1 replay: capsule + update_symbol_state at every golden replay step", () => {
  for (const m of MANIFEST) {
    it(m.name, () => {
      const exp = readJson(join(GOLDEN, m.expected));
      const bars = columnsFromText(goldenText(m.bars));
      const ref = m.ref ? columnsFromText(goldenText(m.ref)) : undefined;
      const empty = columnsFromText("[]");
      const sym = exp.input.symbol;
      let state: SymbolState = { symbol: sym };
      expect(exp.replay.steps.length).toBeGreaterThan(0);
      for (const step of exp.replay.steps) {
        const k = step.n_bars;
        const prefix = sliceColumns(bars, 0, k);
        const now = k > 0 ? prefix.t[k - 1]! : 0;
        const refPrefix = ref && k > 0 ? prefixUpTo(ref, now) : ref ? empty : undefined;
        const capsule = buildCapsule({
          symbol: sym,
          dayEt: exp.input.day_et,
          bars1m: m.tf === "1m" ? prefix : empty,
          bars5m: m.tf === "1m" ? aggregate(prefix, 5) : prefix,
          ref5m: refPrefix ? (m.tf === "1m" ? aggregate(refPrefix, 5) : refPrefix) : undefined,
          now,
          profile: "seed-v0.1",
        });
        expect(diff(capsule.features.smt, step.capsule_smt), `step ${k} smt`).toBeNull();
        state = JSON.parse(JSON.stringify(updateSymbolState(state, capsule.features, now, { profile: "seed-v0.1" })));
        if (step.state) {
          expect(diff(state, step.state), `step ${k}`).toBeNull();
        } else {
          const st = state.state!;
          const counts: Record<string, number> = {};
          for (const c of st.confluences) counts[`${c.kind}:${c.tf}:${c.status}`] = (counts[`${c.kind}:${c.tf}:${c.status}`] ?? 0) + 1;
          const active = state.active_confluences!;
          const got = {
            htf_stage: st.htf_stage,
            ltf_stage: st.ltf_stage,
            last_update_utc: st.last_update_utc,
            n_confluences: st.confluences.length,
            counts,
            n_active: active.length,
            sha256_id_status: sha(st.confluences.map((c) => `${c.id}|${c.status}|${c.first_seen_utc}|${c.last_seen_utc}`)),
            sha256_active_confluences: sha(active),
            first_active: active.slice(0, 5),
            last_active: active.slice(-5),
          };
          expect(diff(got, step.summary), `step ${k}`).toBeNull();
        }
      }
      expect(diff(state, exp.replay.final_state)).toBeNull();
    });
  }
});

describe("seed-v0.1 capsule", () => {
  for (const m of MANIFEST) {
    it(`${m.name}: build_capsule`, () => {
      const exp = readJson(join(GOLDEN, m.expected));
      const bars = columnsFromText(goldenText(m.bars));
      const ref = m.ref ? columnsFromText(goldenText(m.ref)) : undefined;
      const empty = columnsFromText("[]");
      const cap = buildCapsule({
        symbol: exp.input.symbol,
        dayEt: exp.input.day_et,
        bars1m: m.tf === "1m" ? bars : empty,
        bars5m: m.tf === "1m" ? aggregate(bars, 5) : bars,
        ref5m: ref ? (m.tf === "1m" ? aggregate(ref, 5) : ref) : undefined,
        now: 0,
        profile: "seed-v0.1",
      });
      expect(diff(cap, exp.capsule)).toBeNull();
      expect(Object.keys(cap)).toEqual(["symbol", "day_et", "features", "meta"]);
    });
  }
});
