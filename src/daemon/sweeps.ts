import type { AfterSweep } from '../agent/after-sweep.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import type { SweepResult } from '../domain/types.ts';
import type { IdentifyRequest } from '../agent/sweeper.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import type { Identification } from '../sweep/identify.ts';
import type { Logger } from '../util/log.ts';
import type { Clock } from './clock.ts';
import type { DaemonMetrics } from './metrics.ts';
import type { SweepTrigger } from './scheduler.ts';

/** What the daemon needs from a sweeper (src/agent/sweeper.ts). */
export interface SweepRunner {
  run(): Promise<SweepResult>;
  /** One announced host identified between sweeps; without it (and `interfaces`) the daemon does not listen. */
  identify?(request: IdentifyRequest): Identification;
  /** The interfaces a sweep would probe now. */
  interfaces?(): NetInterface[];
}

/** The sweeps' state, for /healthz. */
export interface SweepStatus {
  runningSinceMs: number | null;
  lastSuccessMs: number | null;
  lastFinishedMs: number | null;
  lastError: string | null;
}

export interface DaemonSweeps {
  /** One sweep now (the scheduler's trigger): run, counted, then what follows it. Null when it failed or was abandoned. */
  run(trigger: SweepTrigger): Promise<SweepResult | null>;
  readonly status: SweepStatus;
}

export interface DaemonSweepsOptions {
  /** The sweeper in force (a reload replaces it). */
  sweeper(): SweepRunner;
  /** True once the daemon stopped: a sweep that finishes later is not recorded. */
  closed(): boolean;
  afterSweep: AfterSweep;
  /** After a recorded sweep's report is queued: `urgent` for a new restricted device. */
  kick(urgent: boolean): void;
  /** Told when a sweep starts, and once it ended and what follows it is done (null: it failed or was abandoned). */
  starting?(): void;
  ended?(result: SweepResult | null): Promise<void>;
  metrics: DaemonMetrics;
  clock: Clock;
  log: Logger;
}

export function createDaemonSweeps(options: DaemonSweepsOptions): DaemonSweeps {
  const { clock, metrics, log } = options;
  const status: SweepStatus = { runningSinceMs: null, lastSuccessMs: null, lastFinishedMs: null, lastError: null };
  return {
    status,
    async run(trigger) {
      options.starting?.();
      const result = await sweep(trigger);
      await options.ended?.(result);
      return result;
    },
  };

  async function sweep(trigger: SweepTrigger): Promise<SweepResult | null> {
    const current = options.sweeper();
    status.runningSinceMs = trigger.startedMs;
    log.info({ sweep: { reason: trigger.reason, slot: trigger.slotMs === null ? null : new Date(trigger.slotMs).toISOString(), lateMs: trigger.slotMs === null ? 0 : trigger.startedMs - trigger.slotMs } }, 'sweep starting');
    let result: SweepResult | null = null;
    try {
      result = await current.run();
    } catch (err) {
      status.lastError = `${errorCode(err)}: ${errorMessage(err)}`;
      metrics.errors.inc({ stage: 'sweep' });
      log.error({ error: { code: errorCode(err), message: errorMessage(err) } }, 'sweep failed');
    }
    const finished = clock.now();
    status.runningSinceMs = null;
    if (options.closed()) {
      log.warn({ sweep: { id: result?.id ?? null } }, 'a sweep abandoned at shutdown finished late: not recorded');
      return null;
    }
    status.lastFinishedMs = finished;
    metrics.sweepDone(result, finished - trigger.startedMs, finished);
    if (result === null) return null;
    status.lastSuccessMs = finished;
    status.lastError = null;
    const after = await options.afterSweep({ result, scope: 'sweep' });
    // A new restricted device's report goes at once, whatever backoff is in progress.
    options.kick(after.queued !== null && after.urgent);
    log.info({ sweep: { id: result.id, devices: result.devices.length, errors: result.errors.length, ms: finished - trigger.startedMs } }, 'sweep done');
    return result;
  }
}
