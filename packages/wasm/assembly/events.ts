// First-crossing queries: when did price first reach a level?
//
// Market rule: a zone's life is a sequence of events on the bar path — a gap is
// mitigated when a wick first trades into it, filled when price first reaches
// its fill level, traded through when a close first passes its far edge. Each
// of these is "the first bar at or after `start` where a series crosses a key".
// One sweep over the bars answers all the queries at once: queries
// enter a heap at their start bar; at every bar the heap's most easily
// crossed key is tested and popped while it crosses. O((n + q) log q).

/** Query kinds: which series crosses the key, and how. */
// 0: low  <= key (a wick down to a level)     1: high >= key (a wick up to a level)
// 2: close <  key (a close below a level)     3: close >  key (a close above a level)

/**
 * For each query j: out[j] = the first bar t >= starts[j] where the query's
 * condition holds (see the kinds above), or -1 when it never happens in
 * [0, n). One sweep answers queries of all four kinds.
 * scratch: firstTouchScratchBytes(n, q) bytes.
 */
export function firstTouch(
  l: usize, h: usize, c: usize, n: i32,
  starts: usize, keys: usize, kinds: usize, q: i32,
  out: usize, scratch: usize,
): void {
  // Counting sort of the queries by start bar.
  const head = scratch; // n + 2 counters (i32)
  const order = head + ((<usize>n + 2) << 2); // q query ids
  const heapBase = (order + (<usize>q << 2) + 15) & ~(<usize>15);
  // Four heaps of capacity q: keys (f64, sign-adjusted: every heap is a min-heap) then ids (i32).
  const hk0 = heapBase;
  const hk1 = hk0 + (<usize>q << 3);
  const hk2 = hk1 + (<usize>q << 3);
  const hk3 = hk2 + (<usize>q << 3);
  const hi0 = hk3 + (<usize>q << 3);
  const hi1 = hi0 + (<usize>q << 2);
  const hi2 = hi1 + (<usize>q << 2);
  const hi3 = hi2 + (<usize>q << 2);
  memory.fill(head, 0, (<usize>n + 2) << 2);
  for (let j = 0; j < q; j++) {
    store<i32>(out + (<usize>j << 2), -1);
    const s = load<i32>(starts + (<usize>j << 2));
    if (s < n) {
      const p = head + (<usize>((s < 0 ? 0 : s) + 1) << 2);
      store<i32>(p, load<i32>(p) + 1);
    }
  }
  for (let t = 0; t < n; t++) {
    const p = head + (<usize>(t + 1) << 2);
    store<i32>(p, load<i32>(p) + load<i32>(p - 4));
  }
  for (let j = 0; j < q; j++) {
    const s = load<i32>(starts + (<usize>j << 2));
    if (s < n) {
      const p = head + (<usize>(s < 0 ? 0 : s) << 2);
      const slot = load<i32>(p);
      store<i32>(order + (<usize>slot << 2), j);
      store<i32>(p, slot + 1);
    }
  }
  // head[t] is now the end of bar t's slots.
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  let next = 0;
  for (let t = 0; t < n; t++) {
    const end = load<i32>(head + (<usize>t << 2));
    while (next < end) {
      const j = load<i32>(order + (<usize>next << 2));
      next++;
      const key = load<f64>(keys + (<usize>j << 3));
      const kind = load<i32>(kinds + (<usize>j << 2));
      // Below-conditions use the negated key so that the first key to be crossed is the heap's minimum.
      if (kind == 0) s0 = heapPush(hk0, hi0, s0, -key, j);
      else if (kind == 1) s1 = heapPush(hk1, hi1, s1, key, j);
      else if (kind == 2) s2 = heapPush(hk2, hi2, s2, -key, j);
      else s3 = heapPush(hk3, hi3, s3, key, j);
    }
    const o = <usize>t << 3;
    if (s0 > 0) {
      const v = -load<f64>(l + o); // low <= key  <=>  -low >= -key
      while (s0 > 0 && v >= load<f64>(hk0)) { store<i32>(out + (<usize>load<i32>(hi0) << 2), t); s0 = heapPop(hk0, hi0, s0); }
    }
    if (s1 > 0) {
      const v = load<f64>(h + o);
      while (s1 > 0 && v >= load<f64>(hk1)) { store<i32>(out + (<usize>load<i32>(hi1) << 2), t); s1 = heapPop(hk1, hi1, s1); }
    }
    if (s2 > 0 || s3 > 0) {
      const cv = load<f64>(c + o);
      const v = -cv; // close < key  <=>  -close > -key
      while (s2 > 0 && v > load<f64>(hk2)) { store<i32>(out + (<usize>load<i32>(hi2) << 2), t); s2 = heapPop(hk2, hi2, s2); }
      while (s3 > 0 && cv > load<f64>(hk3)) { store<i32>(out + (<usize>load<i32>(hi3) << 2), t); s3 = heapPop(hk3, hi3, s3); }
    }
  }
}

/** Bytes of scratch `firstTouch` needs. */
export function firstTouchScratchBytes(n: i32, q: i32): usize {
  return ((<usize>n + 2) << 2) + (<usize>q << 2) + 16 + <usize>q * 48 + 16;
}

// @ts-ignore: decorator
@inline
function heapPush(keys: usize, ids: usize, size: i32, key: f64, id: i32): i32 {
  let i = size;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pk = load<f64>(keys + (<usize>p << 3));
    if (pk <= key) break;
    store<f64>(keys + (<usize>i << 3), pk);
    store<i32>(ids + (<usize>i << 2), load<i32>(ids + (<usize>p << 2)));
    i = p;
  }
  store<f64>(keys + (<usize>i << 3), key);
  store<i32>(ids + (<usize>i << 2), id);
  return size + 1;
}

// @ts-ignore: decorator
@inline
function heapPop(keys: usize, ids: usize, size: i32): i32 {
  const last = size - 1;
  if (last == 0) return 0;
  const key = load<f64>(keys + (<usize>last << 3));
  const id = load<i32>(ids + (<usize>last << 2));
  let i = 0;
  while (true) {
    let c = 2 * i + 1;
    if (c >= last) break;
    let ck = load<f64>(keys + (<usize>c << 3));
    if (c + 1 < last) {
      const rk = load<f64>(keys + (<usize>(c + 1) << 3));
      if (rk < ck) {
        c++;
        ck = rk;
      }
    }
    if (key <= ck) break;
    store<f64>(keys + (<usize>i << 3), ck);
    store<i32>(ids + (<usize>i << 2), load<i32>(ids + (<usize>c << 2)));
    i = c;
  }
  store<f64>(keys + (<usize>i << 3), key);
  store<i32>(ids + (<usize>i << 2), id);
  return last;
}
