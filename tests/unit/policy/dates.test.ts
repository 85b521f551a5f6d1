import { describe, expect, it } from 'vitest';
import { datePeriod, isPolicyDate, ordered, windowPosition } from '../../../src/policy/dates.ts';

describe('policy dates', () => {
  it('a day, a month and a year each name their whole period', () => {
    expect(datePeriod('2022-11-23')).toEqual({ start: Date.UTC(2022, 10, 23), end: Date.UTC(2022, 10, 24) - 1 });
    expect(datePeriod('2023-02')).toEqual({ start: Date.UTC(2023, 1, 1), end: Date.UTC(2023, 2, 1) - 1 });
    expect(datePeriod('2018')).toEqual({ start: Date.UTC(2018, 0, 1), end: Date.UTC(2019, 0, 1) - 1 });
    expect(datePeriod('2024-02-29')?.start).toBe(Date.UTC(2024, 1, 29));
  });

  it.each(['2023-02-30', '2023-02-29', '2023-13', '2023-00-10', '23-01-01', '2023/01/01', '2023-1-5', ' 2023', ''])('%j is not a date', (text) => {
    expect(isPolicyDate(text)).toBe(false);
  });

  it('since is inclusive from its first day, until inclusive to its last', () => {
    const window = { since: '2018', until: '2022-11-23' };
    expect(windowPosition(window, new Date('2017-12-31T23:59:59.999Z'))).toBe('before');
    expect(windowPosition(window, new Date('2018-01-01T00:00:00Z'))).toBe('within');
    expect(windowPosition(window, new Date('2022-11-23T23:59:59Z'))).toBe('within');
    expect(windowPosition(window, new Date('2022-11-24T00:00:00Z'))).toBe('after');
    expect(windowPosition({}, new Date(0))).toBe('within');
    expect(windowPosition({ until: '2025-03' }, new Date('2025-03-31T12:00:00Z'))).toBe('within');
  });

  it('ordered compares periods: a year may contain the day it is compared with', () => {
    expect(ordered('2018', '2022-11-23')).toBe(true);
    expect(ordered('2022-11-23', '2022')).toBe(true);
    expect(ordered('2023-01-02', '2023-01-01')).toBe(false);
    expect(ordered('2023-02-30', '2024')).toBe(false);
  });
});
