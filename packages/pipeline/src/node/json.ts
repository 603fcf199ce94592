/** Strict JSON: NaN and Infinity refused (Q25), the bytes of `JSON.stringify(value, null, 2)` and a newline, encoded without an intermediate string. */
import { IctError } from "@ict/core";

/** A value that JSON cannot carry faithfully (NaN, Infinity): refused, never written (Q25). */
export class NonFiniteJsonError extends IctError {
  constructor(readonly path: string) {
    super(`refusing to write a non-finite number at ${path} (JSON has no NaN or Infinity)`);
  }
}

/** True when every number reachable from `v` (array items, own enumerable members) is finite. */
function allFinite(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (v === null || typeof v !== "object") return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!allFinite(v[i])) return false;
    return true;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) if (!allFinite((v as Record<string, unknown>)[keys[i]!])) return false;
  return true;
}

/** Throws {@link NonFiniteJsonError} naming the first non-finite number's path. */
function throwAtNonFinite(value: unknown): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new NonFiniteJsonError(path);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  walk(value, "$");
}

/** JSON text of `value`, refusing NaN and ±Infinity anywhere in it. */
export function stringifyStrict(value: unknown, indent = 2): string {
  // The check walks without building paths; the path is only spelled out for the error.
  if (!allFinite(value)) throwAtNonFinite(value);
  return JSON.stringify(value, null, indent) + "\n";
}

/** Encodes into `buf` from offset 0; returns the byte length, or -1 when `buf` is too small. */
/** @internal Writes encoded bytes into a buffer; returns the length, or -1 when the buffer is too small. */
export type Encoder = (buf: Buffer) => number;

/** @internal */
export const textEncoder =
  (text: string, suffix = ""): Encoder =>
  (buf) => {
    if (buf.length < (text.length + suffix.length) * 3) return -1; // a UTF-16 unit is at most 3 bytes of UTF-8
    const len = buf.write(text, 0, "utf8");
    return suffix ? len + buf.write(suffix, len, "utf8") : len;
  };

/**
 * The bytes of {@link stringifyStrict}`(value)` (indent 2), non-finite numbers
 * refused. Node 20's JSON.stringify with an indent returns a rope of tiny
 * pieces whose flattening (before any encoding) costs more than the
 * stringify itself; the compact text is flat, so it is indented here while
 * being encoded to UTF-8 — only the whitespace outside strings differs
 * between the two forms, and the result is the same bytes.
 */
/** @internal */
export function jsonEncoder(value: unknown): Encoder {
  if (!allFinite(value)) throwAtNonFinite(value);
  const compact = JSON.stringify(value) as string | undefined;
  if (compact === undefined) return textEncoder(stringifyStrict(value));
  return (buf) => indentInto(compact, buf);
}

/** @internal The bytes of `JSON.stringify(value)` and a newline, non-finite numbers refused. */
export function compactEncoder(value: unknown): Encoder {
  if (!allFinite(value)) throwAtNonFinite(value);
  return textEncoder(JSON.stringify(value) ?? "null", "\n");
}

/** UTF-8 of JSON.stringify(v, null, 2) + "\n" from `s` = JSON.stringify(v), or -1 when `out` is too small. */
function indentInto(s: string, out: Buffer): number {
  const cap = out.length;
  let o = 0;
  let depth = 0;
  let inStr = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    // At most 2·depth + 4 bytes are written per step.
    if (o + 2 * depth + 8 > cap) return -1;
    let c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) {
        // An escape: backslash and the ASCII character after it (\u digits follow as plain characters).
        out[o++] = 92;
        c = s.charCodeAt(++i);
        out[o++] = c;
        continue;
      }
      if (c === 34) inStr = false;
      if (c < 0x80) out[o++] = c;
      else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6);
        out[o++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdbff) {
        // JSON.stringify escapes lone surrogates: a high surrogate here is followed by its low one.
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        out[o++] = 0xf0 | (cp >> 18);
        out[o++] = 0x80 | ((cp >> 12) & 63);
        out[o++] = 0x80 | ((cp >> 6) & 63);
        out[o++] = 0x80 | (cp & 63);
      } else {
        out[o++] = 0xe0 | (c >> 12);
        out[o++] = 0x80 | ((c >> 6) & 63);
        out[o++] = 0x80 | (c & 63);
      }
      continue;
    }
    switch (c) {
      case 34: // "
        inStr = true;
        out[o++] = 34;
        break;
      case 123: // {
      case 91: // [
        if (s.charCodeAt(i + 1) === c + 2) {
          // {} and [] stay on one line.
          out[o++] = c;
          out[o++] = c + 2;
          i++;
          break;
        }
        out[o++] = c;
        out[o++] = 10;
        depth++;
        for (let k = 0; k < depth; k++) {
          out[o++] = 32;
          out[o++] = 32;
        }
        break;
      case 125: // }
      case 93: // ]
        out[o++] = 10;
        depth--;
        for (let k = 0; k < depth; k++) {
          out[o++] = 32;
          out[o++] = 32;
        }
        out[o++] = c;
        break;
      case 44: // ,
        out[o++] = 44;
        out[o++] = 10;
        for (let k = 0; k < depth; k++) {
          out[o++] = 32;
          out[o++] = 32;
        }
        break;
      case 58: // :
        out[o++] = 58;
        out[o++] = 32;
        break;
      default:
        out[o++] = c;
    }
  }
  if (o + 1 > cap) return -1;
  out[o++] = 10;
  return o;
}
