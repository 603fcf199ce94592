/**
 * Market structure: a close beyond the last confirmed swing is a break of
 * structure (BOS) in the trend's direction, or a change of character (CHoCH)
 * against it; a level breaks once.
 */
import { describe, expect, it } from "vitest";
import { marketStructure, structureEvents } from "../../src/index.js";
import { at, ohlc } from "./bars.js";

// Swing high 105 at bar 2 (confirmed at bar 4), swing low 98 at bar 6 (confirmed
// at bar 8); bar 9 closes above 105 (bull BOS); a new swing low 101 at bar 10
// (confirmed at bar 12) and bar 13 closes below it: against the bullish
// trend, a CHoCH.
const b = ohlc([
  [100, 101, 99, 100.5], // 0
  [100.5, 102, 100, 101.5], // 1
  [101.5, 105, 101, 104], // 2 swing high 105
  [104, 104.5, 101, 102], // 3
  [102, 103, 100, 100.5], // 4
  [100.5, 101, 99, 99.5], // 5
  [99.5, 100, 98, 98.5], // 6 swing low 98
  [98.5, 101.6, 98.5, 101.5], // 7
  [101.5, 104, 101.5, 103.5], // 8
  [103.5, 107, 103, 106.5], // 9 close 106.5 > 105: BOS bull
  [106.5, 107.5, 101, 102], // 10 swing low 101
  [102, 106, 102, 105.5], // 11
  [105.5, 108, 104, 107], // 12
  [107, 107.2, 99, 100], // 13 close 100 < 101: CHoCH bear
]);

describe("structure", () => {
  it("a close above the confirmed swing high is a bullish BOS at that bar, a later close below the new swing low a bearish CHoCH", () => {
    const ev = structureEvents(b);
    expect(ev.map((e) => [e.kind, e.dir, e.level, e.index, e.swing_index])).toEqual([
      ["BOS", "bull", 105, 9, 2],
      ["CHOCH", "bear", 101, 13, 10],
    ]);
    expect(ev[0]).toMatchObject({ time: at(9), known_index: 9, known_time: at(9), swing_time: at(2) });
  });
  it("a level breaks once: closes further above 105 are no new break", () => {
    const more = ohlc([
      ...Array.from({ length: 10 }, (_, i) => [b.o[i]!, b.h[i]!, b.l[i]!, b.c[i]!] as [number, number, number, number]),
      [106.5, 108, 106, 107.5],
      [107.5, 109, 107, 108.5],
    ]);
    expect(structureEvents(more).map((e) => e.index)).toEqual([9]);
  });
  it("a wick above the swing high without a close beyond it is no break (a sweep of the liquidity there)", () => {
    const sweep = ohlc([
      ...Array.from({ length: 9 }, (_, i) => [b.o[i]!, b.h[i]!, b.l[i]!, b.c[i]!] as [number, number, number, number]),
      [103.5, 106, 103, 104.5], // wick to 106, close 104.5 < 105
      [104.5, 105, 102, 103],
    ]);
    expect(structureEvents(sweep)).toEqual([]);
  });
  it("the summary: trend, last break, its kind and bar", () => {
    expect(marketStructure(b)).toEqual({
      trend: "down",
      last_bos: "bear",
      last_bos_time: at(13),
      last_bos_level: 101,
      last_bos_kind: "CHOCH",
      last_bos_index: 13,
    });
  });
});
