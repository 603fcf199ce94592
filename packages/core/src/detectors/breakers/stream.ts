/**
 * Breaker blocks, one bar at a time (the batch kernel `breakerBuild`, `ict`
 * profile).
 *
 * Market rule: an order block that fails — a close beyond its distal wick —
 * and is followed, within `breakerLookahead` bars of the failure (the failing
 * bar included), by a break of structure against the block's direction
 * becomes a breaker in the opposite role (Q17), known at that break (Q18): a
 * failed bullish block is bearish resistance at its body top, a failed bearish
 * block bullish support at its body bottom. From the next bar on, a close back
 * beyond the failed block's far wick invalidates it.
 */
import type { BreakerRecord } from "./breakers.js";
import { isoUtc } from "../../io/time.js";
import { RecordList, type StepCtx } from "../zones/stream-context.js";
import type { ObZone } from "../ob/stream.js";
import type { TouchOwner } from "../zones/touch-stream.js";

/** @internal A failed block waiting for an opposite break. */
interface Watch {
  ob: number;
  dir: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** ISO time of the failed block's candle. */
  time: string;
  v: number;
}

/** @internal A breaker still open to invalidation. */
interface BbZone {
  ob: number;
  dir: number;
  level: number;
  h: number;
  l: number;
  lo: number;
  hi: number;
  /** The failed block's candle time (the anchor, ISO); epoch ms of formation and invalidation. */
  fromTime: string;
  formed: number;
  formedAt: number;
  inv: number;
  invAt: number;
}

/** @internal Streaming breaker state. */
export class BreakerStream implements TouchOwner {
  private watches: Watch[] = [];
  readonly live = new Map<number, BbZone>();
  readonly list: RecordList<BreakerRecord, any>;

  constructor(private readonly ctx: StepCtx) {
    this.list = new RecordList(
      (z: BbZone) => this.record(z),
      (z) => z.inv >= 0,
    );
    this.list.journal = ctx.journal;
  }

  /** Block `z` failed at bar `v`: breaks from bar v to v + lookahead may turn it. */
  watch(z: ObZone, v: number): void {
    // The list is replaced, never changed in place: a checkpoint keeps it by reference.
    this.watches = this.watches.concat([{ ob: z.id, dir: z.dir, o: z.o, h: z.h, l: z.l, c: z.c, time: z.time, v }]);
  }

  private record(z: BbZone): BreakerRecord {
    const formedAt = isoUtc(z.formedAt);
    return {
      tf: this.ctx.tf,
      dir: z.dir > 0 ? "bull" : "bear",
      level: z.level,
      from_ob_time: z.fromTime,
      active: z.inv < 0,
      kind: "BB",
      time: formedAt,
      known_time: formedAt,
      known_index: z.formed,
      zone: [z.lo, z.hi],
      ce: (z.lo + z.hi) / 2.0,
      invalidated_at: z.inv >= 0 ? isoUtc(z.invAt) : null,
    };
  }

  private zone(x: BbZone): BbZone {
    return x;
  }

  /** The invalidation query of `z` was reached at bar `bar`. */
  touched(z: BbZone, _tag: number, bar: number): void {
    this.ctx.setOnce(z, "inv", "invAt");
    z.inv = bar;
    z.invAt = this.ctx.ms;
    this.ctx.emit("bb", "invalidated", z.dir, z.fromTime, z.ob);
    this.ctx.mapDelete(this.live, z.ob);
    this.list.put(z.ob, z.formed, z);
  }

  /** A bearish breaker by a close above the block's high, a bullish one by a close below its low. */
  private arm(z: BbZone): void {
    const tol = this.ctx.cfg.tol;
    if (z.dir < 0) this.ctx.touch.add(3, z.h + tol, this, z, 0);
    else this.ctx.touch.add(2, z.l - tol, this, z, 0);
  }

  /** Bar t closed (after the first-touch queries); `brk` the direction of the break at t (0 none). */
  step(brk: number): void {
    if (this.watches.length === 0) return;
    const ctx = this.ctx;
    const t = ctx.t;
    const look = ctx.cfg.breakerLookahead;
    const keep: Watch[] = [];
    let changed = false;
    for (const w of this.watches) {
      if (brk !== -w.dir && t < w.v + look) {
        keep.push(w);
        continue;
      }
      changed = true;
      if (brk !== -w.dir) continue;
      const bd = -w.dir;
      const lo = Math.min(w.o, w.c);
      const hi = Math.max(w.o, w.c);
      let level = bd < 0 ? Math.max(w.o, w.c) : Math.min(w.o, w.c);
      if (level === 0) level = w.dir > 0 ? w.l : w.h;
      const z = this.zone({
        ob: w.ob,
        dir: bd,
        level,
        h: w.h,
        l: w.l,
        lo,
        hi,
        fromTime: w.time,
        formed: t,
        formedAt: ctx.ms,
        inv: -1,
        invAt: -1,
      });
      this.list.put(z.ob, t, z);
      ctx.mapSet(this.live, z.ob, z);
      ctx.emit("bb", "new", bd, z.fromTime, z.ob);
      this.arm(z);
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
    for (const z of this.live.values()) this.arm(z);
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
      this.live.set(z.ob, z);
      this.arm(z);
    }
  }
}
