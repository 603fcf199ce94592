/**
 * Fair value gaps, one bar at a time (the batch kernels `fvgDetect` and
 * `fvgEvents`, `ict` profile).
 *
 * Market rule: candles i−1, i, i+1 leave a bullish gap when the high of i−1
 * stays below the low of i+1, a bearish one when the low of i−1 stays above
 * the high of i+1 (optionally at least `minGapAtr` ATRs of the third candle).
 * No gap spans a session break (a jump over the night is an opening gap).
 * The gap is known at the close of i+1; from the next bar on its life is a
 * series of first crossings: mitigated (a wick into it), filled (its 50 %
 * level, or far edge with `fillPolicy: "full"`; sticky), traded through (a
 * close beyond the far edge). A traded gap can change no more: it leaves the
 * working state (its record stays) and may become an IFVG.
 */
import type { FvgRecord } from "./fvg.js";
import { isoUtc } from "../../io/time.js";
import type { AtrStream } from "../atr/stream.js";
import { RecordList, type StepCtx } from "../zones/stream-context.js";
import type { TouchOwner } from "../zones/touch-stream.js";
import { sessionBreakMs } from "../zones/zones.js";

const MIT = 0,
  FILL = 1,
  TRADED = 2;

/** @internal A gap still open to events. */
/** A gap closed through may be retested as an inversion FVG: the IFVG stream watches it from that bar. */
export interface FvgFailureWatch {
  watch(z: FvgZone, at: number): void;
}

export interface FvgZone {
  id: number;
  dir: number;
  lo: number;
  hi: number;
  mid: number;
  /** ISO times of the first candle (the anchor) and of the known bar; epoch ms of each status (valid when its bar is >= 0). */
  start: string;
  known: number;
  knownTime: string;
  mit: number;
  fill: number;
  traded: number;
  mitAt: number;
  fillAt: number;
  tradedAt: number;
}

/** @internal Streaming FVG state. */
export class FvgStream implements TouchOwner {
  /** Gaps found so far (the next gap's id). */
  count = 0;
  readonly live = new Map<number, FvgZone>();
  readonly list: RecordList<FvgRecord, any>;

  /** Pause between bars beyond which trading was interrupted (a session break). */
  private readonly breakMs: number;

  constructor(
    private readonly ctx: StepCtx,
    private readonly ifvg: FvgFailureWatch,
  ) {
    this.breakMs = sessionBreakMs(ctx.cfg.stepMs ?? 60_000);
    this.list = new RecordList(
      (z: FvgZone) => this.record(z),
      (z) => z.traded >= 0,
    );
    this.list.journal = ctx.journal;
  }

  private record(z: FvgZone): FvgRecord {
    const filled = z.fill >= 0;
    return {
      tf: this.ctx.tf,
      dir: z.dir > 0 ? "bull" : "bear",
      start: z.start,
      gap: [z.lo, z.hi],
      filled,
      active: !filled,
      kind: "FVG",
      traded_through: z.traded >= 0,
      ce: (z.lo + z.hi) / 2.0,
      known_time: z.knownTime,
      known_index: z.known,
      mitigated_at: z.mit >= 0 ? isoUtc(z.mitAt) : null,
      filled_at: filled ? isoUtc(z.fillAt) : null,
      traded_through_at: z.traded >= 0 ? isoUtc(z.tradedAt) : null,
    };
  }

  private watch(z: FvgZone): void {
    const { cfg, touch } = this.ctx;
    const tol = cfg.tol;
    const a = z.lo,
      b = z.hi;
    const m = (a + b) / 2.0;
    const midline = cfg.fillPolicy === "midline";
    if (z.dir > 0) {
      if (z.mit < 0) touch.add(0, b, this, z, MIT);
      if (z.fill < 0) touch.add(0, (midline ? m : a) + tol, this, z, FILL);
      if (z.traded < 0) touch.add(2, a - tol, this, z, TRADED);
    } else {
      if (z.mit < 0) touch.add(1, a, this, z, MIT);
      if (z.fill < 0) touch.add(1, (midline ? m : b) - tol, this, z, FILL);
      if (z.traded < 0) touch.add(3, b + tol, this, z, TRADED);
    }
  }

  /** A query of zone `z` was reached at bar `bar`. */
  touched(z: FvgZone, tag: number, bar: number): void {
    const ctx = this.ctx;
    const at = ctx.ms;
    if (tag === MIT) {
      ctx.setOnce(z, "mit", "mitAt");
      z.mit = bar;
      z.mitAt = at;
      ctx.emit("fvg", "mitigated", z.dir, z.start, z.id);
    } else if (tag === FILL) {
      ctx.setOnce(z, "fill", "fillAt");
      z.fill = bar;
      z.fillAt = at;
      ctx.emit("fvg", "filled", z.dir, z.start, z.id);
    } else {
      ctx.setOnce(z, "traded", "tradedAt");
      z.traded = bar;
      z.tradedAt = at;
      ctx.emit("fvg", "traded", z.dir, z.start, z.id);
      // A close beyond the far edge has also reached the wick and fill levels: nothing is left to happen.
      ctx.mapDelete(this.live, z.id);
      this.ifvg.watch(z, bar);
    }
    this.list.put(z.id, z.known, z);
  }

  private zone(x: FvgZone): FvgZone {
    return x;
  }

  /** Bar t closed (after the first-touch queries): a gap whose third candle is t. */
  step(atr: AtrStream): void {
    const ctx = this.ctx;
    const t = ctx.t;
    if (t < 2) return;
    const { ring, cfg } = ctx;
    const mk = ring.mask;
    const i = t - 1;
    const hp = ring.h[(i - 1) & mk]!;
    const lp = ring.l[(i - 1) & mk]!;
    const hn = ring.h[t & mk]!;
    const ln = ring.l[t & mk]!;
    const tol = cfg.tol;
    let d = 0;
    let a = 0;
    let b = 0;
    if (hp + tol < ln) {
      d = 1;
      a = hp;
      b = ln;
    } else if (lp - tol > hn) {
      d = -1;
      a = hn;
      b = lp;
    }
    if (d === 0) return;
    if (cfg.minGapAtr > 0 && b - a < cfg.minGapAtr * atr.last) return;
    // A jump across a session break is an opening gap, not a fair value gap.
    const brk = this.breakMs;
    if (ctx.msOf(i) - ctx.msOf(i - 1) > brk || ctx.ms - ctx.msOf(i) > brk) return;
    const z = this.zone({
      id: this.count++,
      dir: d,
      lo: a,
      hi: b,
      mid: i,
      start: isoUtc(ctx.msOf(i - 1)),
      known: t,
      knownTime: ctx.time,
      mit: -1,
      fill: -1,
      traded: -1,
      mitAt: -1,
      fillAt: -1,
      tradedAt: -1,
    });
    this.list.put(z.id, t, z);
    ctx.mapSet(this.live, z.id, z);
    ctx.emit("fvg", "new", d, z.start, z.id);
    this.watch(z);
  }

  /** The small part of the state (restored at a checkpoint; zones and records come back through the journal). */
  small(): unknown {
    return { count: this.count };
  }

  loadSmall(x: any): void {
    this.count = x.count;
  }

  /** Queues the pending queries of every live gap again. */
  rewatch(): void {
    for (const z of this.live.values()) this.watch(z);
  }

  save(): unknown {
    const live = [];
    for (const z of this.live.values()) {
      live.push({ ...z });
    }
    return { count: this.count, live };
  }

  /** Restores the live gaps and their pending queries (the touch queue is empty). */
  load(x: any): void {
    this.count = x.count;
    this.live.clear();
    for (const r of x.live) {
      const z = this.zone({ ...r });
      this.live.set(z.id, z);
      this.watch(z);
    }
  }
}
