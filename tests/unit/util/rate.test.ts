import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/util/rate.ts';

/** A fake clock: waiting advances it, nothing really sleeps. */
function fakeClock(): { now: () => number; wait: (ms: number, signal?: AbortSignal) => Promise<void>; waits: number[] } {
  let t = 1000;
  const waits: number[] = [];
  return {
    now: () => t,
    waits,
    wait: async (ms) => {
      waits.push(ms);
      t += ms;
    },
  };
}

describe('createRateLimiter', () => {
  it('hands out tokens at the rate: 100/s means 200 tokens take about 2 s of (fake) time', async () => {
    const clock = fakeClock();
    const rate = createRateLimiter({ perSecond: 100, now: clock.now, wait: clock.wait });
    expect(rate.burst).toBe(5);
    const start = clock.now();
    const times: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      expect(await rate.take()).toBe(true);
      times.push(clock.now());
    }
    expect(rate.taken).toBe(200);
    // The first token is there at once; every later one costs 10 ms.
    expect(clock.now() - start).toBeGreaterThanOrEqual(1990);
    expect(clock.now() - start).toBeLessThanOrEqual(2000);
    // No window of 1 s ever holds more than rate + burst tokens.
    for (let i = 0; i < times.length; i += 1) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(105);
    }
  });

  it('saves up at most `burst` tokens while idle', async () => {
    const clock = fakeClock();
    const rate = createRateLimiter({ perSecond: 10, burst: 3, now: clock.now, wait: clock.wait });
    await rate.take();
    await clock.wait(60_000);
    clock.waits.length = 0;
    for (let i = 0; i < 3; i += 1) await rate.take();
    expect(clock.waits).toEqual([]);
    await rate.take();
    expect(clock.waits).toEqual([100]);
  });

  it('serves callers in order, each waiting its turn', async () => {
    const clock = fakeClock();
    const rate = createRateLimiter({ perSecond: 50, burst: 1, now: clock.now, wait: clock.wait });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((n) => rate.take().then(() => order.push(n))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(clock.waits).toEqual([20, 20, 20, 20]);
  });

  it('returns false once the signal aborts, for the waiting caller and the ones queued behind it', async () => {
    const controller = new AbortController();
    const rate = createRateLimiter({ perSecond: 1, burst: 1 });
    expect(await rate.take(controller.signal)).toBe(true);
    const t0 = performance.now();
    const pending = [rate.take(controller.signal), rate.take(controller.signal)];
    setTimeout(() => controller.abort(), 30);
    expect(await Promise.all(pending)).toEqual([false, false]);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(rate.taken).toBe(1);
  });

  it('a wait that rejects fails only its own take', async () => {
    let fail = true;
    let t = 0;
    const rate = createRateLimiter({
      perSecond: 10,
      burst: 1,
      now: () => t,
      wait: async (ms) => {
        if (fail) {
          fail = false;
          throw new Error('timer broke');
        }
        t += ms;
      },
    });
    await rate.take();
    await expect(rate.take()).rejects.toThrow('timer broke');
    expect(await rate.take()).toBe(true);
  });

  it('paces real time too: 20 tokens at 200/s take about 100 ms', async () => {
    const rate = createRateLimiter({ perSecond: 200, burst: 1 });
    const t0 = performance.now();
    for (let i = 0; i < 20; i += 1) await rate.take();
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(90);
    // Not stuck: the upper bound is far from the ~100 ms it takes (a loaded machine stalls timers).
    expect(ms).toBeLessThan(2000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a rate of %s', (perSecond) => {
    expect(() => createRateLimiter({ perSecond })).toThrow(RangeError);
  });
});
