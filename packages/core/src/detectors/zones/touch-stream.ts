/**
 * First-touch queries, one bar at a time: "the first bar from now on whose
 * low falls to / high rises to / close passes a level" — the streaming form of
 * the batch kernels' `Queries` (packages/wasm/assembly/events.ts).
 *
 * Market rule: a zone's life is a sequence of such first crossings
 * (mitigated, filled, traded through, invalidated). Pending queries wait in
 * four heaps ordered by how far price must go (one per kind), so a bar where
 * nothing is reached costs four comparisons however many zones are open.
 */

/** Query kinds: 0 low <= key, 1 high >= key, 2 close < key, 3 close > key. */
export type TouchKind = 0 | 1 | 2 | 3;

/** @internal The detector that waits for a query about one of its zones: told the bar at which it was reached. */
export interface TouchOwner {
  touched(zone: any, tag: number, bar: number): void;
}

/** A binary min-heap of (distance, owner, tag). */
class Heap {
  keys: number[] = [];
  owners: TouchOwner[] = [];
  zones: unknown[] = [];
  tags: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, owner: TouchOwner, zone: unknown, tag: number): void {
    const K = this.keys,
      O = this.owners,
      Z = this.zones,
      T = this.tags;
    let i = K.length;
    K.push(key);
    O.push(owner);
    Z.push(zone);
    T.push(tag);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (K[p]! <= key) break;
      K[i] = K[p]!;
      O[i] = O[p]!;
      Z[i] = Z[p];
      T[i] = T[p]!;
      i = p;
    }
    K[i] = key;
    O[i] = owner;
    Z[i] = zone;
    T[i] = tag;
  }

  /** Removes the top. */
  pop(): void {
    const K = this.keys,
      O = this.owners,
      Z = this.zones,
      T = this.tags;
    const key = K.pop()!;
    const owner = O.pop()!;
    const zone = Z.pop();
    const tag = T.pop()!;
    const n = K.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && K[c + 1]! < K[c]!) c++;
      if (K[c]! >= key) break;
      K[i] = K[c]!;
      O[i] = O[c]!;
      Z[i] = Z[c];
      T[i] = T[c]!;
      i = c;
    }
    K[i] = key;
    O[i] = owner;
    Z[i] = zone;
    T[i] = tag;
  }
}

/** @internal The pending first-touch queries of a stream. */
export class TouchQueue {
  // Each heap holds "how far price must go": -key for the below-kinds (0, 2), key for the above-kinds.
  private h0 = new Heap();
  private h1 = new Heap();
  private h2 = new Heap();
  private h3 = new Heap();

  /** Number of pending queries. */
  get size(): number {
    return this.h0.size + this.h1.size + this.h2.size + this.h3.size;
  }

  /** Waits for the first bar (from the next one processed) where `kind` reaches `key`. */
  add(kind: TouchKind, key: number, owner: TouchOwner, zone: unknown, tag: number): void {
    if (kind === 0) this.h0.push(-key, owner, zone, tag);
    else if (kind === 1) this.h1.push(key, owner, zone, tag);
    else if (kind === 2) this.h2.push(-key, owner, zone, tag);
    else this.h3.push(key, owner, zone, tag);
  }

  /** Whether bar (l, h, c) reaches `key` in the way of `kind`. */
  static reaches(kind: TouchKind, key: number, l: number, h: number, c: number): boolean {
    return kind === 0 ? l <= key : kind === 1 ? h >= key : kind === 2 ? c < key : c > key;
  }

  /** Bar `bar` (l, h, c): answers every query it reaches, in no particular order. */
  run(bar: number, l: number, h: number, c: number): void {
    const nl = -l,
      nc = -c;
    let x = this.h0;
    while (x.keys.length > 0 && x.keys[0]! <= nl) {
      const o = x.owners[0]!,
        z = x.zones[0],
        tg = x.tags[0]!;
      x.pop();
      o.touched(z, tg, bar);
    }
    x = this.h1;
    while (x.keys.length > 0 && x.keys[0]! <= h) {
      const o = x.owners[0]!,
        z = x.zones[0],
        tg = x.tags[0]!;
      x.pop();
      o.touched(z, tg, bar);
    }
    x = this.h2;
    while (x.keys.length > 0 && x.keys[0]! < nc) {
      const o = x.owners[0]!,
        z = x.zones[0],
        tg = x.tags[0]!;
      x.pop();
      o.touched(z, tg, bar);
    }
    x = this.h3;
    while (x.keys.length > 0 && x.keys[0]! < c) {
      const o = x.owners[0]!,
        z = x.zones[0],
        tg = x.tags[0]!;
      x.pop();
      o.touched(z, tg, bar);
    }
  }

  clear(): void {
    this.h0 = new Heap();
    this.h1 = new Heap();
    this.h2 = new Heap();
    this.h3 = new Heap();
  }
}
