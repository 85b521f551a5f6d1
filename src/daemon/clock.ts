/**
 * Time for the daemon, behind an interface so the scheduler and the lifecycle can be tested
 * on a virtual clock (tests/unit/daemon/helpers.ts). Wall-clock milliseconds: cron schedules
 * are about the calendar.
 */
export interface Clock {
  now(): number;
  /**
   * Calls `fn` after `ms`; returns a function that cancels it. `unref`: the timer does not keep
   * the process alive (the hard-exit timer: it must fire only if something else does).
   */
  setTimer(fn: () => void, ms: number, options?: { unref?: boolean }): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms, options = {}) {
    const timer = setTimeout(fn, Math.max(0, ms));
    if (options.unref === true) timer.unref();
    return () => clearTimeout(timer);
  },
};
