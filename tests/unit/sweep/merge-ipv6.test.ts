import { describe, expect, it } from 'vitest';
import { mergeObservations, neighbourMac } from '../../../src/sweep/merge.ts';
import type { Observation } from '../../../src/domain/types.ts';

const obs = (ip: string, protocol: Observation['protocol'], value: string): Observation => ({
  protocol,
  ip,
  interface: 'eth0',
  evidence: [{ protocol, field: protocol === 'wsd' ? 'wsd.type' : 'upnp.manufacturer', value }],
});

describe('merging IPv6 link-local replies', () => {
  const v6 = 'fe80::4619:b6ff:fe21:420b%eth0';
  const neighbours = new Map([
    ['10.66.0.11', '44:19:b6:21:42:0b'],
    ['fe80::4619:b6ff:fe21:420b', '44:19:b6:21:42:0b'],
  ]);

  it('looks neighbours up without the zone', () => {
    expect(neighbourMac(neighbours, v6)).toBe('44:19:b6:21:42:0b');
    expect(neighbourMac(neighbours, 'FE80::4619:B6FF:FE21:420B%eth0')).toBe('44:19:b6:21:42:0b');
    expect(neighbourMac(neighbours, 'fe80::1%eth0')).toBeUndefined();
    expect(neighbourMac(undefined, v6)).toBeUndefined();
  });

  it('merges the IPv6 reply with the same MAC into the IPv4 device, whichever arrived first', () => {
    const devices = mergeObservations({
      observations: [obs(v6, 'wsd', 'dn:NetworkVideoTransmitter'), obs('10.66.0.11', 'ssdp', 'Hikvision')],
      neighbours,
    });
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ ip: '10.66.0.11', addresses: ['10.66.0.11', v6], mac: '44:19:b6:21:42:0b', protocols: ['wsd', 'ssdp', 'arp'] });
  });

  it('keeps an IPv6-only host as its own device named by its zoned address', () => {
    const devices = mergeObservations({ observations: [obs('fe80::9%eth0', 'wsd', 'dn:NetworkVideoTransmitter')], neighbours });
    expect(devices.map((d) => [d.ip, d.mac])).toEqual([['fe80::9%eth0', null]]);
  });
});
