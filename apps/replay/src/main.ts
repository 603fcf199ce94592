import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  aggregate,
  buildCapsule,
  columnsFromText,
  computeFeatures,
  createLlmProvider,
  IctError,
  LLM_KINDS,
  type LlmKind,
  nyDate,
  parseIsoMs,
  PROFILES,
  smtObjects,
  updateSymbolState,
  type Columns,
  type Profile,
} from "@ict/core";
import { stringifyStrict, writeCapsule } from "@ict/core/node";
import { checkReplayBars, loadBarsFile, UsageError, type InputWarning } from "./input.js";
import { ProgressBar } from "./progress.js";
import { replay, type ReplaySummary } from "./replay.js";
import { generateSample, SAMPLE_SYMBOLS } from "./sample.js";

export { UsageError };

/** Where the CLI writes; injected so that tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `usage: ict features --tf 1m|5m [--profile ict|seed-v0.1] FILE
       ict smt --ref REF [--profile ict|seed-v0.1] FILE
       ict replay --bars SYMBOL=PATH [--bars ...] --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--profile ...]
                  [--write every|close] [--llm offline|gemini|openai] [--bad-rows skip|stop] [--strict] [--no-report] [--report-zones N] [--quiet]
       ict demo [--out DIR] [--profile ...]      replay the bundled sample (apps/replay/sample) and print the report's path
       ict sample [--out DIR]                    write the bundled sample's bars again (deterministic)
       ict capsule --symbol S --tf 1m|5m [--ref REF] [--profile ict|seed-v0.1] [--now ISO] [--state-now ISO] [--out ROOT] FILE
  FILE, REF, PATH: CSV with header t,o,h,l,c,v, a JSON array of bars {t,o,h,l,c,v} (either may be gzipped), or Parquet; - for stdin`;

function profileOf(p: string | undefined): Profile {
  if (!(PROFILES as readonly string[]).includes(p!)) throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}`);
  return p as Profile;
}

/** Reads a bars file (CSV, JSON or Parquet; gzip allowed) into validated columns; any bad row is fatal. */
export function readBarsFile(path: string): Promise<Columns> {
  return loadBarsFile(path, { badRows: "stop" });
}

async function cmdFeatures(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { tf: { type: "string" }, profile: { type: "string", default: "ict" } },
    allowPositionals: true,
  });
  if (values.tf !== "1m" && values.tf !== "5m") throw new UsageError(`--tf must be 1m or 5m\n${USAGE}`);
  const profile = profileOf(values.profile);
  if (positionals.length !== 1) throw new UsageError(`expected one FILE\n${USAGE}`);
  const cols = await readBarsFile(positionals[0]!);
  const f = computeFeatures(cols, { tf: values.tf, profile });
  io.stdout(JSON.stringify(f, null, 2) + "\n");
  return 0;
}

async function cmdSmt(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ref: { type: "string" }, profile: { type: "string", default: "ict" } },
    allowPositionals: true,
  });
  const profile = profileOf(values.profile);
  if (!values.ref) throw new UsageError(`--ref REF is required\n${USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`expected one FILE\n${USAGE}`);
  if (positionals[0] === "-" && values.ref === "-") throw new UsageError("only one of FILE and REF can be standard input");
  const primary = await readBarsFile(positionals[0]!);
  const ref = await readBarsFile(values.ref);
  io.stdout(JSON.stringify(smtObjects(primary, ref, { profile }), null, 2) + "\n");
  return 0;
}

function timeOption(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const t = parseIsoMs(v);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO 8601 time, got ${JSON.stringify(v)}`);
  return t;
}

async function cmdCapsule(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      symbol: { type: "string" },
      tf: { type: "string" },
      ref: { type: "string" },
      profile: { type: "string", default: "ict" },
      now: { type: "string" },
      "state-now": { type: "string" },
      out: { type: "string" },
    },
    allowPositionals: true,
  });
  const profile = profileOf(values.profile);
  if (!values.symbol) throw new UsageError(`--symbol S is required\n${USAGE}`);
  if (values.tf !== "1m" && values.tf !== "5m") throw new UsageError(`--tf must be 1m or 5m\n${USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`expected one FILE\n${USAGE}`);
  const bars = await readBarsFile(positionals[0]!);
  const ref = values.ref ? await readBarsFile(values.ref) : undefined;
  const empty = columnsFromText("[]");
  // Capsule inputs as the oracle forms them: for --tf 1m the 5m bars are the aggregate of FILE.
  const bars1m = values.tf === "1m" ? bars : empty;
  const bars5m = values.tf === "1m" ? aggregate(bars, 5) : bars;
  const ref5m = ref ? (values.tf === "1m" ? aggregate(ref, 5) : ref) : undefined;
  const last = bars.length > 0 ? bars.t[bars.length - 1]! : 0;
  const now = timeOption("now", values.now, last);
  const stateNow = timeOption("state-now", values["state-now"], last);
  const capsule = buildCapsule({ symbol: values.symbol, dayEt: bars.length > 0 ? nyDate(last) : "1970-01-01", bars1m, bars5m, ref5m, now, profile });
  if (values.out) {
    io.stdout(writeCapsule(values.out, capsule) + "\n");
    return 0;
  }
  const price = bars.length > 0 ? bars.c[bars.length - 1] : undefined;
  const state = updateSymbolState({ symbol: values.symbol }, capsule.features, stateNow, { profile, price });
  io.stdout(stringifyStrict({ capsule, state }));
  return 0;
}

/** The confluences of a replay as a table: one row per kind and timeframe, one column per status. */
function confluenceTable(c: Record<string, number>): string {
  const statuses = ["forming", "active", "filled", "invalidated", "expired"];
  const rows = new Map<string, Record<string, number>>();
  for (const [key, n] of Object.entries(c)) {
    const [kind, tf, status] = key.split(":");
    const rk = `${kind} ${tf}`;
    let r = rows.get(rk);
    if (!r) rows.set(rk, (r = {}));
    r[status!] = (r[status!] ?? 0) + n;
    if (!statuses.includes(status!)) statuses.push(status!);
  }
  if (rows.size === 0) return "  (none)\n";
  const head = ["kind tf", ...statuses];
  const body = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, r]) => [k, ...statuses.map((s) => String(r[s] ?? 0))]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => "  " + cells.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ") + "\n";
  return fmt(head) + body.map(fmt).join("");
}

function summaryText(s: ReplaySummary, out: string, warnings: InputWarning[]): string {
  const counts = new Map<string, number>();
  for (const w of warnings) counts.set(w.kind, (counts.get(w.kind) ?? 0) + 1);
  const warn = warnings.length === 0 ? "none" : [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  let text =
    `replayed ${s.days.length} days (${s.days[0] ?? "-"} … ${s.days[s.days.length - 1] ?? "-"}), ${s.ticks} ticks, ${s.symbols.length} symbols (${s.symbols.join(",")}) ` +
    `in ${s.seconds.toFixed(1)} s (${(s.ticks / Math.max(s.seconds, 1e-9)).toFixed(0)} ticks/s)\n` +
    `llm: ${s.llm.provider} (${s.llm.model}), ${s.llm.calls} calls, ${s.llm.failures} failed\n` +
    `warnings: ${warn}\n` +
    `confluences at each day's close, by status:\n${confluenceTable(s.confluences)}` +
    `output: ${join(out, "data", "daily_news")}\n`;
  const reports = s.reports;
  if (reports.length > 0) text += `report: ${reports[reports.length - 1]}${reports.length > 1 ? ` (and ${reports.length - 1} more, one per day)` : ""}\n`;
  if (s.reportIndex) text += `report index: ${s.reportIndex}\n`;
  return text;
}

interface ReplayArgs {
  bars: Array<[string, string]>;
  out: string;
  from?: string;
  to?: string;
  profile: Profile;
  write: "every" | "close";
  llm: LlmKind;
  quiet: boolean;
  strict: boolean;
  badRows: "skip" | "stop";
  report: boolean;
  reportZones?: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

async function runReplay(a: ReplayArgs, io: Io): Promise<number> {
  if (a.from !== undefined && !DAY.test(a.from)) throw new UsageError(`--from must be a New York date YYYY-MM-DD, got ${JSON.stringify(a.from)}`);
  if (a.to !== undefined && !DAY.test(a.to)) throw new UsageError(`--to must be a New York date YYYY-MM-DD, got ${JSON.stringify(a.to)}`);
  // The provider is set up first: a missing key stops the run before anything is read or written.
  const llm = createLlmProvider(a.llm);
  const tty = process.stderr.isTTY === true;
  const bar = !a.quiet && tty ? new ProgressBar(process.stderr) : null;
  const warnings: InputWarning[] = [];
  const shown = new Map<string, number>();
  const warn = (w: InputWarning) => {
    warnings.push(w);
    const n = (shown.get(w.kind) ?? 0) + 1;
    shown.set(w.kind, n);
    if (n <= 20) io.stderr(`ict: warning: ${w.message}\n`);
    else if (n === 21) io.stderr(`ict: warning: more ${w.kind} warnings not shown (counted in the summary)\n`);
  };
  const bars: Record<string, Columns> = {};
  for (const [sym, path] of a.bars) {
    if (bars[sym] !== undefined) throw new UsageError(`--bars ${sym} given twice`);
    bars[sym] = await loadBarsFile(path, { badRows: a.badRows, warn });
  }
  checkReplayBars(bars, warn, { from: a.from, to: a.to });
  if (a.strict && warnings.length > 0) throw new UsageError(`--strict: ${warnings.length} input warning(s), nothing replayed`);
  const s = await replay({
    bars,
    out: a.out,
    from: a.from,
    to: a.to,
    profile: a.profile,
    write: a.write,
    llm,
    report: a.report,
    reportZones: a.reportZones,
    log: (m) => {
      bar?.done();
      io.stderr(`ict: ${m}\n`);
    },
    onTick: bar ? (d, t, day) => bar.update(d, t, day) : undefined,
  });
  bar?.done();
  if (s.ticks === 0) {
    io.stderr(`ict: no bars between ${a.from ?? "the start"} and ${a.to ?? "the end"}; nothing replayed\n`);
    return 2;
  }
  io.stdout(summaryText(s, a.out, warnings));
  return 0;
}

async function cmdReplay(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      bars: { type: "string", multiple: true },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      profile: { type: "string", default: "ict" },
      write: { type: "string", default: "every" },
      llm: { type: "string", default: "offline" },
      "bad-rows": { type: "string", default: "skip" },
      strict: { type: "boolean", default: false },
      "no-report": { type: "boolean", default: false },
      "report-zones": { type: "string" },
      quiet: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const profile = profileOf(values.profile);
  if (!values.bars?.length) throw new UsageError(`--bars SYMBOL=PATH is required\n${USAGE}`);
  if (!values.out) throw new UsageError(`--out DIR is required\n${USAGE}`);
  if (values.write !== "every" && values.write !== "close") throw new UsageError("--write must be every or close");
  if (!(LLM_KINDS as readonly string[]).includes(values.llm!)) throw new UsageError(`--llm must be one of ${LLM_KINDS.join(", ")}`);
  if (values["bad-rows"] !== "skip" && values["bad-rows"] !== "stop") throw new UsageError("--bad-rows must be skip or stop");
  const zones = values["report-zones"];
  if (zones !== undefined && !/^[1-9]\d{0,5}$/.test(zones)) throw new UsageError(`--report-zones expects a positive whole number of zones per side, got ${JSON.stringify(zones)}`);
  const bars: Array<[string, string]> = [];
  for (const spec of values.bars) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--bars expects SYMBOL=PATH, got ${JSON.stringify(spec)}`);
    bars.push([spec.slice(0, eq), spec.slice(eq + 1)]);
  }
  return runReplay(
    {
      bars,
      out: values.out,
      from: values.from,
      to: values.to,
      profile,
      write: values.write,
      llm: values.llm as LlmKind,
      quiet: values.quiet!,
      strict: values.strict!,
      badRows: values["bad-rows"],
      report: !values["no-report"],
      reportZones: zones === undefined ? undefined : Number(zones),
    },
    io,
  );
}

/** The bundled sample's folder (generated by `ict sample`, committed). */
export const SAMPLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../sample");

/** `ict sample [--out DIR]`: writes the deterministic sample bars (CSV per symbol). */
function cmdSample(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { out: { type: "string", default: SAMPLE_DIR } }, allowPositionals: false });
  mkdirSync(values.out!, { recursive: true });
  for (const [sym, text] of Object.entries(generateSample())) writeFileSync(join(values.out!, `${sym}.csv`), text);
  io.stdout(`sample: ${SAMPLE_SYMBOLS.map((s) => s.symbol).join(", ")} written to ${values.out}\n`);
  return 0;
}

/** `ict demo [--out DIR]`: replays the bundled sample with the offline model and prints where the report is. */
async function cmdDemo(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { out: { type: "string", default: "out/demo" }, profile: { type: "string", default: "ict" }, quiet: { type: "boolean", default: false } },
    allowPositionals: false,
  });
  const profile = profileOf(values.profile);
  const files = SAMPLE_SYMBOLS.map((s) => [s.symbol, join(SAMPLE_DIR, `${s.symbol}.csv`)] as [string, string]);
  for (const [, f] of files) if (!existsSync(f)) throw new UsageError(`sample file ${f} is missing (run: pnpm -s ict sample)`);
  const out = values.out!;
  return runReplay({ bars: files, out, profile, write: "every", llm: "offline", quiet: values.quiet!, strict: false, badRows: "stop", report: true }, io);
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "features":
        return await cmdFeatures(rest, io);
      case "smt":
        return await cmdSmt(rest, io);
      case "capsule":
        return await cmdCapsule(rest, io);
      case "replay":
        return await cmdReplay(rest, io);
      case "demo":
        return await cmdDemo(rest, io);
      case "sample":
        return cmdSample(rest, io);
      case undefined:
      case "-h":
      case "--help":
      case "help":
        io.stdout(USAGE + "\n");
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof IctError) {
      io.stderr(`ict: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`ict: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`ict: internal error: ${(e as Error).message}\n`);
    if (process.env.ICT_DEBUG) io.stderr(String((e as Error).stack) + "\n");
    return 1;
  }
}
