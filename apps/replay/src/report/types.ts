/**
 * The data of a day report as the page reads it (the JSON data island): the
 * contract between the payload builder (Node) and the drawing code (browser).
 * Times are chart times, UTC seconds; prices are finite numbers or null.
 */

/** A zone kind the report draws as a box. */
export type ZoneKind = "FVG" | "IFVG" | "OB" | "BB";

/** Why a zone's box stops before the day's end. */
export type ZoneEnd = "filled" | "invalidated" | "expired";

/** A tracker status, or `dropped` for a record the tracker stopped reporting before it ended. */
export type ReportStatus = "forming" | "active" | "filled" | "invalidated" | "expired" | "dropped";

/** One zone: a box from its formation to the event that ended it. */
export interface ZoneBox {
  /** The tracker's confluence id (`KIND:tf:anchor`). */
  id: string;
  kind: ZoneKind;
  tf: string;
  dir: "bull" | "bear" | null;
  /** Formation (a gap's first bar, a block's bar, the break that made an IFVG or a breaker). */
  from: number;
  /** The fill, invalidation or expiry that ended it; null: still alive at the day's close. */
  to: number | null;
  /** What ended it; null when it is alive at the close. */
  end: ZoneEnd | null;
  low: number;
  high: number;
  /** Consequent encroachment (the zone's midpoint as the detector reports it), null when absent. */
  ce: number | null;
}

/** A break of structure: a line from the broken swing to the bar that broke it. */
export interface BreakLine {
  tf: string;
  dir: "bull" | "bear" | null;
  kind: "BOS" | "CHOCH";
  /** The broken swing's time. */
  from: number;
  /** The breaking bar's time. */
  at: number;
  level: number;
}

/** The 5m equilibrium and OTE band from this tick until the next point. */
export interface EqOtePoint {
  t: number;
  eq: number | null;
  oteLow: number | null;
  oteHigh: number | null;
}

/** An SMT divergence mark. */
export interface SmtMark {
  t: number;
  dir: "bull" | "bear" | null;
  pair: string;
}

/** A session or killzone of the day: a background band over its window, with its high and low. */
export interface SessionBand {
  name: string;
  from: number;
  to: number;
  high: number;
  low: number;
}

/** A key level of the day (previous day/week/month, overnight, opens, the gap's CE): a labelled line from when it is known. */
export interface LevelLine {
  /** Short label, e.g. `PDH`, `ONL`, `09:30 open`. */
  name: string;
  price: number;
  /** Known from (chart time): the day's first bar, or the bar that set it. */
  from: number;
  /** When price first traded through it, null: not that day. */
  taken: number | null;
}

/** The tracker's stages from this tick until the next run. */
export interface StageRun {
  t: number;
  htf: string;
  ltf: string;
  bias: "bull" | "bear" | null;
  priceVsEq: "premium" | "discount" | "equilibrium" | null;
}

/** One tracked confluence's life. */
export interface ConfluenceRow {
  kind: string;
  tf: string;
  dir: "bull" | "bear" | null;
  summary: string;
  events: { t: number; status: ReportStatus }[];
}

/** One symbol of the day. */
export interface SymbolPayload {
  symbol: string;
  /** 1m bar times (strictly increasing) and prices, as columns. */
  t: number[];
  o: (number | null)[];
  h: (number | null)[];
  l: (number | null)[];
  c: (number | null)[];
  v: (number | null)[];
  zones: ZoneBox[];
  /** Zone records of the day before the nearest-N filter (equal to `zones.length` without it). */
  zonesTotal: number;
  breaks: BreakLine[];
  eqote: EqOtePoint[];
  smt: SmtMark[];
  /** `ict`: the day's sessions and killzones, and its key levels (empty for the seed's profile). */
  sessions: SessionBand[];
  levels: LevelLine[];
  stages: StageRun[];
  confs: ConfluenceRow[];
  /** The day's end: one minute after the last bar of any symbol. */
  end: number;
  /** The tracker's state at the day's last tick. */
  final: { htf: string; ltf: string; bias: "bull" | "bear" | null; priceVsEq: string | null; eq: number | null } | null;
}

/** Links from a day report to its neighbours (relative URLs, null when there is none). */
export interface ReportNav {
  prev: { day: string; href: string } | null;
  next: { day: string; href: string } | null;
  index: string | null;
}

/** The whole data island of a day report. */
export interface ReportPayload {
  day: string;
  profile: string;
  /** The nearest-N filter in force (zones per side per timeframe), null when every zone is shown. */
  nearestZones: number | null;
  symbols: SymbolPayload[];
}
