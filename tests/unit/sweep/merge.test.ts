import { describe, expect, it } from 'vitest';
import { mergeObservations, MAX_EVIDENCE_PER_DEVICE } from '../../../src/sweep/merge.ts';
import type { Observation } from '../../../src/domain/types.ts';

const wsd = (ip: string, extra: Partial<Observation> = {}): Observation => ({
  protocol: 'wsd',
  ip,
  interface: 'eth0',
  evidence: [
    { protocol: 'wsd', field: 'wsd.type', value: 'dn:NetworkVideoTransmitter' },
    { protocol: 'wsd', field: 'onvif.scope.hardware', value: 'DS-2CD2142FWD-I' },
  ],
  identifiers: { epr: `urn:uuid:${ip}` },
  ...extra,
});

describe('mergeObservations', () => {
  it('merges every observation of one host into one device with all evidence', () => {
    const devices = mergeObservations({
      observations: [
        wsd('10.0.0.5'),
        {
          protocol: 'onvif',
          ip: '10.0.0.5',
          evidence: [
            { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
            { protocol: 'onvif', field: 'onvif.model', value: 'DS-2CD2142FWD-I' },
            { protocol: 'onvif', field: 'onvif.firmware', value: 'V5.4.5 build 170124' },
            { protocol: 'onvif', field: 'onvif.serial', value: 'DS-2CD2142FWD-I20170314AAWR000000001' },
          ],
          identifiers: { serial: 'DS-2CD2142FWD-I20170314AAWR000000001' },
        },
        wsd('10.0.0.5'), // a repeated reply adds nothing
      ],
      neighbours: new Map([['10.0.0.5', '44:19:b6:12:34:56']]),
    });
    expect(devices).toHaveLength(1);
    const d = devices[0]!;
    expect(d).toMatchObject({
      ip: '10.0.0.5',
      mac: '44:19:b6:12:34:56',
      model: 'DS-2CD2142FWD-I',
      firmware: 'V5.4.5 build 170124',
      serial: 'DS-2CD2142FWD-I20170314AAWR000000001',
      protocols: ['wsd', 'onvif', 'arp'],
      interfaces: ['eth0'],
      identifiers: { epr: 'urn:uuid:10.0.0.5', serial: 'DS-2CD2142FWD-I20170314AAWR000000001' },
    });
    expect(d.evidence).toContainEqual({ protocol: 'arp', field: 'mac.address', value: '44:19:b6:12:34:56' });
    expect(d.evidence.filter((e) => e.field === 'wsd.type')).toHaveLength(1);
  });

  it('keys a host by MAC when known: two addresses of one MAC are one device', () => {
    const devices = mergeObservations({
      observations: [wsd('10.0.0.9'), wsd('169.254.10.9')],
      neighbours: new Map([
        ['10.0.0.9', 'ac:cc:8e:00:00:01'],
        ['169.254.10.9', 'ac:cc:8e:00:00:01'],
      ]),
    });
    expect(devices).toHaveLength(1);
    expect(devices[0]!.addresses).toEqual(['10.0.0.9', '169.254.10.9']);
  });

  it('keeps hosts without a MAC apart by IP, sorted numerically', () => {
    const devices = mergeObservations({ observations: [wsd('10.0.0.10'), wsd('10.0.0.9'), wsd('10.0.0.100')] });
    expect(devices.map((d) => d.ip)).toEqual(['10.0.0.9', '10.0.0.10', '10.0.0.100']);
    expect(devices.every((d) => d.mac === null)).toBe(true);
  });

  it('uses a MAC carried by the reply when the neighbour table has none', () => {
    const devices = mergeObservations({ observations: [wsd('10.0.0.7', { mac: 'ac:cc:8e:3c:04:19' })] });
    expect(devices[0]!.mac).toBe('ac:cc:8e:3c:04:19');
  });

  it('judges nothing: a merged device names no maker, brand, kind or status (the judge does)', () => {
    const [d] = mergeObservations({ observations: [wsd('10.0.0.5')] });
    for (const field of ['manufacturer', 'brand', 'kind', 'status', 'confidence', 'verdict', 'attribution']) expect(d).not.toHaveProperty(field);
  });

  it('bounds the evidence kept per device', () => {
    const evidence = Array.from({ length: 1000 }, (_, i) => ({ protocol: 'ssdp' as const, field: 'ssdp.header.x', value: String(i) }));
    const [d] = mergeObservations({ observations: [{ protocol: 'ssdp', ip: '10.0.0.1', evidence }] });
    expect(d!.evidence).toHaveLength(MAX_EVIDENCE_PER_DEVICE);
  });
});
