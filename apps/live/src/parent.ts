/**
 * The worker outlives no launcher. `pnpm live` runs as a chain of processes
 * (npx → pnpm → sh → tsx → node); a `kill -9` of the top one reaches none
 * of the others, and nobody forwards a signal any more, so the worker would
 * go on streaming, writing and spending LLM quota unseen. The worker
 * therefore watches its launchers — its parent, and every ancestor of the
 * same process group (the job a shell started as one command) — and stops
 * as if signalled when one of them is gone. On Linux each ancestor is
 * identified by its pid and start time from `/proc` (a reused pid is not
 * mistaken for the original); elsewhere a change of `process.ppid` (the
 * worker re-parented to init or a subreaper) is the sign.
 */
import { readFileSync } from "node:fs";

/** One process as `/proc/<pid>/stat` describes it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Start time in clock ticks since boot: with the pid, identifies the process. */
  start: string;
}

/** Reads `/proc/<pid>/stat` (Linux); null when the process does not exist or /proc is not there. */
export function procStat(pid: number | "self"): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (in parentheses) may hold spaces and parentheses: the fields start after the last ')'.
  const close = text.lastIndexOf(")");
  const head = text.slice(0, text.indexOf(" "));
  const f = text.slice(close + 2).split(" ");
  // f[0] state, f[1] ppid, f[2] pgrp, ..., f[19] starttime.
  if (f.length < 20) return null;
  return { pid: Number(head), ppid: Number(f[1]), pgrp: Number(f[2]), start: f[19]! };
}

/**
 * The processes this one should not outlive: the parent, then each further
 * ancestor while it belongs to this process's group (the launching job),
 * never init. Empty where `/proc` is not available.
 */
export function launchers(): ProcStat[] {
  const self = procStat("self");
  if (!self) return [];
  const out: ProcStat[] = [];
  let pid = self.ppid;
  for (let depth = 0; pid > 1 && depth < 32; depth++) {
    const p = procStat(pid);
    if (!p) break;
    if (out.length > 0 && p.pgrp !== self.pgrp) break;
    out.push(p);
    pid = p.ppid;
  }
  return out;
}

/** Whether the process `p` still runs (same pid, same start time). */
function alive(p: ProcStat): boolean {
  const now = procStat(p.pid);
  return now !== null && now.start === p.start;
}

/**
 * Calls `onGone(pid)` once, when a launcher of this process has exited
 * (polled every `intervalMs` real ms; the timer does not keep the process
 * alive). Returns a function that stops watching.
 */
export function watchLaunchers(onGone: (pid: number) => void, intervalMs = 1_000): () => void {
  const watched = launchers();
  const firstPpid = process.ppid;
  const timer = setInterval(() => {
    const gone = watched.find((p) => !alive(p));
    if (gone) {
      clearInterval(timer);
      onGone(gone.pid);
    } else if (watched.length === 0 && process.ppid !== firstPpid) {
      clearInterval(timer);
      onGone(firstPpid);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
