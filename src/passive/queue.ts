/**
 * Identifications waiting and running (the clock injected): one host at most once at a time,
 * `concurrency` hosts at once, `maxPending` hosts waiting (more are dropped and counted), and
 * per host:
 *
 * - a settle delay before it starts (`settleMs`), so the announcements a booting device sends
 *   over several protocols at once go into one identification;
 * - a cool-down after it ends (`cooldownMs`): asked again sooner, it waits for the cool-down
 *   (`deferred`); asked while it runs, it runs once more after the cool-down (`joined`);
 * - `hold()` keeps everything waiting (a sweep runs: it identifies every host anyway) and
 *   `release(keep)` lets go what `keep` still wants.
 */
export interface Timers {
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

export type RequestOutcome = 'queued' | 'joined' | 'deferred' | 'full';

export interface IdentifyQueueOptions {
  concurrency: number;
  maxPending: number;
  settleMs: number;
  cooldownMs: number;
  clock: Timers;
  /** The identification of one host (never concurrent for one key). A rejection is the caller's to log. */
  run(key: string): Promise<void>;
}

export interface IdentifyQueue {
  /** Asks for `key` to be identified; `settleMs` replaces the settle delay (an IPv6 host waits for its IPv4 twin). */
  request(key: string, options?: { settleMs?: number }): RequestOutcome;
  /** Forgets a waiting request (a goodbye came first). */
  cancel(key: string): void;
  running(key: string): boolean;
  waitingFor(key: string): boolean;
  hold(): void;
  release(keep: (key: string) => boolean): void;
  /** Hosts waiting, and identifications running. */
  readonly waiting: number;
  readonly active: number;
  /** No more starts; resolves once the running ones ended. */
  stop(): Promise<void>;
  /** Resolves when nothing waits or runs (tests). */
  idle(): Promise<void>;
}

interface Waiting {
  ready: boolean;
  cancel: (() => void) | undefined;
}

export function createIdentifyQueue(options: IdentifyQueueOptions): IdentifyQueue {
  const { clock } = options;
  const waiting = new Map<string, Waiting>();
  const ready: string[] = [];
  const active = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const lastDone = new Map<string, number>();
  let held = false;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];

  const checkIdle = (): void => {
    if (waiting.size > 0 || active.size > 0) return;
    const w = idleWaiters;
    idleWaiters = [];
    for (const resolve of w) resolve();
  };

  const pump = (): void => {
    while (!held && !stopped && active.size < options.concurrency && ready.length > 0) {
      const key = ready.shift()!;
      const w = waiting.get(key);
      if (w === undefined || !w.ready) continue;
      waiting.delete(key);
      start(key);
    }
    checkIdle();
  };

  const start = (key: string): void => {
    const job = Promise.resolve()
      .then(() => options.run(key))
      .catch(() => undefined)
      .finally(() => {
        active.delete(key);
        lastDone.set(key, clock.now());
        if (lastDone.size > 4 * options.maxPending + 1024) prune();
        if (again.delete(key) && !stopped) enqueue(key, options.cooldownMs);
        pump();
      });
    active.set(key, job);
  };

  const prune = (): void => {
    const cutoff = clock.now() - options.cooldownMs;
    for (const [key, at] of lastDone) if (at < cutoff) lastDone.delete(key);
  };

  const enqueue = (key: string, waitMs: number): boolean => {
    if (waiting.size >= options.maxPending) return false;
    const w: Waiting = { ready: false, cancel: undefined };
    waiting.set(key, w);
    w.cancel = clock.setTimer(() => {
      w.cancel = undefined;
      if (waiting.get(key) !== w) return;
      w.ready = true;
      ready.push(key);
      pump();
    }, waitMs);
    return true;
  };

  function cancel(key: string): void {
    again.delete(key);
    const w = waiting.get(key);
    if (w === undefined) return;
    w.cancel?.();
    waiting.delete(key);
    const at = w.ready ? ready.indexOf(key) : -1;
    if (at >= 0) ready.splice(at, 1);
    checkIdle();
  }

  return {
    request(key, opts = {}) {
      if (stopped) return 'full';
      if (active.has(key)) {
        again.add(key);
        return 'joined';
      }
      if (waiting.has(key)) return 'joined';
      const settle = opts.settleMs ?? options.settleMs;
      const done = lastDone.get(key);
      const cooling = done === undefined ? 0 : done + options.cooldownMs - clock.now();
      if (!enqueue(key, Math.max(settle, cooling))) return 'full';
      return cooling > settle ? 'deferred' : 'queued';
    },
    cancel,
    running: (key) => active.has(key),
    waitingFor: (key) => waiting.has(key),
    hold() {
      held = true;
    },
    release(keep) {
      held = false;
      for (const key of [...waiting.keys()]) if (!keep(key)) cancel(key);
      pump();
    },
    get waiting() {
      return waiting.size;
    },
    get active() {
      return active.size;
    },
    async stop() {
      stopped = true;
      for (const w of waiting.values()) w.cancel?.();
      waiting.clear();
      again.clear();
      await Promise.all(active.values());
      checkIdle();
    },
    idle() {
      if (waiting.size === 0 && active.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
