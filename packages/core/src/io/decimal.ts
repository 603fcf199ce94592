/**
 * The one decimal parser of the readers: plain decimals take an exact fast
 * path (an integer below 2^53 divided by an exact power of ten is one
 * correctly rounded operation, the double `Number()` gives); anything else
 * goes through `Number` after a strict shape check, so "NaN", "Infinity", hex
 * and empty cells are not numbers.
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
/** The shape of a decimal number (what `Number` may read). */
export const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** End position of the last {@link plainDecimal}. */
export let numEnd = 0;

/**
 * A plain decimal `[-]digits[.digits]` at s[p...] (at least one digit), ending
 * at the first other character (its position goes to `numEnd`). NaN when the
 * cell does not start that way (the general path decides). The digits are
 * summed as an integer: while that integer stays below 2^53 every step is
 * exact, and dividing it by an exact power of ten (at most 10^22) is one
 * correctly rounded operation, so the result is the double `Number()` gives.
 * Longer numbers go through `Number()` itself.
 */
export function plainDecimal(s: string, p: number): number {
  const a = p;
  let ch = s.charCodeAt(p);
  const neg = ch === 45;
  if (neg) ch = s.charCodeAt(++p);
  const d0 = p;
  let mant = 0;
  while (ch >= 48 && ch <= 57) {
    mant = mant * 10 + (ch - 48);
    ch = s.charCodeAt(++p);
  }
  let frac = 0;
  let digits = p - d0;
  if (ch === 46) {
    const f0 = ++p;
    ch = s.charCodeAt(p);
    while (ch >= 48 && ch <= 57) {
      mant = mant * 10 + (ch - 48);
      ch = s.charCodeAt(++p);
    }
    frac = p - f0;
    digits += frac;
  }
  numEnd = p;
  if (digits === 0) return NaN;
  if (mant >= 9007199254740992 || frac > 22) return Number(s.slice(a, p));
  const v = frac === 0 ? mant : mant / POW10[frac]!;
  return neg ? -v : v;
}

/**
 * Parses a decimal number in s[a, b): {@link plainDecimal} when the cell is
 * one plain decimal, else `Number` of the trimmed text if it has a decimal
 * number's shape. NaN for text that is not a decimal number.
 */
export function parseDecimal(s: string, a: number, b: number): number {
  const v = plainDecimal(s, a);
  if (numEnd === b && !Number.isNaN(v)) return v;
  const text = s.slice(a, b).trim();
  return DECIMAL_RE.test(text) ? Number(text) : NaN;
}
