import type { Logger } from '../util/log.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Clock } from './clock.ts';
import type { Schedule } from './schedule.ts';

/**
 * Starts sweeps at the schedule's slots (plus jitter) and never lets two overlap: a slot that
 * comes while a sweep still runs is skipped and logged, not queued, so a slow network cannot
 * pile sweeps up. Timers wait at most `maxWaitMs` and then look at the clock again, so a clock
 * change or a suspended host is noticed within that time; slots missed while suspended are not
 * made up (one sweep runs on waking, then the schedule goes on).
 */

export type TriggerReason = 'start' | 'schedule' | 'manual';

export interface SweepTrigger {
  reason: TriggerReason;
  /** The slot the sweep belongs to (ms since the epoch); null for start and manual sweeps. */
  slotMs: number | null;
  /** When it actually started. */
  startedMs: number;
}

export interface SchedulerOptions {
  schedule: Schedule;
  jitterMs: number;
  clock: Clock;
  log: Logger;
  /** Runs one sweep. Its failures are its own business; a rejection is only logged here. */
  run: (trigger: SweepTrigger) => Promise<void>;
  /** Told about every skipped slot (metrics). */
  onSkipped?: (slotMs: number) => void;
  random?: () => number;
  /** Longest single timer (default 60 s). */
  maxWaitMs?: number;
}

export interface Scheduler {
  /** Arms the schedule; with runAtStart, a sweep starts at once. */
  start(runAtStart: boolean): void;
  /** No further sweeps start; a running one is not touched (see `current`). */
  stop(): void;
  /** A new schedule (after a reload); the next slot is computed from now. */
  setSchedule(schedule: Schedule, jitterMs: number): void;
  /** Starts a sweep now unless one runs; false when it was skipped. */
  trigger(reason: TriggerReason): boolean;
  readonly busy: boolean;
  /** The running sweep, to wait for on shutdown. */
  readonly current: Promise<void> | null;
  /** When the next scheduled sweep starts (jitter included), or null. */
  readonly nextAt: number | null;
  readonly skipped: number;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock } = options;
  const log = options.log.child({ module: 'scheduler' });
  const random = options.random ?? Math.random;
  const maxWait = options.maxWaitMs ?? 60_000;
  let schedule = options.schedule;
  let jitterMs = options.jitterMs;
  let pending: { slot: number; fireAt: number } | null = null;
  let lastSlot = Number.NEGATIVE_INFINITY;
  let cancel: (() => void) | undefined;
  let stopped = true;
  let current: Promise<void> | null = null;
  let runningSince = 0;
  let skipped = 0;

  const fire = (reason: TriggerReason, slotMs: number | null): boolean => {
    const now = clock.now();
    if (current !== null) {
      skipped += 1;
      log.warn(
        { sweep: { reason, slot: slotMs === null ? null : new Date(slotMs).toISOString(), runningSince: new Date(runningSince).toISOString(), runningForMs: now - runningSince } },
        'sweep skipped: the previous sweep is still running',
      );
      if (slotMs !== null) options.onSkipped?.(slotMs);
      return false;
    }
    runningSince = now;
    const trigger: SweepTrigger = { reason, slotMs, startedMs: now };
    const run = Promise.resolve()
      .then(() => options.run(trigger))
      .catch((err: unknown) => log.error({ error: { message: errorMessage(err) } }, 'sweep run failed'))
      .finally(() => {
        if (current === run) current = null;
      });
    current = run;
    return true;
  };

  const arm = (): void => {
    cancel?.();
    cancel = undefined;
    if (stopped) return;
    const now = clock.now();
    if (pending === null) {
      const slot = schedule.nextSlot(Math.max(lastSlot, now));
      if (slot === null) {
        log.warn({ schedule: schedule.describe() }, 'the schedule has no further slot: no more scheduled sweeps');
        return;
      }
      pending = { slot, fireAt: slot + Math.round(random() * jitterMs) };
    }
    cancel = clock.setTimer(onTimer, Math.min(Math.max(pending.fireAt - now, 0), maxWait));
  };

  const onTimer = (): void => {
    cancel = undefined;
    if (stopped || pending === null) return;
    if (clock.now() < pending.fireAt) {
      arm();
      return;
    }
    const { slot } = pending;
    pending = null;
    lastSlot = slot;
    fire('schedule', slot);
    arm();
  };

  return {
    start(runAtStart) {
      if (!stopped) return;
      stopped = false;
      if (runAtStart) fire('start', null);
      arm();
    },
    stop() {
      stopped = true;
      pending = null;
      cancel?.();
      cancel = undefined;
    },
    setSchedule(next, jitter) {
      schedule = next;
      jitterMs = jitter;
      pending = null;
      lastSlot = Number.NEGATIVE_INFINITY;
      arm();
    },
    trigger(reason) {
      return fire(reason, null);
    },
    get busy() {
      return current !== null;
    },
    get current() {
      return current;
    },
    get nextAt() {
      return pending?.fireAt ?? null;
    },
    get skipped() {
      return skipped;
    },
  };
}
