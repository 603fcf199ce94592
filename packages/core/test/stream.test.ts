/**
 * The streaming detectors (issue #13): after every push, `features()` equals
 * `computeFeatures` of the bars so far — after appends, revisions of any of the
 * last 30 bars and JSON snapshot round trips — and the events of the updates
 * are exactly the records' known and status times.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  atr,
  BarValidationError,
  columnsFromArrays,
  columnsFromCsv,
  computeFeatures,
  createStream,
  OptionError,
  restoreStream,
  sliceColumns,
  StreamOrderError,
  StreamRevisionError,
  StreamSnapshotError,
  structureEvents,
  swingPoints,
  type Columns,
  type FeatureStream,
  type IncrementalStreamOptions,
  type StreamEvent,
  type TfFeatures,
} from "../src/index.js";
import { HAS_SHARED, NO_SHARED_REASON, rng, SHARED } from "./helpers.js";
import { tickWalkBars } from "@ict/testkit";

const RUNS = { seed: 20261203, numRuns: 40 };

type BarObj = { t: number; o: number; h: number; l: number; c: number; v: number };

const barAt = (cols: Columns, i: number): BarObj => ({
  t: cols.t[i]!,
  o: cols.o[i]!,
  h: cols.h[i]!,
  l: cols.l[i]!,
  c: cols.c[i]!,
  v: cols.v[i]!,
});

/** Columns of bar objects (already sorted and valid). */
const colsOf = (bars: BarObj[]): Columns =>
  columnsFromArrays({
    t: bars.map((b) => b.t),
    o: bars.map((b) => b.o),
    h: bars.map((b) => b.h),
    l: bars.map((b) => b.l),
    c: bars.map((b) => b.c),
    v: bars.map((b) => b.v),
  });

/**
 * Same value, same key order, same floats bit for bit (JSON.stringify writes
 * the shortest text that reads back as the same double). On a difference,
 * names the first list entry that differs.
 */
function expectSame(got: TfFeatures, want: TfFeatures, where: string): void {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g === w) return;
  for (const k of Object.keys(want) as (keyof TfFeatures)[]) {
    const a = got[k],
      b = want[k];
    if (Array.isArray(b) && Array.isArray(a)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) expect({ where, key: k, i, rec: a[i] }).toEqual({ where, key: k, i, rec: b[i] });
      }
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) expect({ where, key: k, v: a }).toEqual({ where, key: k, v: b });
  }
  expect(g).toBe(w);
}

/**
 * Every event the batch records imply, keyed `bar|kind|type|dir|anchor`: each
 * swing and break at its confirmation bar, each zone at its known bar, each
 * status change at the bar of its time field.
 */
function batchEvents(cols: Columns, opts: IncrementalStreamOptions): string[] {
  const f = computeFeatures(cols, opts);
  const index = new Map<string, number>();
  for (let i = 0; i < cols.length; i++) index.set(new Date(cols.t[i]!).toISOString(), i);
  const barOf = (iso: string) => index.get(new Date(Date.parse(iso)).toISOString())!;
  const out: string[] = [];
  const add = (kind: string, type: string, dir: string, anchor: string, at: string | null | undefined) => {
    if (typeof at === "string") out.push(`${barOf(at)}|${kind}|${type}|${dir}|${anchor}`);
  };
  for (const s of swingPoints(cols, opts)) add("swing", "new", s.kind === "high" ? "bear" : "bull", s.time, s.known_time);
  for (const e of structureEvents(cols, opts)) add(e.kind === "CHOCH" ? "choch" : "bos", "new", e.dir, e.time, e.known_time);
  for (const r of f.fvg) {
    add("fvg", "new", r.dir, r.start, r.known_time);
    add("fvg", "mitigated", r.dir, r.start, r.mitigated_at);
    add("fvg", "filled", r.dir, r.start, r.filled_at);
    add("fvg", "traded", r.dir, r.start, r.traded_through_at);
  }
  for (const r of f.ifvg) {
    add("ifvg", "new", r.dir, r.start, r.known_time);
    add("ifvg", "invalidated", r.dir, r.start, r.invalidated_at);
  }
  for (const r of f.ob) {
    add("ob", "new", r.dir, r.time, r.known_time);
    add("ob", "mitigated", r.dir, r.time, r.mitigated_at);
    add("ob", "invalidated", r.dir, r.time, r.invalidated_at);
  }
  for (const r of f.bb) {
    add("bb", "new", r.dir, r.from_ob_time, r.known_time);
    add("bb", "invalidated", r.dir, r.from_ob_time, r.invalidated_at);
  }
  return out.sort();
}

const evKey = (e: StreamEvent) => `${e.bar}|${e.kind}|${e.type}|${e.dir}|${e.anchor}`;

/** A consumer of updates: drops its events from `from` on, adds the new ones (as the contract says). */
class EventLog {
  events: StreamEvent[] = [];
  apply(u: { from: number; events: StreamEvent[] }): void {
    this.events = this.events.filter((e) => e.bar < u.from).concat(u.events);
  }
  keys(): string[] {
    return this.events.map(evKey).sort();
  }
}

/** Random-walk bars with regimes: trends, ranges, volatility bursts and displacement candles (many zones). */
const regimeBars = (n: number, seed: number): Columns => {
  const r = rng(seed);
  const t: number[] = [],
    o: number[] = [],
    h: number[] = [],
    l: number[] = [],
    c: number[] = [],
    v: number[] = [];
  let p = 10000;
  let drift = 0,
    vol = 20,
    left = 0;
  for (let i = 0; i < n; i++) {
    if (left-- <= 0) {
      drift = Math.round((r() - 0.5) * 16);
      vol = 5 + Math.floor(r() * 40);
      left = 10 + Math.floor(r() * 60);
    }
    const open = p;
    let step = drift + Math.round((r() - 0.5) * vol);
    if (r() < 0.04) step *= 5; // displacement
    const flat = r() < 0.04;
    const cl = flat ? open : Math.max(100, open + step);
    const hi = flat ? open : Math.max(open, cl) + (r() < 0.1 ? 0 : Math.floor(r() * vol * 0.6));
    const lo = flat ? open : Math.max(1, Math.min(open, cl) - (r() < 0.1 ? 0 : Math.floor(r() * vol * 0.6)));
    t.push(Date.UTC(2024, 0, 2, 14, 30) + i * 60_000);
    o.push(open / 100);
    h.push(hi / 100);
    l.push(lo / 100);
    c.push(cl / 100);
    v.push(Math.floor(r() * 1000));
    p = cl;
  }
  return columnsFromArrays({ t, o, h, l, c, v });
};

/**
 * Full-precision prices (a multiplicative walk near 1 with regimes): no tick,
 * so tolerances and float order decide (near-equal levels, `tol` of the same
 * size as the moves).
 */
const floatBars = (n: number, seed: number): Columns => {
  const r = rng(seed);
  const t: number[] = [],
    o: number[] = [],
    h: number[] = [],
    l: number[] = [],
    c: number[] = [];
  let p = 1 + r();
  let drift = 0,
    vol = 0.01,
    left = 0;
  for (let i = 0; i < n; i++) {
    if (left-- <= 0) {
      drift = (r() - 0.5) * 0.006;
      vol = 0.002 + r() * 0.02;
      left = 10 + Math.floor(r() * 50);
    }
    const open = p;
    const close = Math.max(0.05, open * (1 + drift + (r() - 0.5) * vol * (r() < 0.05 ? 6 : 1)));
    t.push(Date.UTC(2024, 0, 2) + i * 300_000);
    o.push(open);
    c.push(close);
    h.push(Math.max(open, close) * (1 + r() * vol * 0.5));
    l.push(Math.min(open, close) * (1 - r() * vol * 0.5));
    p = close;
  }
  return columnsFromArrays({ t, o, h, l, c });
};

/** Pushes every bar and compares with the batch after each one (and the events at the end). */
function checkPrefixes(cols: Columns, opts: IncrementalStreamOptions, label: string, every = 1): FeatureStream {
  const s = createStream(opts);
  const log = new EventLog();
  for (let i = 0; i < cols.length; i++) {
    const u = s.push(barAt(cols, i));
    expect(u.from).toBe(i);
    expect(u.revised).toBe(false);
    // Nothing is reported before it is known: every event of this update is at this bar.
    for (const e of u.events) expect(e.bar).toBe(i);
    log.apply(u);
    expect(s.length).toBe(i + 1);
    if (i % every === 0 || i === cols.length - 1)
      expectSame(s.features(), computeFeatures(sliceColumns(cols, 0, i + 1), opts), `${label} bar ${i}`);
  }
  expect(log.keys()).toEqual(batchEvents(cols, opts));
  return s;
}

const OPTION_SETS: IncrementalStreamOptions[] = [
  { tf: "1m" },
  { tf: "1m", fillPolicy: "full" },
  { tf: "1m", minGapAtr: 0.3 },
  { tf: "1m", k: 3 },
  { tf: "1m", k: 1, equalPivots: "strict" },
  { tf: "1m", atr: { period: 7 } },
  { tf: "1m", atr: { period: 45 }, displacementAtrMult: 0.8 },
  { tf: "1m", atr: { period: 14, method: "wilder" } },
  { tf: "1m", ifvgRetestBars: 3, breakerLookahead: 12, obLookback: 4, lookback: 20 },
  { tf: "1m", ifvgRetestBars: 0, breakerLookahead: 0, tol: 0.004 },
];

describe("createStream: push equals batch on every prefix", () => {
  it("seeded random walks (helpers.tickWalkBars), every option set", () => {
    OPTION_SETS.forEach((opts, j) =>
      checkPrefixes(columnsFromArrays(tickWalkBars(260, 100 + j)), opts, `tickWalkBars ${j} ${JSON.stringify(opts)}`),
    );
  });

  it("regime bars with many zones (fast-check: seed, length, option set)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 0, max: 320 }),
        fc.integer({ min: 0, max: OPTION_SETS.length - 1 }),
        (seed, n, j) => {
          const cols = regimeBars(n, seed);
          checkPrefixes(cols, OPTION_SETS[j]!, `regime seed ${seed} n ${n} opts ${j}`);
        },
      ),
      RUNS,
    );
  });

  it("ATR bit for bit on full-precision prices (the kernel's tree order of every period 1..70, SMA and Wilder)", () => {
    // Prices near 1 with wide ranges: true ranges carry all 53 bits, so a
    // different summation order shows in the last bits (prices on a tick, or
    // near 100, give sums that are exact in any order).
    const r = rng(77);
    const n = 400;
    const t: number[] = [],
      o: number[] = [],
      h: number[] = [],
      l: number[] = [],
      c: number[] = [];
    for (let i = 0; i < n; i++) {
      const open = 1 + r() * 0.5;
      const close = 1 + r() * 0.5;
      t.push(Date.UTC(2024, 0, 2) + i * 60_000);
      o.push(open);
      c.push(close);
      h.push(Math.max(open, close) + r() * 0.4);
      l.push(Math.min(open, close) * (1 - r() * 0.5));
    }
    const cols = columnsFromArrays({ t, o, h, l, c });
    for (let period = 1; period <= 70; period++) {
      for (const method of ["sma", "wilder"] as const) {
        const want = atr(cols, { period, method });
        const s = createStream({ tf: "1m", atr: { period, method } });
        for (let i = 0; i < n; i++) {
          s.push(barAt(cols, i));
          const got = s.features().atr_last!;
          if (!Object.is(got, want[i])) expect({ period, method, i, got }).toEqual({ period, method, i, got: want[i] });
        }
      }
    }
  });

  it("full-precision prices, tolerances of the size of the moves (fast-check: seed, length, option set)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: OPTION_SETS.length - 1 }),
        fc.constantFrom(0, 1e-6, 0.002, 0.01),
        (seed, n, j, tol) => {
          checkPrefixes(floatBars(n, seed), { ...OPTION_SETS[j]!, tol }, `float seed ${seed} n ${n} opts ${j} tol ${tol}`);
        },
      ),
      RUNS,
    );
  });

  it("a long history (the working state retires dead zones; still equal at the end)", () => {
    const cols = regimeBars(6000, 7);
    const s = checkPrefixes(cols, { tf: "1m" }, "long", 997);
    const f = s.features();
    expect(f.fvg.length).toBeGreaterThan(300);
    expect(f.ob.length).toBeGreaterThan(100);
    expect(f.ifvg.length).toBeGreaterThan(20);
    expect(f.bb.length).toBeGreaterThan(10);
  });

  it("the working state stays bounded: dead zones retired, journal and checkpoints only for the revision window", () => {
    const cols = regimeBars(30_000, 19);
    const s = createStream({ tf: "1m", revisionWindow: 200 }) as any;
    const sizes: number[][] = [];
    for (let i = 0; i < cols.length; i++) {
      s.push(barAt(cols, i));
      if (i === 10_000 || i === 29_999) {
        const d = s.det;
        const journal = d.ctx.journal.chunks.reduce((a: number, c: unknown[]) => a + c.length, 0);
        sizes.push([
          d.fvg.live.size + d.ob.live.size + d.ifvg.live.size + d.bb.live.size,
          d.touch.size,
          journal,
          s.checkpoints.length,
          s.ring.capacity,
        ]);
      }
    }
    const [a, b] = sizes as [number[], number[]];
    const f = s.features();
    const dead =
      f.fvg.filter((r: { traded_through: boolean }) => r.traded_through).length +
      f.ob.filter((r: { invalidated: boolean }) => r.invalidated).length;
    // Most zones are dead and gone from the working state; what is open is what price has not reached.
    expect(dead).toBeGreaterThan(3 * b[0]!);
    expect(b[3]).toBeLessThanOrEqual(Math.ceil(200 / 64) + 2);
    expect(b[4]).toBe(a[4]);
    expect(b[2]).toBeLessThan(4 * (200 + 64) * 4); // a few changes per bar of the window
  });

  it("records that can no longer change are shared between features() calls", () => {
    const cols = regimeBars(800, 11);
    const s = createStream({ tf: "1m" });
    for (let i = 0; i < 400; i++) s.push(barAt(cols, i));
    const a = s.features();
    for (let i = 400; i < 800; i++) s.push(barAt(cols, i));
    const b = s.features();
    const dead = a.fvg.filter((r) => r.traded_through);
    expect(dead.length).toBeGreaterThan(10);
    for (const r of dead) expect(b.fvg).toContain(r); // the same object, not a copy
  });
});

describe("createStream: revisions", () => {
  it("random revisions of one of the last 30 bars equal the batch of the corrected history", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 40, max: 300 }),
        fc.integer({ min: 0, max: OPTION_SETS.length - 1 }),
        (seed, n, j) => {
          const opts = OPTION_SETS[j]!;
          const cols = regimeBars(n, seed);
          const r = rng(seed ^ 0x5eed);
          const bars: BarObj[] = [];
          const s = createStream(opts);
          const log = new EventLog();
          for (let i = 0; i < n; i++) {
            bars.push(barAt(cols, i));
            log.apply(s.push(bars[i]!));
            if (i >= 5 && r() < 0.25) {
              // Revise one of the last 30 bars: a new body and wicks around its open.
              const at = Math.max(0, i - Math.floor(r() * 30));
              const b = bars[at]!;
              const close = Math.round(b.o * 100 + (r() - 0.5) * 80) / 100;
              const hi = Math.max(b.o, close) + Math.floor(r() * 20) / 100;
              const lo = Math.max(0.01, Math.min(b.o, close) - Math.floor(r() * 20) / 100);
              bars[at] = { t: b.t, o: b.o, h: hi, l: lo, c: close, v: b.v + 1 };
              const u = s.push(bars[at]!);
              expect(u.revised).toBe(true);
              expect(u.from).toBe(at);
              for (const e of u.events) expect(e.bar).toBeGreaterThanOrEqual(at);
              for (let k = 1; k < u.events.length; k++) expect(u.events[k]!.bar).toBeGreaterThanOrEqual(u.events[k - 1]!.bar);
              log.apply(u);
              expect(s.length).toBe(i + 1);
              const hist = colsOf(bars);
              expectSame(s.features(), computeFeatures(hist, opts), `revision seed ${seed} bar ${at} of ${i}`);
              expect(log.keys()).toEqual(batchEvents(hist, opts));
            } else if (r() < 0.2) {
              expectSame(s.features(), computeFeatures(colsOf(bars), opts), `seed ${seed} bar ${i}`);
            }
          }
          expectSame(s.features(), computeFeatures(colsOf(bars), opts), `seed ${seed} end`);
        },
      ),
      { seed: RUNS.seed, numRuns: 30 },
    );
  });

  it("a forming bar revised as its parts arrive (a 5m bar fed by 1m bars), mixed with older revisions and snapshot/restore", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 30, max: 200 }),
        fc.integer({ min: 0, max: OPTION_SETS.length - 1 }),
        (seed, n, j) => {
          const opts = OPTION_SETS[j]!;
          const parts = regimeBars(n * 5, seed);
          const r = rng(seed ^ 0xf0f0);
          const bars: BarObj[] = [];
          let s = createStream(opts);
          const log = new EventLog();
          for (let i = 0; i < n; i++) {
            // The bar of bucket i as its 1..5 parts arrive: open of the first, extremes so far, close of the last.
            for (let p = 0; p < 5; p++) {
              const first = barAt(parts, i * 5);
              const cur = barAt(parts, i * 5 + p);
              const prev = p === 0 ? null : bars[i]!;
              const bar = {
                t: first.t,
                o: first.o,
                h: prev ? Math.max(prev.h, cur.h) : cur.h,
                l: prev ? Math.min(prev.l, cur.l) : cur.l,
                c: cur.c,
                v: (prev?.v ?? 0) + cur.v,
              };
              bars[i] = bar;
              const u = s.push(bar);
              expect(u.revised).toBe(p > 0);
              expect(u.from).toBe(i);
              log.apply(u);
              if (r() < 0.15) expectSame(s.features(), computeFeatures(colsOf(bars), opts), `forming seed ${seed} bar ${i} part ${p}`);
            }
            if (i >= 3 && r() < 0.1) {
              // An older correction in between (the slow path), then the forming path again.
              const at = i - 1 - Math.floor(r() * Math.min(i, 20));
              const b = bars[at]!;
              bars[at] = { ...b, c: b.o, h: Math.max(b.h, b.o), l: Math.min(b.l, b.o), v: b.v + 1 };
              log.apply(s.push(bars[at]!));
            }
            if (r() < 0.05) s = restoreStream(JSON.parse(JSON.stringify(s.snapshot())));
          }
          const hist = colsOf(bars);
          expectSame(s.features(), computeFeatures(hist, opts), `forming seed ${seed} end`);
        },
      ),
      { seed: RUNS.seed, numRuns: 25 },
    );
  });

  it("revising a bar with its own values changes nothing; the window is the documented one", () => {
    const cols = regimeBars(1500, 3);
    const s = createStream({ tf: "1m", revisionWindow: 100 });
    for (let i = 0; i < cols.length; i++) s.push(barAt(cols, i));
    const before = JSON.stringify(s.features());
    const u = s.push(barAt(cols, cols.length - 100));
    expect(u.revised).toBe(true);
    expect(JSON.stringify(s.features())).toBe(before);
    expect(() => s.push(barAt(cols, 200))).toThrow(StreamRevisionError);
    expect(() => s.push(barAt(cols, 0))).toThrow(StreamRevisionError);
  });
});

describe("createStream: snapshot and restore", () => {
  it("restoreStream(JSON round trip) continues identically (updates, features, revisions)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: OPTION_SETS.length - 1 }),
        (seed, n, j) => {
          const opts = OPTION_SETS[j]!;
          const cols = regimeBars(n + 60, seed);
          const r = rng(seed);
          const a = createStream(opts);
          for (let i = 0; i < n; i++) a.push(barAt(cols, i));
          const snap = a.snapshot();
          const b = restoreStream(JSON.parse(JSON.stringify(snap)));
          expect(b.length).toBe(a.length);
          expectSame(b.features(), a.features(), `restored seed ${seed} at ${n}`);
          for (let i = n; i < n + 60; i++) {
            let bar = barAt(cols, i);
            const ua = a.push(bar);
            const ub = b.push(bar);
            expect(ub).toEqual(ua);
            if (i > 0 && r() < 0.15) {
              const at = Math.max(0, i - Math.floor(r() * 30));
              const old = barAt(cols, at);
              bar = { ...old, c: old.o, h: Math.max(old.h, old.o), l: Math.min(old.l, old.o) };
              expect(b.push(bar)).toEqual(a.push(bar));
            }
            expectSame(b.features(), a.features(), `continued seed ${seed} bar ${i}`);
          }
        },
      ),
      { seed: RUNS.seed, numRuns: 30 },
    );
  });

  it("a snapshot is plain JSON", () => {
    const s = createStream({ tf: "1m" });
    const cols = regimeBars(300, 5);
    for (let i = 0; i < cols.length; i++) s.push(barAt(cols, i));
    const snap = s.snapshot();
    expect(snap.version).toBe(1);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});

describe("createStream: typed errors", () => {
  it("options: validated up front like computeFeatures; seed-v0.1 is refused (not causal)", () => {
    expect(() => createStream({ tf: "1m", profile: "seed-v0.1" })).toThrow(OptionError);
    expect(() => createStream({ tf: "1m", profile: "seed-v0.1" })).toThrow(/causal|looks ahead/);
    expect(() => createStream({ tf: "1m", k: 0 })).toThrow(OptionError);
    expect(() => createStream({ tf: "1m", fillPolicy: "half" as never })).toThrow(OptionError);
    expect(() => createStream({ tf: "1m", revisionWindow: -1 })).toThrow(OptionError);
    expect(() => createStream({} as never)).toThrow(OptionError);
  });

  it("an empty stream's features and snapshot are those of no bars", () => {
    const s = createStream({ tf: "5m" });
    expectSame(s.features(), computeFeatures(columnsFromArrays({ t: [], o: [], h: [], l: [], c: [] }), { tf: "5m" }), "empty");
    const r = restoreStream(JSON.parse(JSON.stringify(s.snapshot())));
    expect(r.length).toBe(0);
    const bar = { t: "2024-01-02T14:30:00Z", o: 1, h: 2, l: 0.5, c: 1.5 };
    expect(r.push(bar)).toEqual(s.push(bar));
  });

  it("bars: validated like every input; earlier unknown times refused", () => {
    const s = createStream({ tf: "1m" });
    s.push({ t: "2024-01-02T14:30:00Z", o: 1, h: 2, l: 0.5, c: 1.5 });
    expect(() => s.push({ t: "2024-01-02T14:31:00Z", o: 1, h: 0.9, l: 0.5, c: 0.8 })).toThrow(BarValidationError);
    expect(() => s.push({ t: "2024-01-02T14:31:00Z", o: "1" as never, h: 2, l: 0.5, c: 1 })).toThrow(/field "o"/);
    expect(() => s.push({ t: "not a time", o: 1, h: 2, l: 0.5, c: 1 })).toThrow(/field "t"/);
    expect(() => s.push({ t: "2024-01-02T14:31:00Z", o: 1, h: 2, l: 0.5, c: 1, v: -1 })).toThrow(/field "v"/);
    s.push({ t: new Date("2024-01-02T14:32:00Z"), o: 1, h: 2, l: 0.5, c: 1.5 });
    expect(() => s.push({ t: "2024-01-02T14:31:00Z", o: 1, h: 2, l: 0.5, c: 1 })).toThrow(StreamOrderError);
    expect(s.length).toBe(2);
    const u = s.push({ t: Date.UTC(2024, 0, 2, 14, 30), o: 1, h: 2.5, l: 0.5, c: 2 });
    expect(u).toMatchObject({ from: 0, revised: true });
    expect(s.length).toBe(2);
  });

  it("snapshots: a foreign or damaged snapshot is refused", () => {
    expect(() => restoreStream(null as never)).toThrow(StreamSnapshotError);
    expect(() => restoreStream({ version: 2, options: { tf: "1m" } } as never)).toThrow(StreamSnapshotError);
    expect(() => restoreStream({ version: 1, options: { tf: "1m" }, kind: "recompute" })).toThrow(StreamSnapshotError);
  });
});

/** Real bars of ../shared: one file's bars (CSV, optionally gzip). */
function readReal(rel: string): Columns {
  const path = join(SHARED, "data", "real", rel);
  const raw = readFileSync(path);
  return columnsFromCsv((rel.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8"));
}

describe.skipIf(!HAS_SHARED && !process.env.CI)(`real sessions${HAS_SHARED ? "" : ` (skipped: ${NO_SHARED_REASON})`}`, () => {
  it("../shared is present (required in CI)", () => {
    expect(HAS_SHARED).toBe(true);
  });

  it("SPY, QQQ and IWM 1m sessions and ES 5m bars, every prefix", () => {
    const files = ["SPY_1m", "QQQ_1m", "IWM_1m"].map(
      (d) => `${d}/${readdirSync(join(SHARED, "data", "real", d)).find((f) => f.endsWith("_yahoo.csv"))}`,
    );
    for (const f of files) {
      const cols = readReal(f);
      // Two sessions of each (800 bars), compared after every bar.
      checkPrefixes(sliceColumns(cols, 0, Math.min(cols.length, 800)), { tf: "1m" }, f);
    }
    const es = readReal(`ES_5m/${readdirSync(join(SHARED, "data", "real", "ES_5m"))[0]}`);
    checkPrefixes(sliceColumns(es, 0, 1000), { tf: "5m", fillPolicy: "full" }, "ES 5m");
  }, 240_000);

  it("random windows of BTCUSDT 1m with random revisions", () => {
    const cols = readReal("BTCUSDT_1m/BTCUSDT_1m_2024.csv.gz");
    const r = rng(2024);
    for (let w = 0; w < 3; w++) {
      const from = Math.floor(r() * (cols.length - 2000));
      const win = sliceColumns(cols, from, from + 700);
      const bars: BarObj[] = [];
      const s = createStream({ tf: "1m" });
      for (let i = 0; i < win.length; i++) {
        bars.push(barAt(win, i));
        s.push(bars[i]!);
        if (i > 30 && r() < 0.05) {
          const at = i - Math.floor(r() * 30);
          const b = bars[at]!;
          bars[at] = { ...b, c: b.o, h: Math.max(b.h, b.o), l: Math.min(b.l, b.o) };
          s.push(bars[at]!);
        }
        if (i % 7 === 0 || i === win.length - 1)
          expectSame(s.features(), computeFeatures(colsOf(bars), { tf: "1m" }), `BTC window ${from} bar ${i}`);
      }
    }
  }, 240_000);
});
