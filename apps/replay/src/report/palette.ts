/**
 * Colours of the day report, shared by the drawing code and its tests. Every
 * zone kind and direction has its own hue (no two closer than 20° on the
 * colour wheel) and is dark enough to read on the white chart (WCAG contrast
 * ratio at least 3:1): bullish zones in cool hues, bearish zones in warm ones,
 * inversions (IFVG) and breakers also drawn with dashed borders.
 */
import type { ZoneKind } from "./types.js";

/** The chart's background. */
export const BACKGROUND = "#ffffff";

/** Border, label and (translucent) fill colour of each zone kind and direction. */
export const ZONE_COLORS: Readonly<Record<ZoneKind, { bull: string; bear: string }>> = {
  FVG: { bull: "#2e7d32", bear: "#c62828" },
  IFVG: { bull: "#00838f", bear: "#ad1457" },
  OB: { bull: "#1565c0", bear: "#c75b00" },
  BB: { bull: "#6a1b9a", bear: "#827717" },
};

/** Names shown in the legend and the tooltips. */
export const ZONE_NAMES: Readonly<Record<ZoneKind, string>> = {
  FVG: "FVG",
  IFVG: "IFVG (inversion)",
  OB: "order block",
  BB: "breaker",
};

/** Breaks of structure and SMT marks. */
export const BULL = "#1b9e77";
export const BEAR = "#d7263d";

/** Candles. */
export const CANDLE_UP = "#26a69a";
export const CANDLE_DOWN = "#ef5350";

/** The 5m OTE band (translucent) and EQ line. */
export const OTE_FILL = "rgba(255,193,7,0.16)";
export const EQ_LINE = "#5a5a5a";

/** Session and killzone bands (translucent backgrounds) and their labels, by window; other names take the default. */
export const SESSION_COLORS: Readonly<Record<string, string>> = {
  asia: "#7b1fa2",
  london: "#1565c0",
  ny_am: "#2e7d32",
  london_close: "#6d4c41",
  lunch: "#757575",
  ny_pm: "#00838f",
  pre_market: "#546e7a",
  regular: "#455a64",
  after_hours: "#546e7a",
  default: "#5d4037",
};

/** Key levels: lines and labels (dark slate: readable on white and on the bands). */
export const LEVEL_LINE = "#37474f";

/** The stage band's colours per stage value. */
export const STAGE_COLORS: Readonly<Record<"htf" | "ltf" | "bias", Readonly<Record<string, string>>>> = {
  htf: { none: "#e3e6ec", reversal_seen: "#f4b860", confirmed: "#4f9d69" },
  ltf: { none: "#e3e6ec", scanning: "#9cc3e6", entry_window: "#2e8b57", invalidated: "#d9534f" },
  bias: { bull: "#7cc89a", bear: "#ef8a8a", null: "#e3e6ec" },
};

/** `#rrggbb` → [r, g, b] (0–255). */
function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `#rrggbb` with an alpha, as CSS `rgba(...)`. */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = rgbOf(hex);
  return `rgba(${r},${g},${b},${alpha})`;
}
