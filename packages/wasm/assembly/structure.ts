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
 * Buffers need capacity n. hiIdx / loIdx: ascending, distinct pivot bars (i32).
 * flags: 0, or the swing flags (u8 per bar) these lists were made from.
 * outLevel: 0, or f64 buffer (capacity n) for the broken level of each event.
 */
export function structure(
  c: usize, h: usize, l: usize, n: i32,
  hiIdx: usize, nHi: i32, loIdx: usize, nLo: i32,
  delay: i32, consume: i32, conflict: i32, tol: f64,
  outBar: usize, outDir: usize, outSwing: usize, flags: usize, outLevel: usize,
): i32 {
  // Branch-free: pivots arrive and levels break at unpredictable bars, so
  // every bar does the same work. arrive[t]: bit 0 a swing high becomes usable
  // at bar t (its bar + delay), bit 1 a swing low; with distinct pivots at most
  // one of each per bar, the one at t - delay.
  let aH = -1;
  let aL = -1;
  let armedH = 0;
  let armedL = 0;
  let ne = 0;
  const newest = <i32>(conflict == 1);
  const keep = consume != 0 ? 0 : 1;
  if (n <= 0) return 0;
  // With the swing flags of these pivots (bit 0 high, bit 1 low at the pivot's
  // bar) a pivot arrives at t when flags[t - delay] has its bit; otherwise
  // the arrival bars are marked from the lists.
  const own = flags == 0;
  let arrive = flags - <usize>delay;
  if (own) {
    arrive = heap.alloc(<usize>n);
    memory.fill(arrive, 0, <usize>n);
    // Pivots usable before bar 0 (none for valid input) are taken at bar 0, in order.
    for (let p = 0; p < nHi; p++) {
      const s = load<i32>(hiIdx + (<usize>p << 2));
      const t = s + delay;
      if (t < 0) {
        aH = s;
        armedH = 1;
      } else if (t < n) store<u8>(arrive + <usize>t, load<u8>(arrive + <usize>t) | 1);
    }
    for (let p = 0; p < nLo; p++) {
      const s = load<i32>(loIdx + (<usize>p << 2));
      const t = s + delay;
      if (t < 0) {
        aL = s;
        armedL = 1;
      } else if (t < n) store<u8>(arrive + <usize>t, load<u8>(arrive + <usize>t) | 2);
    }
  }
  for (let t = own ? 0 : min(delay, n); t < n; t++) {
    const a = <i32>load<u8>(arrive + <usize>t);
    const inH = a & 1;
    const inL = a >> 1;
    const s = max(t - delay, 0);
    aH = select<i32>(s, aH, inH != 0);
    aL = select<i32>(s, aL, inL != 0);
    // The levels are read through the pivot bars (a float select would be a branch).
    const lvlH = load<f64>(h + (<usize>max(aH, 0) << 3));
    const lvlL = load<f64>(l + (<usize>max(aL, 0) << 3));
    armedH |= inH;
    armedL |= inL;
    const ct = load<f64>(c + (<usize>t << 3));
    const bull = armedH & <i32>(ct > lvlH + tol);
    const bear = armedL & <i32>(ct < lvlL - tol);
    const up = bull & ((bear ^ 1) | (newest & <i32>(aH > aL)));
    const eo = <usize>ne << 2;
    store<i32>(outBar + eo, t);
    store<i32>(outDir + eo, select<i32>(1, -1, up != 0));
    store<i32>(outSwing + eo, select<i32>(aH, aL, up != 0));
    if (outLevel != 0) store<f64>(outLevel + (<usize>ne << 3), load<f64>(select<usize>(h + (<usize>max(aH, 0) << 3), l + (<usize>max(aL, 0) << 3), up != 0)));
    ne += bull | bear;
    armedH &= (bull ^ 1) | keep;
    armedL &= (bear ^ 1) | keep;
  }
  if (own) heap.free(arrive);
  return ne;
}
