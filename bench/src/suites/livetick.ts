// Suite "live tick": one tick of the live loop for a 50-symbol watchlist near
// the end of a New York session (issue #13): every symbol's 1m bar of the
// minute, its 5m aggregate, SMT against SPY, the tracker and the prompt.
//
// Impls: "stream" (createWatchlist: the bar pushed into each symbol's streams,
// then watchlist.tick(now)) and "recompute" (the pure tick() over the day's
// bars so far, as replay and live did before). A session of 390 minutes is
// run through both, tick by tick, with the previous tick's context; each of
// the last TAIL ticks (bars 390 - TAIL + 1 .. 390) is timed singly, over
// SESSIONS seeded sessions, and the median is reported. Verified while
// timing: both impls give the same capsules, context and prompts at every
// timed tick (and the watchlist test compares them after every minute).
import { columnsFromArrays, type Columns } from "@ict/core";
import { createWatchlist, tick, type ContextDoc } from "@ict/pipeline";
import { sfc32 } from "../data.js";
import { logWalkBars } from "@ict/testkit";

/** Shape of the suite (defaults: the 50 symbols at the 390th bar, 3 sessions, the last 10 ticks of each timed). */
export interface LiveTickOptions {
  symbols?: number;
  bars?: number;
  tail?: number;
  sessions?: number;
}

/** One measured impl of the suite, as written to results/latest.json. */
export interface LiveTickRecord {
  suite: "live tick";
  impl: "stream" | "recompute";
  symbols: number;
  /** The bar of the session at which ticks were timed (the last of them). */
  bar: number;
  /** Median milliseconds per tick of the whole watchlist. */
  msPerTick: number;
  /** Every timed tick (ms). */
  samples: number;
  minMs: number;
  maxMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The 50 symbols' sessions: seeded random walks of 390 1m bars from 09:30 New York (14:30 UTC, winter). */
function sessionOf(
  seed: number,
  n: number,
  BARS: number,
): { symbols: string[]; bars: Record<string, { t: number[]; o: number[]; h: number[]; l: number[]; c: number[]; v: number[] }> } {
  const symbols = ["SPY", "QQQ", "IWM", ...Array.from({ length: Math.max(0, n - 3) }, (_, i) => `S${String(i).padStart(2, "0")}`)];
  const r = sfc32(seed);
  const bars: Record<string, { t: number[]; o: number[]; h: number[]; l: number[]; c: number[]; v: number[] }> = {};
  const t0 = Date.UTC(2024, 0, 2 + seed, 14, 30);
  for (const s of symbols) {
    const g = logWalkBars(BARS, { seed: Math.floor(r() * 2 ** 31), start: 50 + r() * 400 });
    bars[s] = {
      t: Array.from(g.t, (_, i) => t0 + i * 60_000),
      o: Array.from(g.o),
      h: Array.from(g.h),
      l: Array.from(g.l),
      c: Array.from(g.c),
      v: Array.from(g.v),
    };
  }
  return { symbols, bars };
}

/** Runs the suite; returns its records and prints a line per impl. */
export function liveTickSuite(log: (s: string) => void, o: LiveTickOptions = {}): LiveTickRecord[] {
  const SYMBOLS = Math.max(3, o.symbols ?? 50),
    BARS = o.bars ?? 390,
    TAIL = Math.min(o.tail ?? 10, BARS),
    SESSIONS = o.sessions ?? 3;
  const times = { stream: [] as number[], recompute: [] as number[] };
  for (let k = 0; k < SESSIONS; k++) {
    const { symbols, bars } = sessionOf(k + 1, SYMBOLS, BARS);
    const dayEt = new Date(bars.SPY!.t[0]!).toISOString().slice(0, 10);
    const wl = createWatchlist({ watchlist: symbols, dayEt });
    let context: ContextDoc | null = null;
    for (let i = 0; i < BARS; i++) {
      const now = bars.SPY!.t[i]!;
      const timedTick = i >= BARS - TAIL;
      // Stream: push every symbol's bar of the minute, then tick.
      let a = performance.now();
      for (const s of symbols) {
        const b = bars[s]!;
        wl.push(s, { t: b.t[i]!, o: b.o[i]!, h: b.h[i]!, l: b.l[i]!, c: b.c[i]!, v: b.v[i]! });
      }
      const got = wl.tick(now);
      let z = performance.now();
      if (timedTick) times.stream.push(z - a);
      if (!timedTick && i % 30 !== 0) {
        context = got.context;
        continue;
      }
      // Recompute: the day's bars so far, the pure tick with the previous context.
      const bars1m: Record<string, Columns> = {};
      for (const s of symbols) {
        const b = bars[s]!;
        bars1m[s] = columnsFromArrays({
          t: b.t.slice(0, i + 1),
          o: b.o.slice(0, i + 1),
          h: b.h.slice(0, i + 1),
          l: b.l.slice(0, i + 1),
          c: b.c.slice(0, i + 1),
          v: b.v.slice(0, i + 1),
        });
      }
      a = performance.now();
      const want = tick({ watchlist: symbols, bars1m, now, dayEt, context });
      z = performance.now();
      if (timedTick) times.recompute.push(z - a);
      if (JSON.stringify(want) !== JSON.stringify(got))
        throw new Error(`live tick: the watchlist's tick at bar ${i + 1} of session ${k + 1} differs from tick()`);
      context = got.context;
    }
  }
  const out: LiveTickRecord[] = [];
  for (const impl of ["stream", "recompute"] as const) {
    const xs = times[impl];
    const rec: LiveTickRecord = {
      suite: "live tick",
      impl,
      symbols: SYMBOLS,
      bar: BARS,
      msPerTick: median(xs),
      samples: xs.length,
      minMs: Math.min(...xs),
      maxMs: Math.max(...xs),
    };
    out.push(rec);
    log(
      `  live tick ${impl.padEnd(9)} ${SYMBOLS} symbols, bars ${BARS - TAIL + 1}-${BARS}: median ${rec.msPerTick.toFixed(2)} ms/tick (min ${rec.minMs.toFixed(2)}, max ${rec.maxMs.toFixed(2)}, ${xs.length} ticks)`,
    );
  }
  log(`  verified: the watchlist's capsules, context and prompts = tick()'s at every timed tick and every 30th bar`);
  return out;
}
