// What a value becomes after a trip through a JSON file, without the text.

const skipped = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

/**
 * `JSON.parse(JSON.stringify(value))` without the text: what a value becomes
 * after a trip through a JSON file (undefined members dropped, undefined array
 * items and non-finite numbers become null, -0 becomes 0). Plain objects and
 * arrays are copied here; anything else (a `toJSON` method, a class instance,
 * a typed array, a bigint) takes the real round trip, so the result is the
 * same in every case.
 */
export function jsonClone(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "object": {
      if (Array.isArray(value)) {
        if (typeof (value as { toJSON?: unknown }).toJSON === "function" || Object.getPrototypeOf(value) !== Array.prototype) break;
        const n = value.length;
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const x = value[i];
          out[i] = skipped(x) ? null : jsonClone(x);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") break;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const x = (value as Record<string, unknown>)[k];
        if (skipped(x)) continue;
        if (k === "__proto__") Object.defineProperty(out, k, { value: jsonClone(x), enumerable: true, writable: true, configurable: true });
        else out[k] = jsonClone(x);
      }
      return out;
    }
  }
  return JSON.parse(JSON.stringify(value) ?? "null");
}
