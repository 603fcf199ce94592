#!/usr/bin/env -S npx tsx
/**
 * `live` — the @ict live loop.
 *
 *   live --symbols SPY,QQQ,IWM [--feed iex|sip|test] [--account paper|live] [--llm offline|gemini|openai] [--out DIR] …
 *   live --demo [--out NEW_OR_EMPTY_DIR] [--minutes N] [--speed X] [--no-faults]
 *   live --help
 *
 * Keys only from the environment (APCA_API_KEY_ID, APCA_API_SECRET_KEY,
 * GEMINI_API_KEY, OPENAI_API_KEY), never printed. SIGINT/SIGTERM, or
 * the death of the process that launched it, stop it gracefully; a second
 * signal exits at once. Exit codes: see `EXIT` in main.ts.
 */
import { runLive } from "./main.js";

process.exitCode = await runLive(process.argv.slice(2), {
  env: process.env,
  io: {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  },
});
// Sockets and timers are closed by then; do not wait on stray handles.
process.exit(process.exitCode);
