/** Provider settings from options or the environment, checked. */
import { LlmConfigError, type LlmOptions } from "./types.js";

export function positiveOption(v: number | undefined, envValue: string | undefined, envName: string, scale: number, dflt: number): number {
  if (v !== undefined) {
    if (!Number.isFinite(v) || v <= 0) throw new LlmConfigError(`LLM option: expected a positive number, got ${String(v).slice(0, 80)}`);
    return v;
  }
  if (envValue === undefined || envValue === "") return dflt;
  const n = Number(envValue);
  if (!Number.isFinite(n) || n <= 0)
    throw new LlmConfigError(`${envName} must be a positive number, got ${JSON.stringify(envValue.slice(0, 80))}`);
  return n * scale;
}

export function temperatureOption(v: number | undefined, envValue: string | undefined, envName: string): number | undefined {
  const t = v ?? (envValue === undefined || envValue === "" ? undefined : Number(envValue));
  if (t === undefined) return undefined;
  if (!Number.isFinite(t) || t < 0 || t > 2)
    throw new LlmConfigError(
      `${v !== undefined ? "temperature" : envName} must be a number in 0..2, got ${JSON.stringify(String(v ?? envValue).slice(0, 80))}`,
    );
  return t;
}

export function trimSlash(u: string): string {
  return u.replace(/\/+$/, "");
}

export function envOf(o: LlmOptions): Record<string, string | undefined> {
  if (o.env) return o.env;
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}
