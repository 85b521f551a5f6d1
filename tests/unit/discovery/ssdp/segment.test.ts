/**
 * createSsdpDiscovery on an in-memory segment (src/discovery/udp-memory.ts): the M-SEARCHes,
 * the socket handling and the reply rules together, without a namespace or a real socket.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSsdpDiscovery } from '../../../../src/discovery/ssdp/index.ts';
import { createMemorySegment } from '../../../../src/discovery/udp-memory.ts';
import { MAX_ERRORS_PER_SOURCE } from '../../../../src/domain/error-log.ts';
import { runDiscoverer } from '../../../helpers/loopback-udp.ts';
import { ETH0, responder } from '../../../helpers/segment.ts';

const GROUP = '239.255.255.250';
/** A real Dahua answer, its LOCATION moved to the answering host. */
const dahua = (host: string): string =>
  readFileSync(new URL('../../../fixtures/ssdp/dahua.unknown.ssdp-response-1.txt', import.meta.url), 'utf8')
    .replace(/\r?\n/gu, '\r\n')
    .replace('192.168.1.20', host);
const header = (text: string, name: string): string | undefined =>
  text
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();

describe('SSDP on a simulated segment', () => {
  it('searches the group for each target, twice; takes each answer at its source with its LOCATION; caps replies and errors per host', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: ETH0.address });
    const camera = await responder(segment.host({ address: '10.66.0.12' }), '10.66.0.12', { port: 1900, group: GROUP }, (_text, from, send) => {
      send(dahua('10.66.0.12'), from.port, from.address);
    });
    // A chatty device answering every search forty times, and one answering with junk.
    await responder(segment.host({ address: '10.66.0.20' }), '10.66.0.20', { port: 1900, group: GROUP }, (_text, from, send) => {
      for (let i = 0; i < 40; i += 1) send(dahua('10.66.0.20'), from.port, from.address);
    });
    await responder(segment.host({ address: '10.66.0.21' }), '10.66.0.21', { port: 1900, group: GROUP }, (_text, from, send) => {
      send('NOTIFY garbage\r\n\r\n', from.port, from.address);
      send('\u0000\u0001', from.port, from.address);
    });

    const { observations, errors, audited, expected } = await runDiscoverer(createSsdpDiscovery({ mx: 1, maxPerHost: 5 }), ETH0, 1500, agent, () => 0);

    expect(camera.heard.map((h) => [h.text.split('\r\n')[0], header(h.text, 'ST'), header(h.text, 'MX'), header(h.text, 'MAN')])).toEqual([
      ['M-SEARCH * HTTP/1.1', 'ssdp:all', '1', '"ssdp:discover"'],
      ['M-SEARCH * HTTP/1.1', 'upnp:rootdevice', '1', '"ssdp:discover"'],
      ['M-SEARCH * HTTP/1.1', 'ssdp:all', '1', '"ssdp:discover"'],
      ['M-SEARCH * HTTP/1.1', 'upnp:rootdevice', '1', '"ssdp:discover"'],
    ]);
    expect(audited.every((a) => a.startsWith(`${GROUP}:1900 `))).toBe(true);
    expect(audited).toHaveLength(4);
    expect(expected.map((e) => [e.withinMs, e.last])).toEqual([
      [1100, false],
      [1100, true],
    ]);

    const from = (ip: string) => observations.filter((o) => o.ip === ip);
    expect(from('10.66.0.12')).toHaveLength(4);
    expect(from('10.66.0.12')[0]).toMatchObject({ protocol: 'ssdp', interface: 'eth0', endpoints: { location: 'http://10.66.0.12:49152/upnp_device_desc.xml' } });
    expect(from('10.66.0.20')).toHaveLength(5);
    expect(errors.map((e) => [e.ip, e.code, e.interface])).toEqual(Array.from({ length: MAX_ERRORS_PER_SOURCE }, () => ['10.66.0.21', 'SSDP_INVALID', 'eth0']));
  });
});
