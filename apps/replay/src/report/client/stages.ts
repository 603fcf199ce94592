/**
 * The stage band under the candles: three rows (HTF stage, LTF stage, bias),
 * one cell per candle coloured by the tracker's stage at that candle's last
 * tick, so the 1m and the 5m views both read bar by bar.
 */
import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesPrimitive,
  SeriesAttachedParameter,
  Time,
} from "lightweight-charts";
import { STAGE_COLORS } from "../palette.js";
import type { StageRun } from "../types.js";
import type { ChartState } from "./overlay.js";
import { stageAt, xOfLogical } from "./view.js";

type Target = Parameters<IPrimitivePaneRenderer["draw"]>[0];
type Scope = Parameters<Parameters<Target["useBitmapCoordinateSpace"]>[0]>[0];

const ROWS: readonly { key: "htf" | "ltf" | "bias"; label: string; value: (r: StageRun) => string }[] = [
  { key: "htf", label: "HTF", value: (r) => r.htf },
  { key: "ltf", label: "LTF", value: (r) => r.ltf },
  { key: "bias", label: "BIAS", value: (r) => String(r.bias) },
];

/** The stage of each candle of the state's view (null before the first tick). */
export function stagesPerBar(state: ChartState): (StageRun | null)[] {
  return state.view.last.map((t) => stageAt(state.sym.stages, t));
}

/** The stage band pane's primitive: one coloured cell per candle and stage row. */
export class StageBands implements ISeriesPrimitive<Time> {
  private chart: IChartApi | null = null;
  private readonly views: readonly IPrimitivePaneView[];
  /** The stage of each candle, recomputed when the view changes. */
  perBar: (StageRun | null)[] = [];

  constructor(readonly state: ChartState) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => target.useBitmapCoordinateSpace((sc) => this.draw(sc)) };
    this.views = [{ zOrder: () => "normal", renderer: () => renderer }];
  }
  attached(p: SeriesAttachedParameter<Time>): void {
    this.chart = p.chart as IChartApi;
  }
  detached(): void {
    this.chart = null;
  }
  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }
  /** Call after the view changed. */
  update(): void {
    this.perBar = stagesPerBar(this.state);
  }

  private draw(sc: Scope): void {
    if (!this.chart) return;
    const ctx = sc.context,
      hr = sc.horizontalPixelRatio,
      vr = sc.verticalPixelRatio;
    const W = sc.bitmapSize.width,
      H = sc.bitmapSize.height,
      rowH = Math.floor(H / 3);
    const ts = this.chart.timeScale();
    const range = ts.getVisibleLogicalRange();
    const n = this.perBar.length;
    if (range === null || n === 0) return;
    const from = Math.max(0, Math.floor(range.from)),
      to = Math.min(n - 1, Math.ceil(range.to));
    for (let r = 0; r < ROWS.length; r++) {
      const row = ROWS[r]!;
      const colours = STAGE_COLORS[row.key];
      for (let i = from; i <= to; i++) {
        const st = this.perBar[i];
        if (!st) continue;
        const xa = xOfLogical(ts, i - 0.5),
          xb = xOfLogical(ts, i + 0.5);
        if (xa === null || xb === null) continue;
        const X0 = Math.max(0, Math.round(xa * hr)),
          X1 = Math.min(W, Math.round(xb * hr));
        if (X1 <= X0) continue;
        ctx.fillStyle = colours[row.value(st)] ?? "#cccccc";
        ctx.fillRect(X0, r * rowH + 1, X1 - X0, rowH - 2);
      }
      ctx.fillStyle = "#1f2430";
      ctx.font = `${Math.round(10 * vr)}px system-ui, sans-serif`;
      ctx.textBaseline = "middle";
      ctx.textAlign = "right";
      ctx.fillText(row.label, W - Math.round(4 * hr), r * rowH + rowH / 2);
      ctx.textAlign = "left";
    }
  }
}
