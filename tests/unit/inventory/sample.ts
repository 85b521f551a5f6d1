import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Device, DeviceStatus, SweepResult } from '../../../src/domain/types.ts';
import { decodeSoapReply, parseDeviceInformation } from '../../../src/enrich/onvif.ts';
import { decodeProbeMatches, probeMatchToObservation } from '../../../src/discovery/wsd/decode.ts';
import { mergeObservations } from '../../../src/sweep/merge.ts';
import { judgeDevice, type Judge } from '../../../src/sweep/judge.ts';
import { loadFingerprintDb } from '../../../src/fingerprint/index.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import type { Snapshot } from '../../../src/inventory/snapshot.ts';

/** Devices, sweeps and snapshots for the inventory tests. */

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures');

export function device(over: Partial<Device> & { status?: DeviceStatus; pack?: string; rule?: string } = {}): Device {
  const { pack, rule, ...rest } = over;
  const status = over.verdict?.status ?? over.status ?? 'review';
  const ip = over.ip ?? '10.66.0.11';
  return {
    ip,
    addresses: [ip],
    mac: '44:19:b6:21:42:0b',
    manufacturer: 'Hikvision',
    brand: 'HIKVISION',
    model: 'DS-2CD2142FWD-I',
    firmware: 'V5.4.5 build 170124',
    serial: null,
    kind: 'camera',
    confidence: 0.95,
    protocols: ['wsd', 'onvif'],
    interfaces: ['eth0'],
    identifiers: {},
    evidence: [{ protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' }],
    ...rest,
    status,
    verdict: over.verdict ?? {
      status,
      reason: status === 'restricted' ? 'made by Hikvision, covered by us-ndaa-889 rule hikvision' : status === 'review' ? 'a camera whose maker is not established' : 'not a video device',
      ...(pack !== undefined || status === 'restricted' ? { pack: pack ?? 'us-ndaa-889' } : {}),
      ...(rule !== undefined || status === 'restricted' ? { rule: rule ?? 'hikvision' } : {}),
    },
  };
}

let counter = 0;

/** A sweep of `devices` at `startedAt` (3 s long) on eth0 unless told otherwise. */
export function sweep(devices: Device[], startedAt: string, options: { id?: string; interfaces?: string[] } = {}): SweepResult {
  counter += 1;
  return {
    schema: 'camsweep.sweep/v1',
    id: options.id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 3000).toISOString(),
    interfaces: (options.interfaces ?? ['eth0']).map((name, i) => ({ name, address: `10.66.${i}.2`, netmask: '255.255.255.0', mac: null })),
    devices,
    errors: [],
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    ip: '10.66.0.11',
    mac: '44:19:b6:21:42:0b',
    manufacturer: 'Hikvision',
    brand: 'HIKVISION',
    model: 'DS-2CD2142FWD-I',
    firmware: 'V5.4.5 build 170124',
    kind: 'camera',
    status: 'review',
    pack: null,
    rule: null,
    interfaces: ['eth0'],
    ...over,
  };
}

/**
 * The Amcrest IP5M-T1277EW-AI as a sweep finds it: its GetDeviceInformation reply is the real
 * capture (tests/fixtures/onvif, from corpus amcrest/onvif-GetDeviceInformation-1.xml); its
 * ProbeMatch is modelled on the Dahua capture (Amcrest ships Dahua firmware) with Amcrest's
 * name and hardware scopes; the MAC is in Amcrest's IEEE block 9C:8E:CD. Decoded by the real
 * decoders, merged, then judged by the real fingerprint database and policy packs.
 */
export function amcrestDevice(ip = '192.168.1.108', asOf = new Date('2026-11-26T10:00:00Z')): Device {
  const probe = `<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">
<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action><a:RelatesTo>uuid:572ecdc4-b723-11e8-99d8-53d34f41f286</a:RelatesTo></s:Header>
<s:Body><d:ProbeMatches><d:ProbeMatch>
<a:EndpointReference><a:Address>uuid:6d2b3f4e-9c8e-4cd0-a1b2-9c8ecd0a1b2c</a:Address></a:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>
<d:Scopes>onvif://www.onvif.org/location/country/china onvif://www.onvif.org/name/Amcrest onvif://www.onvif.org/hardware/IP5M-T1277EW-AI onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/type/Network_Video_Transmitter</d:Scopes>
<d:XAddrs>http://${ip}/onvif/device_service</d:XAddrs>
<d:MetadataVersion>1</d:MetadataVersion>
</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
  const [match] = decodeProbeMatches(probe).matches;
  const wsd = probeMatchToObservation(match!, { ip, iface: 'eth0' });
  const reply = decodeSoapReply(readFileSync(path.join(FIXTURES, 'onvif', 'amcrest.ip5m-t1277ew-ai.GetDeviceInformation.xml'), 'utf8'), 65536);
  const info = parseDeviceInformation(reply.body)!;
  const onvif = {
    protocol: 'onvif' as const,
    ip,
    interface: 'eth0',
    evidence: (
      [
        ['onvif.manufacturer', info.manufacturer],
        ['onvif.model', info.model],
        ['onvif.firmware', info.firmware],
        ['onvif.serial', info.serial],
        ['onvif.hardware', info.hardware],
      ] as const
    ).flatMap(([field, value]) => (value === undefined ? [] : [{ protocol: 'onvif' as const, field, value }])),
  };
  const [merged] = mergeObservations({ observations: [wsd, onvif], neighbours: new Map([[ip, '9c:8e:cd:0a:1b:2c']]) });
  const judge: Judge = { db: loadFingerprintDb(), policy: loadPolicy(), threshold: 0.6 };
  return judgeDevice(merged!, judge, asOf);
}
