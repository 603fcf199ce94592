import { createWatchlist } from "@ict/pipeline";
import { logWalkBars, sfc32FromSeed } from "@ict/testkit";
const N = 50, BARS = 390;
const symbols = ["SPY", "QQQ", "IWM", ...Array.from({ length: N - 3 }, (_, i) => `S${String(i).padStart(2, "0")}`)];
const r = sfc32FromSeed(1);
const t0 = Date.UTC(2024, 0, 3, 14, 30);
const bars: Record<string, ReturnType<typeof logWalkBars>> = {};
for (const s of symbols) bars[s] = logWalkBars(BARS, { seed: Math.floor(r() * 2 ** 31), start: 50 + r() * 400 });
const times: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  const wl = createWatchlist({ watchlist: symbols, dayEt: "2024-01-03" });
  for (let i = 0; i < BARS; i++) {
    const a = performance.now();
    for (const s of symbols) { const b = bars[s]!; wl.push(s, { t: t0 + i * 60000, o: b.o[i]!, h: b.h[i]!, l: b.l[i]!, c: b.c[i]!, v: b.v[i]! }); }
    wl.tick(t0 + i * 60000);
    if (i >= BARS - 10) times.push(performance.now() - a);
  }
}
times.sort((a, b) => a - b);
console.log("median ms/tick at bars 381-390:", times[times.length >> 1]!.toFixed(2));
