import { errorMessage } from '../../domain/errors.ts';
import { backoffDelay } from '../../report/retry.ts';
import type { Logger } from '../../util/log.ts';
import type { CentralEvent } from '../events.ts';
import type { CentralMetrics } from '../metrics.ts';
import type { CentralStore } from '../store/store.ts';
import type { Sink } from './sink.ts';

/**
 * Delivers the forwarding queue, like the agent's outbox delivers reports: events were
 * committed with the report or review that caused them (one row per sink and event key, so
 * nothing is queued twice, whichever process ingested it); each process claims due events
 * with a lease (another process skips them meanwhile; a process killed mid-send leaves them to
 * be claimed again when the lease runs out), sends them, and marks them delivered, or
 * reschedules them with exponential backoff and jitter, or, refused for good (or too old, or
 * tried too often), moves them to the dead letters. Delivery is at least once; every event
 * carries a stable id.
 */

export interface ForwarderOptions {
  store: CentralStore;
  sinks: readonly Sink[];
  log: Logger;
  metrics?: CentralMetrics;
  now?: () => number;
  /** How often the queue is polled when nothing wakes it (default 1 s). */
  pollMs?: number;
  leaseMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  maxAttempts?: number;
  maxAgeMs?: number;
  batch?: number;
  /** Start polling at once (default true); false: only runOnce() and wake() deliver (tests). */
  start?: boolean;
  /** How long delivered events stay in the queue (default 30 days), pruned about once an hour. */
  keepDeliveredMs?: number;
}

export interface Forwarder {
  /** Look at the queue now (a report was stored). */
  wake(): void;
  /** One pass over what is due; resolves with how many were handled. */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

export function startForwarder(o: ForwarderOptions): Forwarder {
  const log = o.log.child({ module: 'forward' });
  const now = o.now ?? Date.now;
  const sinks = new Map(o.sinks.map((s) => [s.id, s]));
  const ids = [...sinks.keys()];
  const leaseMs = o.leaseMs ?? 60_000;
  const backoff = o.backoff ?? { baseMs: 2000, maxMs: 10 * 60_000 };
  const maxAttempts = o.maxAttempts ?? 200;
  const maxAgeMs = o.maxAgeMs ?? 7 * 24 * 3600_000;
  const count = o.metrics?.counter('camsweep_central_forwarded_total', 'Forwarding attempts, by sink kind and outcome');
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<number> = Promise.resolve(0);
  let again = false;

  let lastPrune = 0;
  const runOnce = async (): Promise<number> => {
    if (ids.length === 0) return 0;
    if (now() - lastPrune > 3600_000) {
      lastPrune = now();
      const pruned = await o.store.pruneForward(now() - (o.keepDeliveredMs ?? 30 * 24 * 3600_000));
      if (pruned > 0) log.info({ forward: { pruned } }, 'delivered events pruned from the forwarding queue');
    }
    const items = await o.store.claimForward(ids, now(), leaseMs, o.batch ?? 50);
    for (const item of items) {
      const sink = sinks.get(item.sink);
      if (sink === undefined) continue;
      const kind = item.sink.split(':')[0] ?? 'sink';
      let event: CentralEvent;
      try {
        event = JSON.parse(item.body) as CentralEvent;
      } catch (err) {
        await o.store.forwardDead(item.id, now(), `unreadable event: ${errorMessage(err)}`);
        continue;
      }
      const result = await sink.send(event, item.body);
      const t = now();
      if (result.ok) {
        count?.({ sink: kind, outcome: 'delivered' });
        await o.store.forwardDelivered(item.id, t);
        continue;
      }
      const attempts = item.attempts + 1;
      if (!result.retry || attempts >= maxAttempts || t - item.createdAt > maxAgeMs) {
        count?.({ sink: kind, outcome: 'dead' });
        await o.store.forwardDead(item.id, t, result.error);
        log.error({ forward: { sink: item.sink, event: event.id, attempts, error: result.error } }, 'event moved to the forwarding dead letters');
        continue;
      }
      count?.({ sink: kind, outcome: 'retry' });
      await o.store.forwardRetry(item.id, t + backoffDelay(attempts, backoff), result.error);
      log.warn({ forward: { sink: item.sink, event: event.id, attempts, error: result.error } }, 'forwarding failed; will retry');
    }
    return items.length;
  };

  const loop = (): void => {
    if (!running) return;
    timer = undefined;
    pass = (async () => {
      let handled = 0;
      try {
        do {
          again = false;
          const n = await runOnce();
          handled += n;
          if (n >= (o.batch ?? 50)) again = true;
        } while (again && running);
      } catch (err) {
        log.error({ error: { message: errorMessage(err) } }, 'forwarding pass failed');
      }
      if (running) timer = setTimeout(loop, o.pollMs ?? 1000);
      return handled;
    })();
  };
  let started = o.start !== false;
  if (started) loop();

  return {
    wake() {
      if (!running) return;
      if (!started) {
        started = true;
        loop();
        return;
      }
      if (timer !== undefined) {
        clearTimeout(timer);
        loop();
      } else again = true;
    },
    runOnce,
    async close() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      await pass.catch(() => 0);
      for (const s of o.sinks) await s.close();
    },
  };
}
