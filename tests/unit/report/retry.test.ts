import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyStatus, MAX_RETRY_AFTER_MS, nextDelay, parseHttpDate, parseRetryAfter } from '../../../src/report/retry.ts';

const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);

describe('classifyStatus', () => {
  it.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [599, 'retry'],
    [413, 'too-large'],
    [400, 'dead'],
    [401, 'dead'],
    [403, 'dead'],
    [404, 'dead'],
    [409, 'dead'],
    [415, 'dead'],
    [422, 'dead'],
    [301, 'dead'],
    [302, 'dead'],
  ])('HTTP %i -> %s', (status, kind) => {
    expect(classifyStatus(status, false).kind).toBe(kind);
  });

  it('415 to a gzip body means: resend uncompressed', () => {
    expect(classifyStatus(415, true).kind).toBe('no-gzip');
  });
});

describe('backoffDelay', () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };

  it('doubles per failure between half and all of the step (equal jitter)', () => {
    for (const [failures, step] of [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [6, 32_000]] as const) {
      expect(backoffDelay(failures, opts, () => 0)).toBe(step / 2);
      expect(backoffDelay(failures, opts, () => 1)).toBe(step);
      expect(backoffDelay(failures, opts, () => 0.5)).toBe((step * 3) / 4);
    }
  });

  it('is capped at max, even after a great many failures', () => {
    expect(backoffDelay(7, opts, () => 1)).toBe(60_000);
    expect(backoffDelay(10_000, opts, () => 1)).toBe(60_000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(30_000);
  });

  it('spreads agents that fail together (real randomness)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, opts)));
    expect(delays.size).toBeGreaterThan(25);
    for (const d of delays) expect(d >= 8000 && d <= 16_000).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', NOW)).toBe(5000);
  });

  it('reads an IMF-fixdate, and the obsolete RFC 850 and asctime forms (all GMT)', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thursday, 26-Nov-26 10:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu Nov 26 10:01:30 2026', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu Nov  6 10:01:30 2026', Date.UTC(2026, 10, 6, 10, 0, 0))).toBe(90_000);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
  });

  it('treats a date in the past as "now", and caps long waits', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 26 Nov 2027 10:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores what it cannot read', () => {
    for (const bad of [undefined, '', '-5', '1.5', 'soon', 'Thu, 26 Nov 2026 10:01:30', 'Thu, 26 Foo 2026 10:01:30 GMT', 'Thu, 36 Nov 2026 10:01:30 GMT', '1'.repeat(20)]) {
      expect(parseRetryAfter(bad, NOW)).toBeUndefined();
    }
  });

  it('nextDelay prefers the endpoint Retry-After over the backoff', () => {
    const opts = { baseMs: 1000, maxMs: 60_000 };
    expect(nextDelay(3, 7000, opts, () => 0)).toBe(7000);
    expect(nextDelay(3, 0, opts, () => 0)).toBe(0);
    expect(nextDelay(3, undefined, opts, () => 0)).toBe(2000);
  });
});
