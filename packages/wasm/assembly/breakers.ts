// Breaker blocks.
//
// Market rule: an order block that fails (price closes through its far side)
// and is followed by a break of structure against the block's direction
// becomes a breaker: the failed bullish block, retested from below, is
// bearish resistance, and vice versa (Q17).

/**
 * For each failed block j (invalidated at bar inval[j] >= 0, direction
 * obDir[j]), the first structure event e with direction -obDir[j] and
 * inval[j] <= evBar[e] <= inval[j] + lookahead. evBar is ascending.
 * Writes the event's position in the list to out[j], or -1.
 */
export function breakerMatch(
  q: i32, inval: usize, obDir: usize,
  evBar: usize, evDir: usize, ne: i32, lookahead: i32, out: usize,
): void {
  for (let j = 0; j < q; j++) {
    const v = load<i32>(inval + (<usize>j << 2));
    let r = -1;
    if (v >= 0) {
      // First event at or after v (binary search), then walk the window.
      let lo = 0;
      let hi = ne;
      while (lo < hi) {
        const m = (lo + hi) >>> 1;
        if (load<i32>(evBar + (<usize>m << 2)) < v) lo = m + 1;
        else hi = m;
      }
      const want = -load<i32>(obDir + (<usize>j << 2));
      for (let e = lo; e < ne; e++) {
        const b = load<i32>(evBar + (<usize>e << 2));
        if (b > v + lookahead) break;
        if (load<i32>(evDir + (<usize>e << 2)) == want) { r = e; break; }
      }
    }
    store<i32>(out + (<usize>j << 2), r);
  }
}
