import {
  aggregate,
  type Columns,
  IctError,
  computeFeatures,
  type TfFeatures,
  resolveProfile,
  type Profile,
  smtObjects,
  type SmtRecord,
  isoUtc,
  computeLevels,
  type InstrumentClass,
  type Levels,
  type SessionRange,
} from "@ict/core";
import { PIPELINE_RULES } from "./rules.js";
import { concatColumns, htfBatch, type HtfName, type HtfView } from "./htf.js";
import { DayFilter, dayStartMs, zoneWindow } from "./window.js";

/** Prior-day (or other) key levels passed through to the capsule untouched. */
export type KeyLevels = Record<string, unknown>;

/** The features part of a capsule (the seed's `features` object). */
export interface CapsuleFeatures {
  tf_5m: TfFeatures;
  tf_1m: TfFeatures;
  smt: SmtRecord[];
  /**
   * `seed-v0.1`: the user's key levels (`key_levels.json`) as given. `ict`:
   * the levels computed from the bars (see `computeLevels` of `@ict/core`:
   * `prev_day`, `prev_week`, `prev_month`, `midnight_open`, `open_0830`,
   * `rth_open`, `overnight`, `opening_gap`, each with when price first traded
   * through it) and the user's key levels merged in — a user key named like a
   * computed one is kept as `user_<key>`, never dropped.
   */
  levels: KeyLevels;
  /** `ict`: the day's sessions and killzones that have traded, with their highs, lows and when those were taken. */
  sessions?: SessionRange[];
  /** `ict`: the sessions and killzones the last bar is in. */
  session_now?: string[];
  /** `ict`: the 15m, 1h, 4h and daily structure and bias (New York-aligned bars; earlier days from the history). */
  htf?: Record<HtfName, HtfView>;
}

/** A per-symbol context capsule, in the seed's schema and key order. */
export interface Capsule {
  symbol: string;
  day_et: string;
  features: CapsuleFeatures;
  meta: { generated_at_utc: string };
}

/** Input of {@link buildCapsule}. */
export interface CapsuleInput {
  symbol: string;
  /** The New York trading day, `YYYY-MM-DD`. */
  dayEt: string;
  /** 1m bars of the day so far (may be empty). */
  bars1m: Columns;
  /**
   * 5m bars; default: the 5m aggregate of the 1m bars the detectors see
   * (`ict`: the zone history of `history1m` and `bars1m`; the seed: `bars1m`).
   */
  bars5m?: Columns;
  /** 5m bars of the SMT reference (for example SPY for QQQ) over the same span, aligned on equal timestamps. */
  ref5m?: Columns;
  /** Name of the reference, for the SMT record's `pair` (`ict`). */
  refSymbol?: string;
  priorLevels?: KeyLevels | null;
  /** `ict`: the symbol's 1m bars of earlier days, oldest first (previous-day, -week and -month levels come from them). */
  history1m?: Columns | null;
  /** `ict`: what the instrument trades like (its trading day and sessions); default {@link instrumentOf} the symbol. */
  instrument?: InstrumentClass;
  /** The capsule's clock (epoch ms): bar time in replay, the tick time live. Never the wall clock by default. */
  now: number;
  profile?: Profile;
}

const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._=^-]{0,31}$/;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Thrown for a symbol or day that cannot name a file (`../x`, `/`, NUL, empty, over-long). */
export class InvalidNameError extends IctError {
  constructor(
    readonly what: "symbol" | "day",
    readonly value: unknown,
  ) {
    super(
      `invalid ${what} ${JSON.stringify(String(value)).slice(0, 80)}: ${what === "symbol" ? "1-32 characters of A-Z a-z 0-9 . _ = ^ -, not starting with a punctuation mark" : "expected a calendar date YYYY-MM-DD"}`,
    );
  }
}

/** Validates a ticker symbol (it becomes a file name). */
export function checkSymbol(symbol: unknown): string {
  if (typeof symbol !== "string" || !SYMBOL_RE.test(symbol) || symbol === "." || symbol === "..")
    throw new InvalidNameError("symbol", symbol);
  return symbol;
}

/** Validates a New York trading day `YYYY-MM-DD` (it becomes a folder name). */
export function checkDay(day: unknown): string {
  const m = typeof day === "string" ? DAY_RE.exec(day) : null;
  if (!m) throw new InvalidNameError("day", day);
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  if (d.getUTCFullYear() !== +m[1]! || d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]!) throw new InvalidNameError("day", day);
  return day as string;
}

/**
 * Builds one symbol's context capsule: the features of its 5m and 1m bars, the
 * SMT divergences of its 5m bars against a reference, and the key levels.
 *
 * Market rule: the 5m timeframe frames the bias (structure, zones), the 1m
 * timeframe times the entry; SMT against a correlated index flags moves that
 * lack participation. In `ict` the 1m and 5m detectors also see the last
 * `ZONE_HISTORY_DAYS` days of `history1m`, so yesterday's unfilled gaps
 * and blocks are there at today's open; records of those days are listed
 * while they live (not filled or invalidated before the day began). With
 * `profile: "seed-v0.1"` the capsule is the seed's `build_capsule` output
 * (SMT as the seed computes it, `tf: "5m"` added). The clock is the caller's `now`.
 */
export function buildCapsule(input: CapsuleInput): Capsule {
  const profile = resolveProfile(input.profile);
  const rules = PIPELINE_RULES[profile];
  const symbol = rules.checkedNames ? checkSymbol(input.symbol) : String(input.symbol);
  const dayEt = rules.checkedNames ? checkDay(input.dayEt) : String(input.dayEt);
  if (!Number.isFinite(input.now)) throw new IctError(`buildCapsule: now must be finite epoch milliseconds, got ${input.now}`);
  // ict: the detectors see the zone history too; what ended before the day is left out.
  const b1 = zoneWindow(input.history1m, input.bars1m, rules.zoneHistoryDays);
  const b5 = input.bars5m ?? aggregate(b1, 5);
  let tf_5m = computeFeatures(b5, { tf: "5m", profile });
  let tf_1m = computeFeatures(b1, { tf: "1m", profile });
  let smt = input.ref5m !== undefined ? capsuleSmt(symbol, b5, input.refSymbol ?? "ref", input.ref5m, profile) : [];
  const instrument = input.instrument ?? instrumentOf(symbol);
  if (rules.zoneHistoryDays > 0) {
    const day = new DayFilter(dayStartMs(dayEt, instrument));
    tf_5m = day.features(tf_5m);
    tf_1m = day.features(tf_1m);
    smt = day.smt(smt);
  }
  const user = input.priorLevels ?? {};
  if (!rules.levels) return assembleCapsule(symbol, dayEt, { tf_5m, tf_1m, smt, levels: user }, input.now);
  const all = input.history1m && input.history1m.length > 0 ? concatColumns(input.history1m, input.bars1m) : input.bars1m;
  const levels = computeLevels(all, { instrument });
  const features: CapsuleFeatures = { tf_5m, tf_1m, smt, ...levelsFeatures(levels, user) };
  if (rules.higherTimeframes) features.htf = htfBatch(input.history1m, input.bars1m, instrument);
  return assembleCapsule(symbol, dayEt, features, input.now);
}

/**
 * The instrument class a symbol most likely trades as: crypto for pairs quoted
 * in USD, USDT, USDC, BTC or ETH (`BTCUSDT`, `ETH-USD`), futures for the CME
 * index, energy, metal and rate roots (`ES`, `NQ`, `MNQ`, `CL`, `GC`, `ZN`, with
 * or without a contract month or `=F`), otherwise equity. Pass `instrument`
 * (or `--instrument`) to say otherwise.
 */
export function instrumentOf(symbol: string): InstrumentClass {
  const s = symbol.toUpperCase();
  if (/^[A-Z0-9]{2,10}[-/._]?(USDT|USDC|USD|BTC|ETH)$/.test(s) && s.length > 5) return "crypto";
  const root = s.replace(/=F$/, "").replace(/[FGHJKMNQUVXZ]\d{1,2}$/, "");
  if (FUTURES_ROOTS.has(root)) return "futures";
  return "equity";
}

const FUTURES_ROOTS = new Set([
  "ES",
  "NQ",
  "YM",
  "RTY",
  "MES",
  "MNQ",
  "MYM",
  "M2K",
  "CL",
  "MCL",
  "NG",
  "GC",
  "MGC",
  "SI",
  "HG",
  "ZB",
  "ZN",
  "ZF",
  "ZT",
  "6E",
  "6J",
  "6B",
]);

/** @internal The levels part of an `ict` capsule's features: computed levels, the user's merged in, the sessions. */
export function levelsFeatures(v: Levels | null, user: KeyLevels): Pick<CapsuleFeatures, "levels" | "sessions" | "session_now"> {
  const levels: KeyLevels = {};
  if (v !== null) {
    const { sessions: _s, current: _c, ...rest } = v;
    Object.assign(levels, rest);
  }
  for (const [k, x] of Object.entries(user)) levels[Object.hasOwn(levels, k) ? `user_${k}` : k] = x;
  return { levels, sessions: v?.sessions ?? [], session_now: v?.current ?? [] };
}

/** @internal SMT of a capsule: the symbol's 5m bars against its reference's, each record tagged `tf: "5m"`. */
export function capsuleSmt(symbol: string, b5: Columns, refSymbol: string, ref5m: Columns, profile: Profile): SmtRecord[] {
  return smtObjects(b5, ref5m, { profile, names: { primary: symbol, ref: refSymbol } }).map((r) => ({ ...r, tf: "5m" }));
}

/** @internal A capsule from features already computed (the symbol and day already checked). */
export function assembleCapsule(symbol: string, dayEt: string, features: CapsuleFeatures, now: number): Capsule {
  return { symbol, day_et: dayEt, features, meta: { generated_at_utc: isoUtc(now) } };
}
