/** Writes off the main thread, in order, each atomic. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { compactEncoder, jsonEncoder, textEncoder, type Encoder } from "./json.js";
import { writeBufferAtomicAsync } from "./atomic.js";

/**
 * Atomic, not flushed file writes done off the main thread, for files that
 * are rewritten at every tick of a replay: each write goes to a temporary
 * file that is renamed over the target (a reader sees the old file or the new
 * one, never a torn one, as with `writeFileAtomic(path, text, false)`), but
 * the open, write and rename run on libuv's thread pool while the caller
 * computes the next tick — on ext4 the rename over an existing file starts the
 * new file's writeback and can block for milliseconds. Writes to one path land
 * in the order they were queued; `write` waits while `maxPending` writes are
 * in flight. Call {@link BackgroundWriter.flush} before relying on the files
 * (it also rethrows the first failed write).
 */
export class BackgroundWriter {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #dirs = new Set<string>();
  readonly #pool: Buffer[] = [];
  readonly #room: (() => void)[] = [];
  #pending = 0;
  #error: unknown = undefined;
  #failed = false;

  constructor(readonly maxPending = 8) {}

  /**
   * Queues the bytes {@link writeJsonAtomic} would write (non-finite numbers
   * refused) for `path`; `compact: true` writes `JSON.stringify(value)` and a
   * newline instead (the same value, no indentation: for files rewritten at
   * every tick whose final form is written at the end).
   */
  async writeJson(path: string, value: unknown, options: { compact?: boolean } = {}): Promise<void> {
    this.#check();
    await this.#queue(path, options.compact ? compactEncoder(value) : jsonEncoder(value));
  }

  /** Queues `text` for `path`; resolves once fewer than `maxPending` writes are in flight. */
  async write(path: string, text: string): Promise<void> {
    this.#check();
    await this.#queue(path, textEncoder(text));
  }

  async #queue(path: string, encode: Encoder): Promise<void> {
    const dir = dirname(path);
    if (!this.#dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    // Encoded now into a pooled buffer (fresh memory costs a page fault per 4 KiB), sized in powers of two from 1 MiB.
    let buf = this.#pool.pop() ?? Buffer.allocUnsafeSlow(1 << 20);
    let len: number;
    while ((len = encode(buf)) < 0) buf = Buffer.allocUnsafeSlow(buf.length * 2);
    this.#pending++;
    const job = (this.#tails.get(path) ?? Promise.resolve())
      .then(() => writeBufferAtomicAsync(path, buf, len))
      .catch((e: unknown) => {
        if (!this.#failed) {
          this.#failed = true;
          this.#error = e;
        }
      })
      .finally(() => {
        this.#pool.push(buf);
        this.#pending--;
        if (this.#tails.get(path) === job) this.#tails.delete(path);
        this.#room.shift()?.();
      });
    this.#tails.set(path, job);
    while (this.#pending >= this.maxPending) await new Promise<void>((r) => this.#room.push(r));
  }

  /** Waits for every queued write; throws the first error of any of them. */
  async flush(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
    this.#check();
  }

  #check(): void {
    if (this.#failed) {
      this.#failed = false;
      const e = this.#error;
      this.#error = undefined;
      throw e;
    }
  }
}
