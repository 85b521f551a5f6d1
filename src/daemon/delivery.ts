import type { Logger } from '../util/log.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import type { ReportConfig } from '../report/config.ts';
import type { DeliveryDeps, DeliveryStats } from '../report/deliver.ts';
import type { Outbox } from '../report/outbox.ts';
import type { Clock } from './clock.ts';

/**
 * The daemon's side of delivery: one background loop over the outbox at a time (deliverOutbox
 * with no deadline: it retries with backoff until the outbox is empty). A kick while it runs
 * makes it look again when it finishes; an urgent kick (a new restricted device) aborts a loop
 * that is waiting out a backoff and starts a fresh one, so that report is tried at once. At
 * shutdown, `flush` stops the loop and makes one bounded attempt at what is due.
 */

export type Deliver = (cfg: ReportConfig, deps: DeliveryDeps) => Promise<DeliveryStats>;

export interface DeliveryWorkerOptions {
  /** The report settings in force (they change on reload). */
  config: () => ReportConfig;
  outbox: Outbox;
  log: Logger;
  deliver: Deliver;
  clock: Clock;
  /** Extra dependencies for deliverOutbox (transport, clock) in tests. */
  deps?: Omit<DeliveryDeps, 'log' | 'outbox' | 'signal' | 'deadlineMs'>;
  onStats?: (stats: DeliveryStats) => void;
  onError?: (err: unknown) => void;
}

export interface DeliveryWorker {
  /** Deliver what is queued; `urgent`: do not wait out a backoff in progress. */
  kick(urgent?: boolean): void;
  /**
   * Stops the background loop, then one attempt within `deadlineMs`: a request still in flight
   * at the deadline is aborted (it stays queued), so the flush itself is bounded.
   */
  flush(deadlineMs: number): Promise<DeliveryStats | null>;
  /** Stops the background loop (what is not delivered stays queued). */
  stop(): Promise<void>;
  readonly running: boolean;
}

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const log = options.log.child({ module: 'report' });
  let loop: Promise<void> | null = null;
  let controller: AbortController | null = null;
  let again = false;
  let stopped = false;

  const once = async (signal?: AbortSignal, deadlineMs?: number): Promise<DeliveryStats | null> => {
    const cfg = options.config();
    if (cfg.endpoint === null) return null;
    try {
      const stats = await options.deliver(cfg, {
        ...options.deps,
        log: options.log,
        outbox: options.outbox,
        ...(signal === undefined ? {} : { signal }),
        ...(deadlineMs === undefined ? {} : { deadlineMs }),
      });
      options.onStats?.(stats);
      return stats;
    } catch (err) {
      // The outbox itself failed (disk, database): what is queued stays; the next kick tries again.
      log.error({ error: { code: errorCode(err), message: errorMessage(err) } }, 'delivery failed; the reports stay in the outbox');
      options.onError?.(err);
      return null;
    }
  };

  const run = async (): Promise<void> => {
    do {
      again = false;
      controller = new AbortController();
      await once(controller.signal);
      controller = null;
    } while (again && !stopped);
  };

  const start = (): void => {
    loop = run().finally(() => {
      loop = null;
    });
  };

  return {
    kick(urgent = false) {
      if (stopped) return;
      if (loop === null) {
        start();
        return;
      }
      again = true;
      // Abort a loop that waits (backoff) so the urgent report goes now; `again` restarts it.
      if (urgent) controller?.abort();
    },
    async flush(deadlineMs) {
      stopped = true;
      controller?.abort();
      await loop;
      const bound = new AbortController();
      const cancel = options.clock.setTimer(() => bound.abort(), deadlineMs);
      try {
        return await once(bound.signal, deadlineMs);
      } finally {
        cancel();
      }
    },
    async stop() {
      stopped = true;
      controller?.abort();
      await loop;
    },
    get running() {
      return loop !== null;
    },
  };
}
