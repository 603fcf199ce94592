/** Keys never leave the process: every error, log line and answer is redacted of them in any form a server may echo. */
import { LlmError, type LlmAnswer } from "./types.js";

/** Shortest configured value treated as a secret (shorter ones, such as `none` for a local server, are not keys). */
const MIN_SECRET_LENGTH = 8;
/** Characters vendors use to mask the middle of a key they echo (`sk-ab…wxyz`, `sk-proj-****wxyz`). */
const MASK = /[*…•]|\.\.\.|x{4,}|X{4,}/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes every trace of the given secrets from a text: each secret as it is,
 * URL-encoded, JSON-escaped, in base64 and base64url, and the partially
 * masked forms a vendor may echo (a word holding a mask run — `*`, `…`, `•`,
 * `...`, `xxxx` — that starts with the secret's first 3 characters or ends
 * with its last 4, such as OpenAI's `sk-proj-****…wxyz`). Each is replaced by
 * `[redacted]`. Secrets shorter than 8 characters are left alone (they are not
 * keys, and redacting them would mangle ordinary words).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const key of secrets) {
    if (typeof key !== "string" || key.length < MIN_SECRET_LENGTH) continue;
    const b64 = btoa(Array.from(new TextEncoder().encode(key), (b) => String.fromCharCode(b)).join(""));
    const forms = new Set([
      key,
      encodeURIComponent(key),
      JSON.stringify(key).slice(1, -1),
      b64,
      b64.replace(/=+$/, ""),
      b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
    ]);
    for (const f of [...forms].sort((a, b) => b.length - a.length))
      if (f.length >= MIN_SECRET_LENGTH) out = out.split(f).join("[redacted]");
    // Masked echoes: one "word" (no spaces or quotes) holding a mask run, tied to the key by its first or last characters.
    const head = escapeRe(key.slice(0, 3));
    const tail = escapeRe(key.slice(-4));
    out = out.replace(new RegExp(`[^\\s"'\`<>(),;]*(?:${head}|${tail})[^\\s"'\`<>(),;]*`, "g"), (w) => {
      const core = w.replace(/[.:]+$/, "");
      if (!MASK.test(core)) return w;
      if (!core.startsWith(key.slice(0, 3)) && !core.endsWith(key.slice(-4))) return w;
      return "[redacted]" + w.slice(core.length);
    });
  }
  return out;
}

/** An error with its message redacted (same class, status and flags). */
export function redactError(e: LlmError, secrets: readonly string[], fatal = e.fatal): LlmError {
  const r = new LlmError(redactSecrets(e.message, secrets), {
    status: e.status,
    retryable: e.retryable,
    retryAfterMs: e.retryAfterMs,
    fatal,
  });
  return r;
}

/** An answer with every text field redacted (a model may quote what it was sent or told). */
export function redactAnswer(a: LlmAnswer, secrets: readonly string[]): LlmAnswer {
  return { ...a, rationale: redactSecrets(a.rationale, secrets), watch: a.watch.map((w) => redactSecrets(w, secrets)) };
}
