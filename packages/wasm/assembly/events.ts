// First-crossing queries: when did price first reach a level?
//
// Market rule: a zone's life is a sequence of events on the bar path — a gap is
// mitigated when a wick first trades into it, filled when price first reaches
// its fill level, traded through when a close first passes its far edge. Each
// of these is "the first bar at or after `start` where a series crosses a key".
//
// The bars are summarised once in a block-extreme index: for every block of 16
// bars its lowest low, highest high, lowest close and highest close. Queries
// are taken in the order of their start bar, so that memory is read front to
// back: each first scans its next bars directly (most levels near price are
// touched within a few bars); the rest wait in four heaps (one per kind) while
// one sweep walks the index block by block, and a query is resolved inside
// the first block whose extreme reaches its key. The sweep reads 32 bytes per
// 16 bars and touches the bars only of the blocks where something happens.

/** Query kinds: which series crosses the key, and how. */
// 0: low  <= key (a wick down to a level)     1: high >= key (a wick up to a level)
// 2: close <  key (a close below a level)     3: close >  key (a close above a level)

/** Bars per block of the index. */
const B: i32 = 16;
const LOG_B: i32 = 4;
/** Bars scanned directly from a query's start (then to the end of that block). */
const DIRECT: i32 = 112;

/**
 * Direct scan of bars [s, e) for a query of `kind`; returns the bar or -1.
 * Two bars per step.
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

/** min / max that skip a NaN second operand (validated bars have none; a NaN price never touches a level). */
// @ts-ignore: decorator
@inline
function min2(a: f64, b: f64): f64 {
  return b < a ? b : a;
}
// @ts-ignore: decorator
@inline
function max2(a: f64, b: f64): f64 {
  return b > a ? b : a;
}

/** Bytes of the block-extreme index of n bars (see touchIndexBuild). */
export function touchIndexBytes(n: i32): usize {
  return (<usize>((max(n, 0) + B - 1) >> LOG_B) + 1) << 5;
}

/**
 * Builds the block-extreme index of bars [0, n) at `idx` (touchIndexBytes(n)
 * bytes, 16-byte aligned): for block b (bars 16b .. 16b + 15) four f64 at
 * idx + 32b: -min(low), max(high), -min(close), max(close). Every entry is
 * thus "how far price went" in the direction of one query kind.
 */
export function touchIndexBuild(l: usize, h: usize, c: usize, n: i32, idx: usize): void {
  const full = n >> LOG_B;
  for (let b = 0; b < full; b++) {
    const o = <usize>b << 7;
    let lo = v128.load(l + o), hi = v128.load(h + o), cl = v128.load(c + o), ch = cl;
    for (let x: usize = 16; x < 128; x += 16) {
      const cv = v128.load(c + o + x);
      lo = f64x2.pmin(lo, v128.load(l + o + x));
      hi = f64x2.pmax(hi, v128.load(h + o + x));
      cl = f64x2.pmin(cl, cv);
      ch = f64x2.pmax(ch, cv);
    }
    const p = idx + (<usize>b << 5);
    store<f64>(p, -min2(f64x2.extract_lane(lo, 0), f64x2.extract_lane(lo, 1)));
    store<f64>(p + 8, max2(f64x2.extract_lane(hi, 0), f64x2.extract_lane(hi, 1)));
    store<f64>(p + 16, -min2(f64x2.extract_lane(cl, 0), f64x2.extract_lane(cl, 1)));
    store<f64>(p + 24, max2(f64x2.extract_lane(ch, 0), f64x2.extract_lane(ch, 1)));
  }
  if (full << LOG_B < n) {
    let lo = Infinity, hi = -Infinity, cl = Infinity, ch = -Infinity;
    for (let t = full << LOG_B; t < n; t++) {
      const o = <usize>t << 3;
      lo = min2(lo, load<f64>(l + o));
      hi = max2(hi, load<f64>(h + o));
      const cv = load<f64>(c + o);
      cl = min2(cl, cv);
      ch = max2(ch, cv);
    }
    const p = idx + (<usize>full << 5);
    store<f64>(p, -lo);
    store<f64>(p + 8, hi);
    store<f64>(p + 16, -cl);
    store<f64>(p + 24, ch);
  }
}

/** Bytes of scratch `touchRun` needs for q queries over n bars. */
function runScratchBytes(n: i32, q: i32): usize {
  // order, pend, pblk (3q i32), block counters (nb + 2 i32), four heaps (q f64 keys + q i32 ids each).
  const nb = <usize>((max(n, 0) + B - 1) >> LOG_B);
  return (<usize>q * 12 + (nb + 2) * 4 + 15 & ~(<usize>15)) + <usize>q * 48;
}

/**
 * For each query j: out[j] = the first bar t >= starts[j] (a negative start
 * counts as 0) where the query's condition holds, or -1 when it never happens
 * in [0, n). idx: the block-extreme index of these bars.
 */
function touchRun(
  idx: usize, l: usize, h: usize, c: usize, n: i32,
  starts: usize, keys: usize, kinds: usize, q: i32, out: usize, scratch: usize,
): void {
  const nb = (n + B - 1) >> LOG_B;
  const order = scratch;
  const pend = order + (<usize>q << 2);
  const pblk = pend + (<usize>q << 2);
  const counts = pblk + (<usize>q << 2);
  const heapBase = (counts + (<usize>(nb + 2) << 2) + 15) & ~(<usize>15);
  const hk0 = heapBase;
  const hk1 = hk0 + (<usize>q << 3);
  const hk2 = hk1 + (<usize>q << 3);
  const hk3 = hk2 + (<usize>q << 3);
  const hi0 = hk3 + (<usize>q << 3);
  const hi1 = hi0 + (<usize>q << 2);
  const hi2 = hi1 + (<usize>q << 2);
  const hi3 = hi2 + (<usize>q << 2);
  // 1. The order of the start blocks (a counting sort, unless already in order):
  // bars are then read front to back, and the sweep's queue comes out sorted.
  let sorted = true;
  let prev = 0;
  for (let j = 0; j < q; j++) {
    const sb = min(max(load<i32>(starts + (<usize>j << 2)), 0), n) >> LOG_B;
    if (sb < prev) { sorted = false; break; }
    prev = sb;
  }
  if (!sorted) {
    memory.fill(counts, 0, <usize>(nb + 2) << 2);
    for (let j = 0; j < q; j++) {
      const sb = min(max(load<i32>(starts + (<usize>j << 2)), 0), n) >> LOG_B;
      const p = counts + (<usize>sb << 2);
      store<i32>(p, load<i32>(p) + 1);
    }
    let sum = 0;
    for (let b = 0; b <= nb; b++) {
      const p = counts + (<usize>b << 2);
      const v = load<i32>(p);
      store<i32>(p, sum);
      sum += v;
    }
    for (let j = 0; j < q; j++) {
      const sb = min(max(load<i32>(starts + (<usize>j << 2)), 0), n) >> LOG_B;
      const p = counts + (<usize>sb << 2);
      const slot = load<i32>(p);
      store<i32>(p, slot + 1);
      store<i32>(order + (<usize>slot << 2), j);
    }
  }
  // 2. Direct scans of the next DIRECT bars (to the end of that block: 113..128);
  // what is not answered there waits for the sweep from the next block on.
  let np = 0;
  for (let x = 0; x < q; x++) {
    const j = sorted ? x : load<i32>(order + (<usize>x << 2));
    const s = max(load<i32>(starts + (<usize>j << 2)), 0);
    let r = -1;
    if (s < n) {
      const e = min(n, ((s + DIRECT) | (B - 1)) + 1);
      r = scan(l, h, c, s, e, load<f64>(keys + (<usize>j << 3)), load<i32>(kinds + (<usize>j << 2)));
      if (r < 0 && e < n) {
        store<i32>(pend + (<usize>np << 2), j);
        store<i32>(pblk + (<usize>np << 2), e >> LOG_B);
        np++;
      }
    }
    store<i32>(out + (<usize>j << 2), r);
  }
  if (np == 0) return;
  // 3. The sweep over the blocks. Every heap is a min-heap of "how far price
  // must go" (below-conditions hold the negated key, like the index), and its
  // top is kept in a local (+Infinity when empty: no block reaches it), so a
  // block where nothing happens costs four loads and four comparisons.
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  let k0 = Infinity; let k1 = Infinity; let k2 = Infinity; let k3 = Infinity;
  let next = 0;
  let nextBlk = load<i32>(pblk);
  for (let b = nextBlk; b < nb; b++) {
    if (b >= nextBlk) {
      while (next < np && load<i32>(pblk + (<usize>next << 2)) <= b) {
        const j = load<i32>(pend + (<usize>next << 2));
        next++;
        const key = load<f64>(keys + (<usize>j << 3));
        const kind = load<i32>(kinds + (<usize>j << 2));
        if (kind == 0) s0 = heapPush(hk0, hi0, s0, -key, j);
        else if (kind == 1) s1 = heapPush(hk1, hi1, s1, key, j);
        else if (kind == 2) s2 = heapPush(hk2, hi2, s2, -key, j);
        else s3 = heapPush(hk3, hi3, s3, key, j);
      }
      nextBlk = next < np ? load<i32>(pblk + (<usize>next << 2)) : 0x7fffffff;
      k0 = s0 > 0 ? load<f64>(hk0) : Infinity;
      k1 = s1 > 0 ? load<f64>(hk1) : Infinity;
      k2 = s2 > 0 ? load<f64>(hk2) : Infinity;
      k3 = s3 > 0 ? load<f64>(hk3) : Infinity;
    }
    if ((s0 | s1 | s2 | s3) == 0) {
      if (next >= np) break;
      // Nothing waits: jump to the next query's first block.
      b = nextBlk - 1;
      continue;
    }
    const p = idx + (<usize>b << 5);
    const t0 = b << LOG_B;
    const t1 = min(n, t0 + B);
    // The answer of a popped query is the first bar of this block that reaches its key.
    if (load<f64>(p) >= k0) {
      while (s0 > 0 && load<f64>(p) >= load<f64>(hk0)) {
        store<i32>(out + (<usize>load<i32>(hi0) << 2), scan(l, h, c, t0, t1, -load<f64>(hk0), 0));
        s0 = heapPop(hk0, hi0, s0);
      }
      k0 = s0 > 0 ? load<f64>(hk0) : Infinity;
    }
    if (load<f64>(p + 8) >= k1) {
      while (s1 > 0 && load<f64>(p + 8) >= load<f64>(hk1)) {
        store<i32>(out + (<usize>load<i32>(hi1) << 2), scan(l, h, c, t0, t1, load<f64>(hk1), 1));
        s1 = heapPop(hk1, hi1, s1);
      }
      k1 = s1 > 0 ? load<f64>(hk1) : Infinity;
    }
    if (load<f64>(p + 16) > k2) {
      while (s2 > 0 && load<f64>(p + 16) > load<f64>(hk2)) {
        store<i32>(out + (<usize>load<i32>(hi2) << 2), scan(l, h, c, t0, t1, -load<f64>(hk2), 2));
        s2 = heapPop(hk2, hi2, s2);
      }
      k2 = s2 > 0 ? load<f64>(hk2) : Infinity;
    }
    if (load<f64>(p + 24) > k3) {
      while (s3 > 0 && load<f64>(p + 24) > load<f64>(hk3)) {
        store<i32>(out + (<usize>load<i32>(hi3) << 2), scan(l, h, c, t0, t1, load<f64>(hk3), 3));
        s3 = heapPop(hk3, hi3, s3);
      }
      k3 = s3 > 0 ? load<f64>(hk3) : Infinity;
    }
  }
}

/**
 * For each query j: out[j] = the first bar t >= starts[j] where the query's
 * condition holds (see the kinds above), or -1 when it never happens in
 * [0, n). scratch: firstTouchScratchBytes(n, q) bytes (16-byte aligned).
 */
export function firstTouch(
  l: usize, h: usize, c: usize, n: i32,
  starts: usize, keys: usize, kinds: usize, q: i32,
  out: usize, scratch: usize,
): void {
  if (q <= 0) return;
  touchIndexBuild(l, h, c, n, scratch);
  touchRun(scratch, l, h, c, n, starts, keys, kinds, q, out, scratch + touchIndexBytes(n));
}

/** Bytes of scratch `firstTouch` needs. */
export function firstTouchScratchBytes(n: i32, q: i32): usize {
  return touchIndexBytes(n) + runScratchBytes(n, q);
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
  // Bottom-up: the hole left by the top sinks to a leaf along the smaller
  // children (no data-dependent branch: the slot after the heap holds
  // +Infinity so that a missing right child is never chosen), then the last
  // element rises from there (usually at once: it came from the bottom).
  const last = size - 1;
  const key = load<f64>(keys + (<usize>last << 3));
  const id = load<i32>(ids + (<usize>last << 2));
  store<f64>(keys + (<usize>last << 3), Infinity);
  let i = 0;
  let c = 1;
  while (c < last) {
    const ck = load<f64>(keys + (<usize>c << 3));
    const rk = load<f64>(keys + (<usize>(c + 1) << 3));
    const right = <i32>(rk < ck);
    c += right;
    store<f64>(keys + (<usize>i << 3), select<f64>(rk, ck, right != 0));
    store<i32>(ids + (<usize>i << 2), load<i32>(ids + (<usize>c << 2)));
    i = c;
    c = 2 * c + 1;
  }
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
  return last;
}

/**
 * Query buffers built inside the module by the zone kernels: q queries of
 * (start, key, kind) and their answers. Unmanaged: allocated from and
 * returned to the heap explicitly (no garbage collector).
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

  /**
   * Answers all queries (see firstTouch) on `idx`, the block-extreme index of
   * these bars (touchIndexBuild), or on one built here when idx is 0; answer
   * j is at(j).
   */
  run(l: usize, h: usize, c: usize, n: i32, idx: usize): void {
    if (this.q == 0) return;
    if (idx != 0) {
      const scratch = heap.alloc(runScratchBytes(n, this.q));
      touchRun(idx, l, h, c, n, this.starts, this.keys, this.kinds, this.q, this.out, scratch);
      heap.free(scratch);
    } else {
      const scratch = heap.alloc(firstTouchScratchBytes(n, this.q));
      firstTouch(l, h, c, n, this.starts, this.keys, this.kinds, this.q, this.out, scratch);
      heap.free(scratch);
    }
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
