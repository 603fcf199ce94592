import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { columnsFromText, computeFeatures, smtObjects } from "../src/index.js";
import { diff, GOLDEN, goldenText, MANIFEST, readJson } from "./helpers.js";

describe("golden parity, profile seed-v0.1", () => {
  for (const m of MANIFEST) {
    it(`${m.name}: compute_features_for_tf, every field and list`, () => {
      const cols = columnsFromText(goldenText(m.bars));
      const expected = readJson(join(GOLDEN, m.expected));
      expect(expected.features.error).toBeUndefined();
      const got = computeFeatures(cols, { tf: m.tf, profile: "seed-v0.1" });
      expect(diff(got, expected.features)).toBeNull();
      // Same key order as the seed's records.
      expect(Object.keys(got)).toEqual(["tf", "atr_last", "ms", "swings", "fvg", "ifvg", "ob", "bb"]);
      if (got.fvg[0]) expect(Object.keys(got.fvg[0])).toEqual(["tf", "dir", "start", "gap", "filled", "active", "kind", "traded_through"]);
      if (got.ifvg[0])
        expect(Object.keys(got.ifvg[0])).toEqual(["tf", "dir", "gap", "start", "flip_role", "active", "kind", "retested_at"]);
      if (got.ob[0]) expect(Object.keys(got.ob[0])).toEqual(["tf", "dir", "time", "body", "distal", "active", "kind", "invalidated"]);
      if (got.bb[0]) expect(Object.keys(got.bb[0])).toEqual(["tf", "dir", "level", "from_ob_time", "active", "kind"]);
    });

    if (m.ref) {
      it(`${m.name}: compute_smt_for_pair`, () => {
        const expected = readJson(join(GOLDEN, m.expected));
        const got = smtObjects(columnsFromText(goldenText(m.bars)), columnsFromText(goldenText(m.ref!)), { profile: "seed-v0.1" });
        expect(diff(got, expected.smt)).toBeNull();
      });
    }

    // For 5m fixtures the capsule's tf_5m is the input itself and tf_1m is empty.
    if (m.tf === "5m")
      it(`${m.name}: capsule timeframes built from the same bars`, () => {
        const cols = columnsFromText(goldenText(m.bars));
        const expected = readJson(join(GOLDEN, m.expected));
        const f5 = computeFeatures(cols, { tf: "5m", profile: "seed-v0.1" });
        expect(diff(f5, expected.capsule.features.tf_5m)).toBeNull();
        const f1 = computeFeatures(columnsFromText("[]"), { tf: "1m", profile: "seed-v0.1" });
        expect(diff(f1, expected.capsule.features.tf_1m)).toBeNull();
      });
  }

  it("the CSV and JSON copies of small_1m give identical features", () => {
    const a = computeFeatures(columnsFromText(goldenText("inputs/small_1m.json")), { tf: "1m", profile: "seed-v0.1" });
    const b = computeFeatures(columnsFromText(goldenText("inputs/small_1m.csv")), { tf: "1m", profile: "seed-v0.1" });
    expect(b).toEqual(a);
  });
});

describe("profile ict on every golden fixture", () => {
  for (const m of MANIFEST) {
    it(`${m.name}: legs are never inverted and the OTE lies inside the leg`, () => {
      const cols = columnsFromText(goldenText(m.bars));
      const f = computeFeatures(cols, { tf: m.tf });
      const seed = computeFeatures(cols, { tf: m.tf, profile: "seed-v0.1" });
      // ATR does not depend on the profile.
      expect(f.atr_last).toBe(seed.atr_last);
      if (cols.length === 0) {
        expect(f.swings.eq).toBeNull();
        return;
      }
      const { leg, ote, eq } = f.swings;
      expect(leg).not.toBeNull();
      expect(leg!.low).toBeLessThanOrEqual(leg!.high);
      expect(eq).toBeCloseTo((leg!.high + leg!.low) / 2, 12);
      if (f.ms.last_bos === null) {
        expect(ote).toBeNull();
      } else {
        expect(leg!.dir).toBe(f.ms.last_bos);
        expect(ote![0]).toBeLessThanOrEqual(ote![1]);
        expect(ote![0]).toBeGreaterThanOrEqual(leg!.low);
        expect(ote![1]).toBeLessThanOrEqual(leg!.high);
        expect(f.swings.ote_705).toBeGreaterThanOrEqual(ote![0]);
        expect(f.swings.ote_705).toBeLessThanOrEqual(ote![1]);
        // The OTE is the discount side of a bullish leg, the premium side of a bearish one.
        if (leg!.dir === "bull") expect(ote![1]).toBeLessThanOrEqual(eq!);
        else expect(ote![0]).toBeGreaterThanOrEqual(eq!);
      }
    });
  }
});
