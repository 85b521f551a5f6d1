/**
 * Socket-level test of the mDNS discoverer, on loopback INSIDE the private network namespace
 * (scripts/private-netns.sh): nothing here can reach a real network. In-test responders:
 *
 * - "unicast": answers PTR _axis-video._tcp with a legacy unicast reply (RFC 6762 §6.7) to
 *   the querier's port, from 127.0.0.2, after a junk datagram from 127.0.0.4;
 * - "multicast": answers only by multicast to 224.0.0.251:5353 from 127.0.0.3: a bare PTR
 *   for _http._tcp, then SRV/TXT/A only when asked (so the follow-up queries are exercised),
 *   after a junk multicast datagram from 127.0.0.5.
 */
import dgram from 'node:dgram';
import { openUdpSocket } from '../../../../src/discovery/udp.ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import type { Answer, Question } from 'dns-packet';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createMdnsDiscovery, type MdnsDiscoveryOptions } from '../../../../src/discovery/mdns/index.ts';
import { silentLogger } from '../../../../src/util/log.ts';
import { readQuestions } from './helpers.ts';
import { enableLoopbackMulticast } from '../../../helpers/loopback-udp.ts';

const GROUP = '224.0.0.251';
const LO: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, mac: null };

const AXIS_INSTANCE = 'AXIS M3106-L Mk II - ACCC8E000001 v1.2._axis-video._tcp.local';
const HTTP_INSTANCE = 'Lobby Cam 2.0._http._tcp.local';

interface SeenQuery {
  at: number;
  fromPort: number;
  questions: Array<{ name: string; type: number; klass: number }>;
}

const sockets: dgram.Socket[] = [];

async function udp(address: string, port: number, reuseAddr: boolean, join = false): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: 'udp4', reuseAddr });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address, port, exclusive: !reuseAddr }, () => {
      s.off('error', reject);
      resolve();
    });
  });
  s.on('error', () => s.close());
  if (join) s.addMembership(GROUP, '127.0.0.1');
  s.setMulticastInterface('127.0.0.1');
  return s;
}

function send(s: dgram.Socket, buf: Buffer, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => s.send(buf, port, address, (err) => (err ? reject(err) : resolve())));
}

/** Queries arriving on a receive socket (our discoverer is the only querier in the namespace). */
function onQueries(rx: dgram.Socket, seen: SeenQuery[], handle: (q: SeenQuery, rinfo: dgram.RemoteInfo, msg: Buffer) => void): void {
  const start = Date.now();
  rx.on('message', (msg, rinfo) => {
    if (msg.length < 12 || (msg.readUInt16BE(2) & 0x8000) !== 0) return; // responses
    const q: SeenQuery = {
      at: Date.now() - start,
      fromPort: rinfo.port,
      questions: readQuestions(msg).map((x) => ({ name: x.labels.join('.'), type: x.type, klass: x.klass })),
    };
    seen.push(q);
    handle(q, rinfo, msg);
  });
}

function reply(id: number, questions: Question[], answers: Answer[], additionals: Answer[] = []): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions, answers, additionals });
}

/** The legacy-unicast responder: receive socket `rx`, replies from 127.0.0.2. */
async function unicastResponder(rx: dgram.Socket, seen: SeenQuery[]): Promise<void> {
  const tx = await udp('127.0.0.2', 0, true);
  const junk = await udp('127.0.0.4', 0, true);
  onQueries(rx, seen, (q, rinfo, msg) => {
    if (rinfo.port === 5353) return; // legacy unicast only
    if (!q.questions.some((x) => x.name === '_axis-video._tcp.local' && x.type === 12)) return;
    const id = msg.readUInt16BE(0);
    void send(junk, Buffer.from('\u0000\u0000\u0084\u0000 definitely not DNS \u001b[31m'), rinfo.port, rinfo.address)
      .then(() =>
        send(
          tx,
          reply(
            id,
            [{ type: 'PTR', name: '_axis-video._tcp.local' }],
            [{ type: 'PTR', name: '_axis-video._tcp.local', ttl: 10, data: AXIS_INSTANCE }],
            [
              { type: 'SRV', name: AXIS_INSTANCE, ttl: 10, data: { port: 80, target: 'axis-accc8e000001.local' } },
              { type: 'TXT', name: AXIS_INSTANCE, ttl: 10, data: ['macaddress=ACCC8E000001', 'a', 'rs='] },
              { type: 'A', name: 'axis-accc8e000001.local', ttl: 10, data: '127.0.0.2' },
            ],
          ),
          rinfo.port,
          rinfo.address,
        ),
      )
      .catch(() => undefined);
  });
}

/** The multicast-only responder: replies from 127.0.0.3:5353 to the group, answering only what is asked. */
async function multicastResponder(rx: dgram.Socket, seen: SeenQuery[]): Promise<void> {
  const tx = await udp('127.0.0.3', 5353, true);
  const junk = await udp('127.0.0.5', 5353, true);
  onQueries(rx, seen, (q) => {
    const answers: Answer[] = [];
    for (const x of q.questions) {
      if (x.name === '_http._tcp.local' && x.type === 12) answers.push({ type: 'PTR', name: '_http._tcp.local', ttl: 120, data: HTTP_INSTANCE });
      if (x.name === HTTP_INSTANCE && x.type === 33) answers.push({ type: 'SRV', name: HTTP_INSTANCE, ttl: 120, data: { port: 8080, target: 'lobby-cam.local' } });
      if (x.name === HTTP_INSTANCE && x.type === 16) answers.push({ type: 'TXT', name: HTTP_INSTANCE, ttl: 120, data: ['model=LC-2', 'Vendor=Example'] });
      if (x.name === 'lobby-cam.local' && x.type === 1) answers.push({ type: 'A', name: 'lobby-cam.local', ttl: 120, data: '127.0.0.3' });
    }
    if (answers.length === 0) return;
    void send(junk, Buffer.from([0xde, 0xad, 0x84, 0x00, 0xff, 0xff, 0xff, 0xff]), 5353, GROUP)
      .then(() => send(tx, reply(0, [], answers), 5353, GROUP))
      .catch(() => undefined);
  });
}

async function runDiscovery(
  windowMs: number,
  options: MdnsDiscoveryOptions,
  iface: NetInterface = LO,
): Promise<{ observations: Observation[]; errors: SweepError[]; elapsed: number; expected: Array<{ withinMs: number; last: boolean }> }> {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const expected: Array<{ withinMs: number; last: boolean }> = [];
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), windowMs);
  const start = Date.now();
  await createMdnsDiscovery(options).run({
    iface,
    signal: ac.signal,
    udp: openUdpSocket,
    windowMs,
    log: silentLogger(),
    emit: (o) => observations.push(o),
    error: (e) => errors.push(e),
    random: () => 0,
    expectReplies: (withinMs, last = false) => expected.push({ withinMs, last }),
  });
  clearTimeout(timer);
  return { observations, errors, elapsed: Date.now() - start, expected };
}

function fieldsOf(observations: Observation[], ip: string): Array<[string, string]> {
  return observations.filter((o) => o.ip === ip).flatMap((o) => o.evidence.map((e): [string, string] => [e.field, e.value]));
}

// `ip route replace`, not check-then-add: test files run in parallel in one namespace, and two
// adding the route at once made this file's hook fail now and then (its tests then never ran).
beforeAll(() => enableLoopbackMulticast('tests/unit/discovery/mdns'));

afterEach(() => {
  for (const s of sockets.splice(0)) {
    try {
      s.close();
    } catch (err) {
      // closed already by its error handler
      expect((err as { code?: string }).code).toBe('ERR_SOCKET_DGRAM_NOT_RUNNING');
    }
  }
});

describe('createMdnsDiscovery on loopback (private namespace)', () => {
  it('is running in the private namespace', () => {
    expect(process.env.CAMSWEEP_PRIVATE_NETNS).toBe('1');
  });

  it('finds a legacy-unicast responder and a multicast-only responder, re-queries, follows up, survives junk', async () => {
    const unicastSeen: SeenQuery[] = [];
    const multicastSeen: SeenQuery[] = [];
    await unicastResponder(await udp('0.0.0.0', 5353, true, true), unicastSeen);
    await multicastResponder(await udp('0.0.0.0', 5353, true, true), multicastSeen);

    const { observations, errors, elapsed, expected } = await runDiscovery(1600, { requeryMs: [0, 500, 1000], followUpDelayMs: 50 });
    // Resolved once the window closed, not hung (the time it takes is the benchmarks' business).
    expect(elapsed).toBeLessThan(1600 + 3000);

    // The adaptive window: each round's answers are due within 120 ms + 0.1 s, the third round
    // is the last; each follow-up (after 50 ms) pushes the deadline on, before and after it goes out.
    expect(expected.filter((e) => e.last)).toEqual([{ withinMs: 220, last: true }]);
    expect(expected.filter((e) => e.withinMs === 220).length).toBeGreaterThanOrEqual(3);
    expect(expected.filter((e) => e.withinMs === 270).length).toBeGreaterThanOrEqual(1);
    expect(expected.every((e) => e.withinMs === 220 || e.withinMs === 270)).toBe(true);

    // legacy unicast responder at 127.0.0.2
    const axis = observations.find((o) => o.ip === '127.0.0.2');
    expect(axis).toMatchObject({
      protocol: 'mdns',
      interface: 'lo',
      mac: 'ac:cc:8e:00:00:01',
      identifiers: { hostname: 'axis-accc8e000001.local' },
      endpoints: { httpPorts: [80] },
    });
    expect(fieldsOf(observations, '127.0.0.2')).toEqual(
      expect.arrayContaining([
        ['mdns.type', '_axis-video._tcp'],
        ['mdns.instance', 'AXIS M3106-L Mk II - ACCC8E000001 v1.2'],
        ['mdns.txt.macaddress', 'ACCC8E000001'],
        ['mdns.txt.a', ''],
        ['mdns.txt.rs', ''],
        ['mdns.port._axis-video._tcp', '80'],
      ]),
    );
    // identical replies to the three rounds are emitted once
    expect(observations.filter((o) => o.ip === '127.0.0.2')).toHaveLength(1);

    // multicast-only responder at 127.0.0.3: found through the 5353 listener, completed by follow-ups
    const lobby = fieldsOf(observations, '127.0.0.3');
    expect(lobby).toEqual(
      expect.arrayContaining([
        ['mdns.type', '_http._tcp'],
        ['mdns.instance', 'Lobby Cam 2.0'],
        ['mdns.port._http._tcp', '8080'],
        ['mdns.txt.model', 'LC-2'],
        ['mdns.txt.vendor', 'Example'],
        ['mdns.hostname', 'lobby-cam.local'],
        ['mdns.address', '127.0.0.3'],
      ]),
    );
    expect(observations.some((o) => o.ip === '127.0.0.3' && o.endpoints?.httpPorts?.includes(8080))).toBe(true);

    // three browse rounds, QU bit on the first only, all from an ephemeral (legacy) port
    const browses = multicastSeen.filter((q) => q.questions.some((x) => x.name === '_axis-video._tcp.local'));
    expect(browses).toHaveLength(3);
    expect(browses.map((q) => q.questions[0]?.klass)).toEqual([0x8001, 0x0001, 0x0001]);
    expect(browses.every((q) => q.fromPort !== 5353)).toBe(true);
    expect(browses[1]!.at - browses[0]!.at).toBeGreaterThanOrEqual(400);
    expect(unicastSeen.filter((q) => q.questions.some((x) => x.name === '_axis-video._tcp.local'))).toHaveLength(3);

    // follow-ups: SRV + TXT for the bare PTR's instance (dotted label whole), then A for its host
    const asked = multicastSeen.flatMap((q) => q.questions.map((x) => `${x.type} ${x.name}`));
    expect(asked).toContain(`33 ${HTTP_INSTANCE}`);
    expect(asked).toContain(`16 ${HTTP_INSTANCE}`);
    expect(asked).toContain('1 lobby-cam.local');
    expect(asked.filter((a) => a === `33 ${HTTP_INSTANCE}`).length).toBeLessThanOrEqual(2);

    // junk was recorded, with its source, and did not cost the good answers
    const invalid = errors.filter((e) => e.code === 'MDNS_INVALID');
    expect(invalid.map((e) => e.ip)).toEqual(expect.arrayContaining(['127.0.0.4', '127.0.0.5']));
    for (const e of invalid) expect(e).toMatchObject({ protocol: 'mdns', interface: 'lo' });
    expect(errors.filter((e) => e.code !== 'MDNS_INVALID')).toEqual([]);
  });

  it('counts multicast replies only from the interface subnet, while unicast replies to the query socket still count', async () => {
    await unicastResponder(await udp('0.0.0.0', 5353, true, true), []);
    await multicastResponder(await udp('0.0.0.0', 5353, true, true), []);
    const narrow: NetInterface = { ...LO, netmask: '255.255.255.255', prefix: 32 };
    const { observations, errors } = await runDiscovery(800, { requeryMs: [0] }, narrow);
    expect(observations.map((o) => o.ip)).toContain('127.0.0.2');
    expect(observations.some((o) => o.ip === '127.0.0.3')).toBe(false);
    // the multicast junk from 127.0.0.5 was not even looked at
    expect(errors.some((e) => e.ip === '127.0.0.5')).toBe(false);
  });

  it('records MDNS_LISTEN_FAILED when 5353 is held without SO_REUSEADDR and still finds legacy-unicast responders', async () => {
    // the holder is the unicast responder's own receive socket, bound exclusively
    const holder = await udp('0.0.0.0', 5353, false, true);
    const seen: SeenQuery[] = [];
    await unicastResponder(holder, seen);
    const { observations, errors } = await runDiscovery(700, { requeryMs: [0] });
    expect(errors.filter((e) => e.code === 'MDNS_LISTEN_FAILED')).toEqual([
      expect.objectContaining({ protocol: 'mdns', interface: 'lo', message: expect.stringContaining('EADDRINUSE') }),
    ]);
    expect(observations.map((o) => o.ip)).toContain('127.0.0.2');
    expect(seen.length).toBeGreaterThan(0);
  });

  it('stops at once when the signal aborts and releases port 5353', async () => {
    const seen: SeenQuery[] = [];
    await unicastResponder(await udp('0.0.0.0', 5353, true, true), seen);
    const { elapsed } = await runDiscovery(300, { requeryMs: [0, 1000, 2000] });
    // Stopped when aborted, before the last query round at 2 s.
    expect(elapsed).toBeLessThan(1900);
    const sentBefore = seen.length;
    for (const s of sockets.splice(0)) s.close();
    // nothing of ours is left on 5353: an exclusive bind succeeds
    const probe = await udp('0.0.0.0', 5353, false);
    probe.close();
    sockets.splice(0);
    await new Promise((r) => setTimeout(r, 1200));
    expect(seen.length).toBe(sentBefore);
  });

  it('resolves without sockets when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const errors: SweepError[] = [];
    await createMdnsDiscovery().run({ iface: LO, signal: ac.signal, udp: openUdpSocket, windowMs: 1000, log: silentLogger(), emit: () => undefined, error: (e) => errors.push(e) });
    expect(errors).toEqual([]);
  });

  it('records a socket failure instead of throwing when the interface address is not local', async () => {
    const bogus: NetInterface = { name: 'ghost0', address: '192.0.2.1', netmask: '255.255.255.0', prefix: 24, mac: null };
    const { errors, observations } = await runDiscovery(300, { requeryMs: [0] }, bogus);
    expect(observations).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['MDNS_SOCKET_FAILED', 'MDNS_LISTEN_FAILED']);
  });
});
