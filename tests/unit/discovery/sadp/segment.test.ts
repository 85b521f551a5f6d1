/**
 * createSadpDiscovery on an in-memory segment (src/discovery/udp-memory.ts): the inquiries,
 * the two sockets and the reply rules (which group replies count for this interface) together,
 * without a namespace or a real socket.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSadpDiscovery } from '../../../../src/discovery/sadp/index.ts';
import { createMemorySegment } from '../../../../src/discovery/udp-memory.ts';
import { runDiscoverer } from '../../../helpers/loopback-udp.ts';
import { ETH0, responder } from '../../../helpers/segment.ts';

const VIRTUAL = readFileSync(new URL('../../../fixtures/sadp/hikvision.virtual.ProbeMatch.xml', import.meta.url), 'utf8');
const GROUP = '239.255.255.250';
const PORT = 37020;
const withUuid = (uuid: string | undefined, serial: string): string =>
  VIRTUAL.replace(/<Uuid>[^<]*<\/Uuid>/u, uuid === undefined ? '' : `<Uuid>${uuid}</Uuid>`).replace('Virtual-123456789', serial);
const uuidOf = (text: string): string | undefined => /<Uuid>([^<]*)<\/Uuid>/u.exec(text)?.[1];
const isInquiry = (text: string): boolean => text.includes('<Probe>');

describe('SADP on a simulated segment', () => {
  it('sends only the inquiry to the group and the broadcast; counts group replies to its own Uuids and local Uuid-less ones; records mismatches', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: ETH0.address });
    type Answer = (uuid: string | undefined, reply: (payload: string, toGroup: boolean) => void) => void;
    const device = async (address: string, answer: Answer) =>
      responder(segment.host({ address }), address, { port: PORT, group: GROUP }, (text, from, send) => {
        if (!isInquiry(text) || from.address !== ETH0.address) return;
        answer(uuidOf(text), (payload, toGroup) => (toGroup ? send(payload, PORT, GROUP) : send(payload, from.port, from.address)));
      });
    const groupDevice = await device('10.66.0.11', (uuid, reply) => {
      reply(withUuid('FFFFFFFF-0000-4000-8000-00000000BEEF', 'OTHER-TOOL'), true);
      reply(withUuid(uuid, 'GROUP-DEVICE'), true);
    });
    await device('10.66.0.12', (uuid, reply) => reply(withUuid(uuid, 'DIRECT-DEVICE'), false));
    await device('10.66.0.13', (_uuid, reply) => reply(withUuid('FFFFFFFF-0000-4000-8000-00000000DEAD', 'STRANGER'), false));
    await device('10.66.0.14', (_uuid, reply) => reply('HTTP/1.1 400 Bad Request\r\n\r\nnot xml', false));
    await device('192.0.0.64', (uuid, reply) => reply(withUuid(uuid, 'FACTORY-DEFAULT'), true));
    await device('10.77.0.5', (_uuid, reply) => reply(withUuid(undefined, 'OFF-SUBNET'), true));
    await device('10.66.0.15', (_uuid, reply) => reply(withUuid(undefined, 'LOCAL-NO-UUID'), true));

    let n = 0;
    const sent: string[] = [];
    const discoverer = createSadpDiscovery({
      newUuid: () => {
        n += 1;
        const id = `5E1D0C2B-0000-4000-8000-${String(n).padStart(12, '0')}`;
        sent.push(id);
        return id;
      },
    });
    const { observations, errors, audited } = await runDiscoverer(discoverer, ETH0, 800, agent, () => 0);

    const inquiries = groupDevice.heard.filter((h) => isInquiry(h.text));
    expect(inquiries.map((h) => h.text)).toEqual(sent.map((id) => `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>inquiry</Types></Probe>`));
    expect(audited.map((a) => a.split(' ')[0])).toEqual([`${GROUP}:${PORT}`, `255.255.255.255:${PORT}`, `${GROUP}:${PORT}`, `255.255.255.255:${PORT}`]);

    // One observation per device, at the datagram's source, on this interface.
    expect(observations.map((o) => [o.ip, o.identifiers?.serial, o.interface]).sort()).toEqual([
      ['10.66.0.11', 'GROUP-DEVICE', 'eth0'],
      ['10.66.0.12', 'DIRECT-DEVICE', 'eth0'],
      ['10.66.0.15', 'LOCAL-NO-UUID', 'eth0'],
      ['192.0.0.64', 'FACTORY-DEFAULT', 'eth0'],
    ]);
    // Junk and a stranger's Uuid sent to us are recorded (one per inquiry); answers to other
    // tools on the group and Uuid-less replies from off the subnet are not.
    expect(errors.map((e) => [e.ip, e.code]).sort()).toEqual([
      ...Array.from({ length: 4 }, () => ['10.66.0.13', 'SADP_UUID_MISMATCH']),
      ...Array.from({ length: 4 }, () => ['10.66.0.14', 'SADP_INVALID']),
    ]);
  });

  it('records a group port it cannot listen on and still takes direct replies', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: ETH0.address });
    // Another program on the agent holds 0.0.0.0:37020 without SO_REUSEADDR.
    await agent({ bindAddress: '0.0.0.0', bindPort: PORT, onMessage: () => undefined, onError: () => undefined });
    await responder(segment.host({ address: '10.66.0.12' }), '10.66.0.12', { port: PORT, group: GROUP }, (text, from, send) => {
      if (isInquiry(text)) send(withUuid(uuidOf(text), 'ALONE'), from.port, from.address);
    });
    const { observations, errors } = await runDiscoverer(createSadpDiscovery(), ETH0, 800, agent, () => 0.5);
    expect(errors.map((e) => e.code)).toEqual(['SADP_LISTEN_FAILED']);
    expect(observations.map((o) => [o.ip, o.identifiers?.serial])).toEqual([['10.66.0.12', 'ALONE']]);
  });
});
