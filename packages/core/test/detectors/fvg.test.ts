/**
 * Fair value gaps: three candles whose outer wicks do not overlap leave a
 * price range traded one way only; its life is a series of events on the bar
 * path (mitigated by a wick, filled at its 50 % level, traded through by a
 * close beyond the far edge).
 */
import { describe, expect, it } from "vitest";
import { columnsFromArrays, computeFeatures, createStream, fvg, fvgObjects, type Columns } from "../../src/index.js";
import { at, ohlc } from "./bars.js";

// Bars 0-2: high of bar 0 (100) below the low of bar 2 (101): a bullish gap [100, 101], known at bar 2.
const up: [number, number, number, number][] = [
  [99.5, 100, 99, 99.8],
  [99.8, 102, 99.8, 101.8],
  [101.8, 102.5, 101, 102.2],
];

describe("fvg", () => {
  it("a bullish gap between the first candle's high and the third candle's low, known at the third candle", () => {
    const [r] = fvgObjects(ohlc(up), { tf: "1m" });
    expect(r).toMatchObject({ dir: "bull", gap: [100, 101], ce: 100.5, start: at(0), known_time: at(2), filled: false, active: true });
    expect(r).toMatchObject({ mitigated_at: null, filled_at: null, traded_through_at: null });
  });
  it("overlapping wicks leave no gap", () => {
    expect(fvgObjects(ohlc([up[0]!, up[1]!, [101.8, 102.5, 99.9, 102.2]]))).toEqual([]);
  });
  it("a wick into the gap mitigates it, a wick to its 50 % level fills it (for good), a close below its far edge trades through it", () => {
    const b = ohlc([
      ...up,
      [102.2, 102.4, 100.8, 101.5], // 3: wick to 100.8: mitigated, not filled
      [101.5, 101.8, 100.5, 101.2], // 4: wick to 100.5: filled
      [101.2, 102.5, 101.1, 102.3], // 5: back up: still filled
      [102.3, 102.4, 99.5, 99.7], // 6: close 99.7 < 100: traded through
    ]);
    const [r] = fvgObjects(b, { tf: "1m" });
    expect(r).toMatchObject({
      mitigated_at: at(3),
      filled_at: at(4),
      traded_through_at: at(6),
      filled: true,
      active: false,
      traded_through: true,
    });
    const c = fvg(b);
    expect([c.mid[0], c.mitigated[0], c.filled[0], c.traded[0]]).toEqual([1, 3, 4, 6]);
  });
  it("fillPolicy 'full' fills only at the far edge", () => {
    const b = ohlc([...up, [102.2, 102.4, 100.5, 101.5], [101.5, 101.8, 100, 101.2]]);
    expect(fvgObjects(b, { fillPolicy: "full" })[0]).toMatchObject({ mitigated_at: at(3), filled_at: at(4) });
  });
  it("a bearish gap mirrors it", () => {
    const down = up.map(([o, h, l, c]) => [200 - o, 200 - l, 200 - h, 200 - c] as [number, number, number, number]);
    expect(fvgObjects(ohlc(down))[0]).toMatchObject({ dir: "bear", gap: [99, 100], known_time: at(2) });
  });
  it("minGapAtr drops gaps smaller than that many ATRs", () => {
    expect(fvgObjects(ohlc(up), { minGapAtr: 5 })).toEqual([]);
    expect(fvgObjects(ohlc(up), { minGapAtr: 0.1 })).toHaveLength(1);
  });
  it("no gap across a session break (ict): the jump over the night or the futures' daily halt is an opening gap, not a fair value gap", () => {
    // The same three candles, as 15:58, 15:59 of one day and 09:30 of the next; then as 16:58, 16:59 and 18:00 (a futures halt).
    const three = (times: number[]): Columns =>
      columnsFromArrays({
        t: times,
        o: up.map((r) => r[0]),
        h: up.map((r) => r[1]),
        l: up.map((r) => r[2]),
        c: up.map((r) => r[3]),
        v: [1, 1, 1],
      });
    const m = (iso: string) => Date.parse(iso);
    const overnight = three([m("2024-01-02T20:58:00Z"), m("2024-01-02T20:59:00Z"), m("2024-01-03T14:30:00Z")]);
    const halt = three([m("2024-01-02T21:58:00Z"), m("2024-01-02T21:59:00Z"), m("2024-01-02T23:00:00Z")]);
    // An hour apart is still trading (a thin market), more is a break.
    const thin = three([m("2024-01-02T20:58:00Z"), m("2024-01-02T20:59:00Z"), m("2024-01-02T21:59:00Z")]);
    for (const b of [overnight, halt]) {
      expect(fvgObjects(b)).toEqual([]);
      expect(computeFeatures(b, { tf: "1m" }).fvg).toEqual([]);
      const s = createStream({ tf: "1m" });
      for (let i = 0; i < 3; i++) s.push({ t: b.t[i]!, o: b.o[i]!, h: b.h[i]!, l: b.l[i]!, c: b.c[i]!, v: 1 });
      expect(s.features().fvg).toEqual([]);
      // The seed looks at bars only.
      expect(fvgObjects(b, { profile: "seed-v0.1" })).toHaveLength(1);
    }
    expect(computeFeatures(thin, { tf: "1m" }).fvg).toHaveLength(1);
    const s = createStream({ tf: "1m" });
    for (let i = 0; i < 3; i++) s.push({ t: thin.t[i]!, o: thin.o[i]!, h: thin.h[i]!, l: thin.l[i]!, c: thin.c[i]!, v: 1 });
    expect(s.features().fvg).toHaveLength(1);
    // Daily bars across a weekend (Friday to Monday) are consecutive trading days.
    const days = three([m("2024-01-05T05:00:00Z"), m("2024-01-08T05:00:00Z"), m("2024-01-09T05:00:00Z")]);
    expect(computeFeatures(days, { tf: "1d" }).fvg).toHaveLength(1);
  });
});
