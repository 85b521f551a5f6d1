/**
 * createDhipDiscovery on an in-memory segment (src/discovery/udp-memory.ts): the searches,
 * the two sockets and the reply rules (which group replies count for this interface)
 * together, without a namespace or a real socket.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDhipDiscovery } from '../../../../src/discovery/dhip/index.ts';
import { createMemorySegment } from '../../../../src/discovery/udp-memory.ts';
import { runDiscoverer } from '../../../helpers/loopback-udp.ts';
import { ETH0, responder } from '../../../helpers/segment.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/dhip/${name}`, import.meta.url));
const GROUP = '239.255.255.251';

function frame(body: string): Buffer {
  const b = Buffer.from(body);
  const header = Buffer.alloc(32);
  header.writeUInt32LE(32, 0);
  header.write('DHIP', 4, 'latin1');
  header.writeUInt32LE(b.length, 16);
  header.writeUInt32LE(b.length, 24);
  return Buffer.concat([header, b]);
}

const GOOD = frame(fixture('dahua.ipc-hdw5421s.notifyDevInfo.json').toString('utf8'));
const V1 = fixture('dahua.virtual.v1-reply.bin');
const isSearch = (text: string): boolean => text.includes('DHDiscover.search');

describe('Dahua discovery on a simulated segment', () => {
  it('searches the group and the broadcast (and v1 by broadcast); one observation per device, whether it answers us or the group; off-subnet group replies do not count', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: ETH0.address });
    const device = async (address: string, answer: (from: { address: string; port: number }, send: (p: Buffer | string, port: number, address: string) => void) => void) =>
      responder(segment.host({ address }), address, { port: 37810, group: GROUP }, (text, from, send) => {
        if (isSearch(text) && from.address === ETH0.address) answer(from, send);
      });
    const both = await device('10.66.0.12', (from, send) => {
      send(GOOD, from.port, from.address);
      send(GOOD, 37810, GROUP);
    });
    await device('10.66.0.14', (from, send) => send('\u0000\u0001not dhip at all', from.port, from.address));
    await device('10.77.0.2', (_from, send) => send(GOOD, 37810, GROUP));
    const v1 = await responder(segment.host({ address: '10.66.0.16' }), '10.66.0.16', { port: 5050 }, (_text, from, send) => send(V1, from.port, from.address));

    const { observations, errors, audited } = await runDiscoverer(createDhipDiscovery(), ETH0, 800, agent, () => 0);

    expect(both.heard.filter((h) => isSearch(h.text))).toHaveLength(4); // group and broadcast, twice
    expect(v1.heard).toHaveLength(2);
    const round = [`${GROUP}:37810 91`, '255.255.255.255:37810 91', '255.255.255.255:5050 32'];
    expect(audited).toEqual([...round, ...round]);

    expect(observations.map((o) => [o.ip, o.identifiers?.serial, o.evidence.find((e) => e.field === 'dhip.variant')?.value, o.interface]).sort()).toEqual([
      ['10.66.0.12', '1F006E4PAX00075', 'dhip', 'eth0'],
      ['10.66.0.16', '123456789', 'v1', 'eth0'],
    ]);
    expect(errors.map((e) => [e.ip, e.code])).toEqual(Array.from({ length: 4 }, () => ['10.66.0.14', 'DHIP_INVALID']));
  });
});
