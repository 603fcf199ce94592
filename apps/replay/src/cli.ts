#!/usr/bin/env -S npx tsx
/**
 * `ict` — the @ict command line.
 *
 *   ict features --tf 1m|5m [--profile ict|seed-v0.1] FILE
 *   ict smt --ref REF [--profile ict|seed-v0.1] FILE
 *   ict capsule --symbol S --tf 1m|5m [--ref REF] [--profile …] [--now ISO] [--state-now ISO] [--out ROOT] FILE
 *
 * FILE is a JSON array of bars `{t,o,h,l,c,v}` or CSV with header
 * `t,o,h,l,c,v` (optionally gzip-compressed); `-` reads standard input.
 * Bad input exits with code 2 and one line naming the row and field.
 */
import { runCli } from "./main.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
