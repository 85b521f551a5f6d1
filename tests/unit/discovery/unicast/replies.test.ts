import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { createProbeIds } from '../../../../src/discovery/unicast/probes.ts';
import { createUnicastReplyHandler } from '../../../../src/discovery/unicast/replies.ts';
import type { UnicastProtocol } from '../../../../src/discovery/unicast/probes.ts';
import { silentLogger } from '../../../../src/util/log.ts';

const fixture = (path: string): Buffer => readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url));
const ids = createProbeIds(Buffer.from('replies test secret'));

const HIK = '10.68.0.11';
const DAHUA = '10.68.0.12';
const AXIS = '10.68.0.14';
const LOCAL = '10.66.0.20';

/** Captured replies re-addressed to the probe sent to `ip`. */
const wsdReply = (ip: string, variant = 0): Buffer =>
  Buffer.from(
    fixture('wsd/hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml')
      .toString('utf8')
      .replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${ids.wsd(ip)[variant]!}$2`),
  );
const sadpReply = (uuid: string): Buffer =>
  Buffer.from(fixture('sadp/hikvision.virtual.ProbeMatch.xml').toString('utf8').replace(/<Uuid>[^<]*<\/Uuid>/u, `<Uuid>${uuid}</Uuid>`));
const mdnsReply = (id: number): Buffer => {
  const buf = Buffer.from(fixture('mdns/axis.m5014.mdns-response.bin'));
  buf.writeUInt16BE(id, 0);
  return buf;
};

function setup(probed: string[] = [HIK, DAHUA, AXIS, LOCAL]) {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const followUps: string[] = [];
  const handler = createUnicastReplyHandler({
    ids,
    wasProbed: (ip) => probed.includes(ip),
    interfaceOf: (ip) => (ip.startsWith('10.66.0.') ? 'eth0' : undefined),
    emit: (o) => observations.push(o),
    error: (e) => errors.push(e),
    log: silentLogger(),
    onMdnsFollowUp: (ip) => followUps.push(ip),
  });
  const send = (protocol: UnicastProtocol, msg: Buffer, address: string): void => handler.onMessage(protocol, msg, { address });
  return { handler, send, observations, errors, followUps };
}

describe('createUnicastReplyHandler', () => {
  it('reads each protocol with its own decoder, attributes to the datagram source, and names no interface for a routed host', () => {
    const t = setup();
    t.send('wsd', wsdReply(HIK), HIK);
    t.send('sadp', sadpReply(ids.sadp(HIK)), HIK);
    t.send('dhip', fixture('dhip/dahua.virtual.notifyDevInfo.bin'), DAHUA);
    t.send('ssdp', fixture('ssdp/dahua.unknown.ssdp-response-1.txt'), DAHUA);
    t.send('mdns', mdnsReply(ids.mdns(AXIS)), AXIS);
    // The DHIP rules apply as they are: the captured body is broken JSON, read key by key.
    expect(t.errors).toEqual([
      { code: 'DHIP_MALFORMED', message: 'notifyDevInfo body cut short or not valid JSON: values extracted key by key', protocol: 'dhip', ip: DAHUA },
    ]);
    expect(t.observations.map((o) => [o.protocol, o.ip, o.interface])).toEqual([
      ['wsd', HIK, undefined],
      ['sadp', HIK, undefined],
      ['dhip', DAHUA, undefined],
      ['ssdp', DAHUA, undefined],
      ['mdns', AXIS, undefined],
    ]);
    for (const o of t.observations) expect(Object.hasOwn(o, 'interface')).toBe(false);
    expect(t.observations[1]!.evidence).toContainEqual({ protocol: 'sadp', field: 'sadp.reply', value: 'true' });
    expect(t.observations[2]!.evidence).toContainEqual({ protocol: 'dhip', field: 'dhip.reply', value: 'true' });
    // The LOCATION names 192.168.1.20, not the replying host: it gives that host no HTTP port.
    expect(t.observations[3]!.endpoints).toEqual({ location: 'http://192.168.1.20:49152/upnp_device_desc.xml' });
    expect(t.observations[4]!.mac).toBe('00:11:22:33:44:55');
  });

  it('labels a target on a swept segment with that interface', () => {
    const t = setup();
    t.send('wsd', wsdReply(LOCAL), LOCAL);
    expect(t.observations.map((o) => o.interface)).toEqual(['eth0']);
  });

  it('drops and records a reply from an address that was not probed, whatever it says', () => {
    const t = setup([HIK]);
    t.send('wsd', wsdReply(HIK), '10.68.0.99');
    t.send('dhip', fixture('dhip/dahua.virtual.notifyDevInfo.bin'), '10.68.0.99');
    expect(t.observations).toEqual([]);
    expect(t.errors).toEqual([
      { code: 'UNICAST_UNEXPECTED_SOURCE', message: 'wsd reply from an address that was not probed: dropped', protocol: 'wsd', ip: '10.68.0.99' },
      { code: 'UNICAST_UNEXPECTED_SOURCE', message: 'dhip reply from an address that was not probed: dropped', protocol: 'dhip', ip: '10.68.0.99' },
    ]);
    expect(t.handler.stats.unexpected).toBe(2);
  });

  it('refuses replies echoing the id sent to another address (WS-Discovery RelatesTo, SADP Uuid, DNS message ID)', () => {
    const t = setup();
    t.send('wsd', wsdReply(DAHUA), HIK);
    t.send('sadp', sadpReply(ids.sadp(DAHUA)), HIK);
    t.send('mdns', mdnsReply(ids.mdns(HIK)), AXIS);
    expect(t.observations).toEqual([]);
    expect(t.errors.map((e) => [e.code, e.ip])).toEqual([
      ['WSD_RELATES_TO_MISMATCH', HIK],
      ['SADP_UUID_MISMATCH', HIK],
      ['MDNS_ID_MISMATCH', AXIS],
    ]);
  });

  it('keeps one observation when both probe variants get the same answer', () => {
    const t = setup();
    t.send('wsd', wsdReply(HIK, 0), HIK);
    t.send('wsd', wsdReply(HIK, 1), HIK);
    t.send('dhip', fixture('dhip/dahua.virtual.notifyDevInfo.bin'), DAHUA);
    t.send('dhip', fixture('dhip/dahua.virtual.notifyDevInfo.bin'), DAHUA);
    expect(t.observations.map((o) => o.protocol)).toEqual(['wsd', 'dhip']);
    expect(t.handler.stats.duplicates).toBe(2);
  });

  it('records junk, at most four errors per host and protocol, and never throws', () => {
    const t = setup();
    const junk = [Buffer.from('\u0000\u0001binary'), Buffer.from('<not xml'), Buffer.alloc(0), Buffer.from('{}'), Buffer.from('x'), Buffer.from('y')];
    for (const protocol of ['wsd', 'ssdp', 'sadp', 'dhip', 'mdns'] as const) {
      for (const msg of junk) expect(() => t.send(protocol, msg, HIK)).not.toThrow();
    }
    expect(t.observations).toEqual([]);
    for (const protocol of ['wsd', 'ssdp', 'sadp', 'dhip', 'mdns']) {
      const n = t.errors.filter((e) => e.protocol === protocol).length;
      expect(n, protocol).toBeGreaterThan(0);
      expect(n, protocol).toBeLessThanOrEqual(4);
    }
    expect(t.errors.every((e) => e.ip === HIK)).toBe(true);
  });

  it('ignores our own kind of message coming back (a query, an inquiry, a search)', () => {
    const t = setup();
    t.send('mdns', dnsPacket.encode({ type: 'query', id: ids.mdns(AXIS), questions: [{ name: '_http._tcp.local', type: 'PTR' }] }), AXIS);
    t.send('sadp', Buffer.from(`<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${ids.sadp(HIK)}</Uuid><Types>inquiry</Types></Probe>`), HIK);
    expect(t.observations).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it('asks an mDNS host for what its reply left out (SRV/TXT of an instance), each question a bounded number of times', () => {
    const t = setup();
    const reply = dnsPacket.encode({
      type: 'response',
      id: ids.mdns(AXIS),
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      answers: [{ name: '_axis-video._tcp.local', type: 'PTR', ttl: 120, data: 'AXIS M2036-LE - ACCC8E20360E._axis-video._tcp.local' }],
    });
    t.send('mdns', reply, AXIS);
    expect(t.followUps).toEqual([AXIS]);
    expect(t.observations.map((o) => o.ip)).toEqual([AXIS]);
    const first = t.handler.mdnsFollowUps(AXIS);
    expect(first.map((q) => `${q.type} ${q.labels.join('.')}`)).toEqual([
      'SRV AXIS M2036-LE - ACCC8E20360E._axis-video._tcp.local',
      'TXT AXIS M2036-LE - ACCC8E20360E._axis-video._tcp.local',
    ]);
    expect(t.handler.mdnsFollowUps(AXIS)).toHaveLength(2);
    expect(t.handler.mdnsFollowUps(AXIS)).toEqual([]);
    expect(t.handler.mdnsFollowUps(HIK)).toEqual([]);
  });
});
