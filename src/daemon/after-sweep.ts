import { createAfterSweep, logChanges, type AfterSweep } from '../agent/after-sweep.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import type { ReportConfig } from '../report/config.ts';
import type { Logger } from '../util/log.ts';
import type { Clock } from './clock.ts';
import { STATUSES, type DaemonMetrics } from './metrics.ts';
import type { DaemonStores } from './stores.ts';

/**
 * What follows a sweep, or an identification between sweeps, in the daemon: the one pipeline
 * (src/agent/after-sweep.ts) with the daemon's policies. The stores stay open; a failure is
 * logged and counted and the rest goes on (the next sweep tries again); every change event is
 * logged (module `events`; a new restricted device is a warning) and counted, and the
 * inventory gauge follows; the report carries the events. Delivery is the caller's: a kick to
 * the background worker, urgent when the outcome says so.
 */
export function daemonAfterSweep(options: { stores: DaemonStores; metrics: DaemonMetrics; report: () => ReportConfig; log: Logger; clock: Clock }): AfterSweep {
  const { stores, metrics } = options;
  const log = options.log.child({ module: 'daemon' });
  const eventLog = options.log.child({ module: 'events' });

  /** The inventory's devices by status, for the gauge. */
  const countInventory = (): void => {
    try {
      const counts = new Map(STATUSES.map((s) => [s, 0]));
      for (const d of stores.inventory().devices()) counts.set(d.latest.verdict.status, (counts.get(d.latest.verdict.status) ?? 0) + 1);
      for (const [status, n] of counts) metrics.inventoryDevices.set(n, { status });
    } catch (err) {
      metrics.errors.inc({ stage: 'inventory' });
      log.error({ error: { code: errorCode(err), message: errorMessage(err) } }, 'cannot read the inventory');
    }
  };

  return createAfterSweep({
    log: options.log,
    strict: false,
    inventory: { use: async (fn) => fn(stores.inventory()) },
    onChanges: (events) => {
      for (const e of events) metrics.events.inc({ type: e.type });
      logChanges(events, eventLog, { every: true });
      countInventory();
    },
    report: {
      config: options.report,
      outbox: {
        use: async (fn) => {
          const box = stores.outbox();
          if (box === null) throw new Error('the outbox is closed');
          return fn(box);
        },
      },
      withEvents: true,
    },
    onFailure: (stage) => metrics.errors.inc({ stage }),
    now: () => options.clock.now(),
  });
}
