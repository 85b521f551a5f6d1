import type { Logger } from '../util/log.ts';

/**
 * Refused requests logged at a bounded rate: at most `perWindow` lines per window, then one
 * line saying how many were not logged. A flood of bad requests cannot fill the disk or drown
 * the log; the metrics still count every one.
 */
export class RefusalLog {
  readonly #log: Logger;
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;

  constructor(log: Logger, options: { perWindow?: number; windowMs?: number; now?: () => number } = {}) {
    this.#log = log;
    this.#perWindow = options.perWindow ?? 20;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  refused(request: { remote: string | null; status: number; error: string; path?: string }): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      if (this.#suppressed > 0) this.#log.warn({ refusals: { notLogged: this.#suppressed, windowMs: this.#windowMs } }, 'more requests were refused than are logged');
      this.#windowStart = now;
      this.#logged = 0;
      this.#suppressed = 0;
    }
    if (this.#logged < this.#perWindow) {
      this.#logged += 1;
      this.#log.warn({ request }, 'request refused');
    } else this.#suppressed += 1;
  }
}
