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

/** Bars scanned directly from a query's start before it goes into the sweep. */
const SCAN: i32 = 128;

/**
 * Direct scan of bars [s, e) for a query of `kind`; returns the bar or -1.
 * Two bars per step: most levels near price are touched within a few bars.
 */
// @ts-ignore: decorator
@inline
function scan(l: usize, h: usize, c: usize, s: i32, e: i32, key: f64, kind: i32): i32 {
  const vk = f64x2.splat(key);
  let t = s;
  if (kind == 0) {
    for (; t + 1 < e; t += 2) { const m = i64x2.bitmask(f64x2.le(v128.load(l + (<usize>t << 3)), vk)); if (m != 0) return t + ((m & 1) ^ 1); }
    if (t < e && load<f64>(l + (<usize>t << 3)) <= key) return t;
  } else if (kind == 1) {
    for (; t + 1 < e; t += 2) { const m = i64x2.bitmask(f64x2.ge(v128.load(h + (<usize>t << 3)), vk)); if (m != 0) return t + ((m & 1) ^ 1); }
    if (t < e && load<f64>(h + (<usize>t << 3)) >= key) return t;
  } else if (kind == 2) {
    for (; t + 1 < e; t += 2) { const m = i64x2.bitmask(f64x2.lt(v128.load(c + (<usize>t << 3)), vk)); if (m != 0) return t + ((m & 1) ^ 1); }
    if (t < e && load<f64>(c + (<usize>t << 3)) < key) return t;
  } else {
    for (; t + 1 < e; t += 2) { const m = i64x2.bitmask(f64x2.gt(v128.load(c + (<usize>t << 3)), vk)); if (m != 0) return t + ((m & 1) ^ 1); }
    if (t < e && load<f64>(c + (<usize>t << 3)) > key) return t;
  }
  return -1;
}

/**
 * For each query j: out[j] = the first bar t >= starts[j] where the query's
 * condition holds (see the kinds above), or -1 when it never happens in
 * [0, n). Each query first scans a few bars directly; the rest are answered
 * by one sweep in which the queries wait in four heaps (one per kind).
 * scratch: firstTouchScratchBytes(n, q) bytes.
 */
export function firstTouch(
  l: usize, h: usize, c: usize, n: i32,
  starts: usize, keys: usize, kinds: usize, q: i32,
  out: usize, scratch: usize,
): void {
  // Scratch layout: pending ids (q), their start (q), radix buffers (2q), four heaps, radix counters.
  const pend = scratch;
  const pstart = pend + (<usize>q << 2);
  const tmpId = pstart + (<usize>q << 2);
  const tmpStart = tmpId + (<usize>q << 2);
  const heapBase = (tmpStart + (<usize>q << 2) + 15) & ~(<usize>15);
  const hk0 = heapBase;
  const hk1 = hk0 + (<usize>q << 3);
  const hk2 = hk1 + (<usize>q << 3);
  const hk3 = hk2 + (<usize>q << 3);
  const hi0 = hk3 + (<usize>q << 3);
  const hi1 = hi0 + (<usize>q << 2);
  const hi2 = hi1 + (<usize>q << 2);
  const hi3 = hi2 + (<usize>q << 2);
  // 1. Direct scans; what is not answered within SCAN bars waits for the sweep.
  let np = 0;
  let sorted = true;
  let prev = -1;
  for (let j = 0; j < q; j++) {
    let s = load<i32>(starts + (<usize>j << 2));
    if (s < 0) s = 0;
    let r = -1;
    if (s < n) {
      const e = min(n, s + SCAN);
      r = scan(l, h, c, s, e, load<f64>(keys + (<usize>j << 3)), load<i32>(kinds + (<usize>j << 2)));
      if (r < 0 && e < n) {
        store<i32>(pend + (<usize>np << 2), j);
        store<i32>(pstart + (<usize>np << 2), e);
        if (e < prev) sorted = false;
        prev = e;
        np++;
      }
    }
    store<i32>(out + (<usize>j << 2), r);
  }
  if (np == 0) return;
  // 2. Order the waiting queries by the bar they enter the sweep (LSD radix, 2 x 16 bits).
  if (!sorted) {
    const counts = hi3 + (<usize>q << 2); // 65536 counters after the heaps
    radixPass(pend, pstart, tmpId, tmpStart, np, 0, counts);
    radixPass(tmpId, tmpStart, pend, pstart, np, 16, counts);
  }
  // 3. The sweep, from the first waiting query to the last bar or until nothing
  // waits. The four most easily touched keys are kept in locals (the heaps'
  // tops, or keys no price can touch when a heap is empty), so a bar where
  // nothing happens costs three loads and four comparisons.
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  let k0 = Infinity; let k1 = Infinity; let k2 = Infinity; let k3 = Infinity;
  let next = 0;
  let nextStart = load<i32>(pstart);
  for (let t = nextStart; t < n; t++) {
    if (t >= nextStart) {
      while (next < np && load<i32>(pstart + (<usize>next << 2)) <= t) {
        const j = load<i32>(pend + (<usize>next << 2));
        next++;
        const key = load<f64>(keys + (<usize>j << 3));
        const kind = load<i32>(kinds + (<usize>j << 2));
        // Every heap is a min-heap of "how far price must go": below-conditions store the negated key.
        if (kind == 0) s0 = heapPush(hk0, hi0, s0, -key, j);
        else if (kind == 1) s1 = heapPush(hk1, hi1, s1, key, j);
        else if (kind == 2) s2 = heapPush(hk2, hi2, s2, -key, j);
        else s3 = heapPush(hk3, hi3, s3, key, j);
      }
      nextStart = next < np ? load<i32>(pstart + (<usize>next << 2)) : 0x7fffffff;
      k0 = s0 > 0 ? load<f64>(hk0) : Infinity;
      k1 = s1 > 0 ? load<f64>(hk1) : Infinity;
      k2 = s2 > 0 ? load<f64>(hk2) : Infinity;
      k3 = s3 > 0 ? load<f64>(hk3) : Infinity;
    }
    if ((s0 | s1 | s2 | s3) == 0) {
      if (next >= np) break;
      // Nothing waits: jump to the next query's first bar.
      t = nextStart - 1;
      continue;
    }
    const o = <usize>t << 3;
    const vl = -load<f64>(l + o); // low <= key  <=>  -low >= -key
    const vh = load<f64>(h + o);
    const vc = load<f64>(c + o); // close < key  <=>  -close > -key
    if (vl >= k0) {
      while (s0 > 0 && vl >= load<f64>(hk0)) { store<i32>(out + (<usize>load<i32>(hi0) << 2), t); s0 = heapPop(hk0, hi0, s0); }
      k0 = s0 > 0 ? load<f64>(hk0) : Infinity;
    }
    if (vh >= k1) {
      while (s1 > 0 && vh >= load<f64>(hk1)) { store<i32>(out + (<usize>load<i32>(hi1) << 2), t); s1 = heapPop(hk1, hi1, s1); }
      k1 = s1 > 0 ? load<f64>(hk1) : Infinity;
    }
    if (-vc > k2) {
      while (s2 > 0 && -vc > load<f64>(hk2)) { store<i32>(out + (<usize>load<i32>(hi2) << 2), t); s2 = heapPop(hk2, hi2, s2); }
      k2 = s2 > 0 ? load<f64>(hk2) : Infinity;
    }
    if (vc > k3) {
      while (s3 > 0 && vc > load<f64>(hk3)) { store<i32>(out + (<usize>load<i32>(hi3) << 2), t); s3 = heapPop(hk3, hi3, s3); }
      k3 = s3 > 0 ? load<f64>(hk3) : Infinity;
    }
  }
}

/** One stable counting pass of an LSD radix sort of (id, start) pairs on 16 bits of start. */
function radixPass(srcId: usize, srcStart: usize, dstId: usize, dstStart: usize, m: i32, shift: i32, counts: usize): void {
  memory.fill(counts, 0, 65536 * 4);
  for (let x = 0; x < m; x++) {
    const d = (load<i32>(srcStart + (<usize>x << 2)) >>> shift) & 0xffff;
    const p = counts + (<usize>d << 2);
    store<i32>(p, load<i32>(p) + 1);
  }
  let sum = 0;
  for (let d = 0; d < 65536; d++) {
    const p = counts + (<usize>d << 2);
    const v = load<i32>(p);
    store<i32>(p, sum);
    sum += v;
  }
  for (let x = 0; x < m; x++) {
    const st = load<i32>(srcStart + (<usize>x << 2));
    const p = counts + (<usize>((st >>> shift) & 0xffff) << 2);
    const slot = load<i32>(p);
    store<i32>(p, slot + 1);
    store<i32>(dstId + (<usize>slot << 2), load<i32>(srcId + (<usize>x << 2)));
    store<i32>(dstStart + (<usize>slot << 2), st);
  }
}

/** Bytes of scratch `firstTouch` needs. */
export function firstTouchScratchBytes(n: i32, q: i32): usize {
  // pend, pstart, tmpId, tmpStart (4q i32), alignment, four heaps (12q... 48q bytes), radix counters.
  return <usize>q * 16 + 16 + <usize>q * 48 + 65536 * 4 + 16 + (<usize>n & 0);
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

/**
 * Query buffers built inside the module by the zone kernels: q queries of
 * (start, key, kind) and their answers, with the sweep's scratch. Unmanaged:
 * allocated from and returned to the heap explicitly (no garbage collector).
 */
// @ts-ignore: decorator
@unmanaged
export class Queries {
  starts: usize = 0;
  keys: usize = 0;
  kinds: usize = 0;
  out: usize = 0;
  q: i32 = 0;

  static create(cap: i32): Queries {
    const self = changetype<Queries>(heap.alloc(offsetof<Queries>()));
    const m = <usize>max(cap, 1);
    self.starts = heap.alloc(m << 2);
    self.keys = heap.alloc(m << 3);
    self.kinds = heap.alloc(m << 2);
    self.out = heap.alloc(m << 2);
    self.q = 0;
    return self;
  }

  // @ts-ignore: decorator
  @inline
  add(start: i32, key: f64, kind: i32): void {
    const j = this.q;
    store<i32>(this.starts + (<usize>j << 2), start);
    store<f64>(this.keys + (<usize>j << 3), key);
    store<i32>(this.kinds + (<usize>j << 2), kind);
    this.q = j + 1;
  }

  /** Answers all queries (see firstTouch); answer j is at(j). */
  run(l: usize, h: usize, c: usize, n: i32): void {
    if (this.q == 0) return;
    const scratch = heap.alloc(firstTouchScratchBytes(n, this.q));
    firstTouch(l, h, c, n, this.starts, this.keys, this.kinds, this.q, this.out, scratch);
    heap.free(scratch);
  }

  // @ts-ignore: decorator
  @inline
  at(j: i32): i32 {
    return load<i32>(this.out + (<usize>j << 2));
  }

  dispose(): void {
    heap.free(this.starts);
    heap.free(this.keys);
    heap.free(this.kinds);
    heap.free(this.out);
    heap.free(changetype<usize>(this));
  }
}
