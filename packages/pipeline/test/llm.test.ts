import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmProvider, LlmConfigError, LlmError, offlineAnswer, parseLlmAnswer, type LlmRequest } from "../src/index.js";

const prompt = (stage: object, active: string[]) =>
  `\n## CONTEXT_STAGE\n${JSON.stringify(stage)}\n\n## ACTIVE_CONFLUENCES\n${JSON.stringify(active)}\n`;
const req = (p: string): LlmRequest => ({ symbol: "SPY", dayEt: "2024-01-02", now: Date.UTC(2024, 0, 2, 15), prompt: p });

describe("offline provider", () => {
  it("trades only in the 1m entry window, in the 5m bias's direction", () => {
    const a = offlineAnswer(
      req(
        prompt({ htf: "confirmed", ltf: "entry_window", bias: "bull", price_vs_eq: "discount" }, [
          "FVG(5m bull @ 1.00–2.00)",
          "OB(1m bull @ 1.50–1.60)",
          "FVG(1m bear @ 3.00–3.10)",
        ]),
      ),
    );
    expect(a).toEqual({
      symbol: "SPY",
      bias: "long",
      confidence: 0.9,
      rationale: expect.stringContaining("aligned zone"),
      watch: ["FVG(5m bull @ 1.00–2.00)", "OB(1m bull @ 1.50–1.60)"],
    });
    const b = offlineAnswer(req(prompt({ htf: "reversal_seen", ltf: "scanning", bias: "bear" }, ["FVG(5m bear @ 1.00–2.00)"])));
    expect(b.bias).toBe("flat");
    expect(b.confidence).toBe(0.35);
    expect(b.watch).toEqual(["FVG(5m bear @ 1.00–2.00)"]);
    const c = offlineAnswer(req(prompt({ htf: "confirmed", ltf: "entry_window", bias: "bear" }, [])));
    expect(c).toMatchObject({ bias: "short", confidence: 0.8 });
  });

  it("without a stage bias (seed prompts) takes the majority of the active confluences", () => {
    const a = offlineAnswer(
      req(prompt({ htf: "confirmed", ltf: "entry_window" }, ["FVG(1m bear @ 1.00–2.00)", "OB(1m bear)", "BB(5m bull @ 3.00)"])),
    );
    expect(a).toMatchObject({ bias: "short", watch: ["FVG(1m bear @ 1.00–2.00)", "OB(1m bear)"] });
    const tie = offlineAnswer(req(prompt({ htf: "confirmed", ltf: "entry_window" }, ["OB(1m bear)", "BB(5m bull @ 3.00)"])));
    expect(tie).toMatchObject({ bias: "flat", confidence: 0 });
  });

  it("is flat after an invalidation and on an empty or unreadable prompt", () => {
    expect(offlineAnswer(req(prompt({ htf: "confirmed", ltf: "invalidated", bias: "bull" }, ["OB(1m bull)"])))).toMatchObject({
      bias: "flat",
      confidence: 0,
    });
    expect(offlineAnswer(req(""))).toMatchObject({ bias: "flat", confidence: 0, watch: [] });
    expect(offlineAnswer(req("## CONTEXT_STAGE\n{oops\n"))).toMatchObject({ bias: "flat" });
  });

  it("answers through the provider interface, every answer valid", async () => {
    const p = createLlmProvider("offline");
    expect(p.name).toBe("offline");
    const a = await p.complete(req(prompt({ htf: "confirmed", ltf: "entry_window", bias: "bull" }, [])));
    expect(parseLlmAnswer(JSON.stringify(a), "SPY")).toEqual(a);
  });
});

describe("answer validation", () => {
  it("accepts a fenced JSON object and rejects wrong shapes with a retryable error", () => {
    expect(parseLlmAnswer('```json\n{"bias":"flat","confidence":0,"rationale":"x","watch":[]}\n```', "QQQ")).toEqual({
      symbol: "QQQ",
      bias: "flat",
      confidence: 0,
      rationale: "x",
      watch: [],
    });
    for (const [text, why] of [
      ["not json", /not JSON/],
      ["[1]", /not a JSON object/],
      ['{"bias":"buy","confidence":0.5,"rationale":"","watch":[]}', /bias "buy"/],
      ['{"bias":"long","confidence":1.5,"rationale":"","watch":[]}', /confidence 1.5/],
      ['{"bias":"long","confidence":0.5,"rationale":3,"watch":[]}', /rationale/],
      ['{"bias":"long","confidence":0.5,"rationale":"","watch":[1]}', /watch/],
    ] as const) {
      const e = (() => {
        try {
          parseLlmAnswer(text, "SPY");
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(LlmError);
      expect((e as LlmError).retryable).toBe(true);
      expect((e as Error).message).toMatch(why);
    }
  });
});

/** A scripted OpenAI/Gemini-compatible server on 127.0.0.1. */
type Step = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: ReturnType<typeof createServer>;
let base = "";
let steps: Step[] = [];
const seen: Array<{ url: string; headers: IncomingMessage["headers"]; body: string }> = [];
beforeAll(async () => {
  server = createServer((rq, rs) => {
    let body = "";
    rq.on("data", (c) => (body += c));
    rq.on("end", () => {
      seen.push({ url: rq.url ?? "", headers: rq.headers, body });
      const step = steps.shift();
      if (!step) {
        rs.writeHead(500).end("no step");
        return;
      }
      step(rq, body, rs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const json =
  (status: number, doc: unknown, headers: Record<string, string> = {}): Step =>
  (_q, _b, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(doc));
  };
const answer = { symbol: "SPY", bias: "long", confidence: 0.7, rationale: "r", watch: ["OB(1m bull)"] };
const openaiOk = json(200, { choices: [{ message: { content: JSON.stringify(answer) } }] });
const geminiOk = json(200, { candidates: [{ content: { parts: [{ text: JSON.stringify(answer) }] } }] });

describe("network providers (scripted server on 127.0.0.1)", () => {
  it("need their key from the environment", () => {
    expect(() => createLlmProvider("gemini", { env: {} })).toThrow(LlmConfigError);
    expect(() => createLlmProvider("openai", { env: {} })).toThrow(/OPENAI_API_KEY/);
    expect(() => createLlmProvider("nope" as never, { env: {} })).toThrow(LlmConfigError);
  });

  it("openai: retries 429 honouring Retry-After and 5xx, then validates the answer; the key only in the header", async () => {
    const sleeps: number[] = [];
    const logs: string[] = [];
    steps = [
      json(429, { error: { message: "slow down" } }, { "retry-after": "2" }),
      json(503, { error: { message: "overloaded" } }),
      openaiOk,
    ];
    seen.length = 0;
    const p = createLlmProvider("openai", {
      env: { OPENAI_API_KEY: "sk-secret-1", OPENAI_BASE_URL: `${base}/v1/`, OPENAI_MODEL: "m1" },
      sleep: async (ms) => void sleeps.push(ms),
      log: (m) => logs.push(m),
    });
    const a = await p.complete(req(prompt({}, [])));
    expect(a).toEqual(answer);
    expect(seen.map((s) => s.url)).toEqual(["/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions"]);
    expect(seen[0]!.headers.authorization).toBe("Bearer sk-secret-1");
    const body = JSON.parse(seen[0]!.body);
    expect(body).toMatchObject({ model: "m1", response_format: { type: "json_object" } });
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBeGreaterThanOrEqual(1500);
    expect(sleeps[1]).toBeLessThanOrEqual(3000);
    expect(logs.join("\n")).toMatch(/HTTP 429: slow down; retry 1\/3 in 2000 ms/);
    expect(logs.join("\n")).not.toContain("sk-secret-1");
  });

  it("gemini: RetryInfo delay honoured, key in x-goog-api-key (never in the URL), schema requested", async () => {
    const sleeps: number[] = [];
    steps = [
      json(429, {
        error: {
          code: 429,
          message: "quota",
          status: "RESOURCE_EXHAUSTED",
          details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }],
        },
      }),
      geminiOk,
    ];
    seen.length = 0;
    const p = createLlmProvider("gemini", {
      env: { GEMINI_API_KEY: "g-secret", GEMINI_BASE_URL: base, GEMINI_MODEL: "gemini-test" },
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await p.complete(req(prompt({}, [])))).toEqual(answer);
    expect(sleeps).toEqual([7000]);
    expect(seen[1]!.url).toBe("/models/gemini-test:generateContent");
    expect(seen[1]!.url).not.toContain("g-secret");
    expect(seen[1]!.headers["x-goog-api-key"]).toBe("g-secret");
    expect(JSON.parse(seen[1]!.body).generationConfig).toMatchObject({
      responseMimeType: "application/json",
      responseSchema: { type: "OBJECT" },
    });
  });

  it("fails at once on 4xx (no retry), and after maxRetries on persistent 5xx, without leaking the key", async () => {
    steps = [json(401, { error: { message: "bad key" } })];
    const p = createLlmProvider("openai", {
      env: { OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: base, OPENAI_MODEL: "m1" },
      sleep: async () => {},
    });
    const e1 = await p.complete(req("")).catch((e) => e);
    expect(e1).toBeInstanceOf(LlmError);
    expect(e1).toMatchObject({ status: 401, retryable: false });
    expect(steps.length).toBe(0);
    steps = [json(500, {}), json(500, {}), json(500, {})];
    const q = createLlmProvider("openai", {
      env: { OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: base, OPENAI_MODEL: "m1" },
      sleep: async () => {},
      maxRetries: 2,
    });
    const e2 = await q.complete(req("")).catch((e) => e);
    expect(e2).toMatchObject({ status: 500 });
    expect(String(e2.message)).not.toContain("sk-x");
    expect(steps.length).toBe(0);
  });

  it("retries a malformed answer, then succeeds", async () => {
    steps = [json(200, { choices: [{ message: { content: "I think long" } }] }), openaiOk];
    const p = createLlmProvider("openai", {
      env: { OPENAI_API_KEY: "k", OPENAI_BASE_URL: base, OPENAI_MODEL: "m1" },
      sleep: async () => {},
    });
    expect(await p.complete(req(""))).toEqual(answer);
  });

  it("times out a silent server and refuses a retry delay longer than allowed", async () => {
    steps = [() => {}, () => {}];
    const p = createLlmProvider("openai", {
      env: { OPENAI_API_KEY: "k", OPENAI_BASE_URL: base, OPENAI_MODEL: "m1" },
      sleep: async () => {},
      timeoutMs: 100,
      maxRetries: 1,
    });
    await expect(p.complete(req(""))).rejects.toThrow(/timed out after 100 ms/);
    steps = [json(429, {}, { "retry-after": "3600" })];
    const q = createLlmProvider("openai", {
      env: { OPENAI_API_KEY: "k", OPENAI_BASE_URL: base, OPENAI_MODEL: "m1" },
      sleep: async () => {},
    });
    await expect(q.complete(req(""))).rejects.toThrow(/more than 60 s/);
  });
});
