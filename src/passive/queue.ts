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
 *   `release(keep)` lets go what `keep` still wants;
 * - a priority per request: the highest ready one starts first, and when `maxPending` hosts
 *   wait, a request outranking the lowest waiting one takes its place (that one is dropped,
 *   `onEvict` told), so hosts that keep changing their identity (forged announcements) cannot
 *   crowd out a new device.
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
  /** A waiting host dropped for one that outranks it. */
  onEvict?(key: string): void;
  /**
   * The highest priority of a host waiting for its cool-down (identified moments ago, or asked
   * again while it was being identified): it yields to a host never identified. Default 0.
   */
  cooledPriority?: number;
}

export interface IdentifyQueue {
  /** Asks for `key` to be identified; `settleMs` replaces the settle delay (an IPv6 host waits for its IPv4 twin). */
  request(key: string, options?: { settleMs?: number; priority?: number }): RequestOutcome;
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
  priority: number;
  /** Waiting for its cool-down: its priority stays at most `cooledPriority`, however often it is asked. */
  cooling: boolean;
}

export function createIdentifyQueue(options: IdentifyQueueOptions): IdentifyQueue {
  const { clock } = options;
  const cooled = options.cooledPriority ?? 0;
  const waiting = new Map<string, Waiting>();
  const ready: string[] = [];
  const active = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const againPriority = new Map<string, number>();
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

  /** The ready host to start next: the highest priority, the longest ready among equals. */
  const next = (): string | undefined => {
    let best = -1;
    for (let i = 0; i < ready.length; i += 1) {
      const w = waiting.get(ready[i]!);
      if (w !== undefined && (best < 0 || w.priority > (waiting.get(ready[best]!)?.priority ?? -Infinity))) best = i;
    }
    return best < 0 ? undefined : ready.splice(best, 1)[0];
  };

  const pump = (): void => {
    while (!held && !stopped && active.size < options.concurrency && ready.length > 0) {
      const key = next();
      if (key === undefined) {
        ready.length = 0;
        break;
      }
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
        // No room for it any more: dropped as an evicted host is (its caller forgets what it gathered).
        if (again.delete(key) && !stopped && !enqueue(key, options.cooldownMs, Math.min(againPriority.get(key) ?? 0, cooled), true)) options.onEvict?.(key);
        againPriority.delete(key);
        pump();
      });
    active.set(key, job);
  };

  const prune = (): void => {
    const cutoff = clock.now() - options.cooldownMs;
    for (const [key, at] of lastDone) if (at < cutoff) lastDone.delete(key);
  };

  /** Room for one more waiting host of `priority`: free, or made by dropping a lower one. */
  const room = (priority: number): boolean => {
    if (waiting.size < options.maxPending) return true;
    let lowest: [string, Waiting] | undefined;
    for (const entry of waiting) if (lowest === undefined || entry[1].priority < lowest[1].priority) lowest = entry;
    if (lowest === undefined || lowest[1].priority >= priority) return false;
    cancel(lowest[0]);
    options.onEvict?.(lowest[0]);
    return true;
  };

  const enqueue = (key: string, waitMs: number, priority: number, cooling: boolean): boolean => {
    if (!room(priority)) return false;
    const w: Waiting = { ready: false, cancel: undefined, priority, cooling };
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
    againPriority.delete(key);
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
      const priority = opts.priority ?? 0;
      if (active.has(key)) {
        again.add(key);
        againPriority.set(key, Math.max(priority, againPriority.get(key) ?? priority));
        return 'joined';
      }
      const w = waiting.get(key);
      if (w !== undefined) {
        w.priority = Math.max(w.priority, w.cooling ? Math.min(priority, cooled) : priority);
        return 'joined';
      }
      const settle = opts.settleMs ?? options.settleMs;
      const done = lastDone.get(key);
      const cooling = done === undefined ? 0 : done + options.cooldownMs - clock.now();
      const deferred = cooling > settle;
      if (!enqueue(key, Math.max(settle, cooling), deferred ? Math.min(priority, cooled) : priority, deferred)) return 'full';
      return deferred ? 'deferred' : 'queued';
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
      againPriority.clear();
      await Promise.all(active.values());
      checkIdle();
    },
    idle() {
      if (waiting.size === 0 && active.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
