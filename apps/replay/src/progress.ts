/**
 * A progress bar on stderr for long runs: drawn only on a terminal, only once
 * the run has taken more than `delayMs` (a short run prints nothing), at most
 * every `everyMs`, and cleared at the end so the summary starts on a clean line.
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;
  constructor(
    private readonly out: { write(s: string): unknown; columns?: number },
    private readonly o: { delayMs?: number; everyMs?: number; label?: string } = {},
  ) {}

  /** Reports `done` of `total` units; `note` is shown at the end of the line (e.g. the day). */
  update(done: number, total: number, note = ""): void {
    const now = performance.now();
    const elapsed = now - this.started;
    if (elapsed < (this.o.delayMs ?? 1000)) return;
    if (this.drawn && now - this.lastDraw < (this.o.everyMs ?? 100) && done < total) return;
    this.lastDraw = now;
    this.drawn = true;
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 60));
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const full = Math.round(frac * width);
    const rate = done / (elapsed / 1000);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const line = `${this.o.label ?? ""}[${"#".repeat(full)}${"-".repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${rate.toFixed(0)}/s eta ${eta.toFixed(0)}s ${note}`;
    this.out.write(`\r${line}\x1b[K`);
  }

  /** Clears the bar (if it was drawn). */
  done(): void {
    if (this.drawn) this.out.write("\r\x1b[K");
  }
}
