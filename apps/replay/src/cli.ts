#!/usr/bin/env node
/**
 * `ict` — the @ict command line (`ict --help` lists the commands, `ict <command> --help` one command's flags).
 *
 * FILE is a JSON array of bars `{t,o,h,l,c,v}`, CSV with header
 * `t,o,h,l,c,v` (optionally gzip-compressed) or Parquet; `-` reads standard input.
 * Bad input exits with code 2 and one line naming the row and field.
 */
import { runCli } from "./main.js";

// A reader that stops early (`ict features … | head`) closes the pipe: the output is no longer wanted, and
// that is not a failure. Anything else that breaks standard output is one line on stderr.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") process.exit(process.exitCode ?? 0);
  process.stderr.write(`ict: cannot write to standard output: ${e.code ?? e.message}\n`);
  process.exit(1);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stdoutStream: process.stdout,
});
