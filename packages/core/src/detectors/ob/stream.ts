/**
 * Order blocks, one bar at a time (the batch kernels `obDetect` and
 * `obEvents`, `ict` profile).
 *
 * Market rule: bar d displaces upward when it closes above the previous close
 * by more than `displacementAtrMult` ATRs (of bar d−1), or closes higher and
 * breaks structure upward at d (confirmed swings only, Q05). Its order block
 * is the last down-close candle (dojis are neither) within `obLookback` bars
 * before d, at most once per direction (one block per displacement leg, Q06),
 * known at the close of d; downward mirrors it. From the next bar on: mitigated
 * at the first wick back into the body, invalidated at the first close beyond
 * the distal wick — then it leaves the working state and may become a breaker.
 */
import type { ObRecord } from "./ob.js";
import { isoUtc } from "../../io/time.js";
import type { AtrStream } from "../atr/stream.js";
import { RecordList, type StepCtx } from "../zones/stream-context.js";
import type { TouchOwner } from "../zones/touch-stream.js";

const MIT = 0,
  INV = 1;

/** @internal A candle remembered as a possible block. */
interface Candle {
  bar: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Epoch ms. */
  time: number;
}

/** @internal An order block still open to events. */
/** An order block closed through may become a breaker: the breaker stream watches it from that bar. */
export interface ObFailureWatch {
  watch(z: ObZone, at: number): void;
}

export interface ObZone {
  id: number;
  dir: number;
  bar: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** ISO times of the candle (the anchor) and of the known bar; epoch ms of the statuses (valid when `mit`, `inv` >= 0). */
  time: string;
  known: number;
  knownTime: string;
  mit: number;
  inv: number;
  mitAt: number;
  invAt: number;
}

/** @internal Streaming order-block state. */
export class ObStream implements TouchOwner {
  count = 0;
  /** The last down-close and up-close candles: bar (-1 none) and [t, o, h, l, c]; their Candle once built. */
  private downBar = -1;
  private upBar = -1;
  private readonly down = new Float64Array(5);
  private readonly up = new Float64Array(5);
  private lastDown: Candle | null = null;
  private lastUp: Candle | null = null;
  private usedBull = -1;
  private usedBear = -1;
  readonly live = new Map<number, ObZone>();
  readonly list: RecordList<ObRecord, any>;

  constructor(
    private readonly ctx: StepCtx,
    private readonly bb: ObFailureWatch,
  ) {
    this.list = new RecordList(
      (z: ObZone) => this.record(z),
      (z) => z.inv >= 0,
    );
    this.list.journal = ctx.journal;
  }

  private record(z: ObZone): ObRecord {
    const bull = z.dir > 0;
    const lo = Math.min(z.o, z.c);
    const hi = Math.max(z.o, z.c);
    const inv = z.inv >= 0;
    return {
      tf: this.ctx.tf,
      dir: bull ? "bull" : "bear",
      time: z.time,
      body: [lo, hi],
      distal: bull ? z.l : z.h,
      active: !inv,
      kind: "OB",
      invalidated: inv,
      ce: (lo + hi) / 2.0,
      known_time: z.knownTime,
      known_index: z.known,
      mitigated_at: z.mit >= 0 ? isoUtc(z.mitAt) : null,
      invalidated_at: inv ? isoUtc(z.invAt) : null,
    };
  }

  private watch(z: ObZone): void {
    const { cfg, touch } = this.ctx;
    if (z.dir > 0) {
      if (z.mit < 0) touch.add(0, Math.max(z.o, z.c), this, z, MIT);
      if (z.inv < 0) touch.add(2, z.l - cfg.tol, this, z, INV);
    } else {
      if (z.mit < 0) touch.add(1, Math.min(z.o, z.c), this, z, MIT);
      if (z.inv < 0) touch.add(3, z.h + cfg.tol, this, z, INV);
    }
  }

  /** A query of zone `z` was reached at bar `bar`. */
  touched(z: ObZone, tag: number, bar: number): void {
    const ctx = this.ctx;
    if (tag === MIT) {
      ctx.setOnce(z, "mit", "mitAt");
      z.mit = bar;
      z.mitAt = ctx.ms;
      ctx.emit("ob", "mitigated", z.dir, z.time, z.id);
    } else {
      ctx.setOnce(z, "inv", "invAt");
      z.inv = bar;
      z.invAt = ctx.ms;
      ctx.emit("ob", "invalidated", z.dir, z.time, z.id);
      // A close beyond the distal wick has crossed the body too: nothing is left to happen.
      ctx.mapDelete(this.live, z.id);
      this.bb.watch(z, bar);
    }
    this.list.put(z.id, z.known, z);
  }

  private zone(x: ObZone): ObZone {
    return x;
  }

  private block(cd: Candle, dir: number): void {
    const ctx = this.ctx;
    const z = this.zone({
      id: this.count++,
      dir,
      bar: cd.bar,
      o: cd.o,
      h: cd.h,
      l: cd.l,
      c: cd.c,
      time: isoUtc(cd.time),
      known: ctx.t,
      knownTime: ctx.time,
      mit: -1,
      inv: -1,
      mitAt: -1,
      invAt: -1,
    });
    this.list.put(z.id, ctx.t, z);
    ctx.mapSet(this.live, z.id, z);
    ctx.emit("ob", "new", dir, z.time, z.id);
    this.watch(z);
  }

  /** Bar d closed (after the first-touch queries); `brk` the direction of the break at d (0 none). */
  step(atr: AtrStream, brk: number): void {
    const ctx = this.ctx;
    const d = ctx.t;
    const { ring, cfg } = ctx;
    const m = ring.mask;
    const s = d & m;
    const od = ring.o[s]!,
      cd = ring.c[s]!;
    if (d > 0) {
      const move = cd - ring.c[(d - 1) & m]!;
      const thr = cfg.displacementAtrMult * atr.prev;
      const ld = this.downBar,
        lu = this.upBar;
      const bull = move > 0 && (move > thr || brk > 0) && ld >= 0 && ld > this.usedBull && d - ld <= cfg.obLookback;
      const bear = move < 0 && (-move > thr || brk < 0) && lu >= 0 && lu > this.usedBear && d - lu <= cfg.obLookback;
      if (bull) {
        this.usedBull = ld;
        this.block((this.lastDown ??= this.candle(ld, this.down)), 1);
      } else if (bear) {
        this.usedBear = lu;
        this.block((this.lastUp ??= this.candle(lu, this.up)), -1);
      }
    }
    // The last down-close and up-close candles so far (dojis are neither).
    if (cd < od) {
      this.remember(d, s, this.down);
      this.downBar = d;
      this.lastDown = null;
    } else if (cd > od) {
      this.remember(d, s, this.up);
      this.upBar = d;
      this.lastUp = null;
    }
  }

  /** Copies bar d's time and prices (ring slot s) into `into` = [t, o, h, l, c]. */
  private remember(_d: number, s: number, into: Float64Array): void {
    const ring = this.ctx.ring;
    into[0] = ring.t[s]!;
    into[1] = ring.o[s]!;
    into[2] = ring.h[s]!;
    into[3] = ring.l[s]!;
    into[4] = ring.c[s]!;
  }

  private candle(bar: number, x: Float64Array): Candle {
    return { bar, o: x[1]!, h: x[2]!, l: x[3]!, c: x[4]!, time: x[0]! };
  }

  small(): unknown {
    return {
      count: this.count,
      downBar: this.downBar,
      down: Array.from(this.down),
      upBar: this.upBar,
      up: Array.from(this.up),
      usedBull: this.usedBull,
      usedBear: this.usedBear,
    };
  }

  loadSmall(x: any): void {
    this.count = x.count;
    this.downBar = x.downBar;
    this.down.set(x.down);
    this.upBar = x.upBar;
    this.up.set(x.up);
    this.lastDown = null;
    this.lastUp = null;
    this.usedBull = x.usedBull;
    this.usedBear = x.usedBear;
  }

  rewatch(): void {
    for (const z of this.live.values()) this.watch(z);
  }

  save(): unknown {
    const live = [];
    for (const z of this.live.values()) {
      live.push({ ...z });
    }
    return { ...(this.small() as object), live };
  }

  load(x: any): void {
    this.loadSmall(x);
    this.live.clear();
    for (const r of x.live) {
      const z = this.zone({ ...r });
      this.live.set(z.id, z);
      this.watch(z);
    }
  }
}
