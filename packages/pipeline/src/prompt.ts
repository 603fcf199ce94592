import { nyDate, nyOffsetMs, type Profile } from "@ict/core";
import type { CapsuleFeatures } from "./capsule.js";
import { pipelineRules } from "./rules.js";
import { pyFixed2, pyJsonDumps } from "./pyfmt.js";
import { shortSummary } from "./tracker/summary.js";
import { ms } from "./tracker/status.js";
import type { Confluence, SymbolState } from "./tracker/index.js";

/** What the `ict` prompt says about the market around the tracker's state: the symbol, the clock and the capsule's features. */
export interface PromptMarket {
  symbol: string;
  /** The tick's clock (epoch ms). */
  now: number;
  features: Partial<CapsuleFeatures>;
}

/** Most levels listed on each side of price, and most zones. */
const LEVELS_PER_SIDE = 4;
const ZONES_LISTED = 5;
/** `ict`: most active confluences listed (the newest; the rest counted), to keep the prompt within its budget. */
const ACTIVE_LISTED = 12;
/** The prompt's budget per symbol (characters), checked by the tests on full real days. */
export const PROMPT_BUDGET = 1500;

/**
 * The two prompt sections of the seed's live-loop patch for one symbol:
 * `## CONTEXT_STAGE` (the HTF and LTF stages) and `## ACTIVE_CONFLUENCES`
 * (the summaries of the active confluences only), written as the seed writes
 * them (Python `json.dumps`). In `ict` the stage also carries the 5m bias and
 * where price sits against the 5m equilibrium (premium or discount), the
 * active list names the newest 12 (`+N older` for the rest), and with
 * `market` the market sections come first (see {@link marketSections}).
 */
export function buildPrompt(symbolState: SymbolState, options: { profile?: Profile; market?: PromptMarket } = {}): string {
  const rules = pipelineRules(options.profile);
  const head = rules.marketPrompt && options.market !== undefined ? marketSections(symbolState, options.market) : "";
  const st = symbolState.state;
  const stage: Record<string, unknown> = { htf: st?.htf_stage ?? null, ltf: st?.ltf_stage ?? null };
  if (rules.stageWithBias) {
    stage.bias = st?.bias ?? null;
    stage.price_vs_eq = st?.price_vs_eq ?? null;
  }
  let active = symbolState.active_confluences ?? [];
  if (rules.marketPrompt && active.length > ACTIVE_LISTED)
    active = [...active.slice(active.length - ACTIVE_LISTED), `+${active.length - ACTIVE_LISTED} older`];
  return head + `\n## CONTEXT_STAGE\n${pyJsonDumps(stage)}\n` + `\n## ACTIVE_CONFLUENCES\n${pyJsonDumps(active)}\n`;
}

/**
 * What decides whether the model is asked again: the prompt without its
 * market sections (the clock, the price and the distances change at every
 * tick; the stages, the active confluences do not). Replay and live ask when
 * this changed since the symbol's previous tick.
 */
export function promptKey(prompt: string): string {
  const i = prompt.indexOf("\n## CONTEXT_STAGE\n");
  return i > 0 ? prompt.slice(i) : prompt;
}

/** `HH:MM` New York time of an instant. */
function etClock(t: number): string {
  const local = new Date(t + nyOffsetMs(t));
  return `${String(local.getUTCHours()).padStart(2, "0")}:${String(local.getUTCMinutes()).padStart(2, "0")}`;
}

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Summaries by confluence object: a confluence whose record changes is a new object (the tracker copies it). */
const summaries = new WeakMap<object, string>();

/**
 * @internal The `ict` prompt's market sections: `## MARKET` (symbol, New York time, last
 * price, the 5m ATR the distances are counted in, the current sessions and
 * killzones), `## LEVELS` (the nearest levels above and below price with
 * their distance in ATR, a level taken today marked with its New York time;
 * levels at the same price merged), `## ZONES` (the nearest active zones
 * with their distance in ATR and age in minutes, or the day and time a zone
 * of an earlier day formed; repeats merged).
 */
export function marketSections(symbolState: SymbolState, m: PromptMarket): string {
  const f = m.features;
  const price = symbolState.state?.price;
  const atr5 = (f.tf_5m as { atr_last?: unknown } | undefined)?.atr_last;
  const atr1 = (f.tf_1m as { atr_last?: unknown } | undefined)?.atr_last;
  const atr = isNum(atr5) && atr5 > 0 ? atr5 : isNum(atr1) && atr1 > 0 ? atr1 : null;
  const dist = (x: number) => (isNum(price) && atr !== null ? `${x >= price ? "+" : ""}${((x - price) / atr).toFixed(1)} ATR` : "");
  const local = new Date(m.now + nyOffsetMs(m.now)).toISOString();
  const market: Record<string, unknown> = {
    symbol: m.symbol,
    time_et: `${local.slice(0, 10)} ${local.slice(11, 16)}`,
    price: isNum(price) ? price : null,
    atr_5m: atr === null ? null : Number(atr.toFixed(4)),
    session: f.session_now ?? [],
  };
  // Levels: name, price, when taken (ms or NaN).
  const lv = (f.levels ?? {}) as Record<string, any>;
  const raw: Array<{ name: string; price: number; taken: unknown }> = [];
  const add = (name: string, x: unknown, taken: unknown) => {
    if (isNum(x)) raw.push({ name, price: x, taken });
  };
  if (lv.prev_day) {
    add("PDH", lv.prev_day.high, lv.prev_day.high_taken_at);
    add("PDL", lv.prev_day.low, lv.prev_day.low_taken_at);
    add("PDC", lv.prev_day.close, null);
  }
  if (lv.prev_week) {
    add("PWH", lv.prev_week.high, lv.prev_week.high_taken_at);
    add("PWL", lv.prev_week.low, lv.prev_week.low_taken_at);
  }
  if (lv.prev_month) {
    add("PMH", lv.prev_month.high, lv.prev_month.high_taken_at);
    add("PML", lv.prev_month.low, lv.prev_month.low_taken_at);
  }
  if (lv.overnight) {
    add("ONH", lv.overnight.high, lv.overnight.high_taken_at);
    add("ONL", lv.overnight.low, lv.overnight.low_taken_at);
  }
  for (const [key, name] of [
    ["midnight_open", "midnight open"],
    ["open_0830", "08:30 open"],
    ["rth_open", "09:30 open"],
  ] as const)
    if (lv[key]) add(name, lv[key].price, lv[key].taken_at);
  if (lv.opening_gap) add(`${lv.opening_gap.kind} gap CE`, lv.opening_gap.ce, lv.opening_gap.ce_taken_at);
  for (const s of f.sessions ?? []) {
    // A session's range counts as a level once it is over.
    if (Date.parse(s.end) <= m.now) {
      add(`${s.name} high`, s.high, s.high_taken_at);
      add(`${s.name} low`, s.low, s.low_taken_at);
    }
  }
  // The same price under several names is one level.
  const byPrice = new Map<string, { names: string[]; price: number; taken: string | null }>();
  for (const r of raw) {
    const k = pyFixed2(r.price);
    const takenAt = typeof r.taken === "string" ? etClock(Date.parse(r.taken)) : null;
    const e = byPrice.get(k);
    if (e === undefined) byPrice.set(k, { names: [r.name], price: r.price, taken: takenAt });
    else {
      e.names.push(r.name);
      e.taken ??= takenAt;
    }
  }
  const text = (e: { names: string[]; price: number; taken: string | null }) =>
    `${e.names.join("/")} ${pyFixed2(e.price)}${dist(e.price) ? ` (${dist(e.price)})` : ""}${e.taken ? `, taken ${e.taken}` : ""}`;
  const all = [...byPrice.values()];
  const levels: Record<string, unknown> = {};
  if (isNum(price)) {
    levels.above = all
      .filter((e) => e.price >= price)
      .sort((a, b) => a.price - b.price)
      .slice(0, LEVELS_PER_SIDE)
      .map(text);
    levels.below = all
      .filter((e) => e.price < price)
      .sort((a, b) => b.price - a.price)
      .slice(0, LEVELS_PER_SIDE)
      .map(text);
  } else levels.list = all.slice(0, 2 * LEVELS_PER_SIDE).map(text);
  if (lv.opening_gap) {
    const g = lv.opening_gap;
    levels.gap = `${g.kind} ${g.dir} ${pyFixed2(g.low)}-${pyFixed2(g.high)}${g.filled_at ? `, filled ${etClock(Date.parse(g.filled_at))}` : ", open"}`;
  }
  // Zones: the active ones nearest to price, with their distance and age.
  const today = nyDate(m.now);
  const seen = new Map<string, { text: string; n: number; d: number }>();
  for (const c of (symbolState.state?.confluences ?? []) as Confluence[]) {
    if (c.status !== "active" || c.kind === "BOS" || c.kind === "SMT") continue;
    const z = (c.gap ?? c.body ?? c.zone) as [number, number] | undefined;
    const lo = Array.isArray(z) ? z[0] : (c.level as number | undefined);
    const hi = Array.isArray(z) ? z[1] : (c.level as number | undefined);
    if (!isNum(lo) || !isNum(hi)) continue;
    const near = isNum(price) ? (price < lo ? lo : price > hi ? hi : price) : lo;
    const d = isNum(price) ? Math.abs(near - price) : 0;
    const inside = isNum(price) && price >= lo && price <= hi;
    const known = ms(c.known_time ?? c.first_seen_utc);
    // A zone of an earlier day says which day and time it formed (its age in minutes would count the night).
    const age = !Number.isFinite(known)
      ? ""
      : nyDate(known) === today
        ? `${Math.max(0, Math.round((m.now - known) / 60_000))}m old`
        : `from ${nyDate(known).slice(5)} ${etClock(known)}`;
    const where = inside ? "price inside" : dist(near);
    let key = summaries.get(c);
    if (key === undefined) summaries.set(c, (key = shortSummary(c)));
    const e = seen.get(key);
    if (e !== undefined) e.n++;
    else seen.set(key, { text: `${key.replace("–", "-")}${where ? ` ${where}` : ""}${age ? `, ${age}` : ""}`, n: 1, d });
  }
  const zones = [...seen.values()]
    .sort((a, b) => a.d - b.d)
    .slice(0, ZONES_LISTED)
    .map((e) => (e.n > 1 ? `${e.text} (x${e.n})` : e.text));
  return `\n## MARKET\n${pyJsonDumps(market)}\n` + `\n## LEVELS\n${pyJsonDumps(levels)}\n` + `\n## ZONES\n${pyJsonDumps(zones)}\n`;
}

/** One line of `prompts.jsonl`: a symbol's prompt at a tick and the model's answer. */
export interface PromptsLine {
  /** The tick's time (ISO 8601, UTC). */
  t: string;
  symbol: string;
  prompt: string;
  /** The provider's name (`offline`, `gemini:…`, `openai:…`). */
  llm: string;
  /** True when the model was asked at this tick (the prompt's substance, `promptKey`, changed); false when the answer is the last one kept. */
  asked: boolean;
  answer: unknown;
  /** Why there is no answer (a failed or skipped request). */
  error?: string;
}

/**
 * The text of one `prompts.jsonl` line (with its newline), the same bytes in
 * the replay and the live loop: keys in the order t, symbol, prompt, llm,
 * asked, answer, then error only when there is one.
 */
export function promptsLine(x: PromptsLine): string {
  const line: Record<string, unknown> = { t: x.t, symbol: x.symbol, prompt: x.prompt, llm: x.llm, asked: x.asked, answer: x.answer };
  if (x.error !== undefined) line.error = x.error;
  return JSON.stringify(line) + "\n";
}
