/**
 * Inversion fair value gaps, one bar at a time (the batch kernel
 * `ifvgBuild`, `ict` profile).
 *
 * Market rule: a gap that price closes through has failed; if price comes back
 * to it — a wick into it from the side it was closed through — within
 * `ifvgRetestBars` bars after that close (Q14, Q15), it works in the opposite
 * role (Q16): a failed bullish gap is bearish resistance, a failed bearish gap
 * bullish support. It is known at the retest and invalidated by the first
 * close back beyond its far side, the retest bar included.
 */
import type { IfvgRecord } from "./ifvg.js";
import { isoUtc } from "../../io/time.js";
import { RecordList, type StepCtx } from "../zones/stream-context.js";
import type { FvgZone } from "../fvg/stream.js";
import type { TouchOwner } from "../zones/touch-stream.js";

/** @internal A traded gap waiting for its retest. */
interface Watch {
  gap: number;
  dir: number;
  lo: number;
  hi: number;
  start: string;
  tr: number;
  trAt: number;
}

/** @internal An IFVG still open to invalidation. */
interface IfvgZone {
  gap: number;
  dir: number;
  lo: number;
  hi: number;
  /** The anchor (ISO); times in epoch ms (`invAt` valid when `inv` >= 0). */
  start: string;
  trAt: number;
  retest: number;
  retestAt: number;
  inv: number;
  invAt: number;
}

/** @internal Streaming IFVG state. */
export class IfvgStream implements TouchOwner {
  private watches: Watch[] = [];
  readonly live = new Map<number, IfvgZone>();
  readonly list: RecordList<IfvgRecord, any>;

  constructor(private readonly ctx: StepCtx) {
    this.list = new RecordList(
      (z: IfvgZone) => this.record(z),
      (z) => z.inv >= 0,
    );
    this.list.journal = ctx.journal;
  }

  /** A gap was traded through at bar `tr`: its retest window opens at the next bar. */
  watch(z: FvgZone, tr: number): void {
    if (this.ctx.cfg.ifvgRetestBars <= 0) return;
    // The list is replaced, never changed in place: a checkpoint keeps it by reference.
    this.watches = this.watches.concat([{ gap: z.id, dir: z.dir, lo: z.lo, hi: z.hi, start: z.start, tr, trAt: z.tradedAt }]);
  }

  private record(z: IfvgZone): IfvgRecord {
    const bull = z.dir > 0;
    const retestedAt = isoUtc(z.retestAt);
    return {
      tf: this.ctx.tf,
      dir: bull ? "bull" : "bear",
      gap: [z.lo, z.hi],
      start: z.start,
      flip_role: bull ? "support" : "resistance",
      active: z.inv < 0,
      kind: "IFVG",
      retested_at: retestedAt,
      ce: (z.lo + z.hi) / 2.0,
      traded_through_at: isoUtc(z.trAt),
      known_time: retestedAt,
      known_index: z.retest,
      invalidated_at: z.inv >= 0 ? isoUtc(z.invAt) : null,
    };
  }

  private zone(x: IfvgZone): IfvgZone {
    return x;
  }

  /** The invalidation query of `z` was reached at bar `bar`. */
  touched(z: IfvgZone, _tag: number, bar: number): void {
    this.invalidate(z, bar);
  }

  private invalidate(z: IfvgZone, bar: number): void {
    this.ctx.setOnce(z, "inv", "invAt");
    z.inv = bar;
    z.invAt = this.ctx.ms;
    this.ctx.emit("ifvg", "invalidated", z.dir, z.start, z.gap);
    this.ctx.mapDelete(this.live, z.gap);
    this.list.put(z.gap, z.retest, z);
  }

  /** Invalidation: a bearish IFVG by a close above its top, a bullish one by a close below its bottom. */
  private query(z: IfvgZone): [2 | 3, number] {
    const tol = this.ctx.cfg.tol;
    return z.dir < 0 ? [3, z.hi + tol] : [2, z.lo - tol];
  }

  /** Bar t closed (after the first-touch queries): retests of the waiting gaps. */
  step(): void {
    if (this.watches.length === 0) return;
    const ctx = this.ctx;
    const t = ctx.t;
    const { ring, cfg } = ctx;
    const s = t & ring.mask;
    const h = ring.h[s]!,
      l = ring.l[s]!,
      c = ring.c[s]!;
    const tol = cfg.tol;
    const keep: Watch[] = [];
    let changed = false;
    for (const w of this.watches) {
      if (t <= w.tr) {
        keep.push(w);
        continue;
      }
      const hit = w.dir > 0 ? h >= w.lo - tol : l <= w.hi + tol;
      if (!hit && t < w.tr + cfg.ifvgRetestBars) {
        keep.push(w);
        continue;
      }
      changed = true;
      if (!hit) continue;
      const z = this.zone({
        gap: w.gap,
        dir: -w.dir,
        lo: w.lo,
        hi: w.hi,
        start: w.start,
        trAt: w.trAt,
        retest: t,
        retestAt: ctx.ms,
        inv: -1,
        invAt: -1,
      });
      ctx.emit("ifvg", "new", z.dir, z.start, z.gap);
      const [kind, key] = this.query(z);
      if (kind === 3 ? c > key : c < key) {
        z.inv = t;
        z.invAt = ctx.ms;
        ctx.emit("ifvg", "invalidated", z.dir, z.start, z.gap);
      } else {
        ctx.mapSet(this.live, z.gap, z);
        ctx.touch.add(kind, key, this, z, 0);
      }
      this.list.put(z.gap, t, z);
    }
    if (changed) this.watches = keep;
  }

  small(): unknown {
    return { watches: this.watches };
  }

  loadSmall(x: any): void {
    this.watches = x.watches;
  }

  rewatch(): void {
    for (const z of this.live.values()) {
      const [kind, key] = this.query(z);
      this.ctx.touch.add(kind, key, this, z, 0);
    }
  }

  save(): unknown {
    const live = [];
    for (const z of this.live.values()) {
      live.push({ ...z });
    }
    return { watches: this.watches.map((w) => ({ ...w })), live };
  }

  load(x: any): void {
    this.watches = x.watches.map((w: Watch) => ({ ...w }));
    this.live.clear();
    for (const r of x.live) {
      const z = this.zone({ ...r });
      this.live.set(z.gap, z);
      const [kind, key] = this.query(z);
      this.ctx.touch.add(kind, key, this, z, 0);
    }
  }
}
