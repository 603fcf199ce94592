/**
 * The report's nearest-N zone filter, shared by the payload (Node) and the
 * page's zone control (browser): pure, imports only types.
 *
 * Market rule: what matters to a trader at a given bar is the few untouched
 * zones closest to price on each side (the next supply above, the next demand
 * below), not every gap the session left behind. So, per timeframe and at
 * every 1m bar, the live zones (formed at or before the bar and not ended
 * before it) are ranked by distance from the bar's close: above, zones whose
 * low is at or above the close, by low − close; below, zones whose high is at
 * or below it, by close − high; a zone the close sits inside is at distance 0
 * on both sides. The `n` nearest of each side are shown at that bar. Causal:
 * each bar's choice uses only the zones known by then and that bar's close.
 */
import type { ZoneBox } from "./types.js";

/** Per zone, the time spans `[from, to)` (UTC seconds) during which it was among the nearest; empty when never. */
export function nearestSpans(
  zones: readonly ZoneBox[],
  t: readonly number[],
  c: readonly (number | null)[],
  n: number,
): [number, number][][] {
  const spans: [number, number][][] = zones.map(() => []);
  /** Per zone, the last bar index at which it was chosen. */
  const lastBar = new Int32Array(zones.length).fill(-2);
  const byTf = new Map<string, number[]>();
  zones.forEach((z, i) => {
    let g = byTf.get(z.tf);
    if (!g) byTf.set(z.tf, (g = []));
    g.push(i);
  });
  const above: [number, number][] = [];
  const below: [number, number][] = [];
  const order = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
  const choose = (i: number, k: number) => {
    const z = zones[i]!;
    const end = Math.min(k + 1 < t.length ? t[k + 1]! : t[k]! + 60, z.to ?? Infinity);
    const s = spans[i]!;
    if (lastBar[i] === k) return;
    if (lastBar[i] === k - 1 && s.length > 0) s[s.length - 1]![1] = Math.max(s[s.length - 1]![1], end);
    else s.push([Math.max(t[k]!, z.from), Math.max(end, z.from)]);
    lastBar[i] = k;
  };
  for (const group of byTf.values()) {
    for (let k = 0; k < t.length; k++) {
      const close = c[k];
      if (close === null || close === undefined) continue;
      const now = t[k]!;
      above.length = 0;
      below.length = 0;
      for (const i of group) {
        const z = zones[i]!;
        if (z.from > now || (z.to !== null && z.to < now)) continue;
        if (z.low >= close) above.push([z.low - close, i]);
        else if (z.high <= close) below.push([close - z.high, i]);
        else {
          above.push([0, i]);
          below.push([0, i]);
        }
      }
      above.sort(order);
      below.sort(order);
      for (let j = 0; j < Math.min(n, above.length); j++) choose(above[j]![1], k);
      for (let j = 0; j < Math.min(n, below.length); j++) choose(below[j]![1], k);
    }
  }
  return spans;
}

/** The zones (in their order) that were among the `n` nearest above or below the close at some 1m bar of their life. */
export function nearestZones(zones: readonly ZoneBox[], t: readonly number[], c: readonly (number | null)[], n: number): ZoneBox[] {
  const spans = nearestSpans(zones, t, c, n);
  return zones.filter((_, i) => spans[i]!.length > 0);
}

/** Zones per side the page shows at first when the report holds every zone (its zone control offers every zone too). */
export const DEFAULT_NEAREST = 3;
