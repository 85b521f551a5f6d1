/**
 * createDhipDiscovery over real sockets on loopback. It sends multicast and broadcast, so it
 * runs ONLY inside the private network namespace of scripts/private-netns.sh:
 *   sh scripts/private-netns.sh npx vitest run tests/unit/discovery/dhip
 */
import type dgram from 'node:dgram';
import { openUdpSocket } from '../../../../src/discovery/udp.ts';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createDhipDiscovery } from '../../../../src/discovery/dhip/index.ts';
import { silentLogger } from '../../../../src/util/log.ts';
import { closeLoopbackSockets, enableLoopbackMulticast, LOOPBACK as LO, loopbackUdp as udp, runOnLoopback, type LoopbackRun } from '../../../helpers/loopback-udp.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/dhip/${name}`, import.meta.url));
const GROUP = '239.255.255.251';
const SEARCH_BODY = '{"method":"DHDiscover.search","params":{"mac":"","uni":1}}\n';
const V1_PROBE = `a3010001${'00'.repeat(12)}02${'00'.repeat(15)}`;

function frame(body: string, length?: number): Buffer {
  const b = Buffer.from(body);
  const header = Buffer.alloc(32);
  header.writeUInt32LE(32, 0);
  header.write('DHIP', 4, 'latin1');
  header.writeUInt32LE(length ?? b.length, 16);
  header.writeUInt32LE(length ?? b.length, 24);
  return Buffer.concat([header, b]);
}

const GOOD = frame(fixture('dahua.ipc-hdw5421s.notifyDevInfo.json').toString('utf8'));
const BROKEN = fixture('dahua.virtual.notifyDevInfo.bin');
const V1 = fixture('dahua.virtual.v1-reply.bin');

afterEach(closeLoopbackSockets);

const run = (iface: NetInterface, windowMs: number, random?: () => number): Promise<LoopbackRun> => runOnLoopback(createDhipDiscovery(), iface, windowMs, random);

describe('createDhipDiscovery on loopback (private namespace only)', () => {
  beforeAll(() => enableLoopbackMulticast('tests/unit/discovery/dhip'));

  it('sends only DHDiscover.search (group + broadcast) and the v1 search, twice; junk and lies lose no good reply', async () => {
    const heard: Array<{ ear: string; hex: string; at: number }> = [];
    const ears = {
      group: await udp(GROUP, 37810, { reuse: true, join: GROUP }),
      broadcast: await udp('255.255.255.255', 37810, { reuse: true }),
      v1: await udp('255.255.255.255', 5050, { reuse: true }),
    };
    const [both, broken, junk, liar, v1Device, offSubnet] = await Promise.all(
      ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.1.2'].map((a) => udp(a, 0)),
    );
    const to = (s: dgram.Socket | undefined, payload: Buffer, port: number, address: string): void => void s?.send(payload, port, address);
    for (const [ear, socket] of Object.entries(ears)) {
      socket.on('message', (msg, rinfo) => {
        if (rinfo.address !== '127.0.0.1') return; // the devices' own group replies
        heard.push({ ear, hex: msg.toString('hex'), at: performance.now() });
        if (ear === 'v1') {
          to(v1Device, V1, rinfo.port, rinfo.address);
          return;
        }
        to(both, GOOD, rinfo.port, rinfo.address);
        to(both, GOOD, 37810, GROUP);
        to(broken, BROKEN, rinfo.port, rinfo.address);
        to(junk, Buffer.from('\u0000\u0001not dhip at all'), rinfo.port, rinfo.address);
        to(liar, frame('{}', 1 << 20), rinfo.port, rinfo.address);
        to(offSubnet, GOOD, 37810, GROUP);
      });
    }

    const { observations, errors, ms, audited } = await run(LO, 1500);
    expect(ms).toBeGreaterThanOrEqual(1450);
    expect(ms).toBeLessThan(1500 + 3000); // resolved after the window, not hung

    const search = frame(SEARCH_BODY).toString('hex');
    expect(heard.map((h) => [h.ear, h.hex])).toEqual([
      ['group', search],
      ['broadcast', search],
      ['v1', V1_PROBE],
      ['group', search],
      ['broadcast', search],
      ['v1', V1_PROBE],
    ]);
    // The repeat round waits its jittered gap; the datagrams of a round follow one another sooner (40-100 ms).
    expect(heard[3]!.at - heard[2]!.at).toBeGreaterThanOrEqual(40);
    const round = [`${GROUP}:37810 91`, '255.255.255.255:37810 91', '255.255.255.255:5050 32'];
    expect(audited).toEqual([...round, ...round]);

    expect(observations.map((o) => [o.ip, o.identifiers?.serial, o.evidence.find((e) => e.field === 'dhip.variant')?.value, o.interface])).toEqual(
      expect.arrayContaining([
        ['127.0.0.2', '1F006E4PAX00075', 'dhip', 'lo'],
        ['127.0.0.3', '123456789', 'dhip', 'lo'],
        ['127.0.0.6', '123456789', 'v1', 'lo'],
      ]),
    );
    expect(observations).toHaveLength(3);

    expect(errors.map((e) => [e.ip, e.code]).sort()).toEqual([
      ['127.0.0.3', 'DHIP_MALFORMED'],
      ...Array.from({ length: 4 }, () => ['127.0.0.4', 'DHIP_INVALID']),
      ...Array.from({ length: 4 }, () => ['127.0.0.5', 'DHIP_INVALID']),
    ]);
    expect(errors.every((e) => e.protocol === 'dhip' && e.interface === 'lo')).toBe(true);
  });

  it('tells the adaptive window that each search\'s replies are due within 0.6 s, and which search was the last', async () => {
    const r = await run(LO, 800, () => 0);
    expect(r.expected).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ withinMs: 600, last: n === 6, afterSends: n })));
  });

  it('records a group port it cannot listen on and still takes direct replies', async () => {
    const device = await udp('0.0.0.0', 37810, { join: GROUP });
    let searches = 0;
    device.on('message', (msg, rinfo) => {
      if (msg.toString('latin1', 4, 8) !== 'DHIP') return;
      searches += 1;
      device.send(GOOD, rinfo.port, rinfo.address);
    });
    // Gaps fixed at 150 ms, so all six searches leave well inside the window.
    const { observations, errors } = await run(LO, 1100, () => 0.5);
    expect(searches).toBe(4);
    expect(errors.map((e) => e.code)).toEqual(['DHIP_LISTEN_FAILED']);
    expect(observations.map((o) => [o.ip, o.identifiers?.serial])).toEqual([['127.0.0.1', '1F006E4PAX00075']]);
  });

  it('reports an interface it cannot bind as DHIP_SOCKET_FAILED and resolves without throwing', async () => {
    const { errors } = await run({ ...LO, name: 'ghost0', address: '10.99.99.99' }, 1000);
    expect(errors.map((e) => [e.code, e.interface, e.protocol])).toEqual([['DHIP_SOCKET_FAILED', 'ghost0', 'dhip']]);
  });

  it('sends no v1 search when asked not to', async () => {
    const v1 = await udp('255.255.255.255', 5050, { reuse: true });
    let heard = 0;
    v1.on('message', () => {
      heard += 1;
    });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 600);
    await createDhipDiscovery({ v1: false }).run({ iface: LO, signal: controller.signal, udp: openUdpSocket, windowMs: 600, log: silentLogger(), emit: () => undefined, error: () => undefined });
    clearTimeout(timer);
    expect(heard).toBe(0);
  });
});
