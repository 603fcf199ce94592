/**
 * The replay path's shortcuts give what the straightforward code gives:
 * the canonical-timestamp parser, the JSON round trip without text, the
 * path-free finiteness check, and tick() itself against a reference tick that
 * round-trips its state through JSON text.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it, onTestFinished } from "vitest";
import { aggregate, isoUtc, parseIsoMs, type Columns } from "@ict/core";
import { buildCapsule, buildPrompt, smtReferences, tick, updateSymbolState, type ContextDoc, type SymbolState } from "../src/index.js";
import { BackgroundWriter, NonFiniteJsonError, stringifyStrict, writeJsonAtomic } from "../src/node/index.js";
import { jsonClone } from "../src/tick.js";

import { tickWalkBars } from "@ict/testkit";

/** The general ISO parser, as it was before the canonical fast path (regex only). */
function refParse(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\+00:00$/.exec(text);
  if (m === null) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const dt = new Date(t);
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d ? t : NaN;
}

describe("parseIsoMs: canonical fast path", () => {
  it("reads back every isoUtc time, whatever the order of days", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2e12, max: 4e12 }), { minLength: 1, maxLength: 50 }), (xs) => {
        for (const x of xs) {
          const t = Math.floor(x / 1000) * 1000;
          expect(parseIsoMs(isoUtc(t))).toBe(t);
        }
      }),
    );
  });

  it("agrees with the general rules on canonical-looking text, valid or not", () => {
    const digit = fc.constantFrom(..."0123456789a: ".split(""));
    const text = fc.tuple(
      fc.constantFrom(
        "2024-01-31T",
        "2024-02-29T",
        "2023-02-29T",
        "2024-02-30T",
        "2024-13-01T",
        "2024-00-10T",
        "1999-12-31T",
        "2024-01-3xT",
      ),
      fc.array(digit, { minLength: 8, maxLength: 8 }),
      fc.constantFrom("+00:00", "+01:00", "Z00:00", "+00:0"),
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 20 }), (xs) => {
        for (const [day, hms, zone] of xs) {
          const s = `${day}${hms.slice(0, 2).join("")}:${hms.slice(3, 5).join("")}:${hms.slice(6, 8).join("")}${zone}`;
          const want = zone === "+01:00" ? refParse(s.replace("+01:00", "+00:00")) - 3_600_000 : zone === "+00:00" ? refParse(s) : NaN;
          expect(parseIsoMs(s), s).toBe(want);
        }
      }),
      { numRuns: 300 },
    );
    for (const s of [
      "2024-01-01T10:00:00+00:00",
      "2024-01-01T24:00:00+00:00",
      "2024-01-01T23:60:00+00:00",
      "2024-01-01T23:59:60+00:00",
      "2024-01-02T00:00:00+00:00",
    ]) {
      expect(parseIsoMs(s), s).toBe(refParse(s));
    }
  });
});

describe("jsonClone = JSON.parse(JSON.stringify(x))", () => {
  const same = (a: unknown, b: unknown) => {
    // Same values, same key order, no -0 left.
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a).toStrictEqual(b);
  };
  it("on arbitrary values (undefined, non-finite numbers, -0, dates, nested arrays)", () => {
    const leaf = fc.oneof(
      fc.double(),
      fc.constantFrom(-0, NaN, Infinity, -Infinity, undefined, null, true, 1e21),
      fc.string(),
      fc.date({ noInvalidDate: true }),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small" }, leaf, tie("arr"), tie("obj")),
      arr: fc.array(tie("tree"), { maxLength: 5 }),
      obj: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("__proto__", "0", "10", "toJSON")), tie("tree"), { maxKeys: 5 }),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), tree), (v) => same(jsonClone(v), JSON.parse(JSON.stringify(v)))),
      { numRuns: 500 },
    );
  });
  it("on class instances, typed arrays, maps and toJSON", () => {
    class P {
      x = 1;
      y = undefined;
    }
    const v = {
      p: new P(),
      ta: new Float64Array([1, NaN]),
      m: new Map([[1, 2]]),
      j: { toJSON: () => ({ z: -0 }) },
      d: new Date(0),
      n: [undefined, () => 1, Symbol("s")],
    };
    same(jsonClone(v), JSON.parse(JSON.stringify(v)));
  });
});

describe("stringifyStrict", () => {
  it("refuses a non-finite number anywhere and names its path", () => {
    expect(() => stringifyStrict({ a: [{ b: 1 }, { c: [2, -Infinity] }] })).toThrow(/\$\.a\[1\]\.c\[1\]/);
    expect(() => stringifyStrict([NaN])).toThrow(NonFiniteJsonError);
    expect(stringifyStrict({ a: [1, { b: null }] })).toBe(JSON.stringify({ a: [1, { b: null }] }, null, 2) + "\n");
  });
});

/** tick() as it was written first: state round-tripped through JSON text, 5m aggregates recomputed. */
function referenceTick(watchlist: string[], bars1m: Record<string, Columns>, now: number, dayEt: string, context: ContextDoc | null) {
  const refs = smtReferences(watchlist);
  const previous = new Map<string, SymbolState>();
  for (const s of context?.symbols ?? []) previous.set(s.symbol, s);
  const capsules: Record<string, unknown> = {};
  const prompts: Record<string, string> = {};
  for (const sym of watchlist) {
    const b1 = bars1m[sym]!;
    const b5 = aggregate(b1, 5);
    const refSym = refs[sym];
    const capsule = buildCapsule({
      symbol: sym,
      dayEt,
      bars1m: b1,
      bars5m: b5,
      ref5m: refSym ? aggregate(bars1m[refSym]!, 5) : undefined,
      refSymbol: refSym,
      now,
    });
    capsules[sym] = capsule;
    const incompleteSince: Record<string, number> = {};
    if (b5.length > 0 && b1.length > 0 && b1.t[b1.length - 1]! < b5.t[b5.length - 1]! + 4 * 60_000)
      incompleteSince["5m"] = b5.t[b5.length - 1]!;
    const state = updateSymbolState(previous.get(sym) ?? { symbol: sym }, capsule.features, now, {
      price: b1.length > 0 ? b1.c[b1.length - 1] : undefined,
      incompleteSince,
    });
    previous.set(sym, JSON.parse(JSON.stringify(state)));
    prompts[sym] = buildPrompt(previous.get(sym)!, { market: { symbol: sym, now, features: capsule.features } });
  }
  return { capsules, context: { symbols: [...previous.values()] }, prompts };
}

describe("tick() equals the straightforward tick at every step", () => {
  it("three symbols over a synthetic session", () => {
    const n = 160;
    const t0 = Date.UTC(2024, 0, 2, 14, 30);
    const mk = (seed: number): Columns => {
      const b = tickWalkBars(n, seed);
      return { ...b, length: n, t: Float64Array.from({ length: n }, (_, i) => t0 + i * 60_000) };
    };
    const all: Record<string, Columns> = { SPY: mk(1), QQQ: mk(2), IWM: mk(3) };
    const cut = (c: Columns, k: number): Columns => ({
      length: k,
      t: c.t.subarray(0, k),
      o: c.o.subarray(0, k),
      h: c.h.subarray(0, k),
      l: c.l.subarray(0, k),
      c: c.c.subarray(0, k),
      v: c.v.subarray(0, k),
    });
    let ctx: ContextDoc | null = null;
    let refCtx: ContextDoc | null = null;
    for (let k = 1; k <= n; k++) {
      const bars = Object.fromEntries(Object.entries(all).map(([s, c]) => [s, cut(c, k)]));
      const now = t0 + (k - 1) * 60_000;
      const got = tick({ watchlist: ["SPY", "QQQ", "IWM"], bars1m: bars, now, dayEt: "2024-01-02", context: ctx });
      const want = referenceTick(["SPY", "QQQ", "IWM"], bars, now, "2024-01-02", refCtx);
      expect(stringifyStrict(got.capsules)).toBe(stringifyStrict(want.capsules));
      expect(stringifyStrict(got.context)).toBe(stringifyStrict(want.context));
      expect(got.prompts).toEqual(want.prompts);
      ctx = got.context;
      refCtx = want.context as ContextDoc;
    }
  });
});

describe("BackgroundWriter", () => {
  it("writes the bytes of writeJsonAtomic, the last queued write of a path winning, no temp file left", async () => {
    const root = mkdtempSync(join(tmpdir(), "ict-bgw-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const w = new BackgroundWriter(3);
    const docs = Array.from({ length: 40 }, (_, i) => ({ i, s: "–é", xs: Array.from({ length: i * 50 }, (_, j) => j / 3) }));
    for (const d of docs) {
      await w.writeJson(join(root, "a", "x.json"), d);
      await w.writeJson(join(root, "b", "y.json"), { d });
    }
    await w.flush();
    writeJsonAtomic(join(root, "ref.json"), docs.at(-1));
    expect(readFileSync(join(root, "a", "x.json"))).toEqual(readFileSync(join(root, "ref.json")));
    expect(JSON.parse(readFileSync(join(root, "b", "y.json"), "utf8"))).toEqual({ d: docs.at(-1) });
    expect(readdirSync(join(root, "a"))).toEqual(["x.json"]);
  });
  it("refuses non-finite numbers at once and reports a failed write at flush", async () => {
    const root = mkdtempSync(join(tmpdir(), "ict-bgw-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const w = new BackgroundWriter();
    await expect(w.writeJson(join(root, "x.json"), { a: [NaN] })).rejects.toThrow(NonFiniteJsonError);
    mkdirSync(join(root, "dir"));
    await w.writeJson(join(root, "dir", "x.json"), { a: 1 });
    rmSync(join(root, "dir"), { recursive: true });
    await expect(w.flush()).rejects.toThrow(/ENOENT/);
    await w.flush();
  });
});

describe("writeJsonAtomic / BackgroundWriter bytes = stringifyStrict", () => {
  it("on arbitrary JSON values (escapes, non-ASCII, astral characters, empty containers, deep nesting)", async () => {
    const root = mkdtempSync(join(tmpdir(), "ict-json-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const w = new BackgroundWriter();
    const str = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("–", 'é"\\/\n\t', "😀x", "\ud800", "a\udc00b", '\\"'));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: "small" },
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(-0, null, true, false, undefined, 1e21, 5e-324),
        str,
        tie("arr"),
        tie("obj"),
      ),
      arr: fc.array(tie("tree"), { maxLength: 5 }),
      obj: fc.dictionary(str, tie("tree"), { maxKeys: 5 }),
    }));
    let k = 0;
    await fc.assert(
      fc.asyncProperty(tree, async (v) => {
        const p = join(root, `s${k}.json`);
        const q = join(root, `b${k++}.json`);
        writeJsonAtomic(p, v, false);
        await w.writeJson(q, v);
        await w.flush();
        const want = Buffer.from(stringifyStrict(v), "utf8");
        expect(readFileSync(p).equals(want), stringifyStrict(v)).toBe(true);
        expect(readFileSync(q).equals(want), stringifyStrict(v)).toBe(true);
      }),
      { numRuns: 150 },
    );
    // Deeply nested and large: the encoder grows its buffer.
    let deep: unknown = [1, "–"];
    for (let i = 0; i < 600; i++) deep = [deep, { k: i }];
    const big = { xs: Array.from({ length: 60_000 }, (_, i) => ({ i, s: "é".repeat(i % 7) })), deep };
    writeJsonAtomic(join(root, "big.json"), big, false);
    expect(readFileSync(join(root, "big.json")).equals(Buffer.from(stringifyStrict(big), "utf8"))).toBe(true);
  });
});
