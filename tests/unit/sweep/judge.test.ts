import { describe, expect, it } from 'vitest';
import { chooseKind, judgeDevice, type Judge } from '../../../src/sweep/judge.ts';
import { mergeObservations } from '../../../src/sweep/merge.ts';
import { loadFingerprintDb } from '../../../src/fingerprint/index.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import type { Evidence, Observation } from '../../../src/domain/types.ts';

const judge: Judge = { db: loadFingerprintDb(), policy: loadPolicy(), threshold: 0.6 };
const asOf = new Date('2026-11-26T10:00:00Z');

function device(evidence: Array<[Evidence['protocol'], string, string]>, mac: string | null = null): ReturnType<typeof mergeObservations>[number] {
  const obs: Observation = { protocol: evidence[0]![0], ip: '10.66.0.50', evidence: evidence.map(([protocol, field, value]) => ({ protocol, field, value })) };
  const [d] = mergeObservations({ observations: [obs], ...(mac ? { neighbours: new Map([['10.66.0.50', mac]]) } : {}) });
  return d!;
}

describe('judgeDevice', () => {
  it('sees through an Amcrest label to the Dahua firmware: made by Dahua, brand Amcrest, restricted', () => {
    const d = judgeDevice(
      device([
        ['wsd', 'wsd.type', 'dn:NetworkVideoTransmitter'],
        ['onvif', 'onvif.manufacturer', 'Amcrest'],
        ['onvif', 'onvif.model', 'IP5M-T1277EW-AI'],
        ['onvif', 'onvif.firmware', 'V2.800.00AC003.0.R'], // corpus amcrest/onvif-GetDeviceInformation-1.xml
      ]),
      judge,
      asOf,
    );
    expect(d).toMatchObject({ manufacturer: 'Dahua', brand: 'Amcrest', kind: 'camera', status: 'restricted' });
    expect(d.verdict).toMatchObject({ status: 'restricted', pack: 'us-ndaa-889', rule: 'dahua' });
    expect(d.attribution?.matches.map((m) => m.fingerprint)).toEqual(expect.arrayContaining([expect.stringMatching(/^amcrest\./u), expect.stringMatching(/^dahua\./u)]));
  });

  it('adds the MAC registry facts to the evidence and the protocols', () => {
    const d = judgeDevice(device([['wsd', 'wsd.type', 'dn:NetworkVideoTransmitter']], 'ac:cc:8e:20:36:0d'), judge, asOf);
    expect(d.evidence).toContainEqual({ protocol: 'mac', field: 'mac.oui', value: 'Axis Communications AB' });
    expect(d.protocols).toEqual(['wsd', 'arp', 'mac']);
  });

  it('marks a camera whose maker nothing establishes for review', () => {
    const d = judgeDevice(device([['wsd', 'wsd.type', 'dn:NetworkVideoTransmitter'], ['wsd', 'onvif.scope.name', 'IPCAM']]), judge, asOf);
    expect(d).toMatchObject({ manufacturer: null, status: 'review', confidence: 0 });
    expect(d.verdict.reason).toMatch(/not established|no evidence/u);
  });

  it('does not let the redsonic trap or a bare hangzhou location name a maker', () => {
    const d = judgeDevice(
      device([
        ['ssdp', 'ssdp.header.x-user-agent', 'redsonic'],
        ['wsd', 'wsd.type', 'dn:NetworkVideoTransmitter'],
        ['wsd', 'onvif.scope.location', 'city/hangzhou'],
      ]),
      judge,
      asOf,
    );
    expect(d.manufacturer).toBeNull();
    expect(d.status).toBe('review');
  });

  it('clears a printer that answered WS-Discovery', () => {
    const d = judgeDevice(
      device([
        ['wsd', 'wsd.type', 'wprt:PrintDeviceType'],
        ['mdns', 'mdns.txt.usb_mfg', 'EPSON'],
      ]),
      judge,
      asOf,
    );
    expect(d).toMatchObject({ kind: 'printer', status: 'clear', manufacturer: 'Epson' });
  });
});

describe('judgeDevice: the one author of maker, kind and verdict', () => {
  it('judges what the merger gathered: the maker the evidence establishes, the protocols\' kind, the verdict', () => {
    const [merged] = mergeObservations({
      observations: [
        { protocol: 'wsd', ip: '10.0.0.5', interface: 'eth0', evidence: [{ protocol: 'wsd', field: 'wsd.type', value: 'dn:NetworkVideoTransmitter' }, { protocol: 'wsd', field: 'onvif.scope.hardware', value: 'DS-2CD2142FWD-I' }] },
        { protocol: 'onvif', ip: '10.0.0.5', evidence: [{ protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' }, { protocol: 'onvif', field: 'onvif.model', value: 'DS-2CD2142FWD-I' }] },
      ],
      neighbours: new Map([['10.0.0.5', '44:19:b6:12:34:56']]),
    });
    const d = judgeDevice(merged!, judge, asOf);
    expect(d).toMatchObject({ ip: '10.0.0.5', mac: '44:19:b6:12:34:56', manufacturer: 'Hikvision', kind: 'camera', status: 'restricted', interfaces: ['eth0'] });
    expect(d.verdict).toMatchObject({ status: 'restricted', pack: 'us-ndaa-889', rule: 'hikvision' });
  });

  it('marks non-video devices clear and unknown makers with zero confidence', () => {
    const [printer] = mergeObservations({
      observations: [
        {
          protocol: 'wsd',
          ip: '10.0.0.20',
          evidence: [{ protocol: 'wsd', field: 'wsd.type', value: 'wprt:PrintDeviceType' }],
        },
      ],
    });
    expect(judgeDevice(printer!, judge, asOf)).toMatchObject({ kind: 'printer', status: 'clear', manufacturer: null, confidence: 0 });
  });

  it('labels a device with the maker it names itself when no fingerprint knows the brand', () => {
    const d = judgeDevice(device([['wsd', 'wsd.type', 'dn:NetworkVideoTransmitter'], ['onvif', 'onvif.manufacturer', 'Obscura Optics']]), judge, asOf);
    expect(d).toMatchObject({ brand: 'Obscura Optics', kind: 'camera' });
  });
});

describe('chooseKind', () => {
  it.each([
    ['camera', 'recorder', 'recorder'],
    ['camera', 'printer', 'camera'],
    ['other', 'camera', 'camera'],
    ['printer', 'camera', 'printer'],
    ['camera', null, 'camera'],
  ] as const)('protocols %s + fingerprints %s -> %s', (p, f, expected) => {
    expect(chooseKind(p, f)).toBe(expected);
  });
});
