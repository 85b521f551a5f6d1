import { Cron } from 'croner';
import type { ScheduleSpec } from './config.ts';

/**
 * When sweeps are due, as pure functions of time: the slots of a cron expression (in its time
 * zone, via croner) or of a fixed interval from the daemon's start. Jitter is added to a slot
 * by the scheduler, never to the grid, so a schedule does not drift.
 */
export interface Schedule {
  /** The first slot strictly after `afterMs` (ms since the epoch), or null when none is left. */
  nextSlot(afterMs: number): number | null;
  /** The gap between the two slots that follow `fromMs` (for health: when is a sweep overdue). */
  periodMs(fromMs: number): number;
  /** For logs: "every 300 s" or "cron 0 * * * * (Europe/Paris)". */
  describe(): string;
}

export function createSchedule(spec: ScheduleSpec, anchorMs: number): Schedule {
  if (spec.kind === 'interval') {
    const interval = spec.intervalMs;
    return {
      nextSlot(after) {
        const k = Math.max(1, Math.floor((after - anchorMs) / interval) + 1);
        return anchorMs + k * interval;
      },
      periodMs: () => interval,
      describe: () => `every ${interval / 1000} s${spec.jitterMs > 0 ? ` (+ up to ${spec.jitterMs / 1000} s jitter)` : ''}`,
    };
  }
  const job = new Cron(spec.cron, { paused: true, ...(spec.timezone === null ? {} : { timezone: spec.timezone }) });
  const nextSlot = (after: number): number | null => job.nextRun(new Date(after))?.getTime() ?? null;
  return {
    nextSlot,
    periodMs(from) {
      const a = nextSlot(from);
      const b = a === null ? null : nextSlot(a);
      return a === null || b === null ? Number.POSITIVE_INFINITY : b - a;
    },
    describe: () =>
      `cron ${spec.cron} (${spec.timezone ?? 'local time'})${spec.jitterMs > 0 ? ` (+ up to ${spec.jitterMs / 1000} s jitter)` : ''}`,
  };
}
