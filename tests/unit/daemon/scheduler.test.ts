import { describe, expect, it } from 'vitest';
import { createSchedule } from '../../../src/daemon/schedule.ts';
import { createScheduler, type SweepTrigger } from '../../../src/daemon/scheduler.ts';
import type { ScheduleSpec } from '../../../src/daemon/config.ts';
import { FakeClock, captureLog } from './helpers.ts';

const S = 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A scheduler whose sweeps take `sweepMs` of virtual time; returns what started when. */
function harness(spec: ScheduleSpec, opts: { sweepMs?: number; random?: () => number; start?: string } = {}) {
  const clock = new FakeClock(opts.start);
  const { log, lines } = captureLog();
  const started: SweepTrigger[] = [];
  const skippedSlots: number[] = [];
  let sweepMs = opts.sweepMs ?? 1 * S;
  const scheduler = createScheduler({
    schedule: createSchedule(spec, clock.now()),
    jitterMs: spec.jitterMs,
    clock,
    log,
    random: opts.random ?? (() => 0),
    run: (trigger) => {
      started.push(trigger);
      return new Promise<void>((resolve) => clock.setTimer(resolve, sweepMs));
    },
    onSkipped: (slot) => skippedSlots.push(slot),
  });
  return {
    clock,
    lines,
    started,
    skippedSlots,
    scheduler,
    setSweepMs: (ms: number) => {
      sweepMs = ms;
    },
  };
}

describe('schedule', () => {
  it('interval slots are a grid from the anchor: no drift, strictly after the time asked', () => {
    const s = createSchedule({ kind: 'interval', intervalMs: 300 * S, jitterMs: 0, runAtStart: false }, 0);
    expect(s.nextSlot(0)).toBe(300 * S);
    expect(s.nextSlot(299 * S)).toBe(300 * S);
    expect(s.nextSlot(300 * S)).toBe(600 * S);
    expect(s.nextSlot(1000 * S)).toBe(1200 * S);
    expect(s.periodMs(0)).toBe(300 * S);
    expect(s.describe()).toBe('every 300 s');
  });

  it('cron slots are read in the configured time zone, across a DST change', () => {
    const ny = createSchedule({ kind: 'cron', cron: '0 9 * * *', timezone: 'America/New_York', jitterMs: 0, runAtStart: false }, 0);
    expect(iso(ny.nextSlot(Date.parse('2026-01-15T00:00:00Z'))!)).toBe('2026-01-15T14:00:00.000Z'); // EST, UTC-5
    expect(iso(ny.nextSlot(Date.parse('2026-07-15T00:00:00Z'))!)).toBe('2026-07-15T13:00:00.000Z'); // EDT, UTC-4
    const utc = createSchedule({ kind: 'cron', cron: '0 9 * * *', timezone: 'UTC', jitterMs: 0, runAtStart: false }, 0);
    expect(iso(utc.nextSlot(Date.parse('2026-01-15T00:00:00Z'))!)).toBe('2026-01-15T09:00:00.000Z');
    // 02:30 does not exist in Paris on 2026-03-29 (02:00 -> 03:00): the job runs at the first valid time after the gap.
    const paris = createSchedule({ kind: 'cron', cron: '30 2 * * *', timezone: 'Europe/Paris', jitterMs: 0, runAtStart: false }, 0);
    expect(iso(paris.nextSlot(Date.parse('2026-03-28T12:00:00Z'))!)).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(paris.nextSlot(Date.parse('2026-03-29T12:00:00Z'))!)).toBe('2026-03-30T00:30:00.000Z');
    expect(paris.periodMs(Date.parse('2026-01-10T12:00:00Z'))).toBe(86_400 * S);
    expect(paris.describe()).toBe('cron 30 2 * * * (Europe/Paris)');
  });
});

describe('scheduler', () => {
  it('interval: a sweep at start when asked, then one per interval from the start', async () => {
    const h = harness({ kind: 'interval', intervalMs: 10 * S, jitterMs: 0, runAtStart: true });
    const t0 = h.clock.now();
    h.scheduler.start(true);
    await h.clock.advance(35 * S);
    expect(h.started.map((t) => [t.reason, (t.startedMs - t0) / S])).toEqual([
      ['start', 0],
      ['schedule', 10],
      ['schedule', 20],
      ['schedule', 30],
    ]);
    expect(h.scheduler.nextAt).toBe(t0 + 40 * S);
  });

  it('interval without runAtStart: the first sweep waits one interval', async () => {
    const h = harness({ kind: 'interval', intervalMs: 10 * S, jitterMs: 0, runAtStart: false });
    h.scheduler.start(false);
    await h.clock.advance(9.999 * S);
    expect(h.started).toEqual([]);
    await h.clock.advance(0.001 * S);
    expect(h.started).toHaveLength(1);
  });

  it('jitter delays each slot by [0, jitter] and never moves the grid', async () => {
    const draws = [0, 0.999999, 0.5, 0.25, 1];
    let i = 0;
    const h = harness({ kind: 'interval', intervalMs: 10 * S, jitterMs: 4 * S, runAtStart: false }, { random: () => draws[i++ % draws.length]!, sweepMs: 100 });
    const t0 = h.clock.now();
    h.scheduler.start(false);
    await h.clock.advance(55 * S);
    const offsets = h.started.map((t) => t.startedMs - t0);
    expect(offsets).toEqual([10_000, 24_000, 32_000, 41_000, 54_000]);
    for (const t of h.started) {
      expect(t.startedMs - t.slotMs!).toBeGreaterThanOrEqual(0);
      expect(t.startedMs - t.slotMs!).toBeLessThanOrEqual(4 * S);
    }
    expect(h.started.map((t) => (t.slotMs! - t0) / S)).toEqual([10, 20, 30, 40, 50]);
  });

  it('jitter bounds hold over many random draws', async () => {
    const h = harness({ kind: 'interval', intervalMs: 10 * S, jitterMs: 3 * S, runAtStart: false }, { random: Math.random, sweepMs: 10 });
    h.scheduler.start(false);
    await h.clock.advance(2000 * S);
    expect(h.started.length).toBeGreaterThanOrEqual(199);
    const delays = h.started.map((t) => t.startedMs - t.slotMs!);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3 * S);
    // Spread, not all in one place.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(2 * S);
  });

  it('cron in a time zone: sweeps at the zone\'s wall-clock times', async () => {
    const h = harness({ kind: 'cron', cron: '0 9,17 * * *', timezone: 'Asia/Tokyo', jitterMs: 0, runAtStart: false }, { start: '2026-01-15T00:30:00Z' });
    h.scheduler.start(false);
    await h.clock.advance(36 * 3600 * S);
    // 09:00 and 17:00 JST (UTC+9) are 00:00 and 08:00 UTC.
    expect(h.started.map((t) => iso(t.startedMs))).toEqual(['2026-01-15T08:00:00.000Z', '2026-01-16T00:00:00.000Z', '2026-01-16T08:00:00.000Z']);
  });

  it('never overlaps: a slot that comes while a sweep runs is skipped and logged, and the schedule goes on', async () => {
    const h = harness({ kind: 'interval', intervalMs: 10 * S, jitterMs: 0, runAtStart: true }, { sweepMs: 25 * S });
    const t0 = h.clock.now();
    h.scheduler.start(true);
    await h.clock.advance(5 * S);
    expect(h.scheduler.busy).toBe(true);
    expect(h.scheduler.trigger('manual')).toBe(false);
    await h.clock.advance(30 * S);
    // start at 0 runs to 25: slots 10 and 20 skipped; 30 starts (runs to 55).
    expect(h.started.map((t) => [t.reason, (t.startedMs - t0) / S])).toEqual([
      ['start', 0],
      ['schedule', 30],
    ]);
    expect(h.skippedSlots.map((s) => (s - t0) / S)).toEqual([10, 20]);
    expect(h.scheduler.skipped).toBe(3);
    const skips = h.lines.filter((l) => l.msg === 'sweep skipped: the previous sweep is still running');
    expect(skips).toHaveLength(3);
    expect(skips[1]).toMatchObject({ level: 40, module: 'scheduler', sweep: { reason: 'schedule', slot: iso(t0 + 10 * S), runningSince: iso(t0), runningForMs: 10 * S } });
    h.setSweepMs(1 * S);
    await h.clock.advance(60 * S);
    expect(h.started.map((t) => (t.startedMs - t0) / S)).toEqual([0, 30, 60, 70, 80, 90]);
  });

  it('a sweep that rejects is logged and does not stop the schedule', async () => {
    const clock = new FakeClock();
    const { log, lines } = captureLog();
    let runs = 0;
    const scheduler = createScheduler({
      schedule: createSchedule({ kind: 'interval', intervalMs: 10 * S, jitterMs: 0, runAtStart: true }, clock.now()),
      jitterMs: 0,
      clock,
      log,
      run: () => {
        runs += 1;
        return Promise.reject(new Error('boom'));
      },
    });
    scheduler.start(true);
    await clock.advance(20 * S);
    expect(runs).toBe(3);
    expect(lines.filter((l) => l.msg === 'sweep run failed')).toHaveLength(3);
    expect(scheduler.busy).toBe(false);
  });

  it('stop() starts nothing more and leaves no timer; setSchedule re-plans from now', async () => {
    const h = harness({ kind: 'interval', intervalMs: 10 * S, jitterMs: 0, runAtStart: false });
    const t0 = h.clock.now();
    h.scheduler.start(false);
    await h.clock.advance(15 * S);
    h.scheduler.setSchedule(createSchedule({ kind: 'interval', intervalMs: 4 * S, jitterMs: 0, runAtStart: false }, h.clock.now()), 0);
    await h.clock.advance(9 * S);
    expect(h.started.map((t) => (t.startedMs - t0) / S)).toEqual([10, 19, 23]);
    h.scheduler.stop();
    await h.clock.advance(100 * S);
    expect(h.started).toHaveLength(3);
    expect(h.clock.pendingTimers).toBe(0);
    expect(h.scheduler.nextAt).toBeNull();
  });

  it('long waits are cut into short timers, so a clock jump is noticed; a suspended host sweeps once on waking', async () => {
    const h = harness({ kind: 'interval', intervalMs: 3600 * S, jitterMs: 0, runAtStart: false });
    const t0 = h.clock.now();
    h.scheduler.start(false);
    await h.clock.advance(30 * S);
    h.clock.jump(5 * 3600 * S); // suspended for 5 hours: slots 1-5 passed while asleep
    await h.clock.advance(60 * S);
    expect(h.started.map((t) => (t.slotMs! - t0) / 3600 / S)).toEqual([1]);
    expect(h.scheduler.nextAt).toBe(t0 + 6 * 3600 * S);
  });
});
