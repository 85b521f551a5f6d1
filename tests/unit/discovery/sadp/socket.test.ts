/**
 * createSadpDiscovery over real sockets on loopback. It sends multicast and broadcast, so it
 * runs ONLY inside the private network namespace of scripts/private-netns.sh:
 *   sh scripts/private-netns.sh npx vitest run tests/unit/discovery/sadp
 */
import type dgram from 'node:dgram';
import { openUdpSocket } from '../../../../src/discovery/udp.ts';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createSadpDiscovery } from '../../../../src/discovery/sadp/index.ts';
import { silentLogger } from '../../../../src/util/log.ts';
import { closeLoopbackSockets, enableLoopbackMulticast, LOOPBACK as LO, loopbackUdp as udp, runOnLoopback, type LoopbackRun } from '../../../helpers/loopback-udp.ts';

const VIRTUAL = readFileSync(new URL('../../../fixtures/sadp/hikvision.virtual.ProbeMatch.xml', import.meta.url), 'utf8');
const GROUP = '239.255.255.250';
const PORT = 37020;

const withUuid = (uuid: string | undefined, serial: string): string =>
  VIRTUAL.replace(/<Uuid>[^<]*<\/Uuid>/u, uuid === undefined ? '' : `<Uuid>${uuid}</Uuid>`).replace('Virtual-123456789', serial);

interface Heard {
  via: 'group' | 'broadcast';
  text: string;
  at: number;
  from: { address: string; port: number };
}

afterEach(closeLoopbackSockets);

/** One run on `iface`; every Uuid the discoverer draws is appended to `sent`. */
function run(iface: NetInterface, windowMs: number, sent: string[] = [], random?: () => number): Promise<LoopbackRun> {
  let n = 0;
  const discoverer = createSadpDiscovery({
    newUuid: () => {
      n += 1;
      const id = `5E1D0C2B-0000-4000-8000-${String(n).padStart(12, '0')}`;
      sent.push(id);
      return id;
    },
  });
  return runOnLoopback(discoverer, iface, windowMs, random);
}

describe('createSadpDiscovery on loopback (private namespace only)', () => {
  beforeAll(() => enableLoopbackMulticast('tests/unit/discovery/sadp'));

  it('sends only the inquiry, to the group and the broadcast, twice; finds devices answering the group and the sender; junk loses nothing', async () => {
    const heard: Heard[] = [];
    // The devices' ears: one socket for the group, one for the limited broadcast.
    const groupEar = await udp(GROUP, PORT, { reuse: true, join: GROUP });
    const broadcastEar = await udp('255.255.255.255', PORT, { reuse: true });
    const [groupDevice, directDevice, junkDevice, strangerDevice, factoryDevice, offSubnetDevice] = await Promise.all(
      ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.1.2', '127.0.1.3'].map((a) => udp(a, 0)),
    );
    const answer = (text: string, rinfo: dgram.RemoteInfo): void => {
      const uuid = /<Uuid>([^<]*)<\/Uuid>/u.exec(text)?.[1];
      const to = (s: dgram.Socket | undefined, payload: string, port: number, address: string): void => void s?.send(payload, port, address);
      to(junkDevice, 'HTTP/1.1 400 Bad Request\r\n\r\nnot xml', rinfo.port, rinfo.address);
      to(strangerDevice, withUuid('FFFFFFFF-0000-4000-8000-00000000DEAD', 'STRANGER'), rinfo.port, rinfo.address);
      to(groupDevice, withUuid('FFFFFFFF-0000-4000-8000-00000000BEEF', 'OTHER-TOOL'), PORT, GROUP);
      to(groupDevice, withUuid(uuid, 'GROUP-DEVICE'), PORT, GROUP);
      to(directDevice, withUuid(uuid, 'DIRECT-DEVICE'), rinfo.port, rinfo.address);
      to(factoryDevice, withUuid(uuid, 'FACTORY-DEFAULT'), PORT, GROUP);
      to(offSubnetDevice, withUuid(undefined, 'OFF-SUBNET'), PORT, GROUP);
    };
    for (const [ear, via] of [[groupEar, 'group'], [broadcastEar, 'broadcast']] as const) {
      ear.on('message', (msg, rinfo) => {
        if (rinfo.address !== '127.0.0.1') return; // the devices' own group replies
        const text = msg.toString('utf8');
        heard.push({ via, text, at: performance.now(), from: { address: rinfo.address, port: rinfo.port } });
        answer(text, rinfo);
      });
    }

    const sent: string[] = [];
    const { observations, errors, ms, audited } = await run(LO, 1200, sent);
    expect(ms).toBeGreaterThanOrEqual(1150);
    expect(ms).toBeLessThan(1200 + 3000); // resolved after the window, not hung

    // Exactly four datagrams, each the inquiry with a fresh Uuid: group, broadcast, group, broadcast.
    expect(heard.map((h) => h.via)).toEqual(['group', 'broadcast', 'group', 'broadcast']);
    expect(heard.map((h) => h.text)).toEqual(
      sent.map((id) => `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>inquiry</Types></Probe>`),
    );
    expect(new Set(heard.map((h) => h.from.port)).size).toBe(1);
    // The repeat round waits its jittered gap; the datagrams of a round follow one another sooner (40-100 ms).
    expect(heard[2]!.at - heard[1]!.at).toBeGreaterThanOrEqual(40);
    // Every datagram sent went through the sweep's audit hook.
    expect(audited).toEqual(heard.map((h) => `${h.via === 'group' ? GROUP : '255.255.255.255'}:${PORT} ${Buffer.byteLength(h.text)}`));

    // One observation per device, at the datagram's source, on this interface.
    const found = observations.map((o) => [o.ip, o.identifiers?.serial, o.interface]).sort();
    expect(found).toEqual([
      ['127.0.0.2', 'GROUP-DEVICE', 'lo'],
      ['127.0.0.3', 'DIRECT-DEVICE', 'lo'],
      ['127.0.1.2', 'FACTORY-DEFAULT', 'lo'],
    ]);
    const direct = observations.find((o) => o.ip === '127.0.0.3')!;
    expect(direct.mac).toBe('00:11:22:33:44:55');
    expect(direct.evidence).toContainEqual({ protocol: 'sadp', field: 'sadp.firmware', value: 'V1.0build 200101' });

    // Junk and a stranger's Uuid sent to us are recorded (one per inquiry); answers to other
    // tools on the group and Uuid-less replies from off the subnet are not.
    expect(errors.map((e) => [e.ip, e.code]).sort()).toEqual([
      ...Array.from({ length: 4 }, () => ['127.0.0.4', 'SADP_INVALID']),
      ...Array.from({ length: 4 }, () => ['127.0.0.5', 'SADP_UUID_MISMATCH']),
    ]);
    expect(errors.every((e) => e.protocol === 'sadp' && e.interface === 'lo')).toBe(true);
  });

  it('tells the adaptive window that each inquiry\'s replies are due within 0.6 s, and which inquiry was the last', async () => {
    const r = await run(LO, 800, [], () => 0);
    expect(r.expected).toEqual([1, 2, 3, 4].map((n) => ({ withinMs: 600, last: n === 4, afterSends: n })));
  });

  it('records a group port it cannot listen on and still takes direct replies', async () => {
    // A "device" holding 0.0.0.0:37020 without SO_REUSEADDR: the discoverer cannot listen there.
    const device = await udp('0.0.0.0', PORT, { join: GROUP });
    const heard: string[] = [];
    device.on('message', (msg, rinfo) => {
      heard.push(msg.toString('utf8'));
      const uuid = /<Uuid>([^<]*)<\/Uuid>/u.exec(msg.toString('utf8'))?.[1];
      device.send(withUuid(uuid, 'ALONE'), rinfo.port, rinfo.address);
    });
    // Gaps fixed at 150 ms, so all four inquiries leave well inside the window.
    const { observations, errors } = await run(LO, 800, [], () => 0.5);
    expect(heard).toHaveLength(4);
    expect(errors.map((e) => e.code)).toEqual(['SADP_LISTEN_FAILED']);
    expect(observations.map((o) => [o.ip, o.identifiers?.serial])).toEqual([['127.0.0.1', 'ALONE']]);
  });

  it('reports an interface it cannot bind as SADP_SOCKET_FAILED and resolves without throwing', async () => {
    const { errors, ms } = await run({ ...LO, name: 'ghost0', address: '10.99.99.99' }, 1000);
    expect(errors.map((e) => [e.code, e.interface, e.protocol])).toEqual([['SADP_SOCKET_FAILED', 'ghost0', 'sadp']]);
    expect(ms).toBeLessThan(900); // at once: it did not wait out the 1 s window
  });

  it('resolves at once when the window is already closed', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = performance.now();
    await createSadpDiscovery().run({ iface: LO, signal: controller.signal, udp: openUdpSocket, windowMs: 0, log: silentLogger(), emit: () => undefined, error: () => undefined });
    expect(performance.now() - started).toBeLessThan(1000); // at once, not after a window and a retry
  });
});
