/**
 * Deterministic 1m bars for the fake Alpaca server: a shared market factor
 * plus a per-symbol walk (so that the indices diverge now and then, as SMT
 * needs), prices in cents, a few minutes without a bar for the less liquid
 * symbols (as on the IEX feed), and a deterministic choice of bars that get a
 * late correction.
 */
import { mulberry32 } from "@ict/testkit";
import type { AlpacaBar } from "../alpaca/types.js";

/** A seeded PRNG (mulberry32, @ict/testkit): the same seed gives the same sequence. */
export const prng = mulberry32;

const round2 = (x: number) => Math.round(x * 100) / 100;

const BASE: Record<string, number> = { SPY: 470, QQQ: 405, IWM: 198, DIA: 376 };

/** Options of {@link generateBars}. */
export interface GenerateOptions {
  symbols: readonly string[];
  /** Start of the first minute, epoch ms. */
  start: number;
  minutes: number;
  seed?: number;
  /** Per symbol (after the first): probability that a minute has no bar. */
  gapRate?: number;
}

/** 1m bars per symbol, `t` in RFC 3339; the first symbol has a bar every minute. */
export function generateBars(o: GenerateOptions): Record<string, AlpacaBar[]> {
  const rnd = prng(o.seed ?? 7);
  const out: Record<string, AlpacaBar[]> = {};
  const price: Record<string, number> = {};
  o.symbols.forEach((s, k) => {
    out[s] = [];
    price[s] = BASE[s] ?? 100 + 50 * k;
  });
  for (let i = 0; i < o.minutes; i++) {
    const market = (rnd() - 0.5) * 0.0016 + Math.sin(i / 9) * 0.0004;
    o.symbols.forEach((s, k) => {
      const p0 = price[s]!;
      const own = (rnd() - 0.5) * 0.0012 * (k + 1);
      const p1 = p0 * (1 + market * (1 + 0.3 * k) + own);
      const wickU = Math.abs(rnd()) * 0.0006 * p0;
      const wickD = Math.abs(rnd()) * 0.0006 * p0;
      const o_ = round2(p0);
      const c = round2(p1);
      const h = round2(Math.max(o_, c) + wickU);
      const l = round2(Math.min(o_, c) - wickD);
      const v = 1000 + Math.floor(rnd() * 20_000);
      const n = 10 + Math.floor(rnd() * 200);
      price[s] = p1;
      const skip = k > 0 && rnd() < (o.gapRate ?? 0.06);
      if (skip) return;
      out[s]!.push({ t: new Date(o.start + i * 60_000).toISOString(), o: o_, h, l, c, v, n, vw: round2((o_ + h + l + c) / 4) });
    });
  }
  return out;
}

/** A late correction of a bar: later trades moved the close by a cent or two and added volume. */
export function correctBar(b: AlpacaBar, k: number): AlpacaBar {
  const c = round2(b.c + (k % 2 === 0 ? 0.02 : -0.01));
  return { ...b, c, h: round2(Math.max(b.h, c)), l: round2(Math.min(b.l, c)), v: b.v + 100 + k, n: (b.n ?? 0) + 1 };
}
