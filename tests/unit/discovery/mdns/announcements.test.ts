import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { decodeMdnsAnnouncement } from '../../../../src/discovery/mdns/announcements.ts';
import { fixture, response } from './helpers.ts';

const from = { ip: '10.66.0.13', iface: 'eth0' };
const HOST = 'axis-accc8e20360d.local';
const INSTANCE = 'AXIS M2036-LE - ACCC8E20360D._axis-video._tcp.local';

/** Axis's start-up announcement (RFC 6762 §8.3): PTR, SRV, TXT, A; a goodbye is the same with TTL 0. */
function announcement(ttl: number): Buffer {
  return response([
    { name: '_axis-video._tcp.local', type: 'PTR', ttl: ttl === 0 ? 0 : 4500, data: INSTANCE },
    { name: INSTANCE, type: 'SRV', ttl, flush: true, data: { priority: 0, weight: 0, port: 80, target: HOST } },
    { name: INSTANCE, type: 'TXT', ttl, flush: true, data: [Buffer.from('macaddress=ACCC8E20360D')] },
    { name: HOST, type: 'A', ttl, flush: true, data: '10.66.0.13' },
  ]);
}

describe('decodeMdnsAnnouncement', () => {
  it('reads an announcement as alive, naming its host name and MAC', () => {
    const out = decodeMdnsAnnouncement(announcement(120), from);
    expect(out.kind).toBe('announcements');
    if (out.kind !== 'announcements') return;
    expect(out.announcements[0]).toMatchObject({ kind: 'alive', protocol: 'mdns', identifiers: { hostname: HOST, mac: 'ac:cc:8e:20:36:0d' } });
    expect(out.announcements[0]!.observation!.evidence.map((e) => `${e.field}=${e.value}`)).toEqual(expect.arrayContaining(['mdns.type=_axis-video._tcp', 'mdns.txt.macaddress=ACCC8E20360D']));
  });

  it('reads a goodbye (every answer with TTL 0) as bye; a response withdrawing only some records is still alive', () => {
    expect(decodeMdnsAnnouncement(announcement(0), from)).toEqual({
      kind: 'announcements',
      announcements: [{ kind: 'bye', protocol: 'mdns', ip: from.ip, interface: 'eth0', identifiers: { hostname: HOST, mac: 'ac:cc:8e:20:36:0d' } }],
    });
    const partial = response([
      { name: '_http._tcp.local', type: 'PTR', ttl: 0, data: `web._http._tcp.local` },
      { name: HOST, type: 'A', ttl: 120, data: '10.66.0.13' },
    ]);
    expect(decodeMdnsAnnouncement(partial, from)).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'alive' }] });
  });

  it('a goodbye of a service only (PTR, SRV and TXT with TTL 0, no address record) is not the host leaving', () => {
    const service = response([
      { name: '_axis-video._tcp.local', type: 'PTR', ttl: 0, data: INSTANCE },
      { name: INSTANCE, type: 'SRV', ttl: 0, flush: true, data: { priority: 0, weight: 0, port: 80, target: HOST } },
      { name: INSTANCE, type: 'TXT', ttl: 0, flush: true, data: [Buffer.from('macaddress=ACCC8E20360D')] },
    ]);
    expect(decodeMdnsAnnouncement(service, from)).toMatchObject({ kind: 'ignored' });
  });

  it('reads a real Axis response as alive; ignores queries; calls junk invalid', () => {
    // Its one answer carries TTL 0, its additional records do not: a response, not a goodbye.
    expect(decodeMdnsAnnouncement(fixture('axis.m5014.mdns-response.bin'), { ip: '240.0.0.2', iface: 'eth0' })).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'alive' }] });
    const query = dnsPacket.encode({ type: 'query', id: 0, questions: [{ name: '_axis-video._tcp.local', type: 'PTR' }] });
    expect(decodeMdnsAnnouncement(query, from)).toMatchObject({ kind: 'ignored' });
    expect(decodeMdnsAnnouncement(Buffer.from([1, 2, 3]), from)).toMatchObject({ kind: 'invalid' });
  });
});
