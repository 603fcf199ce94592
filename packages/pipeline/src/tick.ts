import {
  aggregate,
  type Columns,
  columnsFromBars,
  type InstrumentClass,
  nyDate,
  OptionError,
  resolveProfile,
  type Profile,
} from "@ict/core";
import { buildCapsule, checkSymbol, type Capsule, type KeyLevels } from "./capsule.js";
import { PIPELINE_RULES } from "./rules.js";
import { buildPrompt } from "./prompt.js";
import { jsonClone } from "./json.js";
import { zoneWindow } from "./window.js";
import { updateSymbolState, type SymbolState, type TrackerOptions } from "./tracker/index.js";

export { jsonClone } from "./json.js";

/** `current_context.json`: one entry per symbol. */
export interface ContextDoc {
  [field: string]: unknown;
  symbols: SymbolState[];
}

/** Input of {@link tick}. */
export interface TickInput {
  /** Symbols to update, in order. */
  watchlist: readonly string[];
  /** Each symbol's 1m bars of the current New York trading day, as known at `now`. */
  bars1m: Readonly<Record<string, Columns | undefined>>;
  /** The tick's clock (epoch ms): the last closed bar's time in a replay. */
  now: number;
  /** The trading day (default: New York date of `now`; for futures the CME day, from 18:00 the evening before). */
  dayEt?: string;
  /** Prior-day levels per symbol (the contents of `key_levels.json`). */
  keyLevels?: Readonly<Record<string, KeyLevels | undefined>> | null;
  /**
   * `ict`: each symbol's 1m bars of earlier days, oldest first: the
   * previous-day, -week and -month levels, the higher timeframes, and (the
   * last `ZONE_HISTORY_DAYS` days) the 1m and 5m detectors.
   */
  history1m?: Readonly<Record<string, Columns | undefined>> | null;
  /** SMT pairs, symbol → reference (e.g. `{QQQ: "SPY", NQ: "ES"}`); default QQQ and IWM against SPY when SPY is watched. */
  smtPairs?: Readonly<Record<string, string>> | null;
  /** `ict`: each symbol's instrument class (default: `instrumentOf` the symbol). */
  instruments?: Readonly<Record<string, InstrumentClass | undefined>> | null;
  /**
   * The context document of the previous tick (`current_context.json`), if
   * any; `ict` carries it from the last tick of one day to the first of the
   * next (zones of earlier days stay tracked).
   */
  context?: ContextDoc | null;
  profile?: Profile;
  /** Tracker options (TTL, retention); `price` and `incompleteSince` are set by the tick. */
  tracker?: Omit<TrackerOptions, "profile" | "price" | "incompleteSince">;
}

/** Output of {@link tick}. */
export interface TickOutput {
  dayEt: string;
  capsules: Record<string, Capsule>;
  /** The new context document (every symbol of the old one, the watched ones updated). */
  context: ContextDoc;
  /** The prompt sections per watched symbol. */
  prompts: Record<string, string>;
}

/** The New York calendar date (`YYYY-MM-DD`) of an instant (`nyDate` of @ict/core: the DST rule in arithmetic, no Intl). */
export { nyDate };

/**
 * The SMT reference of each symbol: `pairs` (symbol → the correlated
 * instrument it is compared with, e.g. `{QQQ: "SPY", NQ: "ES"}`) when given,
 * else the seed's patch: QQQ and IWM against SPY when SPY is watched. Both
 * symbols of a pair must be in the watchlist (the reference's bars are
 * needed); a typed `OptionError` names a pair that is not.
 */
export function smtReferences(watchlist: readonly string[], pairs?: Readonly<Record<string, string>> | null): Record<string, string> {
  // A null-prototype map: a symbol named like an Object member ("constructor") has no reference.
  const out = Object.create(null) as Record<string, string>;
  if (pairs === undefined || pairs === null) return Object.assign(out, watchlist.includes("SPY") ? { QQQ: "SPY", IWM: "SPY" } : {});
  for (const [sym, ref] of Object.entries(pairs)) {
    if (typeof ref !== "string" || !watchlist.includes(sym) || !watchlist.includes(ref) || sym === ref)
      throw new OptionError(
        "smtPairs",
        `${JSON.stringify(sym)}: ${JSON.stringify(ref)} must pair two different symbols of the watchlist (${watchlist.join(", ")})`,
      );
    out[sym] = ref;
  }
  return out;
}

/**
 * Parses a `--smt` value: comma-separated `SYMBOL:REFERENCE` pairs
 * (`QQQ:SPY,NQ:ES`) into `smtPairs`; an `OptionError` names a malformed or
 * repeated pair.
 */
export function parseSmtPairs(text: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const part of text.split(",")) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._=^-]{0,31}):([A-Za-z0-9][A-Za-z0-9._=^-]{0,31})$/.exec(part.trim());
    if (m === null)
      throw new OptionError("smt", `expects SYMBOL:REFERENCE pairs separated by commas (QQQ:SPY,NQ:ES), got ${JSON.stringify(part)}`);
    if (Object.hasOwn(out, m[1]!)) throw new OptionError("smt", `gives ${m[1]} twice`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

const EMPTY: Columns = columnsFromBars([]);

/**
 * @internal The tracker options of a symbol's update: its last price, the
 * last 5m bar incomplete until its fifth minute has closed, and the 1m and 5m
 * bar times the detectors saw (the time-to-live counts them).
 */
export function trackerOptionsAt(
  lastT1: number,
  lastClose: number,
  times1: ArrayLike<number>,
  times5: ArrayLike<number>,
  profile: Profile,
  tracker: TickInput["tracker"],
): TrackerOptions {
  const incompleteSince: Record<string, number> = {};
  const last5T = times5.length > 0 ? times5[times5.length - 1]! : NaN;
  if (!Number.isNaN(last5T) && !Number.isNaN(lastT1) && lastT1 < last5T + 4 * 60_000) incompleteSince["5m"] = last5T;
  return {
    ...tracker,
    profile,
    price: Number.isNaN(lastT1) ? undefined : lastClose,
    incompleteSince,
    barTimes: { "1m": times1, "5m": times5 },
  };
}

/**
 * @internal The tracker step of one symbol at a tick: its state updated from
 * the capsule's features at `now`, as it will read back from
 * `current_context.json`. `b1`/`b5` are the 1m and 5m bars its detectors saw:
 * the last 5m bar is incomplete, so its new records only forming, until its
 * fifth 1m bar has closed.
 */
export function trackSymbol(
  prev: SymbolState | undefined,
  sym: string,
  capsule: Capsule,
  b1: Columns,
  b5: Columns,
  now: number,
  profile: Profile,
  tracker: TickInput["tracker"],
): SymbolState {
  const n = b1.length;
  const state = updateSymbolState(
    prev ?? { symbol: sym },
    capsule.features,
    now,
    trackerOptionsAt(n > 0 ? b1.t[n - 1]! : NaN, n > 0 ? b1.c[n - 1]! : NaN, b1.t, b5.t, profile, tracker),
  );
  // The context is persisted as JSON between ticks: keep only what survives it.
  return jsonClone(state) as SymbolState;
}

/**
 * One tick of the live loop for a watchlist, as a pure function (no I/O, no
 * clock): per symbol, the capsule of its 1m bars and their 5m aggregate (with
 * SMT against its reference), the tracker update, and the prompt sections.
 * The replay runner and the live loop both call this.
 */
export function tick(input: TickInput): TickOutput {
  const profile = resolveProfile(input.profile);
  const dayEt = input.dayEt ?? nyDate(input.now);
  const refs = smtReferences(input.watchlist, input.smtPairs);
  const zoneDays = PIPELINE_RULES[profile].zoneHistoryDays;
  const historyOf = (sym: string) => (input.history1m && Object.hasOwn(input.history1m, sym) ? input.history1m[sym] : undefined);
  const dayOf = (sym: string) => (Object.hasOwn(input.bars1m, sym) ? input.bars1m[sym] : undefined) ?? EMPTY;
  // Per symbol, the 1m bars its detectors see (ict: the zone history and the day) and their 5m aggregate.
  const seen = new Map<string, { b1: Columns; b5: Columns }>();
  const barsOf = (sym: string) => {
    let b = seen.get(sym);
    if (b === undefined) {
      const b1 = zoneWindow(historyOf(sym), dayOf(sym), zoneDays);
      seen.set(sym, (b = { b1, b5: aggregate(b1, 5) }));
    }
    return b;
  };
  const previous = new Map<string, SymbolState>();
  for (const s of input.context?.symbols ?? []) if (s && typeof s === "object" && typeof s.symbol === "string") previous.set(s.symbol, s);
  const capsules: Record<string, Capsule> = Object.create(null);
  const prompts: Record<string, string> = Object.create(null);
  for (const sym of input.watchlist) {
    if (PIPELINE_RULES[profile].checkedNames) checkSymbol(sym);
    const { b1, b5 } = barsOf(sym);
    const refSym = refs[sym];
    const capsule = buildCapsule({
      symbol: sym,
      dayEt,
      bars1m: dayOf(sym),
      bars5m: b5,
      ref5m: refSym !== undefined ? barsOf(refSym).b5 : undefined,
      refSymbol: refSym,
      priorLevels: (input.keyLevels && Object.hasOwn(input.keyLevels, sym) ? input.keyLevels[sym] : undefined) ?? {},
      history1m: historyOf(sym),
      instrument: input.instruments && Object.hasOwn(input.instruments, sym) ? input.instruments[sym] : undefined,
      now: input.now,
      profile,
    });
    capsules[sym] = capsule;
    const state = trackSymbol(previous.get(sym), sym, capsule, b1, b5, input.now, profile, input.tracker);
    previous.set(sym, state);
    prompts[sym] = buildPrompt(state, { profile, market: { symbol: sym, now: input.now, features: capsule.features } });
  }
  const { symbols: _s, ...rest } = input.context ?? { symbols: [] };
  return { dayEt, capsules, context: { ...rest, symbols: [...previous.values()] }, prompts };
}
