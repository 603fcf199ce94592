/**
 * Python's number formatting where the seed's text depends on it.
 */

/**
 * `f"{x:.2f}"` as Python formats it: the exact binary value rounded to two
 * decimals with ties to even. `toFixed(2)` rounds exact ties away from zero
 * (100.125 → "100.13" where Python writes "100.12", Q24) and switches to
 * exponent form at 1e21; this does neither.
 */
export function pyFixed2(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const sign = neg ? "-" : "";
  // A two-decimal tie is a multiple of 1/8 with an odd numerator (k + 0.125, 0.375, ...):
  // then 100·a is exact and lies halfway; pick the even neighbour.
  const e8 = a * 8;
  if (Number.isInteger(e8) && e8 % 2 === 1 && a < 2 ** 49) {
    const lo = Math.floor(a * 100);
    const cents = String(lo % 2 === 0 ? lo : lo + 1).padStart(3, "0");
    return sign + cents.slice(0, -2) + "." + cents.slice(-2);
  }
  // Otherwise toFixed's nearest value is Python's; past 1e21 the value is an integer.
  return sign + (a < 1e21 ? a.toFixed(2) : BigInt(a).toString() + ".00");
}

/**
 * `json.dumps(value)` with Python's defaults: `", "` and `": "` separators and
 * non-ASCII characters escaped as `\uXXXX` (`ensure_ascii`). Used for the
 * prompt sections, which hold strings.
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
  }
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(pyJsonDumps).join(", ") + "]";
  if (typeof value === "object") {
    return (
      "{" +
      Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => pyJsonDumps(k) + ": " + pyJsonDumps(v))
        .join(", ") +
      "}"
    );
  }
  return JSON.stringify(String(value));
}
