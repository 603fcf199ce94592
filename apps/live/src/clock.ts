/**
 * Clocks. The live loop reads time only through a {@link Clock}: the system
 * clock in production, a virtual clock (an origin and a speed factor) when it
 * runs against the fake Alpaca server faster than real time. Every duration
 * the loop waits (backoff, ping interval, silence limit, debounce) is given in
 * market ("virtual") milliseconds and divided by the clock's speed to become
 * a real timer.
 */

/** A source of market time. */
export interface Clock {
  /** Market time, epoch milliseconds. */
  now(): number;
  /** Market milliseconds per real millisecond (1 for the system clock). */
  readonly speed: number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now(), speed: 1 };

/** A clock that reads `origin` at real time `wallOrigin` and runs `speed` times faster than real time. */
export function virtualClock(origin: number, speed: number, wallOrigin = Date.now()): Clock & { origin: number; wallOrigin: number } {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a positive number, got ${speed}`);
  return { origin, wallOrigin, speed, now: () => origin + (Date.now() - wallOrigin) * speed };
}

/** `ISO@WALLMS*SPEED` (see {@link parseClockSpec}) of a virtual clock. */
export function clockSpec(c: { origin: number; wallOrigin: number; speed: number }): string {
  return `${new Date(c.origin).toISOString()}@${c.wallOrigin}*${c.speed}`;
}

/**
 * Parses `--clock ISO@WALLMS*SPEED`: market time ISO at real epoch WALLMS,
 * running SPEED times faster (a simulation aid: the fake server prints it).
 * Returns null when the text does not have that shape.
 */
export function parseClockSpec(text: string): (Clock & { origin: number; wallOrigin: number }) | null {
  const m = /^(.+)@(\d+)\*([0-9.]+)$/.exec(text.trim());
  if (!m) return null;
  const origin = Date.parse(m[1]!);
  const speed = Number(m[3]);
  if (Number.isNaN(origin) || !(speed > 0)) return null;
  return virtualClock(origin, speed, Number(m[2]));
}

/** Real milliseconds of a market duration on `clock`. */
export function wallMs(clock: Clock, marketMs: number): number {
  return Math.max(0, marketMs / clock.speed);
}

/** Waits a market duration on `clock`; rejects with the signal's reason when aborted. */
export function sleepMarket(clock: Clock, marketMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      wallMs(clock, marketMs),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
