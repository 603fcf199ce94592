/**
 * The drawing code of the replay's day report, bundled at build time and
 * inlined after TradingView Lightweight Charts™ (the global
 * `LightweightCharts`). It reads the day's data from the JSON data island
 * (id `ict-report-data`) and shows one tab per symbol (`#SYMBOL` in the
 * address selects it): the candles (1m or 5m) with the zones, breaks of
 * structure, 5m EQ/OTE and SMT marks over them, a tooltip naming the zones
 * and breaks under the mouse, the stage band per candle, and the tables of
 * stage transitions and confluence lives. Times are New York time. Nothing is
 * fetched.
 */
import type * as LWC from "lightweight-charts";
import type { CandlestickData, IChartApi, ISeriesApi, LineData, SeriesMarker, Time, UTCTimestamp } from "lightweight-charts";
import { BEAR, BULL, CANDLE_DOWN, CANDLE_UP, ZONE_NAMES } from "../palette.js";
import type { ReportPayload, SymbolPayload, ZoneBox, BreakLine } from "../types.js";
import { DEFAULT_NEAREST } from "../filter.js";
import { Overlay, piecesOf, zoneColor, type ChartState, type Hit } from "./overlay.js";
import { StageBands } from "./stages.js";
import { confTable, legend, stagesTable } from "./tables.js";
import { el, hm, logicalOf, nyDay, nyFull, px, stageAt, viewOf } from "./view.js";

declare const LightweightCharts: typeof LWC;

/** What the page exposes to its tests. */
interface ReportHandle {
  ready: boolean;
  symbols: string[];
  /** Shows a symbol's tab (builds its chart the first time). */
  show(symbol: string): void;
  /** The zone boxes and break lines drawn on a symbol's chart, in CSS pixels of its candle pane. */
  hits(symbol: string): { x0: number; x1: number; y0: number; y1: number; id: string | null }[];
  /** The stage band's cells of a symbol's chart, one per candle: `htf|ltf|bias`, null before the first tick. */
  stageCells(symbol: string): (string | null)[];
}

const D = JSON.parse(document.getElementById("ict-report-data")!.textContent!) as ReportPayload;
const root = document.getElementById("ict-report")!;

/** A built symbol tab. */
interface Built {
  section: HTMLElement;
  overlay: Overlay | null;
  bands: StageBands | null;
}

const built = new Map<string, Built>();

function zoneLine(z: ZoneBox): HTMLElement {
  const row = el("div");
  const name = el("b", { style: `color:${zoneColor(z)}` }, `${ZONE_NAMES[z.kind]} ${z.tf} ${z.dir ?? ""}`);
  row.appendChild(name);
  row.appendChild(document.createTextNode(` ${px(z.low)} – ${px(z.high)}${z.ce !== null ? ` · CE ${px(z.ce)}` : ""}`));
  row.appendChild(el("br"));
  row.appendChild(document.createTextNode(`formed ${hm(z.from)} · ${z.to === null ? "alive at the close" : `${z.end} ${hm(z.to)}`}`));
  return row;
}

function breakLine(b: BreakLine): HTMLElement {
  const row = el("div");
  row.appendChild(
    el("b", { style: `color:${b.dir === "bear" ? BEAR : BULL}` }, `${b.kind === "CHOCH" ? "CHoCH" : "BOS"} ${b.tf} ${b.dir ?? ""}`),
  );
  row.appendChild(document.createTextNode(` ${px(b.level)} · swing ${hm(b.from)} broken ${hm(b.at)}`));
  return row;
}

function buildSymbol(s: SymbolPayload, section: HTMLElement): { overlay: Overlay; bands: StageBands } | null {
  const f = s.final;
  const counts = { "1m": 0, "5m": 0 } as Record<string, number>;
  for (const z of s.zones) counts[z.tf] = (counts[z.tf] ?? 0) + 1;
  const shown = s.zones.length === s.zonesTotal ? "" : ` (nearest ${D.nearestZones} per side: ${s.zones.length} of ${s.zonesTotal})`;
  section.appendChild(
    el(
      "div",
      { class: "meta" },
      `${s.t.length} bars · zones 5m ${counts["5m"]}, 1m ${counts["1m"]}${shown} · breaks ${s.breaks.length} · SMT ${s.smt.length}` +
        (f ? ` · at the close: htf ${f.htf}, ltf ${f.ltf}, bias ${f.bias ?? "—"}${f.priceVsEq ? `, ${f.priceVsEq}` : ""}` : ""),
    ),
  );
  const state: ChartState = {
    sym: s,
    pieces: piecesOf(s, D.nearestZones ?? DEFAULT_NEAREST),
    view: viewOf(s, 60),
    layers: { "1m": false, "5m": true, breaks: true, eq: true, smt: true, sessions: true, levels: true },
  };
  const controls = el("div", { class: "controls" });
  const radio = (step: number, text: string) => {
    const lab = el("label"),
      inp = el("input", { type: "radio", name: `tf-${s.symbol}`, value: String(step) });
    if (step === 60) inp.checked = true;
    inp.addEventListener("change", () => {
      if (inp.checked) setView(step);
    });
    lab.appendChild(inp);
    lab.appendChild(document.createTextNode(` ${text}`));
    controls.appendChild(lab);
  };
  const check = (key: keyof ChartState["layers"], text: string) => {
    const lab = el("label"),
      inp = el("input", { type: "checkbox", "data-layer": key });
    inp.checked = state.layers[key];
    inp.addEventListener("change", () => {
      state.layers[key] = inp.checked;
      if (key === "smt") setMarkers();
      overlay.redraw();
    });
    lab.appendChild(inp);
    lab.appendChild(document.createTextNode(` ${text}`));
    controls.appendChild(lab);
  };
  controls.appendChild(el("span", null, "candles:"));
  radio(60, "1m");
  radio(300, "5m");
  controls.appendChild(el("span", null, "· show:"));
  check("5m", "5m zones & breaks");
  check("1m", "1m zones & breaks");
  check("breaks", "BOS/CHoCH");
  check("eq", "EQ/OTE");
  check("smt", "SMT");
  if (s.sessions.length > 0) check("sessions", "sessions");
  if (s.levels.length > 0) check("levels", "levels");
  // Zones nearest to price: fewer boxes when a trend leaves many unfilled zones behind.
  const limit = D.nearestZones;
  const zsel = el("select", {
    "data-control": "zones",
    title: "per timeframe, each bar shows only the zones nearest above and below its close",
  });
  const choices = limit === null ? [1, 2, 3, 5, 0] : [1, 2, 3, 5].filter((k) => k < limit).concat(limit);
  for (const k of choices) {
    const opt = el("option", { value: String(k) }, k === 0 ? "every zone" : `nearest ${k} above & below`);
    if (k === (limit ?? DEFAULT_NEAREST)) opt.selected = true;
    zsel.appendChild(opt);
  }
  zsel.addEventListener("change", () => {
    const k = Number(zsel.value);
    state.pieces = piecesOf(s, k === 0 ? null : k);
    overlay.redraw();
  });
  const zlab = el("label", null, "· zones: ");
  zlab.appendChild(zsel);
  controls.appendChild(zlab);
  section.appendChild(controls);
  const readout = el("div", { class: "meta readout" }, " ");
  section.appendChild(readout);
  const box = el("div", { class: "chart" });
  section.appendChild(box);
  section.appendChild(legend());
  section.appendChild(stagesTable(s));
  section.appendChild(confTable(s));
  if (s.t.length === 0) return null;

  const LW = LightweightCharts;
  const chart: IChartApi = LW.createChart(box, {
    autoSize: true,
    layout: { background: { type: LW.ColorType.Solid, color: "#ffffff" }, textColor: "#1f2430", attributionLogo: true },
    grid: { vertLines: { color: "#f1f3f7" }, horzLines: { color: "#f1f3f7" } },
    rightPriceScale: { borderColor: "#d6dae3" },
    timeScale: {
      borderColor: "#d6dae3",
      timeVisible: true,
      secondsVisible: false,
      tickMarkFormatter: (t: Time, type: number) => (type < 3 ? nyDay(t as number) : hm(t as number)),
    },
    localization: { timeFormatter: (t: Time) => nyFull(t as number) },
  });
  const candles = chart.addSeries(LW.CandlestickSeries, {
    upColor: CANDLE_UP,
    downColor: CANDLE_DOWN,
    borderVisible: false,
    wickUpColor: CANDLE_UP,
    wickDownColor: CANDLE_DOWN,
  });
  const stageSeries: ISeriesApi<"Line"> = chart.addSeries(
    LW.LineSeries,
    {
      color: "rgba(0,0,0,0)",
      lineVisible: false,
      lastValueVisible: false,
      priceLineVisible: false,
      crosshairMarkerVisible: false,
      pointMarkersVisible: false,
      priceScaleId: "stages",
    },
    1,
  );
  const overlay = new Overlay(state);
  candles.attachPrimitive(overlay);
  const bands = new StageBands(state);
  stageSeries.attachPrimitive(bands);
  const markers = LW.createSeriesMarkers(candles, []);
  function setMarkers(): void {
    const v = state.view,
      list: SeriesMarker<Time>[] = [];
    if (state.layers.smt) {
      for (const m of s.smt) {
        const i = Math.floor(logicalOf(v, m.t));
        if (i < 0 || i >= v.t.length) continue;
        const bull = m.dir === "bull";
        list.push({
          time: v.t[i] as UTCTimestamp,
          position: bull ? "belowBar" : "aboveBar",
          shape: bull ? "arrowUp" : "arrowDown",
          color: bull ? BULL : BEAR,
          text: "SMT",
        });
      }
      list.sort((a, b) => (a.time as number) - (b.time as number));
    }
    markers.setMarkers(list);
  }
  function setView(step: number): void {
    const v = viewOf(s, step);
    state.view = v;
    const data: CandlestickData<Time>[] = new Array(v.t.length),
      flat: LineData<Time>[] = new Array(v.t.length);
    for (let i = 0; i < v.t.length; i++) {
      const time = v.t[i] as UTCTimestamp;
      data[i] = { time, open: v.o[i]!, high: v.h[i]!, low: v.l[i]!, close: v.c[i]! };
      flat[i] = { time, value: 0 };
    }
    candles.setData(data);
    stageSeries.setData(flat);
    bands.update();
    setMarkers();
    chart.timeScale().fitContent();
    overlay.redraw();
  }
  setView(60);
  const panes = chart.panes();
  if (panes.length > 1) panes[1]!.setHeight(66);

  // The tooltip: the zones and breaks under the mouse, smallest box first.
  const tip = el("div", { class: "tip", role: "tooltip" });
  box.appendChild(tip);
  chart.subscribeCrosshairMove((p) => {
    if (!p || p.time === undefined || !p.point) {
      readout.textContent = " ";
      tip.style.display = "none";
      return;
    }
    const d = p.seriesData.get(candles) as CandlestickData<Time> | undefined;
    const k = Math.round(logicalOf(state.view, p.time as number));
    const st = bands.perBar[k] ?? stageAt(s.stages, p.time as number);
    readout.textContent =
      nyFull(p.time as number) +
      (d ? `  O ${d.open}  H ${d.high}  L ${d.low}  C ${d.close}` : "") +
      (st ? `  ·  htf ${st.htf}, ltf ${st.ltf}, bias ${st.bias ?? "—"}` : "");
    const { x, y } = p.point;
    const under = overlay.hits.filter((h) => x >= h.x0 && x <= h.x1 && y >= h.y0 && y <= h.y1);
    if (under.length === 0) {
      tip.style.display = "none";
      return;
    }
    under.sort((a: Hit, b: Hit) => (a.x1 - a.x0) * (a.y1 - a.y0) - (b.x1 - b.x0) * (b.y1 - b.y0));
    tip.replaceChildren(...under.slice(0, 4).map((h) => (h.zone ? zoneLine(h.zone) : breakLine(h.brk!))));
    if (under.length > 4) tip.appendChild(el("div", { class: "meta" }, `and ${under.length - 4} more`));
    tip.style.display = "block";
    const W = box.clientWidth;
    const left = x + 14 + tip.offsetWidth > W - 60 ? x - 14 - tip.offsetWidth : x + 14;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${Math.max(0, y + 14)}px`;
  });
  return { overlay, bands };
}

function sectionOf(symbol: string): Built {
  let b = built.get(symbol);
  if (b) return b;
  const s = D.symbols.find((x) => x.symbol === symbol)!;
  const section = el("section", { class: "sym", "data-symbol": s.symbol });
  root.appendChild(section);
  b = { section, overlay: null, bands: null };
  built.set(symbol, b);
  const drawn = buildSymbol(s, section);
  if (drawn) [b.overlay, b.bands] = [drawn.overlay, drawn.bands];
  return b;
}

/** Shows one symbol's tab; the previous/next day links keep it. */
function show(symbol: string): void {
  if (!D.symbols.some((s) => s.symbol === symbol)) symbol = D.symbols[0]!.symbol;
  const b = sectionOf(symbol);
  for (const [sym, x] of built) x.section.classList.toggle("hidden", sym !== symbol);
  document.querySelectorAll<HTMLAnchorElement>("nav.tabs a").forEach((a) => {
    a.classList.toggle("on", a.dataset.tab === symbol);
    a.setAttribute("aria-selected", String(a.dataset.tab === symbol));
  });
  document.querySelectorAll<HTMLAnchorElement>("a[data-nav=prev], a[data-nav=next]").forEach((a) => {
    a.href = a.href.replace(/#.*$/, "") + "#" + encodeURIComponent(symbol);
  });
  b.overlay?.redraw();
}

function fromHash(): string {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return "";
  }
}

// ← and → go to the previous and next day (same tab), as the links do; not while typing in a control.
document.addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
  const rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
  const a = rel === null ? null : document.querySelector<HTMLAnchorElement>(`a[data-nav=${rel}]`);
  if (a) {
    e.preventDefault();
    location.href = a.href;
  }
});

if (D.symbols.length === 0) root.appendChild(el("p", null, "No bars for this day."));
else {
  show(fromHash());
  window.addEventListener("hashchange", () => show(fromHash()));
}

const handle: ReportHandle = {
  ready: true,
  symbols: D.symbols.map((s) => s.symbol),
  show,
  stageCells: (symbol) => (built.get(symbol)?.bands?.perBar ?? []).map((r) => (r === null ? null : `${r.htf}|${r.ltf}|${r.bias}`)),
  hits: (symbol) =>
    (built.get(symbol)?.overlay?.hits ?? []).map((h) => ({ x0: h.x0, x1: h.x1, y0: h.y0, y1: h.y1, id: h.zone?.id ?? null })),
};
(window as unknown as { __ictReport: ReportHandle }).__ictReport = handle;
