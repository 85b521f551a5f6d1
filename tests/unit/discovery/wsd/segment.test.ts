/**
 * createWsDiscovery on an in-memory segment (src/discovery/udp-memory.ts): the probes, the
 * socket handling and the reply rules together, without a namespace or a real socket.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemorySegment } from '../../../../src/discovery/udp-memory.ts';
import { createWsDiscovery } from '../../../../src/discovery/wsd/index.ts';
import { MAX_ERRORS_PER_SOURCE } from '../../../../src/domain/error-log.ts';
import { child, parseXml, textAt } from '../../../../src/util/xml.ts';
import { runDiscoverer } from '../../../helpers/loopback-udp.ts';
import { ETH0, responder } from '../../../helpers/segment.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/wsd/${name}`, import.meta.url), 'utf8');
const withRelatesTo = (text: string, id: string): string => text.replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${id}$2`);
const AXIS = fixture('axis.m2036-le.ProbeMatches.xml');
const EPSON = fixture('epson.xp-410.ProbeMatches.xml');
const GROUP = '239.255.255.250';

const probeOf = (text: string): { messageId: string; types: string | undefined } => {
  const env = child(parseXml(text), 'Envelope');
  return { messageId: textAt(env, 'Header', 'MessageID') ?? '', types: textAt(env, 'Body', 'Probe', 'Types') };
};

describe('WS-Discovery on a simulated segment', () => {
  it('probes the group twice with both variants; takes replies to its probes, once per match; records strangers and junk, capped per host', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: ETH0.address });
    const axis = await responder(segment.host({ address: '10.66.0.13' }), '10.66.0.13', { port: 3702, group: GROUP }, (text, from, send) => {
      send(withRelatesTo(AXIS, probeOf(text).messageId), from.port, from.address);
    });
    // A printer answers too: WS-Discovery is not only cameras.
    await responder(segment.host({ address: '10.66.0.14' }), '10.66.0.14', { port: 3702, group: GROUP }, (text, from, send) => {
      send(withRelatesTo(EPSON, probeOf(text).messageId), from.port, from.address);
    });
    // Another tool's probe answered to us, and a host that answers with junk, ten times a probe.
    await responder(segment.host({ address: '10.66.0.15' }), '10.66.0.15', { port: 3702, group: GROUP }, (_text, from, send) => {
      send(withRelatesTo(AXIS, 'uuid:00000000-0000-4000-8000-00000000dead'), from.port, from.address);
    });
    await responder(segment.host({ address: '10.66.0.16' }), '10.66.0.16', { port: 3702, group: GROUP }, (_text, from, send) => {
      for (let i = 0; i < 10; i += 1) send(`HTTP/1.1 400 Bad Request\r\n\r\njunk ${i}`, from.port, from.address);
    });

    const { observations, errors, audited, expected } = await runDiscoverer(createWsDiscovery(), ETH0, 600, agent, () => 0);

    // Four probes (NVT-typed, untyped; twice), all to the group, all audited.
    expect(axis.heard.map((h) => probeOf(h.text).types)).toEqual(['dn:NetworkVideoTransmitter', undefined, 'dn:NetworkVideoTransmitter', undefined]);
    expect(new Set(axis.heard.map((h) => `${h.from.address}:${h.from.port}`)).size).toBe(1);
    expect(audited).toEqual(axis.heard.map((h) => `${GROUP}:3702 ${Buffer.byteLength(h.text)}`));
    expect(expected.map((e) => e.last)).toEqual([false, false, false, true]);

    // One observation per device (the same match to four probes is one), at the datagram's source.
    expect(observations.map((o) => [o.ip, o.interface]).sort()).toEqual([
      ['10.66.0.13', 'eth0'],
      ['10.66.0.14', 'eth0'],
    ]);
    const camera = observations.find((o) => o.ip === '10.66.0.13')!;
    expect(camera.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.hardware', value: 'M2036-LE' });
    expect(camera.endpoints?.xaddrs).toContain('http://192.168.0.90/onvif/device_service');

    expect(errors.filter((e) => e.ip === '10.66.0.15').map((e) => e.code)).toEqual(Array.from({ length: 4 }, () => 'WSD_RELATES_TO_MISMATCH'));
    expect(errors.filter((e) => e.ip === '10.66.0.16')).toHaveLength(MAX_ERRORS_PER_SOURCE);
    expect(errors.filter((e) => e.ip === '10.66.0.16').every((e) => e.code === 'WSD_INVALID' && e.protocol === 'wsd' && e.interface === 'eth0')).toBe(true);
    expect(segment.openSockets).toBe(4); // the discoverer closed its own
  });

  it('probes ff02::c too from the link-local address, and names an IPv6 reply by its zoned source', async () => {
    const segment = createMemorySegment();
    const iface = { ...ETH0, ipv6: { address: 'fe80::2', scopeId: 'eth0' } };
    const agent = segment.host({ address: ETH0.address, ipv6: iface.ipv6 });
    const camera = segment.host({ address: '10.66.0.13', ipv6: { address: 'fe80::d', scopeId: 'eth0' } });
    const holder: { send?: (p: string, port: number, address: string) => Promise<void> } = {};
    const socket = await camera({
      family: 6,
      bindAddress: '::',
      bindPort: 3702,
      reuseAddr: true,
      memberships: [{ group: 'ff02::c', interfaceAddress: 'fe80::d%eth0' }],
      onMessage: (msg, from) => void holder.send?.(withRelatesTo(AXIS, probeOf(msg.toString('utf8')).messageId), from.port, from.address),
      onError: () => undefined,
    });
    holder.send = (p, port, address) => socket.send(p, port, address);

    const { observations, audited } = await runDiscoverer(createWsDiscovery({ repeats: 1 }), iface, 400, agent, () => 0);
    expect(audited).toEqual([expect.stringMatching(/^239\.255\.255\.250:3702 /u), expect.stringMatching(/^ff02::c:3702 /u), expect.stringMatching(/^239\.255\.255\.250:3702 /u), expect.stringMatching(/^ff02::c:3702 /u)]);
    expect(observations.map((o) => o.ip)).toEqual(['fe80::d%eth0']);
  });
});
