// Market structure: breaks of structure (BOS) and changes of character (CHoCH).
//
// Market rule: a close above the reference swing high (by more than `tol`) is
// a bullish break, a close below the reference swing low a bearish break. The
// reference high (low) is the most recent swing high (low) that is usable at
// that bar: a pivot at bar s is usable from bar s + delay on (delay = k for a
// causal reading, 0 for the seed's reading at the pivot's own bar).
// With `consume`, a level breaks once: after its break no further event comes
// from it until a newer swing replaces it. Without, every close beyond the
// level re-asserts the break (the seed's reading; its last event is the seed's
// `last_bos`). When one close is beyond both levels (the swing low lies above
// the swing high), `conflict` decides: 0 = bearish (the seed), 1 = the break of
// the more recently formed swing (both levels are consumed).
// Whether a break is a BOS or a CHoCH (a break against the prevailing trend)
// follows from the sequence of directions and is derived by the host.

/**
 * Scans bars [0, n) and writes one event per breaking bar:
 * outBar[e] = bar of the close, outDir[e] = +1 bull / -1 bear,
 * outSwing[e] = bar of the broken pivot. Returns the number of events.
 * Buffers need capacity n. hiIdx / loIdx: ascending pivot bars (i32).
 */
export function structure(
  c: usize, h: usize, l: usize, n: i32,
  hiIdx: usize, nHi: i32, loIdx: usize, nLo: i32,
  delay: i32, consume: i32, conflict: i32, tol: f64,
  outBar: usize, outDir: usize, outSwing: usize,
): i32 {
  let ph = 0;
  let pl = 0;
  let aH = -1;
  let aL = -1;
  let armedH = false;
  let armedL = false;
  let lvlH: f64 = 0;
  let lvlL: f64 = 0;
  let ne = 0;
  for (let t = 0; t < n; t++) {
    while (ph < nHi) {
      const s = load<i32>(hiIdx + (<usize>ph << 2));
      if (s + delay > t) break;
      aH = s;
      lvlH = load<f64>(h + (<usize>s << 3));
      armedH = true;
      ph++;
    }
    while (pl < nLo) {
      const s = load<i32>(loIdx + (<usize>pl << 2));
      if (s + delay > t) break;
      aL = s;
      lvlL = load<f64>(l + (<usize>s << 3));
      armedL = true;
      pl++;
    }
    const ct = load<f64>(c + (<usize>t << 3));
    const bull = armedH && ct > lvlH + tol;
    const bear = armedL && ct < lvlL - tol;
    if (bull || bear) {
      let up = bull;
      if (bull && bear) up = conflict == 1 && aH > aL;
      const eo = <usize>ne << 2;
      store<i32>(outBar + eo, t);
      store<i32>(outDir + eo, up ? 1 : -1);
      store<i32>(outSwing + eo, up ? aH : aL);
      ne++;
      if (consume != 0) {
        if (bull) armedH = false;
        if (bear) armedL = false;
      }
    }
  }
  return ne;
}
