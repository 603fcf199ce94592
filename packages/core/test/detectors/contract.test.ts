/**
 * The contract every detector obeys, checked on one table of detectors (a new
 * detector adds a row): no bars and one bar give an empty result, not an
 * error; appending bars never changes what was already known (each event's
 * anchor, known bar and every event up to the cut are the prefix's, later
 * events are not yet there); the object view says what the columns say.
 */
import { describe, expect, it } from "vitest";
import {
  atr,
  breakerBlocks,
  breakerObjects,
  columnsFromArrays,
  equilibrium,
  fvg,
  fvgObjects,
  ifvg,
  ifvgObjects,
  isoUtc,
  orderBlockObjects,
  orderBlocks,
  sliceColumns,
  smt,
  smtObjects,
  structure,
  structureEvents,
  swingPoints,
  swings,
  type Columns,
} from "../../src/index.js";

import { tickWalkBars } from "@ict/testkit";

/** One event of a detector as numbers: what identifies it, when it became known, and the bars of its later events (-1: not yet). */
interface Row {
  key: string;
  known: number;
  events: number[];
}

interface Detector {
  name: string;
  /** The detector's events on `b` (the reference series `r` for pair detectors). */
  rows(b: Columns, r: Columns): Row[];
  /** Checks that the records of `b` say what the rows say. */
  objectsAgree(b: Columns, r: Columns): void;
}

const T = (b: Columns, i: number) => isoUtc(b.t[i]!);
const at = (b: Columns, i: number) => (i >= 0 ? T(b, i) : null);
const dirName = (d: number) => (d > 0 ? "bull" : "bear");

const DETECTORS: Detector[] = [
  {
    name: "atr",
    rows: (b) => Array.from(atr(b), (v, i) => ({ key: `${i}:${v}`, known: i, events: [] })),
    objectsAgree: () => {},
  },
  {
    name: "swings",
    rows: (b) => {
      const s = swings(b);
      return [
        ...Array.from(s.highs, (i) => ({ key: `H${i}`, known: i + s.k, events: [] })),
        ...Array.from(s.lows, (i) => ({ key: `L${i}`, known: i + s.k, events: [] })),
      ];
    },
    objectsAgree: (b) => {
      const s = swings(b);
      const pts = swingPoints(b);
      expect(pts.filter((p) => p.kind === "high").map((p) => p.index)).toEqual(Array.from(s.highs));
      expect(pts.filter((p) => p.kind === "low").map((p) => p.index)).toEqual(Array.from(s.lows));
      for (const p of pts) {
        expect(p.time).toBe(T(b, p.index));
        expect(p.price).toBe(p.kind === "high" ? b.h[p.index] : b.l[p.index]);
        expect(p.known_index).toBe(p.index + s.k);
      }
    },
  },
  {
    name: "structure",
    rows: (b) => {
      const e = structure(b);
      return Array.from(e.index, (i, j) => ({ key: `${e.swing[j]}:${e.dir[j]}:${e.choch[j]}:${e.level[j]}`, known: i, events: [] }));
    },
    objectsAgree: (b) => {
      const e = structure(b);
      const recs = structureEvents(b);
      expect(recs.length).toBe(e.index.length);
      recs.forEach((r, j) => {
        expect(r.index).toBe(e.index[j]);
        expect(r.time).toBe(T(b, e.index[j]!));
        expect(r.dir).toBe(dirName(e.dir[j]!));
        expect(r.kind).toBe(e.choch[j] ? "CHOCH" : "BOS");
        expect(r.level).toBe(e.level[j]);
        expect(r.swing_index).toBe(e.swing[j]);
      });
    },
  },
  {
    name: "fvg",
    rows: (b) => {
      const f = fvg(b);
      return Array.from(f.mid, (m, j) => ({
        key: `${m}:${f.dir[j]}:${f.lo[j]}:${f.hi[j]}`,
        known: m + 1,
        events: [f.mitigated[j]!, f.filled[j]!, f.traded[j]!],
      }));
    },
    objectsAgree: (b) => {
      const f = fvg(b);
      const recs = fvgObjects(b, { tf: "1m" });
      expect(recs.length).toBe(f.mid.length);
      recs.forEach((r, j) => {
        expect(r.start).toBe(T(b, f.mid[j]! - 1));
        expect(r.known_time).toBe(T(b, f.mid[j]! + 1));
        expect(r.dir).toBe(dirName(f.dir[j]!));
        expect(r.gap).toEqual([f.lo[j], f.hi[j]]);
        expect(r.mitigated_at).toBe(at(b, f.mitigated[j]!));
        expect(r.filled_at).toBe(at(b, f.filled[j]!));
        expect(r.traded_through_at).toBe(at(b, f.traded[j]!));
        expect(r.filled).toBe(f.filled[j]! >= 0);
      });
    },
  },
  {
    name: "ifvg",
    rows: (b) => {
      const f = fvg(b);
      const v = ifvg(b);
      return Array.from(v.gap, (g, x) => ({
        key: `${f.mid[g]}:${v.dir[x]}:${v.inverted[x]}`,
        known: v.retest[x]!,
        events: [v.invalidated[x]!],
      }));
    },
    objectsAgree: (b) => {
      const f = fvg(b);
      const v = ifvg(b);
      const recs = ifvgObjects(b, { tf: "1m" });
      expect(recs.length).toBe(v.gap.length);
      recs.forEach((r, x) => {
        expect(r.start).toBe(T(b, f.mid[v.gap[x]!]! - 1));
        expect(r.dir).toBe(dirName(v.dir[x]!));
        expect(r.retested_at).toBe(T(b, v.retest[x]!));
        expect(r.traded_through_at).toBe(T(b, v.inverted[x]!));
        expect(r.invalidated_at).toBe(at(b, v.invalidated[x]!));
      });
    },
  },
  {
    name: "ob",
    rows: (b) => {
      const o = orderBlocks(b);
      return Array.from(o.candle, (i, j) => ({
        key: `${i}:${o.dir[j]}`,
        known: o.known[j]!,
        events: [o.mitigated[j]!, o.invalidated[j]!],
      }));
    },
    objectsAgree: (b) => {
      const o = orderBlocks(b);
      const recs = orderBlockObjects(b, { tf: "1m" });
      expect(recs.length).toBe(o.candle.length);
      recs.forEach((r, j) => {
        expect(r.time).toBe(T(b, o.candle[j]!));
        expect(r.known_time).toBe(T(b, o.known[j]!));
        expect(r.dir).toBe(dirName(o.dir[j]!));
        expect(r.body).toEqual([Math.min(b.o[o.candle[j]!]!, b.c[o.candle[j]!]!), Math.max(b.o[o.candle[j]!]!, b.c[o.candle[j]!]!)]);
        expect(r.invalidated_at).toBe(at(b, o.invalidated[j]!));
      });
    },
  },
  {
    name: "breakers",
    rows: (b) => {
      const o = orderBlocks(b);
      const bb = breakerBlocks(b);
      return Array.from(bb.ob, (k, x) => ({
        key: `${o.candle[k]}:${bb.dir[x]}:${bb.level[x]}`,
        known: bb.formed[x]!,
        events: [bb.invalidated[x]!],
      }));
    },
    objectsAgree: (b) => {
      const o = orderBlocks(b);
      const bb = breakerBlocks(b);
      const recs = breakerObjects(b, { tf: "1m" });
      expect(recs.length).toBe(bb.ob.length);
      recs.forEach((r, x) => {
        expect(r.from_ob_time).toBe(T(b, o.candle[bb.ob[x]!]!));
        expect(r.known_time).toBe(T(b, bb.formed[x]!));
        expect(r.dir).toBe(dirName(bb.dir[x]!));
        expect(r.level).toBe(bb.level[x]);
        expect(r.invalidated_at).toBe(at(b, bb.invalidated[x]!));
      });
    },
  },
  {
    name: "smt",
    rows: (b, r) => {
      const s = smt(b, r);
      return Array.from(s.at, (a, x) => ({ key: `${s.p1[x]}:${s.p2[x]}:${s.r1[x]}:${s.r2[x]}:${s.dir[x]}`, known: a, events: [] }));
    },
    objectsAgree: (b, r) => {
      const s = smt(b, r);
      const recs = smtObjects(b, r);
      expect(recs.length).toBe(s.at.length);
      recs.forEach((rec, x) => {
        expect(rec.time).toBe(T(b, s.at[x]!));
        expect(rec.type).toBe(dirName(s.dir[x]!));
        expect(rec.primary?.time).toBe(T(b, s.p2[x]!));
        expect(rec.ref?.time).toBe(T(r, s.r2[x]!));
        expect(rec.leader).toBe(s.leader[x] ? "ref" : "primary");
      });
    },
  },
];

/** The rows of the full series as they stood at the close of bar `last`: known by then, later events not yet. */
function asOf(rows: Row[], last: number): Row[] {
  return rows.filter((r) => r.known <= last).map((r) => ({ ...r, events: r.events.map((e) => (e <= last ? e : -1)) }));
}
const sorted = (rows: Row[]) => [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.known - b.known));

function series(n: number, seed: number): Columns {
  const b = tickWalkBars(n, seed);
  return columnsFromArrays(b);
}
/** A reference series on the same minutes, correlated with `b` but not equal. */
function reference(n: number, seed: number): Columns {
  const a = tickWalkBars(n, seed);
  const d = tickWalkBars(n, seed + 1000);
  const mix = (x: Float64Array, y: Float64Array) => x.map((v, i) => Math.round((v * 0.7 + y[i]! * 0.3) * 100) / 100);
  const o = mix(a.o, d.o),
    c = mix(a.c, d.c);
  const h = mix(a.h, d.h).map((v, i) => Math.max(v, o[i]!, c[i]!));
  const l = mix(a.l, d.l).map((v, i) => Math.min(v, o[i]!, c[i]!));
  return columnsFromArrays({ t: a.t, o, h, l, c, v: a.v });
}

describe("detector contract", () => {
  const N = 600;
  const bars = [11, 12, 13].map((s) => series(N, s));
  const refs = [11, 12, 13].map((s) => reference(N, s));

  for (const d of DETECTORS) {
    describe(d.name, () => {
      it("no bars and one bar: an empty result (ATR: one value), not an error", () => {
        const empty = sliceColumns(bars[0]!, 0, 0);
        const one = sliceColumns(bars[0]!, 0, 1);
        expect(d.rows(empty, sliceColumns(refs[0]!, 0, 0))).toEqual([]);
        const r1 = d.rows(one, sliceColumns(refs[0]!, 0, 1));
        expect(r1.length).toBe(d.name === "atr" ? 1 : 0);
        d.objectsAgree(empty, sliceColumns(refs[0]!, 0, 0));
        d.objectsAgree(one, sliceColumns(refs[0]!, 0, 1));
      });

      it("the series finds something (the other checks have events to compare)", () => {
        expect(bars.reduce((n, b, i) => n + d.rows(b, refs[i]!).length, 0)).toBeGreaterThan(0);
      });

      it("appending bars never changes what was already known (every cut of three seeded series)", () => {
        for (let s = 0; s < bars.length; s++) {
          const b = bars[s]!,
            r = refs[s]!;
          const full = d.rows(b, r);
          for (let m = 1; m <= N; m += m < 40 ? 1 : 37) {
            const pre = d.rows(sliceColumns(b, 0, m), sliceColumns(r, 0, m));
            expect(sorted(pre), `${d.name}, series ${s}, first ${m} bars`).toEqual(sorted(asOf(full, m - 1)));
          }
        }
      });

      it("the object view says what the columns say", () => {
        for (let s = 0; s < bars.length; s++) d.objectsAgree(bars[s]!, refs[s]!);
      });
    });
  }

  it("equilibrium: no bars give no EQ, one bar its midpoint without direction or OTE; the leg lies inside the bars known", () => {
    expect(equilibrium(sliceColumns(bars[0]!, 0, 0))).toEqual({ eq: null, ote: null, leg: null, ote_705: null });
    const one = sliceColumns(bars[0]!, 0, 1);
    const e1 = equilibrium(one);
    expect(e1.eq).toBe((one.h[0]! + one.l[0]!) / 2);
    expect(e1.ote).toBeNull();
    for (let m = 2; m <= N; m += 23) {
      const b = sliceColumns(bars[1]!, 0, m);
      const e = equilibrium(b);
      expect(e.leg).not.toBeNull();
      if (e.leg!.origin_index !== null && e.leg!.origin_index !== undefined) expect(e.leg!.origin_index).toBeLessThan(m);
      expect(e.leg!.low).toBeLessThanOrEqual(e.leg!.high);
      if (e.ote) expect(e.ote[0]).toBeLessThanOrEqual(e.ote[1]);
    }
  });
});
