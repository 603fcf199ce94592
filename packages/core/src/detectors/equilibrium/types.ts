import type { StructureOptions } from "../structure/structure.js";

/** Options of the equilibrium / OTE detector. */
export interface EquilibriumOptions extends StructureOptions {
  /** Bars of the fallback range when there is no usable leg (default 50, as the seed). */
  lookback?: number;
}

/** The dealing-range leg the EQ and OTE are measured on. */
export interface Leg {
  high: number;
  low: number;
  /** `ict` only: the leg's direction (the last break's), null for a plain range. */
  dir?: "bull" | "bear" | null;
  /** `ict` only: bar and time where the leg starts (its origin swing). */
  origin_index?: number | null;
  origin_time?: string | null;
}

/**
 * The seed's `swings` record: equilibrium, OTE zone and the leg.
 * `ict` adds `ote_705` (the 70.5 % level).
 */
export interface Equilibrium {
  /** Midpoint of the leg: above is premium, below discount. */
  eq: number | null;
  /** The OTE zone as [lower, upper]. */
  ote: [number, number] | null;
  leg: Leg | null;
  ote_705?: number | null;
}
