import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { journalPath } from "../src/barstore.js";
import { clockSpec } from "../src/clock.js";
import { repairedServed } from "../src/demo.js";
import { FakeAlpaca } from "../src/fake/server.js";
import { procStat } from "../src/parent.js";
import { asColumns, CLI, expectEqualsReplay, here, tmp } from "./helpers.js";

const SYMBOLS = ["SPY", "QQQ", "IWM"];
const children: ChildProcess[] = [];
const fakes: FakeAlpaca[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const f of fakes.splice(0)) await f.close();
});

interface Child {
  proc: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startLive(fake: FakeAlpaca, out: string, extraEnv: Record<string, string> = {}, args: string[] = []): Child {
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CLI,
      "--symbols",
      SYMBOLS.join(","),
      "--out",
      out,
      "--llm",
      "offline",
      "--clock",
      clockSpec(fake.clock),
      "--debounce-ms",
      "3000",
      ...args,
    ],
    {
      cwd: join(here, ".."),
      env: {
        PATH: process.env.PATH,
        APCA_API_KEY_ID: "fake-key",
        APCA_API_SECRET_KEY: "fake-secret",
        APCA_API_DATA_URL: fake.urls.dataUrl,
        APCA_API_BASE_URL: fake.urls.tradingUrl,
        APCA_API_STREAM_URL: fake.urls.streamUrl,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(proc);
  const c: Child = { proc, out: [], err: [], exit: new Promise((r) => proc.on("exit", (code, signal) => r({ code, signal }))) };
  proc.stdout!.on("data", (d) => c.out.push(String(d)));
  proc.stderr!.on("data", (d) => c.err.push(String(d)));
  return c;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The journal's final bar per (symbol, t), or an empty map. */
function journaled(out: string, day: string): Map<string, string> {
  const p = journalPath(out, day);
  const m = new Map<string, string>();
  if (!existsSync(p)) return m;
  for (const line of readFileSync(p, "utf8").split("\n")) {
    try {
      const r = JSON.parse(line) as { S: string; t: string; o: number; h: number; l: number; c: number; v: number };
      m.set(`${r.S}|${Date.parse(r.t)}`, JSON.stringify([r.o, r.h, r.l, r.c, r.v]));
    } catch {
      /* torn or empty line */
    }
  }
  return m;
}

function caughtUp(fake: FakeAlpaca, out: string): boolean {
  const got = journaled(out, fake.day);
  // The journal holds the bars as repaired (an open outside the high-low range widens it).
  for (const [S, list] of Object.entries(repairedServed(fake))) {
    for (const b of list) if (got.get(`${S}|${Date.parse(b.t)}`) !== JSON.stringify([b.o, b.h, b.l, b.c, b.v])) return false;
  }
  return true;
}

describe("the live process", () => {
  it("killed with SIGKILL mid-session and restarted loses nothing; SIGINT then stops it cleanly (exit 0, socket closed)", async () => {
    // 25 market minutes (6 s) before the first bar: time for the child to start on a loaded machine.
    const fake = await new FakeAlpaca({
      symbols: SYMBOLS,
      minutes: 40,
      speed: 250,
      seed: 5,
      leadMs: 25 * 60_000,
      faults: [{ at: 25, kind: "drop" }],
    }).start();
    fakes.push(fake);
    const out = tmp("kill");
    const first = startLive(fake, out);
    // Kill it once a third of the session's bars are journaled.
    await until(() => journaled(out, fake.day).size >= fake.barCount / 3, 60_000, "a third of the bars");
    first.proc.kill("SIGKILL");
    expect((await first.exit).signal).toBe("SIGKILL");
    const atKill = journaled(out, fake.day).size;
    expect(atKill).toBeLessThan(fake.barCount);
    const second = startLive(fake, out);
    await until(() => second.err.join("").includes("started"), 30_000, "the restart");
    expect(second.err.join("")).toMatch(/resumed 2024-03-15: \d+ bars from the journal/);
    await fake.whenFinished();
    await until(() => caughtUp(fake, out), 30_000, "every served bar in the journal");
    await new Promise((r) => setTimeout(r, 100));
    second.proc.kill("SIGINT");
    const ex = await second.exit;
    expect(ex.code, second.err.join("")).toBe(0);
    expect(second.err.join("")).toContain("stopping (signal SIGINT)");
    await until(() => fake.openConnections === 0, 5_000, "the socket to close");
    await expectEqualsReplay(out, fake.day, asColumns(fake.served(), SYMBOLS));
  });

  it("a second signal forces the exit while the first is still draining a hung LLM call", async () => {
    // An OpenAI-compatible endpoint that never answers.
    let asked = 0;
    const hung = createServer(() => void asked++);
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    try {
      // A lead before the first bar, so that the child is up while the bars are fresh (a network model is not asked about stale prompts).
      const fake = await new FakeAlpaca({ symbols: SYMBOLS, minutes: 30, speed: 300, seed: 6, leadMs: 25 * 60_000, faults: [] }).start();
      fakes.push(fake);
      const out = tmp("sig2");
      const c = startLive(
        fake,
        out,
        { OPENAI_API_KEY: "test", OPENAI_MODEL: "m1", OPENAI_BASE_URL: `http://127.0.0.1:${(hung.address() as AddressInfo).port}/v1` },
        ["--llm", "openai"],
      );
      await until(() => asked > 0, 60_000, "a question to the model");
      c.proc.kill("SIGINT");
      await until(() => c.err.join("").includes("stopping (signal SIGINT)"), 10_000, "the graceful stop to begin");
      const t0 = Date.now();
      c.proc.kill("SIGINT");
      const ex = await c.exit;
      expect(ex.code, c.err.join("")).toBe(130);
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(c.err.join("")).toContain("second SIGINT: exiting now");
      // The key never shows up in the logs.
      expect(c.err.join("") + c.out.join("")).not.toMatch(/fake-secret|fake-key/);
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });

  /** Processes of process group `pgrp` still running (zombies count as gone). */
  function group(pgrp: number): number[] {
    const out: number[] = [];
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      let st: string;
      try {
        st = readFileSync(`/proc/${name}/stat`, "utf8");
      } catch {
        continue;
      }
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) === pgrp && f[0] !== "Z") out.push(Number(name));
    }
    return out;
  }

  /** `npx -y pnpm@10.34.9 -s live …` from the repository root, as the README runs it, in its own process group. */
  function startTree(fake: FakeAlpaca, out: string): Child {
    const root = join(here, "../../..");
    const proc = spawn(
      "npx",
      [
        "-y",
        "pnpm@10.34.9",
        "-s",
        "live",
        "--symbols",
        SYMBOLS.join(","),
        "--out",
        out,
        "--clock",
        clockSpec(fake.clock),
        "--debounce-ms",
        "3000",
      ],
      {
        cwd: root,
        detached: true,
        env: {
          ...process.env,
          APCA_API_KEY_ID: "fake-key",
          APCA_API_SECRET_KEY: "fake-secret",
          APCA_API_DATA_URL: fake.urls.dataUrl,
          APCA_API_BASE_URL: fake.urls.tradingUrl,
          APCA_API_STREAM_URL: fake.urls.streamUrl,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(proc);
    const c: Child = { proc, out: [], err: [], exit: new Promise((r) => proc.on("exit", (code, signal) => r({ code, signal }))) };
    proc.stdout!.on("data", (d) => c.out.push(String(d)));
    proc.stderr!.on("data", (d) => c.err.push(String(d)));
    return c;
  }

  it.skipIf(!existsSync("/proc/self/stat") && !process.env.CI)(
    "processes: SIGKILL of the top npx process does not leave the worker running (it notices its launcher is gone and stops)",
    async () => {
      const fake = await new FakeAlpaca({ symbols: SYMBOLS, minutes: 60, speed: 60, seed: 8, leadMs: 10 * 60_000, faults: [] }).start();
      fakes.push(fake);
      const out = tmp("tree-kill");
      const c = startTree(fake, out);
      const pgrp = c.proc.pid!;
      try {
        await until(() => c.err.join("").includes("started"), 90_000, "the live loop to start under npx and pnpm");
        // The tree: npx, pnpm, (sh), tsx, the worker: all in the group npx leads.
        const members = group(pgrp);
        expect(members.length, `process group ${pgrp}: ${members.join(",")}`).toBeGreaterThanOrEqual(3);
        expect(procStat(pgrp)).not.toBeNull();
        c.proc.kill("SIGKILL");
        await until(() => group(pgrp).length === 0, 30_000, "every process of the tree to exit");
        expect(c.err.join("")).toMatch(/the launching process \d+ is gone; stopping/);
        expect(c.err.join("")).toContain("stopping (signal parent exit)");
        await until(() => fake.openConnections === 0, 5_000, "the socket to close");
      } finally {
        for (const pid of group(pgrp)) process.kill(pid, "SIGKILL");
        rmSync(out, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!existsSync("/proc/self/stat") && !process.env.CI)(
    "processes: SIGTERM to the top npx process reaches the worker, which stops cleanly",
    async () => {
      const fake = await new FakeAlpaca({ symbols: SYMBOLS, minutes: 60, speed: 60, seed: 9, leadMs: 10 * 60_000, faults: [] }).start();
      fakes.push(fake);
      const out = tmp("tree-term");
      const c = startTree(fake, out);
      const pgrp = c.proc.pid!;
      try {
        await until(() => c.err.join("").includes("started"), 90_000, "the live loop to start under npx and pnpm");
        c.proc.kill("SIGTERM");
        await until(() => group(pgrp).length === 0, 30_000, "every process of the tree to exit");
        expect(c.err.join("")).toMatch(/stopping \(signal (SIGTERM|parent exit)\)/);
        await until(() => fake.openConnections === 0, 5_000, "the socket to close");
      } finally {
        for (const pid of group(pgrp)) process.kill(pid, "SIGKILL");
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
