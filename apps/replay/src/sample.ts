/**
 * The bundled sample: five New York sessions (2025-02-10 … 2025-02-14,
 * regular hours 09:30–16:00 ET, 390 one-minute bars each) of three
 * correlated index-like symbols, generated from a seeded PRNG. It is our own
 * synthetic data (no third-party prices), the same bytes on every machine.
 *
 * The walk is built so that the structures the detectors look for occur the
 * way they do in real sessions: a market factor shared by the three symbols
 * (so SMT divergences are rare and meaningful) with trending and
 * mean-reverting regimes of 20–90 minutes, volatility that clusters and is
 * higher at the open and close, occasional displacement candles (which leave
 * fair value gaps) and volume with the intraday U shape.
 */
import { sfc32 } from "@ict/testkit";

/** Symbols of the sample, with their starting price and beta to the market factor. */
export const SAMPLE_SYMBOLS: ReadonlyArray<{ symbol: string; start: number; beta: number; idio: number }> = [
  { symbol: "SPY", start: 602.5, beta: 1.0, idio: 0.25 },
  { symbol: "QQQ", start: 528.3, beta: 1.25, idio: 0.45 },
  { symbol: "IWM", start: 226.8, beta: 1.1, idio: 0.6 },
];

/** The sample's New York trading days. */
export const SAMPLE_DAYS: readonly string[] = ["2025-02-10", "2025-02-11", "2025-02-12", "2025-02-13", "2025-02-14"];

/** Standard normal from two uniforms (Box–Muller). */
function gauss(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * The sample as CSV text per symbol (header `t,o,h,l,c,v`, ISO UTC times).
 * February is standard time in New York: 09:30 ET is 14:30 UTC.
 */
export function generateSample(seed = 20250210): Record<string, string> {
  const rnd = sfc32(seed, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35);
  for (let i = 0; i < 20; i++) rnd();
  const price = SAMPLE_SYMBOLS.map((s) => s.start);
  const out = SAMPLE_SYMBOLS.map(() => ["t,o,h,l,c,v"]);
  const idioDrift = SAMPLE_SYMBOLS.map(() => 0);
  for (const day of SAMPLE_DAYS) {
    // Overnight gap: a shared move plus a little of each symbol's own.
    const gapMkt = gauss(rnd) * 0.003;
    for (let k = 0; k < price.length; k++) price[k] = price[k]! * (1 + gapMkt * SAMPLE_SYMBOLS[k]!.beta + gauss(rnd) * 0.001);
    let regimeLeft = 0;
    let drift = 0;
    let revert = 0;
    let anchor = 0;
    let vol = 1;
    let mkt = 0;
    const open = Date.parse(`${day}T14:30:00Z`);
    for (let m = 0; m < 390; m++) {
      if (regimeLeft <= 0) {
        regimeLeft = 20 + Math.floor(rnd() * 70);
        const r = rnd();
        // Trending up, trending down, or ranging around where price is now.
        drift = r < 0.35 ? 0.018 + rnd() * 0.03 : r < 0.7 ? -(0.018 + rnd() * 0.03) : 0;
        revert = drift === 0 ? 0.08 : 0;
        anchor = mkt;
        for (let k = 0; k < idioDrift.length; k++) idioDrift[k] = (rnd() - 0.5) * 0.02;
      }
      regimeLeft--;
      // Volatility: U-shaped through the session, clustered from minute to minute.
      const u = m / 389;
      const session = 0.7 + 1.6 * (u - 0.5) ** 2 * 4 * (m < 30 ? 1.4 : 1);
      vol = Math.min(3, Math.max(0.4, vol * 0.94 + 0.06 * (0.6 + rnd() * 0.8) + (rnd() < 0.02 ? 1 : 0)));
      const displacement = rnd() < 0.025 ? (rnd() < 0.5 ? -1 : 1) * (3 + rnd() * 3) : 0;
      const shock = (drift + revert * (anchor - mkt) + gauss(rnd) * 0.05 * vol * session + displacement * 0.05) * 0.01;
      mkt += shock * 100;
      const t = new Date(open + m * 60_000).toISOString().slice(0, 19) + "Z";
      const volumeShape = 1 + 3 * (u - 0.5) ** 2 * 4;
      for (let k = 0; k < SAMPLE_SYMBOLS.length; k++) {
        const s = SAMPLE_SYMBOLS[k]!;
        const p0 = price[k]!;
        const ret = shock * s.beta + (idioDrift[k]! + gauss(rnd) * 0.03 * s.idio * vol) * 0.01;
        const o = cents(p0 * (1 + gauss(rnd) * 0.00003));
        const c = cents(p0 * (1 + ret));
        const wick = p0 * 0.0004 * vol * session * s.idio * 2;
        const h = cents(Math.max(o, c) + Math.abs(gauss(rnd)) * wick * 0.6);
        const l = cents(Math.min(o, c) - Math.abs(gauss(rnd)) * wick * 0.6);
        const v = Math.round((200_000 / s.idio) * volumeShape * (0.6 + rnd() * 0.8) * (1 + Math.abs(displacement) * 0.3));
        out[k]!.push(`${t},${o.toFixed(2)},${h.toFixed(2)},${l.toFixed(2)},${c.toFixed(2)},${v}`);
        price[k] = c;
      }
    }
  }
  const files: Record<string, string> = {};
  SAMPLE_SYMBOLS.forEach((s, k) => (files[s.symbol] = out[k]!.join("\n") + "\n"));
  return files;
}
