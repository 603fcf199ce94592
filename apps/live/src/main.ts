/**
 * `pnpm live …` argument parsing and run. Keys come from the environment
 * only and are never printed; base URLs from flags or the environment.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createLlmProvider, IctError, LLM_KINDS, PROFILES, type LlmKind, type LlmProvider, type Profile } from "@ict/core";
import { DEFAULT_URLS, type Feed } from "./alpaca/types.js";
import { parseClockSpec, systemClock } from "./clock.js";
import { runDemo } from "./demo.js";
import { LiveLoop } from "./loop.js";

/** Where the CLI writes; injected so that tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** An error the user can act on: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The usage text (printed by `--help` and after a usage error). */
export const USAGE = `usage: live --symbols SPY,QQQ,IWM [--feed iex|sip] [--llm offline|gemini|openai] [--out DIR] [--profile ict|seed-v0.1]
            [--data-url URL] [--trading-url URL] [--stream-url URL] [--debounce-ms N] [--clock ISO@WALLMS*SPEED]
       live --demo [--out DIR] [--minutes N] [--speed X] [--no-faults] [--llm offline|gemini|openai]
  keys from the environment: APCA_API_KEY_ID, APCA_API_SECRET_KEY (and GEMINI_API_KEY / OPENAI_API_KEY for --llm)
  base URLs: APCA_API_DATA_URL, APCA_API_BASE_URL (trading: calendar), APCA_API_STREAM_URL`;

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
  streamUrl: string;
  debounceMs: number | undefined;
  clock: string | undefined;
  minutes: number;
  speed: number;
  faults: boolean;
}

/** Parses the command line (throws {@link UsageError}). */
export function parseLiveArgs(argv: string[], env: Record<string, string | undefined>): LiveArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      demo: { type: "boolean", default: false },
      symbols: { type: "string" },
      feed: { type: "string", default: "iex" },
      llm: { type: "string", default: "offline" },
      out: { type: "string" },
      profile: { type: "string", default: "ict" },
      "data-url": { type: "string" },
      "trading-url": { type: "string" },
      "stream-url": { type: "string" },
      "debounce-ms": { type: "string" },
      clock: { type: "string" },
      minutes: { type: "string", default: "90" },
      speed: { type: "string", default: "200" },
      "no-faults": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) throw new UsageError(USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
  if (values.feed !== "iex" && values.feed !== "sip") throw new UsageError("--feed must be iex or sip");
  if (!(LLM_KINDS as readonly string[]).includes(values.llm!)) throw new UsageError(`--llm must be one of ${LLM_KINDS.join(", ")}`);
  if (!(PROFILES as readonly string[]).includes(values.profile!)) throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}`);
  const symbols = (values.symbols ?? (values.demo ? "SPY,QQQ,IWM" : "")).split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (!symbols.length) throw new UsageError(`--symbols is required (e.g. --symbols SPY,QQQ,IWM)\n${USAGE}`);
  for (const s of symbols) if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(s)) throw new UsageError(`--symbols: ${JSON.stringify(s)} is not a ticker`);
  if (new Set(symbols).size !== symbols.length) throw new UsageError("--symbols: a symbol is listed twice");
  const num = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in ${min}..${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  if (values.clock !== undefined && !parseClockSpec(values.clock)) throw new UsageError("--clock must be ISO@WALLMS*SPEED, e.g. 2024-03-15T13:30:00Z@1700000000000*60");
  return {
    demo: values.demo!,
    symbols,
    feed: values.feed,
    llm: values.llm as LlmKind,
    out: values.out,
    profile: values.profile as Profile,
    dataUrl: values["data-url"] ?? env.APCA_API_DATA_URL ?? DEFAULT_URLS.dataUrl,
    tradingUrl: values["trading-url"] ?? env.APCA_API_BASE_URL ?? DEFAULT_URLS.tradingUrl,
    streamUrl: values["stream-url"] ?? env.APCA_API_STREAM_URL ?? DEFAULT_URLS.streamUrl,
    debounceMs: num("debounce-ms", values["debounce-ms"], 0, 600_000),
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
  /** Registers the shutdown handler (default: SIGINT and SIGTERM; a second signal exits at once). */
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
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (++count > 1) {
        process.stderr.write(`live: second ${sig}: exiting now (files are atomic; a restart resumes)\n`);
        process.exit(130);
      }
      handler(sig);
    });
  }
}

/** Runs `live`; resolves with the exit code. */
export async function runLive(argv: string[], r: RunEnv): Promise<number> {
  const { io, env } = r;
  const log = (m: string) => io.stderr(`live: ${m}\n`);
  let a: LiveArgs;
  try {
    a = parseLiveArgs(argv, env);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(e.message === USAGE ? USAGE + "\n" : `live: ${e.message}\n`);
      return argv.includes("--help") || argv.includes("-h") ? 0 : 2;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`live: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const llm = makeLlm(a.llm, env, log);
    if (a.demo) return await demo(a, llm, r);
    const keyId = env.APCA_API_KEY_ID;
    const secretKey = env.APCA_API_SECRET_KEY;
    if (!keyId || !secretKey) throw new UsageError("APCA_API_KEY_ID and APCA_API_SECRET_KEY must be set in the environment (or try --demo)");
    const out = resolve(a.out ?? "live-out");
    const clock = a.clock ? parseClockSpec(a.clock)! : systemClock;
    const loop = new LiveLoop({
      symbols: a.symbols,
      out,
      alpaca: { keyId, secretKey, dataUrl: a.dataUrl, tradingUrl: a.tradingUrl, streamUrl: a.streamUrl, feed: a.feed },
      profile: a.profile,
      clock,
      llm,
      debounceMs: a.debounceMs,
      streamTimings: clock.speed > 1 ? (await import("./demo.js")).FAST_TIMINGS : undefined,
      log,
    });
    let stopping: Promise<void> | null = null;
    const done = new Promise<string>((res) => (r.onSignal ?? defaultSignals)((sig) => res(sig)));
    log(`symbols ${a.symbols.join(",")}, feed ${a.feed}, llm ${llm.name} (${llm.model}), out ${out}; keys from the environment`);
    await loop.start();
    log(`started (day ${loop.currentDay}); stop with Ctrl-C (SIGINT) or SIGTERM`);
    const why = await Promise.race([done.then((s) => `signal ${s}`), loop.whenFatal().then((e) => `fatal: ${e.message}`)]);
    log(`stopping (${why}): no more bars, finishing writes, closing the socket`);
    stopping = loop.stop();
    await stopping;
    const s = loop.summary();
    io.stdout(`day ${s.day}: bars ${s.bars} (new ${s.added}, restored ${s.restored}, duplicates dropped ${s.duplicates}, corrected ${s.corrected}, repaired ${s.repaired}, invalid ${s.invalid}); ticks ${s.chain.ticks} (rewinds ${s.chain.rewinds}); llm calls ${s.chain.llmCalls}, failures ${s.chain.llmFailures}\n`);
    return loop.fatal ? 3 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`live: ${e.message}\n`);
      return 2;
    }
    io.stderr(`live: error: ${(e as Error).message}\n`);
    if (env.ICT_DEBUG) io.stderr(String((e as Error).stack) + "\n");
    return 1;
  }
}

async function demo(a: LiveArgs, llm: LlmProvider, r: RunEnv): Promise<number> {
  const { io } = r;
  let out: string;
  if (a.out) {
    out = resolve(a.out);
    rmSync(join(out, "data", "daily_news"), { recursive: true, force: true });
  } else out = mkdtempSync(join(tmpdir(), "ict-live-demo-"));
  const quiet = (m: string) => {
    // The demo's own faults make a lot of noise: keep the interesting lines.
    if (/fault|reconnect attempt|406|silent|malformed|skipped|429|500|backfill|resume|llm/.test(m)) io.stderr(`live: ${m}\n`);
  };
  io.stdout(`demo: fake Alpaca on 127.0.0.1, ${a.symbols.join(",")}, ${a.minutes} minutes at ${a.speed}x, faults ${a.faults ? "on" : "off"}, llm ${llm.name}; output ${out}\n`);
  const res = await runDemo({ out, symbols: a.symbols, minutes: a.minutes, speed: a.speed, faults: a.faults, llm, log: quiet });
  const s = res.summary;
  const f = res.fake;
  io.stdout(
    `demo: ${res.seconds.toFixed(1)} s; stream: ${s.stream.connects} connections (${f.drops} dropped, ${f.silences} silenced, ${s.stream.limitErrors} refused with 406, ${s.stream.watchdogKills} watchdog kills), ${s.stream.malformed} malformed frames skipped, ${s.invalid} invalid bars skipped, ${s.repaired} bars with the open or close outside the high-low range repaired; ` +
      `rest: ${s.rest.requests} requests (${s.rest.rateLimited} rate limited, ${s.rest.serverErrors} server errors); ` +
      `bars: ${s.added} new, ${s.duplicates} duplicates dropped, ${s.corrected} corrected, ${s.stale} stale dropped, ${s.backfilledBars} from backfills, ${res.reconcileFixed} fixed by the final reconciliation; ` +
      `ticks ${s.chain.ticks} (${s.chain.rewinds} rewinds, ${s.chain.reticks} re-ticked); llm ${s.chain.llmCalls} calls\n`,
  );
  io.stdout(`output: ${out}/data/daily_news/${s.day}/processed/\n`);
  const c = res.counts;
  if (c.missing) io.stdout(`missing before the final reconciliation: ${c.missingBars.join(", ")}\n`);
  io.stdout(`bars: served ${c.served}, received ${c.received}, missing ${c.missing}, duplicated ${c.duplicated}\n`);
  return c.missing === 0 && c.duplicated === 0 && res.reconcileFixed === 0 ? 0 : 1;
}
