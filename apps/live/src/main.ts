/**
 * `pnpm live …` argument parsing and run. Keys come from the environment
 * only and are never printed; base URLs from flags or the environment.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { IctError, PROFILES, type Profile } from "@ict/core";
import { createLlmProvider, LLM_KINDS, parseSmtPairs, type LlmKind, type LlmProvider } from "@ict/pipeline";
import { DEFAULT_URLS, streamFeedUrl, TEST_SYMBOL, type Feed } from "./alpaca/types.js";
import { parseClockSpec, systemClock } from "./clock.js";
import { runDemo } from "./demo.js";
import { LiveLoop, StartupError } from "./loop.js";
import { watchLaunchers } from "./parent.js";

/** Where the CLI writes; injected so that tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** An error the user can act on (a bad flag, a missing key, a non-empty demo folder): printed as one line, exit code 2. */
export class UsageError extends IctError {}

/** Exit codes of `live`. */
export const EXIT = {
  ok: 0,
  /** The demo found bars missing or duplicated, or an unexpected error. */
  failed: 1,
  /** Bad arguments, a missing key, a demo folder that is not empty. */
  usage: 2,
  /** A service refused for good: Alpaca keys, plan or feed refused, a final stream error, a fatal LLM error. */
  refused: 3,
  /** Never connected within the start-up time (`--start-timeout`). */
  noStart: 4,
  /** A second signal during the graceful stop. */
  forced: 130,
} as const;

/** The usage text (printed by `--help` and after a usage error). */
export const USAGE = `usage: live --symbols SPY,QQQ,IWM [--feed iex|sip|test] [--account paper|live] [--llm offline|gemini|openai] [--out DIR]
            [--profile ict|seed-v0.1] [--start-timeout SECONDS] [--debounce-ms N] [--smt SYMBOL:REF,...] [--history-days N]
            [--data-url URL] [--trading-url URL] [--stream-url URL] [--clock ISO@WALLMS*SPEED]
       live --feed test                 Alpaca's test stream (symbol FAKEPACA, any hour): a smoke test of keys and network
       live --demo [--out NEW_OR_EMPTY_DIR] [--minutes N] [--speed X] [--no-faults] [--llm offline|gemini|openai]
       live --help
  keys from the environment: APCA_API_KEY_ID, APCA_API_SECRET_KEY (and GEMINI_API_KEY / OPENAI_API_KEY for --llm)
  --account: whose trading host serves the calendar: paper (paper-api.alpaca.markets) or live (api.alpaca.markets);
             default: paper, then live if the paper host refuses the keys
  --history-days: ict: earlier days (with bars) the day's levels, higher timeframes and zones see (default 65; 0: none);
             on start, those OUT has no journal for are fetched over REST into their journals
  base URLs: APCA_API_DATA_URL, APCA_API_BASE_URL (trading: calendar), APCA_API_STREAM_URL
  exit: 0 done, 1 failed, 2 bad arguments, 3 refused by a service (keys, plan, LLM), 4 could not connect at start-up`;

/** A `--smt` value (`QQQ:SPY,NQ:ES`): pairs of watched symbols, else a usage error. */
function smtOption(v: string | undefined, symbols: readonly string[]): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  let pairs: Record<string, string>;
  try {
    pairs = parseSmtPairs(v);
  } catch (e) {
    throw new UsageError(`--smt ${(e as Error).message.replace(/^option "smt": /, "")}`);
  }
  for (const [sym, ref] of Object.entries(pairs))
    if (!symbols.includes(sym) || !symbols.includes(ref) || sym === ref)
      throw new UsageError(`--smt ${sym}:${ref} must pair two different symbols of --symbols`);
  return pairs;
}

/** Parsed options of a run. */
export interface LiveArgs {
  demo: boolean;
  symbols: string[];
  feed: Feed;
  llm: LlmKind;
  out: string | undefined;
  profile: Profile;
  dataUrl: string;
  tradingUrl: string;
  /** Tried when `tradingUrl` refuses the keys (only when the host was not chosen). */
  tradingFallbackUrl: string | undefined;
  streamUrl: string;
  debounceMs: number | undefined;
  /** SMT pairs, symbol → reference (default: QQQ and IWM against SPY when SPY is watched). */
  smtPairs: Record<string, string> | undefined;
  /** `--history-days`: earlier days with bars the levels, higher timeframes and zones see (fetched over REST when OUT lacks them). */
  historyDays: number | undefined;
  /** Real ms the first connection may take. */
  startTimeoutMs: number;
  clock: string | undefined;
  minutes: number;
  speed: number;
  faults: boolean;
}

/** Parses the command line (throws {@link UsageError}; `--help` throws one whose message is {@link USAGE}). */
export function parseLiveArgs(argv: string[], env: Record<string, string | undefined>): LiveArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        demo: { type: "boolean", default: false },
        symbols: { type: "string" },
        feed: { type: "string", default: "iex" },
        account: { type: "string" },
        llm: { type: "string", default: "offline" },
        out: { type: "string" },
        profile: { type: "string", default: "ict" },
        "data-url": { type: "string" },
        "trading-url": { type: "string" },
        "stream-url": { type: "string" },
        "debounce-ms": { type: "string" },
        smt: { type: "string" },
        "history-days": { type: "string" },
        "start-timeout": { type: "string", default: "60" },
        clock: { type: "string" },
        minutes: { type: "string", default: "90" },
        speed: { type: "string", default: "200" },
        "no-faults": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(`${(e as Error).message.split("\n")[0]} (see live --help)`);
    }
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError(USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0]!.slice(0, 80))} (see live --help)`);
  if (values.feed !== "iex" && values.feed !== "sip" && values.feed !== "test") throw new UsageError("--feed must be iex, sip or test");
  if (values.account !== undefined && values.account !== "paper" && values.account !== "live")
    throw new UsageError("--account must be paper or live");
  if (!(LLM_KINDS as readonly string[]).includes(values.llm!)) throw new UsageError(`--llm must be one of ${LLM_KINDS.join(", ")}`);
  if (!(PROFILES as readonly string[]).includes(values.profile!)) throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}`);
  const feed = values.feed as Feed;
  if (feed === "test" && values.demo)
    throw new UsageError("--feed test is Alpaca's own test stream; the demo runs its fake server: use one or the other");
  const fallbackSymbols = values.demo ? "SPY,QQQ,IWM" : feed === "test" ? TEST_SYMBOL : "";
  const symbols = (values.symbols ?? fallbackSymbols)
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (!symbols.length) throw new UsageError(`--symbols is required (e.g. --symbols SPY,QQQ,IWM; see live --help)`);
  for (const s of symbols)
    if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(s)) throw new UsageError(`--symbols: ${JSON.stringify(s.slice(0, 80))} is not a ticker`);
  if (new Set(symbols).size !== symbols.length) throw new UsageError("--symbols: a symbol is listed twice");
  if (feed === "test" && (symbols.length !== 1 || symbols[0] !== TEST_SYMBOL))
    throw new UsageError(`--feed test: Alpaca's test stream serves only ${TEST_SYMBOL} (omit --symbols)`);
  const num = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a number in ${min}..${max}, got ${JSON.stringify(v.slice(0, 80))}`);
    return n;
  };
  if (values.clock !== undefined && !parseClockSpec(values.clock))
    throw new UsageError("--clock must be ISO@WALLMS*SPEED, e.g. 2024-03-15T13:30:00Z@1700000000000*60");
  // The trading host (calendar): a flag or APCA_API_BASE_URL wins; else --account; else paper, then live if paper refuses the keys.
  const explicitTrading = values["trading-url"] ?? env.APCA_API_BASE_URL;
  const tradingUrl = explicitTrading ?? (values.account === "live" ? DEFAULT_URLS.liveTradingUrl : DEFAULT_URLS.tradingUrl);
  const tradingFallbackUrl = explicitTrading === undefined && values.account === undefined ? DEFAULT_URLS.liveTradingUrl : undefined;
  return {
    demo: values.demo!,
    symbols,
    feed,
    llm: values.llm as LlmKind,
    out: values.out,
    profile: values.profile as Profile,
    dataUrl: values["data-url"] ?? env.APCA_API_DATA_URL ?? DEFAULT_URLS.dataUrl,
    tradingUrl,
    tradingFallbackUrl,
    streamUrl: values["stream-url"] ?? env.APCA_API_STREAM_URL ?? DEFAULT_URLS.streamUrl,
    debounceMs: num("debounce-ms", values["debounce-ms"], 0, 600_000),
    smtPairs: smtOption(values.smt, symbols),
    historyDays: num("history-days", values["history-days"], 0, 1000),
    startTimeoutMs: num("start-timeout", values["start-timeout"], 1, 86_400)! * 1000,
    clock: values.clock,
    minutes: num("minutes", values.minutes, 10, 390)!,
    speed: num("speed", values.speed, 1, 10_000)!,
    faults: !values["no-faults"],
  };
}

/** Options of {@link runLive} beyond the command line. */
export interface RunEnv {
  env: Record<string, string | undefined>;
  io: Io;
  /**
   * Registers the shutdown handler (default: SIGINT and SIGTERM, a second
   * signal exits at once, and the death of the process that launched this
   * one — `npx`, `pnpm`, a shell — counts as a signal: see `parent.ts`).
   */
  onSignal?: (handler: (sig: string) => void) => void;
}

function makeLlm(kind: LlmKind, env: Record<string, string | undefined>, log: (m: string) => void): LlmProvider {
  try {
    return createLlmProvider(kind, { env, log });
  } catch (e) {
    if (e instanceof IctError) throw new UsageError(e.message);
    throw e;
  }
}

function defaultSignals(handler: (sig: string) => void): void {
  let count = 0;
  const on = (sig: string) => {
    if (++count > 1) {
      process.stderr.write(`live: second ${sig}: exiting now (files are atomic; a restart resumes)\n`);
      process.exit(EXIT.forced);
    }
    handler(sig);
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => on(sig));
  // Killed launcher (kill -9 of npx or pnpm): nobody would forward a signal any more, so stop as if signalled.
  watchLaunchers((pid) => {
    process.stderr.write(`live: the launching process ${pid} is gone; stopping\n`);
    on("parent exit");
    // If the graceful stop hangs, do not outlive the launcher for long.
    setTimeout(() => process.exit(EXIT.forced), 20_000).unref();
  });
}

/** Runs `live`; resolves with the exit code ({@link EXIT}). */
export async function runLive(argv: string[], r: RunEnv): Promise<number> {
  const { io, env } = r;
  const log = (m: string) => io.stderr(`live: ${m}\n`);
  let a: LiveArgs;
  try {
    a = parseLiveArgs(argv, env);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message === USAGE) {
        io.stdout(USAGE + "\n");
        return EXIT.ok;
      }
      io.stderr(`live: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  try {
    const llm = makeLlm(a.llm, env, log);
    if (a.demo) return await demo(a, llm, r);
    const keyId = env.APCA_API_KEY_ID;
    const secretKey = env.APCA_API_SECRET_KEY;
    if (!keyId || !secretKey)
      throw new UsageError("APCA_API_KEY_ID and APCA_API_SECRET_KEY must be set in the environment (or try --demo)");
    const out = resolve(a.out ?? "live-out");
    const clock = a.clock ? parseClockSpec(a.clock)! : systemClock;
    const loop = new LiveLoop({
      symbols: a.symbols,
      out,
      alpaca: {
        keyId,
        secretKey,
        dataUrl: a.dataUrl,
        tradingUrl: a.tradingUrl,
        tradingFallbackUrl: a.tradingFallbackUrl,
        streamUrl: a.streamUrl,
        feed: a.feed,
      },
      profile: a.profile,
      clock,
      llm,
      debounceMs: a.debounceMs,
      smtPairs: a.smtPairs,
      historyDays: a.historyDays,
      startTimeoutMs: a.startTimeoutMs,
      streamTimings: clock.speed > 1 ? (await import("./demo.js")).FAST_TIMINGS : undefined,
      log,
    });
    const done = new Promise<string>((res) => (r.onSignal ?? defaultSignals)((sig) => res(sig)));
    log(
      `symbols ${a.symbols.join(",")}, feed ${a.feed} (${streamFeedUrl(a.streamUrl, a.feed)}), llm ${llm.name} (${llm.model}), out ${out}; keys from the environment`,
    );
    let why: string;
    try {
      const started = await Promise.race([loop.start().then(() => null), done.then((sig) => `signal ${sig} during start-up`)]);
      if (started === null) {
        log(`started (day ${loop.currentDay}); stop with Ctrl-C (SIGINT) or SIGTERM`);
        why = await Promise.race([done.then((sig) => `signal ${sig}`), loop.whenFatal().then((e) => `fatal: ${e.message}`)]);
      } else why = started;
    } catch (e) {
      await loop.stop(2_000);
      if (e instanceof StartupError) {
        log(`error: ${e.message}`);
        return EXIT.noStart;
      }
      if (loop.fatal === e) {
        log(`error: ${(e as Error).message}`);
        return EXIT.refused;
      }
      throw e;
    }
    log(`stopping (${why}): no more bars, finishing writes, closing the socket`);
    await loop.stop();
    const s = loop.summary();
    io.stdout(
      `day ${s.day}: bars ${s.bars} (new ${s.added}, restored ${s.restored}, duplicates dropped ${s.duplicates}, corrected ${s.corrected}, repaired ${s.repaired}, invalid ${s.invalid}); ticks ${s.chain.ticks} (rewinds ${s.chain.rewinds}); llm calls ${s.chain.llmCalls}, failures ${s.chain.llmFailures}\n`,
    );
    return loop.fatal ? EXIT.refused : EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`live: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`live: error: ${(e as Error).message}\n`);
    if (env.ICT_DEBUG) io.stderr(String((e as Error).stack) + "\n");
    return EXIT.failed;
  }
}

/**
 * The demo's output folder: `--out` must be new or empty (nothing of the
 * user's is mixed with or overwritten by a demo), else a fresh temporary
 * folder. Throws {@link UsageError} naming the folder and what is in it.
 */
export function demoOutDir(out: string | undefined): string {
  if (out === undefined) return mkdtempSync(join(tmpdir(), "ict-live-demo-"));
  const dir = resolve(out);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${JSON.stringify(out.slice(0, 80))} is not a folder`);
    const entries = readdirSync(dir);
    if (entries.length) {
      const shown = entries
        .slice(0, 3)
        .map((n) => JSON.stringify(n.slice(0, 40)))
        .join(", ");
      throw new UsageError(
        `--out ${JSON.stringify(out.slice(0, 80))} is not empty (${entries.length} entries: ${shown}${entries.length > 3 ? ", ..." : ""}); the demo writes only into a new or empty folder: name another, or omit --out for a fresh temporary one`,
      );
    }
  } else mkdirSync(dir, { recursive: true });
  return dir;
}

async function demo(a: LiveArgs, llm: LlmProvider, r: RunEnv): Promise<number> {
  const { io } = r;
  const out = demoOutDir(a.out);
  const quiet = (m: string) => {
    // The demo's own faults make a lot of noise: keep the interesting lines.
    if (/fault|reconnect attempt|406|silent|malformed|skipped|429|500|backfill|resume|llm/.test(m)) io.stderr(`live: ${m}\n`);
  };
  io.stdout(
    `demo: fake Alpaca on 127.0.0.1, ${a.symbols.join(",")}, ${a.minutes} minutes at ${a.speed}x, faults ${a.faults ? "on" : "off"}, llm ${llm.name}; output ${out}\n`,
  );
  const res = await runDemo({ out, symbols: a.symbols, minutes: a.minutes, speed: a.speed, faults: a.faults, llm, log: quiet });
  const s = res.summary;
  const f = res.fake;
  io.stdout(
    `demo: ${res.seconds.toFixed(1)} s; stream: ${s.stream.connects} connections (${f.drops} dropped, ${f.silences} silenced, ${s.stream.limitErrors} refused with 406, ${s.stream.watchdogKills} watchdog kills), ${s.stream.malformed} malformed frames skipped, ${s.invalid} invalid bars skipped, ${s.repaired} bars with the open or close outside the high-low range repaired; ` +
      `rest: ${s.rest.requests} requests (${s.rest.rateLimited} rate limited, ${s.rest.serverErrors} server errors); ` +
      `bars: ${s.added} new, ${s.duplicates} duplicates dropped, ${s.corrected} corrected, ${s.stale} stale dropped, ${s.backfilledBars} from backfills, ${res.reconcileFixed} fixed by the final reconciliation; ` +
      `ticks ${s.chain.ticks} (${s.chain.rewinds} rewinds, ${s.chain.reticks} re-ticked, ${s.chain.restored} restored from a snapshot); llm ${s.chain.llmCalls} calls\n`,
  );
  io.stdout(`output: ${out}/data/daily_news/${s.day}/processed/\n`);
  const c = res.counts;
  if (c.missing) io.stdout(`missing before the final reconciliation: ${c.missingBars.join(", ")}\n`);
  io.stdout(`bars: served ${c.served}, received ${c.received}, missing ${c.missing}, duplicated ${c.duplicated}\n`);
  return c.missing === 0 && c.duplicated === 0 && res.reconcileFixed === 0 ? EXIT.ok : EXIT.failed;
}
