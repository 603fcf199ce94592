import {
  accessSync,
  constants as fsConstants,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteBuffer } from "hyparquet-writer";
import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  aggregate,
  columnsFromText,
  computeFeatures,
  IctError,
  parseIsoMs,
  PROFILES,
  quoteValue,
  smtObjects,
  type Columns,
  type Profile,
  tfMinutes,
  isTimeZone,
  minSpacingMs,
  INSTRUMENT_CLASSES,
  type InstrumentClass,
} from "@ict/core";
import {
  buildCapsule,
  checkDay,
  checkSymbol,
  createLlmProvider,
  LLM_KINDS,
  type LlmKind,
  nyDate,
  parseSmtPairs,
  updateSymbolState,
} from "@ict/pipeline";
import { stringifyStrict, writeCapsule, writeFileAtomic } from "@ict/pipeline/node";
import { checkReplayBars, loadBarsFile, UsageError, type InputWarning } from "./input.js";
import { ProgressBar } from "./progress.js";
import { existingDays, LlmFatalError, OutputExistsError, replay, replayDays, type ReplaySummary } from "./replay.js";
import { generateSample, SAMPLE_SYMBOLS } from "./sample.js";

export { UsageError };

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Where the CLI writes; injected so that tests can capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Standard output as a stream, for large outputs written piece by piece
   * with backpressure (`ict features`); without it they go through `stdout`.
   */
  stdoutStream?: NodeJS.WritableStream;
}

/** One command: its usage line(s) and its options (strict: an unknown flag is refused with this usage). */
interface Command {
  usage: string;
  options: ParseArgsOptionsConfig;
  positionals: boolean;
}

const PROFILE_OPT = { type: "string", default: "ict" } as const;

/**
 * The commands and their flags. Other flags are added here (the parse is
 * strict, so a flag not listed is an error naming the command's usage).
 */
const COMMANDS = {
  features: {
    usage:
      "ict features --tf 1m|5m|15m|1h|4h|1d|… [--tz ZONE] [--profile ict|seed-v0.1] [--format json|ndjson|csv|parquet] [--out FILE] FILE",
    options: {
      tf: { type: "string" },
      tz: { type: "string" },
      profile: PROFILE_OPT,
      format: { type: "string", default: "json" },
      out: { type: "string" },
    },
    positionals: true,
  },
  smt: {
    usage: "ict smt --ref REF [--profile ict|seed-v0.1] FILE",
    options: { ref: { type: "string" }, profile: PROFILE_OPT },
    positionals: true,
  },
  capsule: {
    usage: "ict capsule --symbol S --tf 1m|5m [--ref REF] [--profile ict|seed-v0.1] [--now ISO] [--state-now ISO] [--out ROOT] FILE",
    options: {
      symbol: { type: "string" },
      tf: { type: "string" },
      ref: { type: "string" },
      profile: PROFILE_OPT,
      now: { type: "string" },
      "state-now": { type: "string" },
      out: { type: "string" },
    },
    positionals: true,
  },
  replay: {
    usage:
      "ict replay --bars SYMBOL=PATH [--bars ...] --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--profile ict|seed-v0.1]\n" +
      "           [--write every|close] [--llm offline|gemini|openai] [--bad-rows skip|stop] [--repair-ohlc] [--tz ZONE] [--strict] [--no-report] [--report-zones N] [--quiet] [--overwrite]\n" +
      "           [--history-days N] [--instrument equity|futures|crypto|SYMBOL=CLASS ...] [--smt SYMBOL:REF,...]",
    options: {
      bars: { type: "string", multiple: true },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      profile: PROFILE_OPT,
      write: { type: "string", default: "every" },
      llm: { type: "string", default: "offline" },
      "bad-rows": { type: "string", default: "skip" },
      "repair-ohlc": { type: "boolean", default: false },
      tz: { type: "string" },
      strict: { type: "boolean", default: false },
      "no-report": { type: "boolean", default: false },
      "report-zones": { type: "string" },
      quiet: { type: "boolean", default: false },
      overwrite: { type: "boolean", default: false },
      "history-days": { type: "string" },
      instrument: { type: "string", multiple: true },
      smt: { type: "string" },
    },
    positionals: false,
  },
  demo: {
    usage:
      "ict demo [--out DIR] [--profile ict|seed-v0.1] [--quiet]    replay the bundled sample (apps/replay/sample) and print the report's path",
    options: { out: { type: "string", default: "out/demo" }, profile: PROFILE_OPT, quiet: { type: "boolean", default: false } },
    positionals: false,
  },
  sample: {
    usage: "ict sample [--out DIR]    write the bundled sample's bars again (deterministic)",
    options: { out: { type: "string" } },
    positionals: false,
  },
} satisfies Record<string, Command>;

type CommandName = keyof typeof COMMANDS;

const FILES_NOTE =
  "  FILE, REF, PATH: CSV with header t,o,h,l,c,v, a JSON array of bars {t,o,h,l,c,v} (either may be gzipped), or Parquet; - for stdin";

const USAGE =
  "usage: " +
  Object.values(COMMANDS)
    .map((c) => c.usage)
    .join("\n       ") +
  "\n       ict --help | ict <command> --help | ict --version\n" +
  FILES_NOTE;

/** The usage of one command. */
function usageOf(cmd: CommandName): string {
  return `usage: ${COMMANDS[cmd].usage}${COMMANDS[cmd].positionals || cmd === "replay" ? "\n" + FILES_NOTE : ""}`;
}

/** The package's version (apps/replay/package.json). */
function version(): string {
  const pkg = JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8")) as { version: string };
  return pkg.version;
}

const HELP_OPT = { help: { type: "boolean", short: "h" } } as const;

/** Parses a command's arguments strictly (its options plus `--help`); an unknown flag names the command's usage. */
function parse<O extends ParseArgsOptionsConfig>(cmd: CommandName, args: string[], spec: { options: O; positionals: boolean }) {
  try {
    return parseArgs({ args, options: { ...spec.options, ...HELP_OPT }, allowPositionals: spec.positionals, strict: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS"))
      throw new UsageError(`${cmd}: ${quoteCut((e as Error).message)}\n${usageOf(cmd)}`);
    throw e;
  }
}

/** A value as quoted in an error message: at most 80 characters of it. */
export function quote(v: unknown): string {
  return quoteValue(typeof v === "string" ? v : String(v));
}

/** A message quoting a user value at most 80 characters long (node's parseArgs quotes whole arguments). */
function quoteCut(m: string): string {
  return m
    .split(". To specify a positional")[0]!
    .replace(/'([^']{81,})'/g, (_x, v: string) => `'${v.slice(0, 80)}…' (${v.length} characters)`)
    .replace(/"([^"]{81,})"/g, (_x, v: string) => `"${v.slice(0, 80)}…" (${v.length} characters)`);
}

/** "1 day", "2 days". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function profileOf(p: string | undefined): Profile {
  if (!(PROFILES as readonly string[]).includes(p!))
    throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}, got ${quote(p)}`);
  return p as Profile;
}

/** Reads a bars file (CSV, JSON or Parquet; gzip allowed) into validated columns; any bad row is fatal. */
export function readBarsFile(path: string, tz?: string, warn?: (message: string) => void): Promise<Columns> {
  return loadBarsFile(path, { badRows: "stop", tz, warn: warn ? (w) => warn(w.message) : undefined });
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2) + "\n"` (the same bytes)
 * without ever building the whole text: top-level members and the items of
 * top-level arrays are stringified one by one and written in chunks, waiting
 * for the stream to drain (backpressure).
 */
async function writeJsonStreamed(value: Record<string, unknown>, io: Io): Promise<void> {
  const { put, flush } = chunked(io);
  const indent = (text: string, pad: string) => text.replace(/\n/g, "\n" + pad);
  const keys = Object.keys(value).filter((k) => {
    const v = value[k];
    return v !== undefined && typeof v !== "function" && typeof v !== "symbol";
  });
  if (keys.length === 0) return void (await put("{}\n"), await flush());
  await put("{");
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    await put(`${i === 0 ? "" : ","}\n  ${JSON.stringify(k)}: `);
    if (Array.isArray(v) && v.length > 0) {
      await put("[");
      for (let j = 0; j < v.length; j++) await put(`${j === 0 ? "" : ","}\n    ${indent(JSON.stringify(v[j], null, 2) ?? "null", "    ")}`);
      await put("\n  ]");
    } else await put(indent(JSON.stringify(v, null, 2), "  "));
  }
  await put("\n}\n");
  await flush();
}

async function cmdFeatures(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse("features", args, COMMANDS.features);
  if (values.help) return help("features", io);
  const tfMin = typeof values.tf === "string" ? tfMinutes(values.tf) : NaN;
  if (Number.isNaN(tfMin))
    throw new UsageError(
      `features: --tf must be a timeframe such as 1m, 5m, 15m, 1h, 4h or 1d, got ${quote(values.tf)}\n${usageOf("features")}`,
    );
  const profile = profileOf(values.profile);
  if (positionals.length !== 1) throw new UsageError(`features: expected one FILE\n${usageOf("features")}`);
  const format = values.format;
  if (format !== "json" && format !== "ndjson" && format !== "csv" && format !== "parquet")
    throw new UsageError(`features: --format must be json, ndjson, csv or parquet, got ${quote(format)}\n${usageOf("features")}`);
  if (format === "parquet" && values.out === undefined)
    throw new UsageError(`features: --format parquet writes a binary file: give it with --out FILE\n${usageOf("features")}`);
  const cols = await readBarsFile(positionals[0]!, tzOption(values.tz), (m) => io.stderr(`ict: warning: ${m}\n`));
  // Finer bars are aggregated up to --tf; bars coarser than --tf cannot be split.
  const closest = minSpacingMs(cols.t);
  if (Number.isFinite(closest) && closest > tfMin * 60_000)
    throw new UsageError(
      `features: the bars of ${positionals[0]} are ${closest / 60_000} minutes apart at the closest: coarser than --tf ${values.tf} (finer bars are aggregated up, coarser ones cannot be split)`,
    );
  const f = computeFeatures(cols, { tf: values.tf, profile }) as unknown as Record<string, unknown>;
  if (format === "parquet") {
    writeZoneParquet(f, values.out!);
    return 0;
  }
  const write = (target: Io) =>
    format === "json" ? writeJsonStreamed(f, target) : format === "ndjson" ? writeNdjson(f, target) : writeZoneCsv(f, target);
  if (values.out === undefined) await write(io);
  else await writeFileStreamed(values.out, write);
  return 0;
}

/** The zone lists of a feature set, in the order `ict features` writes them. */
const ZONE_LISTS = ["fvg", "ifvg", "ob", "bb"] as const;

/**
 * NDJSON: a first line with the timeframe's summary (`kind: "TF"`: tf,
 * atr_last, ms, swings), then one line per zone record (FVG, IFVG, OB,
 * breaker; each carries its `kind`).
 */
async function writeNdjson(f: Record<string, unknown>, io: Io): Promise<void> {
  const out = chunked(io);
  await out.put(JSON.stringify({ kind: "TF", tf: f.tf, atr_last: f.atr_last, ms: f.ms, swings: f.swings }) + "\n");
  for (const list of ZONE_LISTS) for (const r of (f[list] as unknown[] | undefined) ?? []) await out.put(JSON.stringify(r) + "\n");
  await out.flush();
}

/**
 * CSV: one row per zone record (FVG, IFVG, OB, breaker) with flat columns:
 * the union of the records' fields in first-seen order, a two-value range
 * (`gap`, `body`, `zone`) as `<name>_lo` and `<name>_hi`, empty for a field a
 * record does not have or a null.
 */
/** A zone record as flat cells: a two-number array `x` becomes `x_lo` and `x_hi`. */
function flatZone(r: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(r)) {
    if (Array.isArray(v) && v.length === 2) {
      m.set(`${k}_lo`, v[0]);
      m.set(`${k}_hi`, v[1]);
    } else m.set(k, v);
  }
  return m;
}

/** The flat columns of every zone record, in first-seen order. */
function zoneHeader(f: Record<string, unknown>): string[] {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const list of ZONE_LISTS) {
    for (const r of (f[list] as Record<string, unknown>[] | undefined) ?? []) {
      for (const k of flatZone(r).keys()) {
        if (seen.has(k)) continue;
        seen.add(k);
        header.push(k);
      }
    }
  }
  return header;
}

/**
 * Parquet: one row per zone with the CSV's flat columns, each typed from its
 * values (DOUBLE for numbers, BOOLEAN, else STRING; an absent cell is null),
 * written atomically to `path`.
 */
function writeZoneParquet(f: Record<string, unknown>, path: string): void {
  const header = zoneHeader(f);
  const rows: Map<string, unknown>[] = [];
  for (const list of ZONE_LISTS) for (const r of (f[list] as Record<string, unknown>[] | undefined) ?? []) rows.push(flatZone(r));
  const columnData = header.map((name) => {
    const values = rows.map((m) => (m.has(name) ? m.get(name) : null));
    const present = values.filter((v) => v !== null && v !== undefined);
    const type = present.every((v) => typeof v === "number")
      ? ("DOUBLE" as const)
      : present.every((v) => typeof v === "boolean")
        ? ("BOOLEAN" as const)
        : ("STRING" as const);
    const data =
      type === "STRING"
        ? values.map((v) => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v)))
        : values.map((v) => (v === undefined ? null : v));
    return { name, data, type };
  });
  const bytes = new Uint8Array(parquetWriteBuffer({ columnData }));
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

async function writeZoneCsv(f: Record<string, unknown>, io: Io): Promise<void> {
  // Two passes over the records (the columns, then the rows): no row is held.
  const header = zoneHeader(f);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return "";
    const t = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const out = chunked(io);
  await out.put(header.map(cell).join(",") + "\n");
  for (const list of ZONE_LISTS) {
    for (const r of (f[list] as Record<string, unknown>[] | undefined) ?? []) {
      const m = flatZone(r);
      await out.put(header.map((k) => cell(m.get(k))).join(",") + "\n");
    }
  }
  await out.flush();
}

/** Writes through `io` in chunks of about 64 KiB, waiting for the stream to drain (backpressure). */
function chunked(io: Io): { put(s: string): Promise<void>; flush(): Promise<void> } {
  const stream = io.stdoutStream;
  let buf = "";
  const flush = async () => {
    if (buf === "") return;
    const chunk = buf;
    buf = "";
    if (!stream) return io.stdout(chunk);
    if (!stream.write(chunk)) {
      await new Promise<void>((ok) => {
        const done = () => {
          stream.off("drain", done).off("close", done).off("error", done);
          ok();
        };
        stream.on("drain", done).on("close", done).on("error", done);
      });
    }
  };
  return {
    async put(s: string) {
      buf += s;
      if (buf.length >= 1 << 16) await flush();
    },
    flush,
  };
}

/**
 * `--out FILE`: the output streamed into a temporary file beside FILE, renamed
 * over it once complete (a failed run leaves FILE as it was and no temporary
 * file behind).
 */
async function writeFileStreamed(path: string, write: (io: Io) => Promise<void>): Promise<void> {
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  const file = createWriteStream(tmp);
  try {
    await write({ stdout: (s) => void file.write(s), stderr: () => undefined, stdoutStream: file });
    await new Promise<void>((ok, fail) => file.end((e?: Error | null) => (e ? fail(e) : ok())));
    renameSync(tmp, path);
  } catch (e) {
    file.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
}

async function cmdSmt(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse("smt", args, COMMANDS.smt);
  if (values.help) return help("smt", io);
  const profile = profileOf(values.profile);
  if (!values.ref) throw new UsageError(`--ref REF is required\n${usageOf("smt")}`);
  if (positionals.length !== 1) throw new UsageError(`smt: expected one FILE\n${usageOf("smt")}`);
  if (positionals[0] === "-" && values.ref === "-") throw new UsageError("only one of FILE and REF can be standard input");
  const primary = await readBarsFile(positionals[0]!);
  const ref = await readBarsFile(values.ref);
  io.stdout(JSON.stringify(smtObjects(primary, ref, { profile }), null, 2) + "\n");
  return 0;
}

function timeOption(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const t = parseIsoMs(v);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO 8601 time, got ${quote(v)}`);
  return t;
}

async function cmdCapsule(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse("capsule", args, COMMANDS.capsule);
  if (values.help) return help("capsule", io);
  const profile = profileOf(values.profile);
  if (!values.symbol) throw new UsageError(`--symbol S is required\n${usageOf("capsule")}`);
  if (values.tf !== "1m" && values.tf !== "5m")
    throw new UsageError(`capsule: --tf must be 1m or 5m, got ${quote(values.tf)}\n${usageOf("capsule")}`);
  if (positionals.length !== 1) throw new UsageError(`capsule: expected one FILE\n${usageOf("capsule")}`);
  if (profile === "ict") checkSymbol(values.symbol);
  if (values.out !== undefined) checkOutputDir(values.out);
  const bars = await readBarsFile(positionals[0]!);
  const ref = values.ref ? await readBarsFile(values.ref) : undefined;
  const empty = columnsFromText("[]");
  // Capsule inputs as the oracle forms them: for --tf 1m the 5m bars are the aggregate of FILE.
  const bars1m = values.tf === "1m" ? bars : empty;
  const bars5m = values.tf === "1m" ? aggregate(bars, 5) : bars;
  const ref5m = ref ? (values.tf === "1m" ? aggregate(ref, 5) : ref) : undefined;
  const last = bars.t[bars.length - 1]!;
  const now = timeOption("now", values.now, last);
  const stateNow = timeOption("state-now", values["state-now"], last);
  const capsule = buildCapsule({ symbol: values.symbol, dayEt: nyDate(last), bars1m, bars5m, ref5m, now, profile });
  if (values.out) {
    io.stdout(writeCapsule(values.out, capsule) + "\n");
    return 0;
  }
  const price = bars.c[bars.length - 1];
  const state = updateSymbolState({ symbol: values.symbol }, capsule.features, stateNow, { profile, price });
  io.stdout(stringifyStrict({ capsule, state }));
  return 0;
}

function help(cmd: CommandName, io: Io): number {
  io.stdout(usageOf(cmd) + "\n");
  return 0;
}

/** Folders no output may go to: kernel and device file systems (`/proc/self` loops, `/dev/...` are not files). */
const FORBIDDEN_ROOTS = ["/proc", "/sys", "/dev"];

/**
 * Checks an output folder before anything is written: not under /proc, /sys
 * or /dev; the path and each existing part of `DIR/data/daily_news` a folder;
 * the nearest existing folder writable. Throws a {@link UsageError} naming
 * the path and what is wrong.
 */
export function checkOutputDir(out: string): void {
  const abs = resolve(out);
  let probe = abs;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  let real = probe;
  try {
    real = realpathSync(probe);
  } catch {
    /* unreadable: the checks below say why */
  }
  for (const root of FORBIDDEN_ROOTS) {
    for (const p of [abs, real])
      if (p === root || p.startsWith(root + "/"))
        throw new UsageError(`--out ${quote(out)}: refusing to write under ${root} (not a place for files)`);
  }
  if (!statSync(probe).isDirectory()) throw new UsageError(`--out ${quote(out)}: ${probe} is not a folder`);
  for (const p of [abs, join(abs, "data"), join(abs, "data", "daily_news")]) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue;
      throw new UsageError(osErrorLine(e, p) ?? `cannot use ${p}: ${code}`);
    }
    if (!st.isDirectory()) throw new UsageError(`--out ${quote(out)}: ${p} exists and is not a folder`);
  }
  try {
    accessSync(probe, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    throw new UsageError(osErrorLine(e, probe) ?? `--out ${quote(out)}: ${probe} is not writable`);
  }
}

/** What an operating-system error code means, in words. */
const OS_ERRORS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large for this file system or process limit",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "is a folder, not a file",
  ENOENT: "no such file or folder",
  EEXIST: "already exists",
  ENOTEMPTY: "folder not empty",
  EMFILE: "too many open files",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EIO: "input/output error",
};

/** One human line for an operating-system error (which path, what is wrong), or undefined when `e` is not one. */
export function osErrorLine(e: unknown, fallbackPath?: string): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== "string" || !(err.code in OS_ERRORS)) return undefined;
  const path = err.path ?? fallbackPath;
  const verb =
    err.syscall === "open" || err.syscall === "write" || err.syscall === "rename" || err.syscall === "mkdir"
      ? "cannot write"
      : "cannot use";
  return `${path ? `${verb} ${path}` : verb}: ${OS_ERRORS[err.code]} (${err.code})`;
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
    `replayed ${plural(s.days.length, "day")} (${s.days[0] ?? "-"} … ${s.days[s.days.length - 1] ?? "-"}), ${plural(s.ticks, "tick")}, ${plural(s.symbols.length, "symbol")} (${s.symbols.join(",")}) ` +
    `in ${s.seconds.toFixed(1)} s (${(s.ticks / Math.max(s.seconds, 1e-9)).toFixed(0)} ticks/s)\n` +
    `llm: ${s.llm.provider} (${s.llm.model}), ${plural(s.llm.calls, "call")}, ${s.llm.failures} failed\n` +
    `warnings: ${warn}\n` +
    `confluences at each day's close, by status:\n${confluenceTable(s.confluences)}` +
    `output: ${join(out, "data", "daily_news")}\n`;
  const reports = s.reports;
  if (reports.length > 0)
    text += `report: ${reports[reports.length - 1]}${reports.length > 1 ? ` (and ${reports.length - 1} more, one per day)` : ""}\n`;
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
  overwrite: boolean;
  /** Repair bars whose open or close lies outside the high–low range (counted in a warning). */
  repairOhlc?: boolean;
  /** Time zone of times written without one (default UTC, with a warning). */
  tz?: string;
  reportZones?: number;
  /** `ict`: days of the same bars before the first replayed day that feed the levels. */
  historyDays?: number;
  /** `ict`: instrument class per symbol (`*`: every symbol without its own). */
  instruments?: Record<string, InstrumentClass>;
  /** SMT pairs, symbol → reference. */
  smtPairs?: Record<string, string>;
}

/** A `--tz` value: an IANA time zone this runtime knows. */
function tzOption(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !isTimeZone(v))
    throw new UsageError(`--tz must be an IANA time zone such as America/New_York or UTC, got ${quote(v)}`);
  return v;
}

/** A `--from`/`--to` value: a real calendar date `YYYY-MM-DD`. */
function dayOption(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    return checkDay(v);
  } catch {
    throw new UsageError(`--${name} must be a New York date YYYY-MM-DD that exists on the calendar, got ${quote(v)}`);
  }
}

/**
 * Validates everything a replay needs (dates, symbols, the output folder, the
 * model's settings) before any file is read or written.
 */
function checkReplayArgs(a: ReplayArgs): void {
  const from = dayOption("from", a.from);
  const to = dayOption("to", a.to);
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const seen = new Set<string>();
  for (const [sym] of a.bars) {
    try {
      checkSymbol(sym);
    } catch (e) {
      throw new UsageError(`--bars: ${(e as Error).message}`);
    }
    if (seen.has(sym)) throw new UsageError(`--bars ${sym} given twice`);
    seen.add(sym);
  }
  checkOutputDir(a.out);
}

async function runReplay(a: ReplayArgs, io: Io): Promise<number> {
  checkReplayArgs(a);
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
  // A null-prototype map: a symbol such as "constructor" is an ordinary key.
  const bars: Record<string, Columns> = Object.create(null);
  for (const [sym, path] of a.bars) bars[sym] = await loadBarsFile(path, { badRows: a.badRows, repairOhlc: a.repairOhlc, tz: a.tz, warn });
  checkReplayBars(bars, warn, { from: a.from, to: a.to });
  if (a.strict && warnings.length > 0) throw new UsageError(`--strict: ${plural(warnings.length, "input warning")}, nothing replayed`);
  const instruments = instrumentsFor(Object.keys(bars), a.instruments);
  const days = replayDays(bars, a.from, a.to, { profile: a.profile, instruments });
  if (days.length === 0) {
    io.stderr(`ict: no bars between ${a.from ?? "the start"} and ${a.to ?? "the end"}; nothing replayed\n`);
    return 2;
  }
  if (!a.overwrite) {
    const clash = existingDays(a.out, days);
    if (clash.length > 0) throw new OutputExistsError(a.out, clash);
  }
  const s = await replay({
    bars,
    out: a.out,
    from: a.from,
    to: a.to,
    profile: a.profile,
    write: a.write,
    llm,
    report: a.report,
    overwrite: a.overwrite,
    reportZones: a.reportZones,
    historyDays: a.historyDays,
    smtPairs: a.smtPairs,
    instruments,
    log: (m) => {
      bar?.done();
      io.stderr(`ict: ${m}\n`);
    },
    onTick: bar ? (d, t, day) => bar.update(d, t, day) : undefined,
  }).finally(() => bar?.done());
  io.stdout(summaryText(s, a.out, warnings));
  return 0;
}

async function cmdReplay(args: string[], io: Io): Promise<number> {
  const { values } = parse("replay", args, COMMANDS.replay);
  if (values.help) return help("replay", io);
  const profile = profileOf(values.profile);
  if (!values.bars?.length) throw new UsageError(`--bars SYMBOL=PATH is required\n${usageOf("replay")}`);
  if (!values.out) throw new UsageError(`--out DIR is required\n${usageOf("replay")}`);
  if (values.write !== "every" && values.write !== "close")
    throw new UsageError(`--write must be every or close, got ${quote(values.write)}`);
  if (!(LLM_KINDS as readonly string[]).includes(values.llm!))
    throw new UsageError(`--llm must be one of ${LLM_KINDS.join(", ")}, got ${quote(values.llm)}`);
  if (values["bad-rows"] !== "skip" && values["bad-rows"] !== "stop")
    throw new UsageError(`--bad-rows must be skip or stop, got ${quote(values["bad-rows"])}`);
  const zones = values["report-zones"];
  if (zones !== undefined && !/^[1-9]\d{0,5}$/.test(zones))
    throw new UsageError(`--report-zones expects a positive whole number of zones per side, got ${quote(zones)}`);
  const hd = values["history-days"];
  if (hd !== undefined && !/^(0|[1-9]\d{0,2}|1000)$/.test(hd))
    throw new UsageError(`--history-days expects a whole number of days from 0 to 1000, got ${quote(hd)}`);
  const instruments: Record<string, InstrumentClass> = Object.create(null);
  for (const spec of values.instrument ?? []) {
    const eq = spec.indexOf("=");
    const [sym, cls] = eq < 0 ? ["*", spec] : [spec.slice(0, eq), spec.slice(eq + 1)];
    if (!(INSTRUMENT_CLASSES as readonly string[]).includes(cls) || sym === "")
      throw new UsageError(`--instrument expects ${INSTRUMENT_CLASSES.join("|")} or SYMBOL=CLASS, got ${quote(spec)}`);
    instruments[sym] = cls as InstrumentClass;
  }
  const bars: Array<[string, string]> = [];
  for (const spec of values.bars) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--bars expects SYMBOL=PATH, got ${quote(spec)}`);
    bars.push([spec.slice(0, eq), spec.slice(eq + 1)]);
  }
  const smtPairs = values.smt === undefined ? undefined : smtOption(values.smt);
  for (const [sym, ref] of Object.entries(smtPairs ?? {}))
    if (!bars.some(([s]) => s === sym) || !bars.some(([s]) => s === ref) || sym === ref)
      throw new UsageError(`--smt ${sym}:${ref} must pair two different symbols given with --bars`);
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
      overwrite: values.overwrite!,
      repairOhlc: values["repair-ohlc"],
      tz: tzOption(values.tz),
      reportZones: zones === undefined ? undefined : Number(zones),
      historyDays: hd === undefined ? undefined : Number(hd),
      instruments,
      smtPairs,
    },
    io,
  );
}

/** A `--smt` value (`QQQ:SPY,NQ:ES`), as a usage error when malformed. */
function smtOption(v: string): Record<string, string> {
  try {
    return parseSmtPairs(v);
  } catch (e) {
    throw new UsageError(`--smt ${(e as Error).message.replace(/^option "smt": /, "")}`);
  }
}

/** Each symbol's class from `--instrument` (its own `SYMBOL=CLASS`, else the bare `CLASS`); symbols without either are left out (their default). */
function instrumentsFor(symbols: readonly string[], given: Record<string, InstrumentClass> | undefined): Record<string, InstrumentClass> {
  const out: Record<string, InstrumentClass> = Object.create(null);
  if (given === undefined) return out;
  for (const s of symbols) {
    const c = Object.hasOwn(given, s) ? given[s] : Object.hasOwn(given, "*") ? given["*"] : undefined;
    if (c !== undefined) out[s] = c;
  }
  return out;
}

/** The bundled sample's folder (generated by `ict sample`, committed). */
export const SAMPLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../sample");

/** `ict sample [--out DIR]`: writes the deterministic sample bars (CSV per symbol). */
function cmdSample(args: string[], io: Io): number {
  const { values } = parse("sample", args, COMMANDS.sample);
  if (values.help) return help("sample", io);
  const out = values.out ?? SAMPLE_DIR;
  checkOutputDir(out);
  mkdirSync(out, { recursive: true });
  for (const [sym, text] of Object.entries(generateSample())) writeFileAtomic(join(out, `${sym}.csv`), text);
  io.stdout(`sample: ${SAMPLE_SYMBOLS.map((s) => s.symbol).join(", ")} written to ${out}\n`);
  return 0;
}

/** The file `ict demo` leaves in its output folder: its presence lets the next demo replace that folder's outputs. */
export const DEMO_MARKER = ".ict-demo";

/**
 * `ict demo [--out DIR]`: replays the bundled sample with the offline model
 * and prints where the report is. It writes into an empty or new folder, or
 * over a previous demo's output (recognised by its {@link DEMO_MARKER} file);
 * any other non-empty folder is refused.
 */
async function cmdDemo(args: string[], io: Io): Promise<number> {
  const { values } = parse("demo", args, COMMANDS.demo);
  if (values.help) return help("demo", io);
  const profile = profileOf(values.profile);
  const files = SAMPLE_SYMBOLS.map((s) => [s.symbol, join(SAMPLE_DIR, `${s.symbol}.csv`)] as [string, string]);
  for (const [, f] of files) if (!existsSync(f)) throw new UsageError(`sample file ${f} is missing (run: pnpm -s ict sample)`);
  const out = values.out!;
  const overwrite = demoMayWrite(out);
  const code = await runReplay(
    {
      bars: files,
      out,
      profile,
      write: "every",
      llm: "offline",
      quiet: values.quiet!,
      strict: false,
      badRows: "stop",
      report: true,
      overwrite,
    },
    io,
  );
  if (code === 0) writeFileSync(join(out, DEMO_MARKER), "written by ict demo: the next ict demo may replace this folder's outputs\n");
  return code;
}

/**
 * Whether `ict demo` may write into `out`, and whether it may replace outputs
 * there: a new or empty folder (nothing to replace), or a previous demo's
 * output recognised by its {@link DEMO_MARKER} (replace). Any other
 * non-empty folder is the user's: a {@link UsageError}.
 */
export function demoMayWrite(out: string): boolean {
  checkOutputDir(out);
  if (existsSync(join(out, DEMO_MARKER))) return true;
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new UsageError(`demo: ${out} is not empty and was not written by ict demo; choose another --out or empty it`);
  return false;
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
      case "--version":
      case "-v":
      case "version":
        io.stdout(`ict ${version()}\n`);
        return 0;
      case "help":
        if (rest[0] !== undefined && rest[0] in COMMANDS) return help(rest[0] as CommandName, io);
        io.stdout(USAGE + "\n");
        return 0;
      case undefined:
      case "-h":
      case "--help":
        io.stdout(USAGE + "\n");
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${quote(cmd)}\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof LlmFatalError) {
      io.stderr(`ict: ${e.message}\n`);
      return 3;
    }
    if (e instanceof UsageError || e instanceof IctError) {
      io.stderr(`ict: ${e.message}\n`);
      return 2;
    }
    const os = osErrorLine(e);
    if (os !== undefined) {
      io.stderr(`ict: ${os}\n`);
      return 2;
    }
    io.stderr(`ict: internal error: ${(e as Error).message}\n`);
    if (process.env.ICT_DEBUG) io.stderr(String((e as Error).stack) + "\n");
    return 1;
  }
}
