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

describe('one device, one row, when the neighbour table knows only the IPv4 address', () => {
  // The camera already knew the agent's MAC and answered without a neighbour solicitation:
  // the agent's table holds its IPv4 entry (from ARP) and nothing for its fe80 address.
  const neighbours = new Map([['10.66.0.12', '4c:11:bf:22:28:0c']]);
  const wsd = (ip: string, over: Partial<Observation> = {}): Observation => ({
    protocol: 'wsd',
    ip,
    interface: 'eth0',
    evidence: [{ protocol: 'wsd', field: 'wsd.type', value: 'dn:NetworkVideoTransmitter' }],
    ...over,
  });

  it('joins by the MAC an EUI-64 address was built from', () => {
    const devices = mergeObservations({ observations: [wsd('10.66.0.12'), wsd('fe80::4e11:bfff:fe22:280c%eth0')], neighbours });
    expect(devices.map((d) => [d.ip, d.addresses, d.mac])).toEqual([['10.66.0.12', ['10.66.0.12', 'fe80::4e11:bfff:fe22:280c%eth0'], '4c:11:bf:22:28:0c']]);
  });

  it('joins a random-identifier address by the WS-Discovery EPR both replies carry', () => {
    const epr = { identifiers: { epr: 'uuid:8f2c61d4-0a7e-4b93-b5c1-2e9d7a4f6c03' } };
    const devices = mergeObservations({ observations: [wsd('10.66.0.12', epr), wsd('fe80::1c2d:3e4f:5a6b:7c8d%eth0', epr)], neighbours });
    expect(devices).toHaveLength(1);
    expect(devices[0]!.addresses).toEqual(['10.66.0.12', 'fe80::1c2d:3e4f:5a6b:7c8d%eth0']);
  });

  it('joins by an XAddr one reply advertises for the other address', () => {
    const v4 = wsd('10.66.0.12', { endpoints: { xaddrs: ['http://10.66.0.12/onvif/device_service', 'http://[fe80::1c2d:3e4f:5a6b:7c8d]/onvif/device_service'] } });
    const devices = mergeObservations({ observations: [v4, wsd('fe80::1c2d:3e4f:5a6b:7c8d%eth0')], neighbours });
    expect(devices).toHaveLength(1);
  });

  it('never joins when the evidence names two IPv4 hosts (cloned cameras share an EPR): no device is hidden', () => {
    const epr = { identifiers: { epr: 'uuid:00000000-0000-0000-0000-000000000001' } };
    const devices = mergeObservations({
      observations: [wsd('10.66.0.12', epr), wsd('10.66.0.13', epr), wsd('fe80::1c2d:3e4f:5a6b:7c8d%eth0', epr)],
      neighbours,
    });
    expect(devices.map((d) => d.ip)).toEqual(['10.66.0.12', '10.66.0.13', 'fe80::1c2d:3e4f:5a6b:7c8d%eth0']);
  });

  it('never joins two IPv4 hosts by an identifier', () => {
    const serial = { identifiers: { serial: 'ABC' } };
    expect(mergeObservations({ observations: [wsd('10.66.0.12', serial), wsd('10.66.0.14', serial)], neighbours })).toHaveLength(2);
  });
});
