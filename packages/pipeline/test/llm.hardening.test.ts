import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLlmProvider,
  DEFAULT_LLM_MODELS,
  LlmConfigError,
  LlmError,
  redactSecrets,
  type LlmKind,
  type LlmRequest,
} from "../src/index.js";

/** Issue #11, finding 1 (keys leak, 401 not fatal, no failure budget) and finding 8 (LLM defaults that exist today). */

const KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv+/wXyZ";
const req: LlmRequest = { symbol: "SPY", dayEt: "2024-01-02", now: Date.UTC(2024, 0, 2, 15), prompt: "## CONTEXT_STAGE\n{}\n" };
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** Every form a server may echo the key in. */
const echoes = (k: string) => [
  k,
  encodeURIComponent(k),
  JSON.stringify(k).slice(1, -1),
  b64(k),
  b64(k).replace(/=+$/, ""),
  `${k.slice(0, 5)}…${k.slice(-4)}`,
  `${k.slice(0, 8)}${"*".repeat(20)}${k.slice(-4)}`,
  `****************${k.slice(-4)}`,
];
const leaks = (text: string, k = KEY) =>
  [k, encodeURIComponent(k), b64(k).replace(/=+$/, ""), k.slice(-8), `…${k.slice(-4)}`, `*${k.slice(-4)}`].filter((f) => text.includes(f));

type Step = (rq: IncomingMessage, body: string, rs: ServerResponse) => void;
let server: ReturnType<typeof createServer>;
let base = "";
let handler: Step = (_q, _b, rs) => rs.writeHead(500).end();
const bodies: string[] = [];
beforeAll(async () => {
  server = createServer((rq, rs) => {
    let body = "";
    rq.on("data", (c) => (body += c));
    rq.on("end", () => {
      bodies.push(body);
      handler(rq, body, rs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A server that echoes the key it was sent, in every encoding, in its error body (as OpenAI does for a bad key). */
const echoing =
  (status: number, code?: string): Step =>
  (rq, _b, rs) => {
    const sent = String(rq.headers.authorization ?? "").replace(/^Bearer /, "") || String(rq.headers["x-goog-api-key"] ?? "");
    const message = `Incorrect API key provided: ${echoes(sent).join(" | ")}.`;
    rs.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: message + " " + message, code } }));
  };

const envOf = (kind: LlmKind, extra: Record<string, string> = {}) =>
  kind === "openai"
    ? { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: base, OPENAI_MODEL: "m", ...extra }
    : { GEMINI_API_KEY: KEY, GEMINI_BASE_URL: base, GEMINI_MODEL: "m", ...extra };

describe("finding 1: API keys leak", () => {
  it("redactSecrets removes the key raw, URL-encoded, JSON-escaped, base64 and vendor-masked", () => {
    const text = echoes(KEY).join(" ; ") + ` "${KEY}" sk-ab…wxyz (not ours) retrying... done`;
    const r = redactSecrets(text, [KEY]);
    expect(leaks(r)).toEqual([]);
    expect(r).toContain("retrying... done");
    expect(r).toContain("(not ours)");
    // Short values (a local server's "none") are not secrets.
    expect(redactSecrets("finishReason none", ["none"])).toBe("finishReason none");
  });

  it.each(["openai", "gemini"] as const)(
    "%s: an error body echoing the key never reaches the error, the log or the answer; a 401 is fatal",
    async (kind) => {
      handler = echoing(401);
      const logs: string[] = [];
      const p = createLlmProvider(kind, { env: envOf(kind), sleep: async () => {}, log: (m) => logs.push(m) });
      const e = (await p.complete(req).catch((x) => x)) as LlmError;
      expect(e).toBeInstanceOf(LlmError);
      expect(e).toMatchObject({ status: 401, fatal: true, retryable: false });
      expect(e.message).toMatch(/HTTP 401 \(the API key was refused\)/);
      expect(e.message).toContain("[redacted]");
      expect(leaks(e.message)).toEqual([]);
      expect(leaks(String(e.stack))).toEqual([]);
      expect(leaks(logs.join("\n"))).toEqual([]);
    },
  );

  it.each(["openai", "gemini"] as const)(
    "%s: a 500 echoing the key is retried with redacted log lines, and a 403 is fatal",
    async (kind) => {
      handler = echoing(500);
      const logs: string[] = [];
      const p = createLlmProvider(kind, { env: envOf(kind), sleep: async () => {}, log: (m) => logs.push(m), maxRetries: 2 });
      const e = (await p.complete(req).catch((x) => x)) as LlmError;
      expect(e).toMatchObject({ status: 500, fatal: false });
      expect(logs).toHaveLength(2);
      expect(leaks(logs.join("\n") + e.message)).toEqual([]);
      handler = echoing(403);
      const f = (await p.complete(req).catch((x) => x)) as LlmError;
      expect(f).toMatchObject({ status: 403, fatal: true });
      expect(leaks(f.message)).toEqual([]);
    },
  );

  it("an answer that quotes the key is redacted before it is returned", async () => {
    handler = (_q, _b, rs) =>
      rs.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          choices: [
            { message: { content: JSON.stringify({ bias: "flat", confidence: 0, rationale: `your key is ${KEY}`, watch: [b64(KEY)] }) } },
          ],
        }),
      );
    const a = await createLlmProvider("openai", { env: envOf("openai") }).complete(req);
    expect(leaks(JSON.stringify(a))).toEqual([]);
  });

  it("failure budget: a closed port stops the run after the consecutive-failure limit, then every call fails fatally at once", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let clock = 0;
    const sleeps: number[] = [];
    const p = createLlmProvider("openai", {
      env: {
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
        OPENAI_MODEL: "m",
        ICT_LLM_MAX_CONSECUTIVE_FAILURES: "3",
      },
      sleep: async (ms) => void (sleeps.push(ms), (clock += ms)),
      now: () => clock,
    });
    const errors: LlmError[] = [];
    for (let i = 0; i < 5; i++) errors.push(await p.complete(req).catch((x) => x));
    expect(errors.map((e) => e.fatal)).toEqual([false, false, true, true, true]);
    expect(errors[0]!.message).toMatch(/network error/);
    expect(errors[2]!.message).toMatch(
      /failure budget spent \(3 consecutive failed calls; limits: 3 calls, 60 s\); last error: openai: network error/,
    );
    // Calls 4 and 5 never touched the network: no more retries or waits.
    expect(sleeps).toHaveLength(9);
  });

  it("failure budget: the failing streak's length also ends it, and a success resets the streak", async () => {
    let clock = 0;
    let ok = false;
    handler = (_q, _b, rs) => {
      clock += 25_000;
      if (ok)
        rs.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({ choices: [{ message: { content: '{"bias":"flat","confidence":0,"rationale":"","watch":[]}' } }] }),
        );
      else rs.writeHead(400).end("bad request");
    };
    const p = createLlmProvider("openai", { env: envOf("openai"), now: () => clock, maxFailingMs: 60_000 });
    expect((await p.complete(req).catch((x) => x)).fatal).toBe(false);
    expect((await p.complete(req).catch((x) => x)).fatal).toBe(false);
    ok = true;
    await p.complete(req);
    ok = false;
    expect((await p.complete(req).catch((x) => x)).fatal).toBe(false);
    expect((await p.complete(req).catch((x) => x)).fatal).toBe(false);
    const e = await p.complete(req).catch((x) => x);
    expect(e.fatal).toBe(true);
    expect(e.message).toMatch(/calls failing for 75 s/);
    expect(() => createLlmProvider("openai", { env: envOf("openai", { ICT_LLM_MAX_FAILING_SECONDS: "soon" }) })).toThrow(
      /ICT_LLM_MAX_FAILING_SECONDS must be a positive number/,
    );
  });
});

describe("finding 8: LLM defaults that exist today", () => {
  it("current default models; no temperature unless configured, then the configured one", async () => {
    expect(createLlmProvider("gemini", { env: { GEMINI_API_KEY: KEY } }).model).toBe(DEFAULT_LLM_MODELS.gemini);
    expect(() => createLlmProvider("openai", { env: { OPENAI_API_KEY: KEY } })).toThrow(/OPENAI_MODEL/);
    expect(createLlmProvider("openai", { env: { OPENAI_API_KEY: KEY, OPENAI_MODEL: "m-1" } }).model).toBe("m-1");
    expect(DEFAULT_LLM_MODELS.gemini).not.toMatch(/2\.5|2\.0|1\.5/);
    handler = (_q, _b, rs) =>
      rs.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          choices: [{ message: { content: '{"bias":"flat","confidence":0,"rationale":"","watch":[]}' } }],
          candidates: [{ content: { parts: [{ text: '{"bias":"flat","confidence":0,"rationale":"","watch":[]}' }] } }],
        }),
      );
    bodies.length = 0;
    await createLlmProvider("openai", { env: envOf("openai") }).complete(req);
    await createLlmProvider("gemini", { env: envOf("gemini") }).complete(req);
    expect(JSON.parse(bodies[0]!)).not.toHaveProperty("temperature");
    expect(JSON.parse(bodies[1]!).generationConfig).not.toHaveProperty("temperature");
    await createLlmProvider("openai", { env: envOf("openai", { OPENAI_TEMPERATURE: "0.2" }) }).complete(req);
    await createLlmProvider("gemini", { env: envOf("gemini"), temperature: 1 }).complete(req);
    expect(JSON.parse(bodies[2]!).temperature).toBe(0.2);
    expect(JSON.parse(bodies[3]!).generationConfig.temperature).toBe(1);
    expect(() => createLlmProvider("gemini", { env: envOf("gemini", { GEMINI_TEMPERATURE: "hot" }) })).toThrow(LlmConfigError);
  });

  it("a 429 insufficient_quota is final (fatal, not retried); a 400 is not retried; a 429 rate limit is", async () => {
    let calls = 0;
    handler = (_q, _b, rs) => {
      calls++;
      rs.writeHead(429, { "content-type": "application/json" }).end(
        JSON.stringify({ error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } }),
      );
    };
    const p = createLlmProvider("openai", { env: envOf("openai"), sleep: async () => {} });
    expect(await p.complete(req).catch((x) => x)).toMatchObject({ status: 429, fatal: true, retryable: false });
    expect(calls).toBe(1);
    calls = 0;
    handler = (_q, _b, rs) => (
      calls++,
      rs.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"Unsupported parameter: temperature"}}')
    );
    expect(
      await createLlmProvider("openai", { env: envOf("openai"), sleep: async () => {} })
        .complete(req)
        .catch((x) => x),
    ).toMatchObject({ status: 400, fatal: false, retryable: false });
    expect(calls).toBe(1);
    calls = 0;
    handler = (_q, _b, rs) => (
      calls++,
      rs
        .writeHead(429, { "content-type": "application/json" })
        .end('{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}')
    );
    expect(
      await createLlmProvider("openai", { env: envOf("openai"), sleep: async () => {}, maxRetries: 2 })
        .complete(req)
        .catch((x) => x),
    ).toMatchObject({ status: 429, fatal: false });
    expect(calls).toBe(3);
  });
});
