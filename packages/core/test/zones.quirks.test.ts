import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BarValidationError,
  columnsFromBars,
  columnsFromText,
  computeFeatures,
  smtObjects,
  type Columns,
  type Profile,
} from "../src/index.js";
import { diff, GOLDEN, goldenText, readJson } from "./helpers.js";

const Q = (name: string) => columnsFromText(goldenText(`quirks/${name}`));
const OUT = (name: string) => readJson(join(GOLDEN, "quirks", name));
const feat = (cols: Columns, profile: Profile, tf = "1m") => computeFeatures(cols, { tf, profile });
const T = (i: number) => new Date(Date.UTC(2024, 0, 2, 14, 30 + i)).toISOString().replace(".000Z", "+00:00");

/** The quirk files list the seed's records without `tf` and `kind`; compare the rest exactly. */
const strip = (xs: any[]) => xs.map(({ tf: _tf, kind: _kind, ...r }) => r);

describe("Q03: SMT compares each instrument with its own previous swing", () => {
  const out = OUT("Q03_smt_absolute_prices.out.json");
  // The quirk bars have one bar whose low is above its open (row 2, l 101.0 > o 100.8): our
  // validation rejects it, so the tests widen that bar's range to contain its body.
  const raw = (f: string) => readJson(join(GOLDEN, "quirks", f)) as any[];
  const repaired = (f: string) => columnsFromBars(raw(f).map((b) => ({ ...b, h: Math.max(b.h, b.o, b.c), l: Math.min(b.l, b.o, b.c) })));
  it("the fixture's malformed bar is rejected, naming row 2 and field l", () => {
    expect(() => Q("Q03_smt_absolute_prices.json")).toThrow(BarValidationError);
    expect(() => Q("Q03_smt_absolute_prices.json")).toThrow(/row 2, field "l"/);
  });
  const p = repaired("Q03_smt_absolute_prices.json");
  it("seed-v0.1: bull against the 1.17x reference, bear against the same-level one", () => {
    expect(smtObjects(p, repaired("Q03_smt_absolute_prices.ref.json"), { profile: "seed-v0.1" })).toEqual(
      out.observed["shimmed_ref_scaled_1.17"],
    );
    expect(smtObjects(p, repaired("Q03_smt_absolute_prices.ref_same_level.json"), { profile: "seed-v0.1" })).toEqual(
      out.observed.shimmed_ref_same_price_level,
    );
  });
  for (const ref of ["Q03_smt_absolute_prices.ref.json", "Q03_smt_absolute_prices.ref_same_level.json"]) {
    it(`ict: one bearish SMT at the second high (bar 7), known at its confirmation (bar 9) — ${ref}`, () => {
      const s = smtObjects(p, repaired(ref), { names: { primary: "QQQ", ref: "SPY" } });
      expect(s).toHaveLength(1);
      expect(s[0]).toMatchObject({ pair: "QQQ/SPY", type: "bear", time: T(9), known_time: T(9), leader: "primary" });
      expect(s[0]!.primary).toEqual({ prev: 103, last: 105, time: T(7) });
      expect(s[0]!.ref!.time).toBe(T(7));
      expect(s[0]!.ref!.last).toBeLessThan(s[0]!.ref!.prev);
    });
  }
  it("ict: the same divergence whatever the reference's price level (scale invariance)", () => {
    const r = raw("Q03_smt_absolute_prices.ref_same_level.json");
    const scaled = (k: number) =>
      columnsFromBars(r.map((b) => ({ t: b.t, o: b.o * k, h: Math.max(b.h, b.o, b.c) * k, l: Math.min(b.l, b.o, b.c) * k, c: b.c * k })));
    const base = smtObjects(p, scaled(1)).map((x) => [x.type, x.time]);
    for (const k of [0.01, 0.5, 3, 250]) expect(smtObjects(p, scaled(k)).map((x) => [x.type, x.time])).toEqual(base);
  });
});

describe("Q05: order blocks are judged against swings confirmed before the displacement", () => {
  const cols = Q("Q05_ob_lookahead_last_swing.json");
  const out = OUT("Q05_ob_lookahead_last_swing.out.json");
  it("seed-v0.1 reproduces the lookahead OB at bar 1", () => {
    const f = feat(cols, "seed-v0.1");
    expect(f.ob.some((o) => o.dir === "bull" && o.time === T(1))).toBe(true);
    expect(diff(strip(f.ob), out.observed.ob_full_series)).toBeNull();
    const pre = feat(columnsFromBars(readJson(join(GOLDEN, "quirks", "Q05_ob_lookahead_last_swing.json")).slice(0, 4)), "seed-v0.1");
    expect(diff(strip(pre.ob), out.observed.ob_on_prefix_of_4_bars)).toBeNull();
  });
  it("ict: no bull OB at bar 1", () => {
    const f = feat(cols, "ict");
    expect(f.ob.filter((o) => o.dir === "bull")).toEqual([]);
    // What a live tick saw at bar 3 is what the full run reports for bars up to 3.
    const pre = feat(columnsFromBars(readJson(join(GOLDEN, "quirks", "Q05_ob_lookahead_last_swing.json")).slice(0, 4)), "ict");
    expect(pre.ob.map((o) => o.time)).toEqual(f.ob.filter((o) => o.known_time! <= T(3)).map((o) => o.time));
  });
});

describe("Q06: one OB per displacement, in its direction; dojis are neither up nor down", () => {
  const cols = Q("Q06_ob_break_flood.json");
  it("seed-v0.1: bars 8, 9, 10 are bull OBs, and three bear breakers", () => {
    const out = OUT("Q06_ob_break_flood.out.json");
    const f = feat(cols, "seed-v0.1");
    expect(f.ob.filter((o) => o.dir === "bull").map((o) => o.time)).toEqual(expect.arrayContaining([T(8), T(9), T(10)]));
    expect(diff(strip(f.ob), out.observed.ob)).toBeNull();
    expect(diff(strip(f.bb), out.observed.bb)).toBeNull();
    expect(diff(strip(feat(Q("Q06_ob_break_flood.doji.json"), "seed-v0.1").ob), out.observed.doji_ob)).toBeNull();
  });
  it("ict: none at bars 8-10 (each is followed by a lower close); the one bull OB is bar 3, known at the break (bar 5)", () => {
    const obs = feat(cols, "ict").ob;
    expect(obs.filter((o) => [T(8), T(9), T(10)].includes(o.time))).toEqual([]);
    expect(obs.filter((o) => o.dir === "bull").map((o) => [o.time, o.known_time])).toEqual([[T(3), T(5)]]);
  });
  it("a doji is no order block: seed-v0.1 makes it a bear OB, ict does not", () => {
    const doji = Q("Q06_ob_break_flood.doji.json");
    expect(feat(doji, "seed-v0.1").ob.some((o) => o.time === T(1) && o.dir === "bear")).toBe(true);
    expect(feat(doji, "ict").ob.some((o) => o.time === T(1))).toBe(false);
  });
});

describe("Q12/Q13: fills are events on the bar path, and sticky", () => {
  const cols = Q("Q12_fvg_fill_last_close_only.json");
  it("seed-v0.1: judged on the last close only — active, not filled", () => {
    const f = feat(cols, "seed-v0.1");
    expect(f.fvg[0]).toMatchObject({ filled: false, active: true, traded_through: false });
    const out = OUT("Q12_fvg_fill_last_close_only.out.json");
    expect(diff(strip(f.fvg), out.observed.fvg)).toBeNull();
    expect(f.ifvg).toEqual(out.observed.ifvg);
  });
  it("ict: mitigated, filled and traded through at bar 3; stays filled; the inversion fails at once at bar 4", () => {
    const f = feat(cols, "ict");
    const g = f.fvg.find((x) => x.gap[0] === 100.5)!;
    expect(g).toMatchObject({
      filled: true,
      active: false,
      traded_through: true,
      mitigated_at: T(3),
      filled_at: T(3),
      traded_through_at: T(3),
      known_time: T(2),
      ce: 101,
    });
    expect(f.ifvg).toHaveLength(1);
    expect(f.ifvg[0]).toMatchObject({
      dir: "bear",
      flip_role: "resistance",
      traded_through_at: T(3),
      retested_at: T(4),
      invalidated_at: T(4),
      active: false,
    });
  });
  it("Q13: on growing prefixes the seed's status flips back; ict's fill stays", () => {
    const bars = readJson(join(GOLDEN, "quirks", "Q13_fvg_status_flips.json"));
    const seedStatus: boolean[] = [];
    const ictStatus: boolean[] = [];
    for (const k of [4, 5, 6]) {
      const c = columnsFromBars(bars.slice(0, k));
      seedStatus.push(feat(c, "seed-v0.1").fvg[0]!.filled);
      ictStatus.push(feat(c, "ict").fvg.find((x) => x.gap[0] === 100.5)!.filled);
    }
    expect(seedStatus).toEqual([true, false, false]);
    expect(ictStatus).toEqual([true, true, true]);
  });
});

describe("Q14-Q16: IFVG retests after the trade-through, and inverts the role", () => {
  it("Q14: seed-v0.1 finds a 'retest' before the trade-through; ict has no IFVG yet", () => {
    const cols = Q("Q14_ifvg_retest_before_trade_through.json");
    const out = OUT("Q14_ifvg_retest_before_trade_through.out.json");
    expect(feat(cols, "seed-v0.1").ifvg.map((x) => x.retested_at)).toEqual([T(3)]);
    expect(diff(strip(feat(cols, "seed-v0.1").ifvg), out.observed.ifvg)).toBeNull();
    expect(diff(strip(feat(cols, "seed-v0.1").fvg), out.observed.fvg)).toBeNull();
    expect(feat(cols, "ict").ifvg).toEqual([]);
    expect(feat(cols, "ict").fvg[0]).toMatchObject({ traded_through_at: T(8), filled_at: T(3) });
  });
  it("Q15: seed-v0.1 misses the late retest; ict finds the bearish IFVG retested at bar 12", () => {
    const cols = Q("Q15_ifvg_missed_late_retest.json");
    expect(feat(cols, "seed-v0.1").ifvg).toEqual([]);
    expect(diff(strip(feat(cols, "seed-v0.1").fvg), OUT("Q15_ifvg_missed_late_retest.out.json").observed.fvg)).toBeNull();
    const v = feat(cols, "ict").ifvg;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      dir: "bear",
      flip_role: "resistance",
      gap: [100.5, 101.6],
      traded_through_at: T(11),
      retested_at: T(12),
      active: true,
    });
    // The window is an option: with 0 bars there is no retest.
    expect(computeFeatures(cols, { tf: "1m", ifvgRetestBars: 0 }).ifvg).toEqual([]);
  });
  it("Q16: seed-v0.1 keeps bull/support; ict says bear/resistance retested at bar 4", () => {
    const cols = Q("Q16_ifvg_role_not_inverted.json");
    const out = OUT("Q16_ifvg_role_not_inverted.out.json");
    expect(feat(cols, "seed-v0.1").ifvg[0]).toMatchObject({ dir: "bull", flip_role: "support" });
    expect(feat(cols, "ict").ifvg[0]).toMatchObject({
      dir: out.correct.dir,
      flip_role: out.correct.flip_role,
      retested_at: out.correct.retested_at,
    });
  });
});

describe("Q17/Q18: breakers", () => {
  it("main input: seed-v0.1 finds none; ict a bearish breaker from the bar-1 OB, formed at the bear BOS (bar 9)", () => {
    const cols = Q("Q17_breaker_bos_direction_inverted.json");
    const out = OUT("Q17_breaker_bos_direction_inverted.out.json");
    expect(feat(cols, "seed-v0.1").bb).toEqual([]);
    expect(feat(cols, "seed-v0.1").ms).toEqual(out.observed.ms);
    const bb = feat(cols, "ict").bb;
    expect(bb).toHaveLength(1);
    expect(bb[0]).toMatchObject({
      dir: "bear",
      from_ob_time: T(1),
      time: T(9),
      known_time: T(9),
      zone: [100.4, 100.8],
      level: 100.8,
      active: true,
    });
  });
  it("false positive: seed-v0.1 emits three bull breakers; ict none", () => {
    const cols = Q("Q17_breaker_bos_direction_inverted.false_positive.json");
    const out = OUT("Q17_breaker_bos_direction_inverted.out.json");
    expect(diff(strip(feat(cols, "seed-v0.1").bb), out.observed.false_positive_bb)).toBeNull();
    expect(feat(cols, "ict").bb).toEqual([]);
  });
  it("the lookahead is an option: 0 bars still allows a break on the failing bar itself", () => {
    const cols = Q("Q17_breaker_bos_direction_inverted.json");
    expect(computeFeatures(cols, { tf: "1m", breakerLookahead: 0 }).bb).toHaveLength(1);
  });
});

describe("CE (50 %) levels and the minimum gap size", () => {
  it("every ict gap, OB and breaker carries its 50 % level", () => {
    const f = feat(columnsFromText(goldenText("inputs/medium_1m.json")), "ict");
    for (const g of f.fvg) expect(g.ce).toBe((g.gap[0] + g.gap[1]) / 2);
    for (const o of f.ob) expect(o.ce).toBe((o.body[0] + o.body[1]) / 2);
    for (const b of f.bb) expect(b.ce).toBe((b.zone![0] + b.zone![1]) / 2);
    expect(f.fvg.length).toBeGreaterThan(100);
    expect(f.ob.length).toBeGreaterThan(10);
  });
  it("minGapAtr filters gaps smaller than that many ATRs (off by default)", () => {
    const cols = columnsFromText(goldenText("inputs/medium_1m.json"));
    const all = computeFeatures(cols, { tf: "1m" }).fvg;
    const big = computeFeatures(cols, { tf: "1m", minGapAtr: 0.5 }).fvg;
    expect(big.length).toBeGreaterThan(0);
    expect(big.length).toBeLessThan(all.length);
    const keys = new Set(all.map((g) => g.start + g.dir));
    for (const g of big) expect(keys.has(g.start + g.dir)).toBe(true);
  });
});
