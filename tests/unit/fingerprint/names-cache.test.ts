import { describe, expect, it } from 'vitest';
import { buildNameIndex } from '../../../src/fingerprint/names.ts';
import { loadVocabulary } from '../../../src/fingerprint/vocabulary.ts';
import { datePeriod } from '../../../src/policy/dates.ts';

describe('remembered answers (the name matcher, policy dates)', () => {
  it('the name matcher gives the same vendors for a value asked again, and a caller cannot change what it remembers', () => {
    const index = buildNameIndex(loadVocabulary());
    const first = index.find('HIKVISION DS-2CD2142FWD-I', { prefix: true });
    expect(first.map((m) => m.vendor.name)).toContain('Hikvision');
    first.length = 0;
    const again = index.find('HIKVISION DS-2CD2142FWD-I', { prefix: true });
    expect(again.map((m) => m.vendor.name)).toContain('Hikvision');
    // The options are part of what is remembered.
    expect(index.find('Canon MF620C Series', { prefix: true }).map((m) => m.vendor.name)).not.toEqual(index.find('Canon MF620C Series').map((m) => m.vendor.name));
  });

  it('a policy date gives the same period each time, a copy each time', () => {
    const a = datePeriod('2018-07');
    a!.start = 0;
    expect(datePeriod('2018-07')).toEqual({ start: Date.UTC(2018, 6, 1), end: Date.UTC(2018, 7, 1) - 1 });
    expect(datePeriod('2023-02-30')).toBeUndefined();
    expect(datePeriod('2023-02-30')).toBeUndefined();
  });
});
