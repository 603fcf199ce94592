import { createWatchlist } from "@ict/pipeline";
import { logWalkBars, sfc32FromSeed } from "@ict/testkit";
const N = 50, BARS = 390;
const symbols = ["SPY", "QQQ", "IWM", ...Array.from({ length: N - 3 }, (_, i) => `S${String(i).padStart(2, "0")}`)];
const r = sfc32FromSeed(1);
const t0 = Date.UTC(2024, 0, 3, 14, 30);
const bars: Record<string, ReturnType<typeof logWalkBars>> = {};
for (const s of symbols) bars[s] = logWalkBars(BARS, { seed: Math.floor(r() * 2 ** 31), start: 50 + r() * 400 });
const wl = createWatchlist({ watchlist: symbols, dayEt: "2024-01-03" });
let out: any;
for (let i = 0; i < BARS; i++) {
  for (const s of symbols) { const b = bars[s]!; wl.push(s, { t: t0 + i * 60000, o: b.o[i]!, h: b.h[i]!, l: b.l[i]!, c: b.c[i]!, v: b.v[i]! }); }
  out = wl.tick(t0 + i * 60000);
}
let recs = 0, conf = 0, active = 0, plen = 0;
for (const s of symbols) { const f = out.capsules[s].features; for (const k of ["tf_1m", "tf_5m"]) for (const z of ["fvg", "ifvg", "ob", "bb"]) recs += f[k][z].length; recs += f.smt.length; }
for (const s of out.context.symbols) { conf += s.state.confluences.length; active += s.active_confluences.length; }
for (const s of symbols) plen += out.prompts[s].length;
console.log({ recs, conf, active, promptChars: plen, contextBytes: JSON.stringify(out.context).length, capsuleBytes: JSON.stringify(out.capsules).length });
