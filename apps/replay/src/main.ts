import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import {
  aggregate,
  buildCapsule,
  columnsFromText,
  computeFeatures,
  IctError,
  nyDate,
  parseIsoMs,
  PROFILES,
  smtObjects,
  updateSymbolState,
  type Columns,
  type Profile,
} from "@ict/core";
import { stringifyStrict, writeCapsule } from "@ict/core/node";
import { replay } from "./replay.js";

/** Where the CLI writes; injected so that tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** An error the user can act on: printed as one line, exit code 2. */
export class UsageError extends Error {}

const USAGE = `usage: ict features --tf 1m|5m [--profile ict|seed-v0.1] FILE
       ict smt --ref REF [--profile ict|seed-v0.1] FILE
       ict replay --bars SYMBOL=PATH [--bars ...] --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--profile ...] [--write every|close] [--no-report] [--quiet]
       ict capsule --symbol S --tf 1m|5m [--ref REF] [--profile ict|seed-v0.1] [--now ISO] [--state-now ISO] [--out ROOT] FILE
  FILE, REF: JSON array of bars {t,o,h,l,c,v} or CSV with header t,o,h,l,c,v (.gz allowed); - for stdin`;

function profileOf(p: string | undefined): Profile {
  if (!(PROFILES as readonly string[]).includes(p!)) throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}`);
  return p as Profile;
}

/** Reads a bars file (JSON or CSV, plain or gzip) and validates it into columns. */
export function readBarsFile(path: string): Columns {
  let buf: Buffer;
  try {
    buf = path === "-" ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new UsageError(`${path}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  try {
    return columnsFromText(buf.toString("utf8"));
  } catch (e) {
    if (e instanceof IctError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

function cmdFeatures(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    options: { tf: { type: "string" }, profile: { type: "string", default: "ict" } },
    allowPositionals: true,
  });
  if (values.tf !== "1m" && values.tf !== "5m") throw new UsageError(`--tf must be 1m or 5m\n${USAGE}`);
  const profile = profileOf(values.profile);
  if (positionals.length !== 1) throw new UsageError(`expected one FILE\n${USAGE}`);
  const cols = readBarsFile(positionals[0]!);
  const f = computeFeatures(cols, { tf: values.tf, profile });
  io.stdout(JSON.stringify(f, null, 2) + "\n");
  return 0;
}

function cmdSmt(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    options: { ref: { type: "string" }, profile: { type: "string", default: "ict" } },
    allowPositionals: true,
  });
  const profile = profileOf(values.profile);
  if (!values.ref) throw new UsageError(`--ref REF is required\n${USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`expected one FILE\n${USAGE}`);
  if (positionals[0] === "-" && values.ref === "-") throw new UsageError("only one of FILE and REF can be standard input");
  const primary = readBarsFile(positionals[0]!);
  const ref = readBarsFile(values.ref);
  io.stdout(JSON.stringify(smtObjects(primary, ref, { profile }), null, 2) + "\n");
  return 0;
}

function timeOption(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const t = parseIsoMs(v);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO 8601 time, got ${JSON.stringify(v)}`);
  return t;
}

function cmdCapsule(args: string[], io: Io): number {
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
  const bars = readBarsFile(positionals[0]!);
  const ref = values.ref ? readBarsFile(values.ref) : undefined;
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

function cmdReplay(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      bars: { type: "string", multiple: true },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      profile: { type: "string", default: "ict" },
      write: { type: "string", default: "every" },
      quiet: { type: "boolean", default: false },
      "no-report": { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const profile = profileOf(values.profile);
  if (!values.bars?.length) throw new UsageError(`--bars SYMBOL=PATH is required\n${USAGE}`);
  if (!values.out) throw new UsageError(`--out DIR is required\n${USAGE}`);
  if (values.write !== "every" && values.write !== "close") throw new UsageError("--write must be every or close");
  const bars: Record<string, Columns> = {};
  for (const spec of values.bars) {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError(`--bars expects SYMBOL=PATH, got ${JSON.stringify(spec)}`);
    bars[spec.slice(0, eq)] = readBarsFile(spec.slice(eq + 1));
  }
  const showProgress = !values.quiet && process.stderr.isTTY === true;
  const s = replay({
    bars,
    out: values.out,
    from: values.from,
    to: values.to,
    profile,
    write: values.write as "every" | "close",
    report: !values["no-report"],
    onTick: showProgress ? (d, t) => { if (d % 50 === 0 || d === t) process.stderr.write(`\r${d}/${t} ticks`); } : undefined,
  });
  if (showProgress) process.stderr.write("\n");
  const byKind = Object.entries(s.confluences).sort().map(([k, v]) => `${k}=${v}`).join(" ");
  io.stdout(`replayed ${s.days.length} days, ${s.ticks} ticks, ${s.symbols.length} symbols (${s.symbols.join(",")}) in ${s.seconds.toFixed(1)} s (${(s.ticks / Math.max(s.seconds, 1e-9)).toFixed(0)} ticks/s)\nconfluences at each day's close: ${byKind}\noutput: ${values.out}/data/daily_news/\n${s.reports.map((r) => `report: ${r}\n`).join("")}`);
  return 0;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "features":
        return cmdFeatures(rest, io);
      case "smt":
        return cmdSmt(rest, io);
      case "capsule":
        return cmdCapsule(rest, io);
      case "replay":
        return cmdReplay(rest, io);
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
