import { sleep } from './time.ts';

/**
 * A token bucket: `perSecond` tokens a second, at most `burst` saved up. `take()` resolves
 * true when a token was taken, in call order (FIFO), or false once `signal` aborts. The clock
 * and the wait are injectable, so tests run on a fake clock without real time passing.
 */
export interface RateLimiter {
  take(signal?: AbortSignal): Promise<boolean>;
  readonly perSecond: number;
  readonly burst: number;
  /** Tokens handed out so far. */
  readonly taken: number;
}

export interface RateLimiterOptions {
  /** Sustained rate, tokens per second (> 0). */
  perSecond: number;
  /**
   * Tokens that can be saved up (>= 1). Default: 50 ms worth (at least 1), so timer lateness
   * does not lower the average rate and no burst is longer than a twentieth of a second.
   */
  burst?: number;
  /** Milliseconds, monotonic (default performance.now). */
  now?: () => number;
  /** Waits `ms` or until `signal` aborts (default util/time sleep). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perSecond } = options;
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('rate must be a positive number of tokens per second');
  const burst = options.burst ?? Math.max(1, Math.floor(perSecond / 20));
  if (!Number.isFinite(burst) || burst < 1) throw new RangeError('burst must be at least 1');
  const now = options.now ?? ((): number => performance.now());
  const wait = options.wait ?? sleep;

  // The bucket starts with one token: the first send goes at once, the rest are paced.
  let tokens = 1;
  let last = now();
  let taken = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const refill = (): void => {
    const t = now();
    if (t > last) tokens = Math.min(burst, tokens + ((t - last) * perSecond) / 1000);
    last = Math.max(last, t);
  };

  const one = async (signal: AbortSignal | undefined): Promise<boolean> => {
    for (;;) {
      if (signal?.aborted) return false;
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        taken += 1;
        return true;
      }
      await wait(Math.max(1, Math.ceil(((1 - tokens) * 1000) / perSecond)), signal);
    }
  };

  return {
    perSecond,
    burst,
    get taken() {
      return taken;
    },
    take(signal) {
      const turn = queue.then(() => one(signal));
      // A wait that rejects fails its own take only, never the ones queued behind it.
      queue = turn.catch(() => false);
      return turn;
    },
  };
}
