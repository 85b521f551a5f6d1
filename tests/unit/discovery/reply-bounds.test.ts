import { describe, expect, it } from 'vitest';
import { capErrorsPerSource, MAX_ERRORS_PER_SOURCE, seenOnce } from '../../../src/discovery/reply-bounds.ts';
import type { SweepError } from '../../../src/domain/types.ts';

const err = (ip: string, n: number): SweepError => ({ code: 'WSD_INVALID', message: `junk ${n}`, ip });

describe('capErrorsPerSource', () => {
  it('records at most MAX_ERRORS_PER_SOURCE errors of one source, counting the rest as capped', () => {
    const recorded: SweepError[] = [];
    const capped: SweepError[] = [];
    const sink = capErrorsPerSource({ record: (e) => recorded.push(e), onCapped: (e) => capped.push(e) });
    for (let i = 0; i < 10; i += 1) sink('10.0.0.1', err('10.0.0.1', i));
    sink('10.0.0.2', err('10.0.0.2', 0));
    expect(recorded.map((e) => [e.ip, e.message])).toEqual([
      ...Array.from({ length: MAX_ERRORS_PER_SOURCE }, (_, i) => ['10.0.0.1', `junk ${i}`]),
      ['10.0.0.2', 'junk 0'],
    ]);
    expect(capped).toHaveLength(10 - MAX_ERRORS_PER_SOURCE);
  });

  it('tracks a bounded number of sources: errors from sources beyond them are not recorded', () => {
    const recorded: SweepError[] = [];
    const sink = capErrorsPerSource({ record: (e) => recorded.push(e), perSource: 1, maxSources: 3 });
    for (let i = 0; i < 10; i += 1) sink(`10.0.0.${i}`, err(`10.0.0.${i}`, i));
    sink('10.0.0.1', err('10.0.0.1', 99));
    expect(recorded.map((e) => e.ip)).toEqual(['10.0.0.0', '10.0.0.1', '10.0.0.2']);
  });
});

describe('seenOnce', () => {
  it('recognises repeats while it has room, and forgets nothing it kept', () => {
    const firstTime = seenOnce(2);
    expect(['a', 'a', 'b', 'c', 'c', 'a', 'b'].map(firstTime)).toEqual([true, false, true, true, true, false, false]);
  });
});
