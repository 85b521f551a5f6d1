import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { SERVICES_META, answersFor, forLegacyUnicast, questionsOf, suppressKnown } from './mdns-answers.ts';
import type { MdnsProfile } from './profile.ts';

const axis: MdnsProfile = {
  hostname: 'axis-accc8e20360d',
  services: [
    { type: '_axis-video._tcp', instance: 'AXIS M2036-LE - ACCC8E20360D', port: 80, txt: ['macaddress=ACCC8E20360D'] },
    { type: '_http._tcp', instance: 'AXIS M2036-LE - ACCC8E20360D', port: 80, txt: [] },
  ],
};
const ip = '10.66.0.13';
const q = (name: string, type: string, qu = false): { name: string; type: string; qu: boolean } => ({ name, type, qu });

describe('answersFor', () => {
  it('lists the service types for the DNS-SD meta query', () => {
    const r = answersFor([q(SERVICES_META, 'PTR')], axis, ip);
    expect(r.answers.map((a) => a.data)).toEqual(['_axis-video._tcp.local', '_http._tcp.local']);
  });

  it('answers a service type PTR with the instance, and SRV, TXT and A as additionals', () => {
    const r = answersFor([q('_AXIS-VIDEO._tcp.local', 'PTR')], axis, ip);
    expect(r.answers).toEqual([
      { name: '_axis-video._tcp.local', type: 'PTR', class: 'IN', ttl: 4500, data: 'AXIS M2036-LE - ACCC8E20360D._axis-video._tcp.local' },
    ]);
    expect(r.additionals.map((a) => a.type)).toEqual(['SRV', 'TXT', 'A']);
    const packet = dnsPacket.decode(dnsPacket.encode({ type: 'response', answers: r.answers, additionals: r.additionals }));
    const txt = packet.additionals?.find((a) => a.type === 'TXT');
    expect(txt !== undefined && 'data' in txt ? (txt.data as Buffer[]).map(String) : []).toEqual(['macaddress=ACCC8E20360D']);
  });

  it('answers SRV/TXT/ANY for the instance and A for the host; an empty TXT is one empty string', () => {
    const instance = 'AXIS M2036-LE - ACCC8E20360D._http._tcp.local';
    expect(answersFor([q(instance, 'SRV')], axis, ip).answers[0]?.data).toEqual({ priority: 0, weight: 0, port: 80, target: 'axis-accc8e20360d.local' });
    expect(answersFor([q(instance, 'TXT')], axis, ip).answers[0]?.data).toEqual([Buffer.alloc(0)]);
    expect(answersFor([q(instance, 'ANY')], axis, ip).answers.map((a) => a.type)).toEqual(['SRV', 'TXT']);
    expect(answersFor([q('axis-accc8e20360d.local', 'A')], axis, ip).answers[0]?.data).toBe(ip);
  });

  it('stays silent for names it does not own', () => {
    expect(answersFor([q('_googlecast._tcp.local', 'PTR'), q('other.local', 'A')], axis, ip).answers).toEqual([]);
  });
});

describe('query handling helpers', () => {
  it('reads the QU bit that dns-packet leaves in the class', () => {
    const buf = dnsPacket.encode({ type: 'query', id: 0, questions: [{ name: '_ipp._tcp.local', type: 'PTR', class: 'IN' }] });
    buf.writeUInt16BE(0x8001, buf.length - 2);
    expect(questionsOf(dnsPacket.decode(buf))).toEqual([{ name: '_ipp._tcp.local', type: 'PTR', qu: true }]);
    const plain = dnsPacket.decode(dnsPacket.encode({ type: 'query', questions: [{ name: 'a.local', type: 'A' }] }));
    expect(questionsOf(plain)[0]?.qu).toBe(false);
  });

  it('drops answers the querier already knows with more than half the TTL', () => {
    const r = answersFor([q(SERVICES_META, 'PTR')], axis, ip);
    const known = [{ name: SERVICES_META, type: 'PTR' as const, ttl: 4000, data: '_http._tcp.local' }];
    expect(suppressKnown(r.answers, known).map((a) => a.data)).toEqual(['_axis-video._tcp.local']);
    expect(suppressKnown(r.answers, [{ ...known[0], ttl: 100 } as (typeof known)[0]])).toHaveLength(2);
  });

  it('caps TTLs at 10 s and clears cache-flush for legacy unicast replies', () => {
    const r = answersFor([q('_axis-video._tcp.local', 'PTR')], axis, ip);
    for (const a of forLegacyUnicast([...r.answers, ...r.additionals])) {
      expect(a.ttl).toBeLessThanOrEqual(10);
      expect(a.flush).toBe(false);
    }
  });
});
