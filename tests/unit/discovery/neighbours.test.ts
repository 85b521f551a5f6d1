import { describe, expect, it } from 'vitest';
import { parseIpNeighJson, parseProcNetArp } from '../../../src/discovery/neighbours.ts';

describe('parseIpNeighJson', () => {
  it('reads IPv4 and IPv6 entries with a MAC and skips unusable ones', () => {
    const text = JSON.stringify([
      { dst: '10.66.0.11', dev: 'eth0', lladdr: '44:19:b6:21:42:0b', state: ['REACHABLE'] },
      { dst: 'fe80::4619:b6ff:fe21:420b', dev: 'eth0', lladdr: '44:19:B6:21:42:0B', state: ['STALE'] },
      { dst: '10.66.0.12', dev: 'eth0', state: ['INCOMPLETE'] },
      { dst: '10.66.0.13', dev: 'eth0', lladdr: '00:00:00:00:00:00', state: ['FAILED'] },
      { dst: 42, lladdr: 'x' },
      null,
    ]);
    expect([...parseIpNeighJson(text)]).toEqual([
      ['10.66.0.11', '44:19:b6:21:42:0b'],
      ['fe80::4619:b6ff:fe21:420b', '44:19:b6:21:42:0b'],
    ]);
  });

  it('returns an empty table for anything that is not the JSON list', () => {
    expect(parseIpNeighJson('not json').size).toBe(0);
    expect(parseIpNeighJson('{"dst":"1.2.3.4"}').size).toBe(0);
  });
});

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
