import { describe, expect, it } from 'vitest';
import { capErrorsPerSource, createErrorLog, MAX_ERRORS_PER_SOURCE } from '../../../src/domain/error-log.ts';
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

describe('createErrorLog', () => {
  it('keeps one record of a problem repeated by the same host, and the first maxErrors distinct ones', () => {
    const log = createErrorLog({ maxErrors: 2 });
    log.record(err('10.0.0.1', 1));
    log.record(err('10.0.0.1', 1));
    log.record(err('10.0.0.2', 1));
    log.record(err('10.0.0.3', 1));
    log.record(err('10.0.0.4', 1));
    expect(log.size).toBe(2);
    expect(log.close([{ code: 'SWEEP_HOST_LIMIT', message: 'cut' }]).map((e) => [e.code, e.ip ?? null, e.message])).toEqual([
      ['WSD_INVALID', '10.0.0.1', 'junk 1'],
      ['WSD_INVALID', '10.0.0.2', 'junk 1'],
      ['SWEEP_HOST_LIMIT', null, 'cut'],
      ['SWEEP_ERROR_LIMIT', null, '2 further errors were not kept'],
    ]);
  });
});
