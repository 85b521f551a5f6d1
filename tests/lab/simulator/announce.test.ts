import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { decodeMdnsAnnouncement } from '../../../src/discovery/mdns/announcements.ts';
import { decodeSsdpAnnouncement } from '../../../src/discovery/ssdp/announcements.ts';
import { decodeWsdAnnouncement } from '../../../src/discovery/wsd/announcements.ts';
import { buildMdnsAnnouncement, buildNotify, buildWsdAnnouncement } from './announce-messages.ts';
import { parseProfile, type Profile } from './profile.ts';
import { advertisedTargets, locationOf } from './ssdp-messages.ts';
import { deviceVars, fillTemplate } from './template.ts';

function load(id: string, ip: string, mac: string): Profile {
  const raw = JSON.parse(readFileSync(new URL(`../profiles/${id}.json`, import.meta.url), 'utf8')) as unknown;
  return parseProfile(fillTemplate(raw, deviceVars(ip, mac)), id);
}

const dahua = load('dahua-ipc-hfw2228m', '10.66.0.12', '4c:11:bf:22:28:0c');
const hikvision = load('hikvision-ds-2cd2142fwd', '10.66.0.11', '44:19:b6:21:42:0b');
const axis = load('axis-m2036-le', '10.66.0.13', 'ac:cc:8e:20:36:0d');
const CAPTURED_HELLO = readFileSync(new URL('../../fixtures/wsd/dahua.ipc-hfw2228m-i1-v2.Hello.xml', import.meta.url), 'utf8');

describe('announcements the simulator sends', () => {
  it('announces by default every protocol it speaks but the vendor notices, repeated twice, with a goodbye', () => {
    expect(dahua.announce).toEqual({ wsd: true, ssdp: true, mdns: true, sadp: false, dhip: false, goodbye: true, repeats: 2, delayMs: 0, ssdpIntervalS: 0, configId: 1 });
  });

  it('a Hello in the Dahua style has the captured Hello\'s shape, and reads back as the ProbeMatch\'s identity', () => {
    const hello = buildWsdAnnouncement('Hello', dahua.wsd!, { instanceId: 1_700_000_000, messageNumber: 1 });
    const tags = (xml: string): string[] => [...xml.matchAll(/<([a-z]+:[A-Za-z]+)[\s>/]/gu)].map((m) => m[1]!).filter((t, i, all) => all.indexOf(t) === i);
    expect(tags(hello)).toEqual(tags(CAPTURED_HELLO));
    const out = decodeWsdAnnouncement(Buffer.from(hello), { ip: '10.66.0.12', iface: 'eth0' });
    expect(out).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'alive', identifiers: { epr: dahua.wsd!.match.endpoint } }] });
    const bye = decodeWsdAnnouncement(Buffer.from(buildWsdAnnouncement('Bye', dahua.wsd!, { instanceId: 1, messageNumber: 2 })), { ip: '10.66.0.12', iface: 'eth0' });
    expect(bye).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'bye', identifiers: { epr: dahua.wsd!.match.endpoint } }] });
    // The Hikvision style carries AppSequence with the boot as InstanceId.
    expect(buildWsdAnnouncement('Hello', hikvision.wsd!, { instanceId: 1_700_000_000, messageNumber: 3 })).toMatch(/<d:AppSequence InstanceId="1700000000" MessageNumber="3"\/>/u);
  });

  it('NOTIFY alive carries the captured miniupnpd header set; byebye names the target; both read back', () => {
    const ssdp = dahua.ssdp!;
    const target = advertisedTargets(ssdp)[0]!;
    const input = { target, location: locationOf(ssdp, dahua.upnp, '10.66.0.12'), bootId: 1_700_000_000, configId: 1, host: '239.255.255.250:1900' };
    const alive = buildNotify('ssdp:alive', ssdp, input);
    expect(alive.split('\r\n').map((l) => l.split(':')[0])).toEqual(['NOTIFY * HTTP/1.1', 'HOST', 'CACHE-CONTROL', 'LOCATION', 'SERVER', 'NT', 'USN', 'NTS', 'OPT', '01-NLS', 'BOOTID.UPNP.ORG', 'CONFIGID.UPNP.ORG', '', '']);
    expect(decodeSsdpAnnouncement(Buffer.from(alive), { ip: '10.66.0.12', iface: 'eth0' })).toMatchObject({
      kind: 'announcements',
      announcements: [{ kind: 'alive', description: { location: input.location, bootId: '1700000000', configId: '1', maxAgeS: ssdp.maxAge } }],
    });
    const byebye = buildNotify('ssdp:byebye', ssdp, input);
    expect(decodeSsdpAnnouncement(Buffer.from(byebye), { ip: '10.66.0.12', iface: 'eth0' })).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'bye', identifiers: { udn: `uuid:${ssdp.uuid}` } }] });
  });

  it('an mDNS announcement holds every record the device answers with (dns-packet reads it), and its goodbye the same with TTL 0', () => {
    const packet = dnsPacket.decode(buildMdnsAnnouncement(axis.mdns!, '10.66.0.13', false));
    expect(packet.type).toBe('response');
    expect(new Set((packet.answers ?? []).map((a) => a.type))).toEqual(new Set(['PTR', 'SRV', 'TXT', 'A']));
    expect((packet.answers ?? []).every((a) => 'ttl' in a && (a.ttl ?? 0) > 0)).toBe(true);
    const goodbye = buildMdnsAnnouncement(axis.mdns!, '10.66.0.13', true);
    expect((dnsPacket.decode(goodbye).answers ?? []).every((a) => 'ttl' in a && a.ttl === 0)).toBe(true);
    expect(decodeMdnsAnnouncement(goodbye, { ip: '10.66.0.13', iface: 'eth0' })).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'bye' }] });
    expect(decodeMdnsAnnouncement(buildMdnsAnnouncement(axis.mdns!, '10.66.0.13', false), { ip: '10.66.0.13', iface: 'eth0' })).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'alive' }] });
  });
});
