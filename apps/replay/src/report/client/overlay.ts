/**
 * The chart overlay (a series primitive drawing on the candle pane): the
 * zones as boxes from formation to the event that ended them, the 5m EQ line
 * and OTE band as they stood at each tick, and the breaks of structure. Zones
 * still alive at the close are drawn solid; zones that were filled,
 * invalidated or expired stop there and are drawn faded. It remembers where
 * each box and break went, for the hover tooltip.
 */
import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from "lightweight-charts";
import { BEAR, BULL, EQ_LINE, LEVEL_LINE, OTE_FILL, SESSION_COLORS, ZONE_COLORS, withAlpha } from "../palette.js";
import { nearestSpans } from "../filter.js";
import type { BreakLine, LevelLine, SymbolPayload, ZoneBox } from "../types.js";
import { logicalOf, xOfLogical, type BarView } from "./view.js";

/** The canvas target the library hands to a renderer. */
type Target = Parameters<IPrimitivePaneRenderer["draw"]>[0];
/** Its bitmap drawing scope. */
type Scope = Parameters<Parameters<Target["useBitmapCoordinateSpace"]>[0]>[0];

/** Which layers are shown. */
export interface Layers {
  "5m": boolean;
  "1m": boolean;
  breaks: boolean;
  eq: boolean;
  smt: boolean;
  sessions: boolean;
  levels: boolean;
}

/** What one symbol's chart shows now. */
export interface ChartState {
  sym: SymbolPayload;
  /** The boxes drawn: each zone over its life, or with a nearest-N filter only while it was among the nearest. */
  pieces: Piece[];
  view: BarView;
  layers: Layers;
}

/** One box to draw: a zone over `[from, to)` (UTC seconds). */
export interface Piece {
  zone: ZoneBox;
  from: number;
  to: number;
}

/** Gaps in a zone's nearest spans up to this long (seconds) are drawn through. */
const BRIDGE_SECONDS = 15 * 60;

/** The boxes of a symbol's zones: whole lives, or the spans of the nearest `n` per side. */
export function piecesOf(s: SymbolPayload, n: number | null): Piece[] {
  if (n === null) return s.zones.map((zone) => ({ zone, from: zone.from, to: zone.to ?? s.end }));
  const out: Piece[] = [];
  nearestSpans(s.zones, s.t, s.c, n).forEach((spans, i) => {
    let cur: Piece | null = null;
    for (const [from, to] of spans) {
      // A zone out of the nearest set for a few minutes only stays drawn (no flicker of short stubs).
      if (cur !== null && from - cur.to <= BRIDGE_SECONDS) cur.to = to;
      else out.push((cur = { zone: s.zones[i]!, from, to }));
    }
  });
  return out;
}

/** A drawn box or break line, in CSS pixels of the candle pane. */
export interface Hit {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  zone?: ZoneBox;
  brk?: BreakLine;
}

/** Border colour of a zone. */
export function zoneColor(z: Pick<ZoneBox, "kind" | "dir">): string {
  return ZONE_COLORS[z.kind][z.dir === "bear" ? "bear" : "bull"];
}

/**
 * The candle pane's overlay of one symbol: zone boxes (5m under 1m; ended
 * zones faded, zones alive at the close solid; inversions and breakers
 * dashed; the 5m zones' CE dotted), the OTE band and EQ line, and the
 * breaks of structure (CHoCH dashed, 5m ones labelled).
 */
export class Overlay implements ISeriesPrimitive<Time> {
  private chart: IChartApi | null = null;
  private series: ISeriesApi<SeriesType> | null = null;
  private request: (() => void) | null = null;
  private readonly views: readonly IPrimitivePaneView[];
  /** Boxes and breaks of the last drawing, topmost last. */
  hits: Hit[] = [];

  constructor(readonly state: ChartState) {
    const renderer: IPrimitivePaneRenderer = {
      drawBackground: (target) => target.useBitmapCoordinateSpace((sc) => this.drawBack(sc)),
      draw: (target) => target.useBitmapCoordinateSpace((sc) => this.drawFront(sc)),
    };
    this.views = [{ zOrder: () => "normal", renderer: () => renderer }];
  }

  attached(p: SeriesAttachedParameter<Time>): void {
    this.chart = p.chart as IChartApi;
    this.series = p.series;
    this.request = p.requestUpdate;
  }
  detached(): void {
    this.chart = null;
    this.series = null;
    this.request = null;
  }
  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }
  redraw(): void {
    this.request?.();
  }

  /** CSS x of a time, null when off the scale. */
  private x(ts: number): number | null {
    return xOfLogical(this.chart!.timeScale(), logicalOf(this.state.view, ts));
  }
  /** CSS y of a price. */
  private y(p: number): number | null {
    return this.series!.priceToCoordinate(p);
  }

  private drawBack(sc: Scope): void {
    if (!this.chart || !this.series) return;
    const ctx = sc.context,
      hr = sc.horizontalPixelRatio,
      vr = sc.verticalPixelRatio,
      st = this.state,
      s = st.sym;
    const W = sc.bitmapSize.width / hr;
    const clampX = (x: number) => Math.max(-10, Math.min(W + 10, x));
    const hits: Hit[] = [];
    if (st.layers.sessions) {
      // Sessions and killzones: a faint band over each window; the killzones nested in the regular session show through.
      for (const b of s.sessions) {
        const xa = this.x(b.from),
          xb = this.x(Math.min(b.to, s.end));
        if (xa === null || xb === null) continue;
        const X0 = Math.round(clampX(xa) * hr),
          X1 = Math.round(clampX(xb) * hr);
        if (X1 <= X0) continue;
        ctx.fillStyle = withAlpha(SESSION_COLORS[b.name] ?? SESSION_COLORS.default!, b.name.startsWith("silver_bullet") ? 0.08 : 0.045);
        ctx.fillRect(X0, 0, X1 - X0, sc.bitmapSize.height);
      }
    }
    if (st.layers.eq) {
      ctx.fillStyle = OTE_FILL;
      for (let i = 0; i < s.eqote.length; i++) {
        const q = s.eqote[i]!;
        if (q.oteLow === null || q.oteHigh === null) continue;
        const t1 = i + 1 < s.eqote.length ? s.eqote[i + 1]!.t : s.end;
        const xa = this.x(q.t),
          xb = this.x(t1),
          ya = this.y(q.oteHigh),
          yb = this.y(q.oteLow);
        if (xa === null || xb === null || ya === null || yb === null) continue;
        const X0 = Math.round(clampX(xa) * hr),
          X1 = Math.round(clampX(xb) * hr);
        ctx.fillRect(X0, Math.round(ya * vr), Math.max(1, X1 - X0), Math.max(1, Math.round((yb - ya) * vr)));
      }
    }
    // 5m zones under the 1m ones; within a timeframe, zones that ended under those alive at the close.
    for (const tf of ["5m", "1m"] as const) {
      if (!st.layers[tf]) continue;
      const strong = tf === "5m";
      for (const pass of [0, 1]) {
        for (const p of st.pieces) {
          const z = p.zone;
          if (z.tf !== tf || (z.to === null) !== (pass === 1)) continue;
          const x0 = this.x(p.from),
            x1 = this.x(p.to);
          const y0 = this.y(z.high),
            y1 = this.y(z.low);
          if (x0 === null || x1 === null || y0 === null || y1 === null) continue;
          const a = clampX(x0),
            b = Math.max(clampX(x1), a + 2);
          if (b < 0 || a > W) continue;
          const alive = z.to === null;
          const col = zoneColor(z);
          const X0 = Math.round(a * hr),
            Wd = Math.max(Math.round(2 * hr), Math.round(b * hr) - X0);
          const Y0 = Math.round(y0 * vr),
            H = Math.max(Math.round(vr), Math.round((y1 - y0) * vr));
          ctx.fillStyle = withAlpha(col, alive ? (strong ? 0.15 : 0.1) : strong ? 0.07 : 0.05);
          ctx.fillRect(X0, Y0, Wd, H);
          ctx.lineWidth = Math.max(1, Math.round((strong && alive ? 1.5 : 1) * hr));
          ctx.strokeStyle = withAlpha(col, alive ? (strong ? 0.9 : 0.7) : strong ? 0.5 : 0.35);
          ctx.setLineDash(z.kind === "IFVG" || z.kind === "BB" ? [Math.round(5 * hr), Math.round(3 * hr)] : []);
          ctx.strokeRect(X0 + 0.5, Y0 + 0.5, Wd, H);
          if (z.ce !== null && strong) {
            const yc = this.y(z.ce);
            if (yc !== null) {
              ctx.setLineDash([Math.round(2 * hr), Math.round(2 * hr)]);
              ctx.beginPath();
              ctx.moveTo(X0, Math.round(yc * vr) + 0.5);
              ctx.lineTo(X0 + Wd, Math.round(yc * vr) + 0.5);
              ctx.stroke();
            }
          }
          ctx.setLineDash([]);
          hits.push({ x0: a, x1: b, y0, y1: Math.max(y1, y0 + 1), zone: z });
        }
      }
    }
    if (st.layers.breaks) {
      for (const b of s.breaks) {
        if (!st.layers[b.tf as "1m" | "5m"]) continue;
        const x0 = this.x(b.from),
          x1 = this.x(b.at),
          y = this.y(b.level);
        if (x0 === null || x1 === null || y === null) continue;
        hits.push({ x0: Math.min(x0, x1), x1: Math.max(x0, x1), y0: y - 3, y1: y + 3, brk: b });
      }
    }
    this.hits = hits;
  }

  private drawFront(sc: Scope): void {
    if (!this.chart || !this.series) return;
    const ctx = sc.context,
      hr = sc.horizontalPixelRatio,
      vr = sc.verticalPixelRatio,
      st = this.state,
      s = st.sym;
    ctx.font = `${Math.round(10 * vr)}px system-ui, sans-serif`;
    if (st.layers.sessions) {
      // Each window's name at the top of its band, on one of three rows so that nested windows do not overwrite.
      ctx.textBaseline = "top";
      s.sessions.forEach((b, i) => {
        const xa = this.x(b.from),
          xb = this.x(Math.min(b.to, s.end));
        if (xa === null || xb === null || xb <= 0) return;
        ctx.fillStyle = SESSION_COLORS[b.name] ?? SESSION_COLORS.default!;
        // A window that began before the first bar is named at the chart's left edge.
        ctx.fillText(b.name.replace(/_/g, " "), Math.round(Math.max(0, xa) * hr) + 3, Math.round((2 + 12 * (i % 3)) * vr));
      });
    }
    if (st.layers.levels) {
      // Key levels: a dashed line from when each is known to the day's end, solid until price traded through it, labelled at the right.
      ctx.strokeStyle = LEVEL_LINE;
      ctx.fillStyle = LEVEL_LINE;
      ctx.lineWidth = Math.max(1, Math.round(hr));
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      const xe = this.x(s.end);
      // Labels closer than a text line to the one below move left, so that levels at nearby prices stay readable.
      const labelShift = new Map<LevelLine, number>();
      const byY = s.levels
        .map((lv) => ({ lv, y: this.y(lv.price) }))
        .filter((e): e is { lv: LevelLine; y: number } => e.y !== null)
        .sort((a, b) => a.y - b.y);
      let lastY = -Infinity;
      let shift = 0;
      for (const e of byY) {
        shift = e.y - lastY < 11 ? shift + 1 : 0;
        labelShift.set(e.lv, shift);
        if (shift === 0) lastY = e.y;
      }
      for (const lv of s.levels) {
        const xa = this.x(lv.from),
          y = this.y(lv.price);
        if (xa === null || xe === null || y === null) continue;
        const Y = Math.round(y * vr) + 0.5;
        const xt = lv.taken === null ? null : this.x(lv.taken);
        const X0 = Math.round(xa * hr),
          XT = xt === null ? Math.round(xe * hr) : Math.round(xt * hr),
          XE = Math.round(xe * hr);
        ctx.setLineDash([Math.round(8 * hr), Math.round(3 * hr)]);
        ctx.beginPath();
        ctx.moveTo(X0, Y);
        ctx.lineTo(XT, Y);
        ctx.stroke();
        if (XT < XE) {
          // Taken: fainter after the bar that traded through it.
          ctx.strokeStyle = withAlpha(LEVEL_LINE, 0.35);
          ctx.setLineDash([Math.round(2 * hr), Math.round(4 * hr)]);
          ctx.beginPath();
          ctx.moveTo(XT, Y);
          ctx.lineTo(XE, Y);
          ctx.stroke();
          ctx.strokeStyle = LEVEL_LINE;
        }
        ctx.setLineDash([]);
        ctx.fillText(`${lv.name} ${lv.price.toFixed(2)}`, XE - Math.round((30 + 110 * (labelShift.get(lv) ?? 0)) * hr), Y - 1);
      }
      ctx.textAlign = "left";
    }
    if (st.layers.eq) {
      ctx.strokeStyle = EQ_LINE;
      ctx.lineWidth = Math.max(1, Math.round(hr));
      ctx.setLineDash([Math.round(6 * hr), Math.round(4 * hr)]);
      for (let i = 0; i < s.eqote.length; i++) {
        const q = s.eqote[i]!;
        if (q.eq === null) continue;
        const t1 = i + 1 < s.eqote.length ? s.eqote[i + 1]!.t : s.end;
        const xa = this.x(q.t),
          xb = this.x(t1),
          y = this.y(q.eq);
        if (xa === null || xb === null || y === null) continue;
        ctx.beginPath();
        ctx.moveTo(Math.round(xa * hr), Math.round(y * vr) + 0.5);
        ctx.lineTo(Math.round(xb * hr), Math.round(y * vr) + 0.5);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      const lastq = s.eqote[s.eqote.length - 1];
      if (lastq && lastq.eq !== null) {
        const yl = this.y(lastq.eq),
          xl = this.x(s.end);
        if (yl !== null && xl !== null) {
          ctx.fillStyle = EQ_LINE;
          ctx.textBaseline = "bottom";
          ctx.fillText("EQ", Math.round(xl * hr) - Math.round(18 * hr), Math.round(yl * vr) - 2);
        }
      }
    }
    if (st.layers.breaks) {
      for (const b of s.breaks) {
        if (!st.layers[b.tf as "1m" | "5m"]) continue;
        const x0 = this.x(b.from),
          x1 = this.x(b.at),
          yb = this.y(b.level);
        if (x0 === null || x1 === null || yb === null) continue;
        const col = b.dir === "bear" ? BEAR : BULL;
        const major = b.tf === "5m";
        ctx.strokeStyle = col;
        ctx.lineWidth = Math.max(1, Math.round((major ? 2 : 1) * hr));
        ctx.setLineDash(b.kind === "CHOCH" ? [Math.round(5 * hr), Math.round(3 * hr)] : []);
        const Y = Math.round(yb * vr) + 0.5;
        ctx.beginPath();
        ctx.moveTo(Math.round(x0 * hr), Y);
        ctx.lineTo(Math.round(x1 * hr), Y);
        ctx.stroke();
        ctx.setLineDash([]);
        // Only the 5m breaks are labelled (at the breaking bar); 1m breaks are named on hover.
        if (major) {
          ctx.fillStyle = col;
          ctx.textAlign = "right";
          ctx.textBaseline = b.dir === "bear" ? "top" : "bottom";
          ctx.fillText(b.kind === "CHOCH" ? "CHoCH" : "BOS", Math.round(x1 * hr) - 2, b.dir === "bear" ? Y + 2 : Y - 2);
          ctx.textAlign = "left";
        }
      }
    }
  }
}
