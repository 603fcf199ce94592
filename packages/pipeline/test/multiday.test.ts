/**
 * Zones across days (`ict`): a gap formed late on one day is still in the
 * capsule and tracked at the next day's open, with its time-to-live counted
 * in bars of the sessions (the night does not age it), and it ends by its own
 * event on the next day. Hand-built from the ICT definition of a fair value
 * gap: three candles, the third's low above the first's high.
 */
import { describe, expect, it } from "vitest";
import { columnsFromBars, type Columns } from "@ict/core";
import { createWatchlist, tick, ZONE_HISTORY_DAYS, type ContextDoc, type TickOutput } from "../src/index.js";

interface Bar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

const MIN = 60_000;
const open = (day: string) => Date.parse(`${day}T14:30:00Z`); // 09:30 New York in January (EST)

/** A regular session of slowly rising, overlapping 1m bars (no gap among them) from `start`; `shape` may replace a bar. */
function session(day: string, start: number, shape: (i: number, prev: Bar | undefined) => Bar | null = () => null): Bar[] {
  const out: Bar[] = [];
  let c = start;
  for (let i = 0; i < 390; i++) {
    const t = open(day) + i * MIN;
    const b = shape(i, out[i - 1]) ?? { t, o: c, h: c + 0.03, l: c - 0.03, c: c + 0.01, v: 1000 };
    out.push({ ...b, t });
    c = b.c;
  }
  return out;
}

/** Day 1 (2024-01-02): a bullish displacement at 15:45; its fair value gap [15:44 high, 15:46 low] is known at 15:46. */
const DAY1 = session("2024-01-02", 100, (i, p) => {
  if (i === 375) return { t: 0, o: p!.c, h: p!.c + 1.03, l: p!.c - 0.03, c: p!.c + 1, v: 5000 };
  return null;
});
const A = DAY1[374]!;
const C = DAY1[376]!;
const GAP = [A.h, C.l] as const;
const ID = "FVG:1m:2024-01-02T20:44:00+00:00";

const cols = (b: readonly Bar[]): Columns => columnsFromBars(b as Bar[]);

/** Ticks a day minute by minute from `context`, with `history` as the earlier days; every output. */
function runDay(day: readonly Bar[], history: readonly Bar[], context: ContextDoc | null): TickOutput[] {
  const out: TickOutput[] = [];
  for (let k = 0; k < day.length; k++) {
    const o = tick({
      watchlist: ["SPY"],
      bars1m: { SPY: cols(day.slice(0, k + 1)) },
      history1m: history.length > 0 ? { SPY: cols(history) } : null,
      now: day[k]!.t,
      context,
    });
    context = o.context;
    out.push(o);
  }
  return out;
}

const conf = (o: TickOutput) => o.context.symbols[0]!.state!.confluences.find((c) => c.id === ID);
const at = (day: string, hhmm: string) => open(day) + ((+hhmm.slice(0, 2) - 9) * 60 + +hhmm.slice(3) - 30) * MIN;
const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "+00:00");

describe("zones across days (ict)", () => {
  const day1 = runDay(DAY1, [], null);

  it("the fixture: one bullish 1m gap at 15:44-15:46 on day 1, active at the close", () => {
    expect(GAP[1]).toBeGreaterThan(GAP[0]);
    const last = day1.at(-1)!;
    const gaps = last.capsules.SPY!.features.tf_1m.fvg;
    expect(gaps.map((g) => [g.start, g.dir, g.known_time])).toEqual([[iso(A.t), "bull", iso(C.t)]]);
    expect(conf(last)).toMatchObject({ status: "active", first_seen_utc: iso(C.t) });
  });

  it("still listed and active at the next open; the night does not age it: expires at the 90th 1m bar after 15:46 (10:46 next day)", () => {
    // Day 2 rises away from the gap: only the time-to-live can end it.
    const DAY2 = session("2024-01-03", DAY1.at(-1)!.c);
    const day2 = runDay(DAY2, DAY1, day1.at(-1)!.context);
    const first = day2[0]!;
    expect(first.capsules.SPY!.features.tf_1m.fvg.map((g) => g.start)).toContain(iso(A.t));
    // Carried from day 1's context: first seen then, not at today's open.
    expect(conf(first)).toMatchObject({ status: "active", first_seen_utc: iso(C.t) });
    expect(first.prompts.SPY).toContain("from 01-02 15:46");
    // 13 bars after 15:46 on day 1 (15:47-15:59), so the 90th is day 2's 77th bar: 09:30 + 76 minutes.
    const times = [...DAY1, ...DAY2].map((b) => b.t);
    const expiry = times[times.indexOf(C.t) + 90]!;
    expect(expiry).toBe(at("2024-01-03", "10:46"));
    const k = DAY2.findIndex((b) => b.t === expiry);
    expect(conf(day2[k]!)!.status).toBe("active");
    expect(conf(day2[k + 1]!)).toMatchObject({ status: "expired", status_since_utc: iso(expiry) });
    // A clock-minute TTL would have ended it at 17:16 on day 1, before the next open.
  });

  it("filled on day 2 by its own event when price comes back into it at 10:00", () => {
    const DAY2 = session("2024-01-03", DAY1.at(-1)!.c + 0.5, (i, p) =>
      i === 30 ? { t: 0, o: p!.c, h: p!.c + 0.03, l: GAP[0] - 0.01, c: GAP[0] + 0.2, v: 9000 } : null,
    );
    const day2 = runDay(DAY2, DAY1, day1.at(-1)!.context);
    expect(conf(day2[29]!)!.status).toBe("active");
    const c = conf(day2[30]!)!;
    expect(c.status).toBe("filled");
    expect(c.status_since_utc).toBe(iso(at("2024-01-03", "10:00")));
  });

  it("a record of an earlier day that ended before the day began is left out of the capsule", () => {
    // Day 2 fills the gap at 10:00; day 3 no longer lists it (day 2 is its zone history).
    const DAY2 = session("2024-01-03", DAY1.at(-1)!.c + 0.5, (i, p) =>
      i === 30 ? { t: 0, o: p!.c, h: p!.c + 0.03, l: GAP[0] - 0.01, c: GAP[0] + 0.2, v: 9000 } : null,
    );
    const DAY3 = session("2024-01-04", DAY2.at(-1)!.c);
    const o = tick({
      watchlist: ["SPY"],
      bars1m: { SPY: cols(DAY3.slice(0, 1)) },
      history1m: { SPY: cols([...DAY1, ...DAY2]) },
      now: DAY3[0]!.t,
    });
    expect(ZONE_HISTORY_DAYS).toBe(2);
    expect(o.capsules.SPY!.features.tf_1m.fvg.map((g) => g.start)).not.toContain(iso(A.t));
    // Within day 2 it was listed (filled during the day).
    const o2 = tick({ watchlist: ["SPY"], bars1m: { SPY: cols(DAY2) }, history1m: { SPY: cols(DAY1) }, now: DAY2.at(-1)!.t });
    expect(o2.capsules.SPY!.features.tf_1m.fvg.find((g) => g.start === iso(A.t))?.filled_at).toBe(iso(at("2024-01-03", "10:00")));
  });

  it("the watchlist of day 2, from day 1's context and bars, equals tick at every minute; a revision of a day-1 bar is refused", () => {
    const DAY2 = session("2024-01-03", DAY1.at(-1)!.c + 0.5, (i, p) =>
      i === 30 ? { t: 0, o: p!.c, h: p!.c + 0.03, l: GAP[0] - 0.01, c: GAP[0] + 0.2, v: 9000 } : null,
    );
    const context = JSON.parse(JSON.stringify(day1.at(-1)!.context)) as ContextDoc;
    const want = runDay(DAY2.slice(0, 120), DAY1, context);
    const wl = createWatchlist({ watchlist: ["SPY"], dayEt: "2024-01-03", context, history1m: { SPY: cols(DAY1) } });
    for (let k = 0; k < 120; k++) {
      wl.push("SPY", DAY2[k]!);
      expect(JSON.stringify(wl.tick(DAY2[k]!.t)), `minute ${k}`).toBe(JSON.stringify(want[k]));
    }
    expect(() => wl.push("SPY", DAY1.at(-1)!)).toThrow(/revises no bar pushed this day/);
  });
});
