import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/util/limit.ts';

describe('createLimiter', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    const limiter = createLimiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.pending).toBe(0);
  });

  it('a failing task frees its slot and rejects only its own promise', async () => {
    const limiter = createLimiter(1);
    const failed = limiter.run(() => Promise.reject(new Error('boom')));
    const ok = limiter.run(() => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('boom');
    await expect(ok).resolves.toBe('ok');
  });
});
