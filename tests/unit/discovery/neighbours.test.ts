import { describe, expect, it } from 'vitest';
import { parseProcNetArp } from '../../../src/discovery/neighbours.ts';

describe('parseProcNetArp', () => {
  it('reads complete entries and skips incomplete ones', () => {
    const text = [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '10.66.0.11       0x1         0x2         44:19:b6:12:34:56     *        eth0',
      '10.66.0.12       0x1         0x0         00:00:00:00:00:00     *        eth0',
      '10.66.0.13       0x1         0x2         4C:11:BF:AA:BB:CC     *        eth1',
      'garbage',
      '',
    ].join('\n');
    expect([...parseProcNetArp(text)]).toEqual([
      ['10.66.0.11', '44:19:b6:12:34:56'],
      ['10.66.0.13', '4c:11:bf:aa:bb:cc'],
    ]);
  });
});
