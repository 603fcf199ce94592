/**
 * Code shared by the Node side of test/browser.test.ts and the browser bundle
 * (test/browser/entry.ts): seeded bars, exact encodings, and the one function
 * that runs every detector. Both sides run this same function on the same
 * input bytes, so any difference in the output is a difference of the engines.
 */
import {
  atr,
  breakerBlocks,
  columnsFromArrays,
  computeFeatures,
  equilibrium,
  fvg,
  ifvg,
  orderBlocks,
  smt,
  smtObjects,
  structure,
  swings,
  trueRange,
  type Columns,
} from "../../src/index.js";

/** The bar fields, in storage order. */
export const FIELDS = ["t", "o", "h", "l", "c", "v"] as const;
export type Field = (typeof FIELDS)[number];
export type RawColumns = Record<Field, Float64Array>;

// ---------------------------------------------------------------- encodings

type Typed = Float64Array | Int32Array | Int8Array | Uint8Array;

/** Bytes → base64 (btoa exists in browsers, workers and Node >= 16). */
export function bytesToBase64(u8: Uint8Array): string {
  let s = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < u8.length; i += CHUNK) s += String.fromCharCode.apply(null, u8.subarray(i, i + CHUNK) as unknown as number[]);
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A typed array as its exact bytes (little-endian on every host this runs on). */
export interface EncodedArray {
  type: string;
  length: number;
  b64: string;
}

export function encodeArray(a: Typed): EncodedArray {
  return { type: a.constructor.name, length: a.length, b64: bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) };
}

export function encodeColumns(cols: RawColumns | Columns): Record<Field, string> {
  const out = {} as Record<Field, string>;
  for (const f of FIELDS) out[f] = encodeArray(cols[f]).b64;
  return out;
}

export function decodeColumns(enc: Record<Field, string>): RawColumns {
  const out = {} as RawColumns;
  for (const f of FIELDS) {
    const b = base64ToBytes(enc[f]);
    out[f] = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  }
  return out;
}

/**
 * JSON that keeps every double exactly: finite doubles round-trip through
 * JSON's shortest representation; -0, NaN and ±Infinity (which JSON would
 * turn into 0 / null) are spelled out as tagged strings.
 */
export function exactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "number" && (Object.is(v, -0) || !Number.isFinite(v))) return `<number ${Object.is(v, -0) ? "-0" : String(v)}>`;
    return v;
  });
}

// ---------------------------------------------------------------- the run

/** Every detector output of one bar set: typed arrays as bytes, objects as exact JSON. */
export interface Results {
  n: number;
  /** The input columns as the library validated them (bytes). */
  input: Record<Field, string>;
  arrays: Record<string, EncodedArray>;
  objects: Record<string, string>;
}

const PROFILE_LIST = ["ict", "seed-v0.1"] as const;

/** Runs every detector the cross-engine test covers. Identical code in Node, the page and the worker. */
export function computeAll(raw: RawColumns | Columns): Results {
  const cols = columnsFromArrays(raw);
  const arrays: Record<string, EncodedArray> = {};
  const objects: Record<string, string> = {};

  arrays["atr"] = encodeArray(atr(cols));
  arrays["atr.wilder"] = encodeArray(atr(cols, { method: "wilder" }));
  arrays["trueRange"] = encodeArray(trueRange(cols));

  for (const profile of PROFILE_LIST) {
    const sw = profile === "ict" ? swings(cols) : swings(cols, { profile });
    arrays[`swings[${profile}].highs`] = encodeArray(sw.highs);
    arrays[`swings[${profile}].lows`] = encodeArray(sw.lows);
    arrays[`swings[${profile}].flags`] = encodeArray(sw.flags);
    objects[`swings[${profile}].k`] = exactJson(sw.k);

    const st = profile === "ict" ? structure(cols) : structure(cols, { profile });
    arrays[`structure[${profile}].index`] = encodeArray(st.index);
    arrays[`structure[${profile}].dir`] = encodeArray(st.dir);
    arrays[`structure[${profile}].swing`] = encodeArray(st.swing);
    arrays[`structure[${profile}].level`] = encodeArray(st.level);
    arrays[`structure[${profile}].choch`] = encodeArray(st.choch);

    objects[`equilibrium[${profile}]`] = exactJson(profile === "ict" ? equilibrium(cols) : equilibrium(cols, { profile }));
    objects[`computeFeatures[${profile}]`] = exactJson(computeFeatures(cols, { tf: "1m", profile }));

    // Zone kernels, as columns.
    const zone = (name: string, c: object) => {
      for (const [k, v] of Object.entries(c)) arrays[`${name}[${profile}].${k}`] = encodeArray(v as Float64Array);
    };
    zone("fvg", fvg(cols, { profile }));
    zone("fvg.full", fvg(cols, { profile, fillPolicy: "full" }));
    zone("ifvg", ifvg(cols, { profile }));
    zone("orderBlocks", orderBlocks(cols, { profile }));
    zone("breakerBlocks", breakerBlocks(cols, { profile }));

    // SMT against a reference derived from the same bars: scaled by 1.17, with
    // highs and lows nudged by a deterministic pattern so that swings disagree.
    const ref = columnsFromArrays({
      t: cols.t,
      o: Array.from(cols.o, (x) => x * 1.17),
      c: Array.from(cols.c, (x) => x * 1.17),
      h: Array.from(cols.h, (x, i) => x * 1.17 * (1 + 0.002 * ((i * 7) % 5))),
      l: Array.from(cols.l, (x, i) => x * 1.17 * (1 - 0.002 * ((i * 3) % 5))),
      v: cols.v,
    });
    zone("smt", smt(cols, ref, { profile }));
    objects[`smtObjects[${profile}]`] = exactJson(smtObjects(cols, ref, { profile }));
  }
  return { n: cols.length, input: encodeColumns(cols), arrays, objects };
}
