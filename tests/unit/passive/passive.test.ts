/**
 * Passive listening on an in-memory segment (src/discovery/udp-memory.ts): real announcement
 * datagrams sent by other hosts to the groups, the listener, the gate, the decoders, the host
 * table and the queue together, on a virtual clock, with a fake identification.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import type { Observation, SweepResult } from '../../../src/domain/types.ts';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import { createMemorySegment, type MemorySegment } from '../../../src/discovery/udp-memory.ts';
import type { UdpFactory } from '../../../src/discovery/udp.ts';
import type { Departure } from '../../../src/inventory/types.ts';
import { DEFAULT_GATE_LIMITS } from '../../../src/passive/gate.ts';
import { LISTENED } from '../../../src/passive/listener.ts';
import { createPassive, type PassiveSettings } from '../../../src/passive/passive.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { FakeClock, settle } from '../daemon/helpers.ts';
import { device } from '../inventory/sample.ts';

const HELLO = readFileSync(new URL('../../fixtures/wsd/dahua.ipc-hfw2228m-i1-v2.Hello.xml', import.meta.url), 'utf8');
const ETH0: NetInterface = { name: 'eth0', address: '192.168.1.2', netmask: '255.255.255.0', prefix: 24, mac: null, ipv6: { address: 'fe80::2', scopeId: 'eth0' } };
const CAMERA = '192.168.1.45';

const hello = (version = 1, epr = 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464'): string =>
  HELLO.replace('<d:MetadataVersion>1<', `<d:MetadataVersion>${version}<`).replace('uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464', epr);
const bye = (epr = 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464'): string =>
  HELLO.replace('/discovery/Hello<', '/discovery/Bye<').replace(/<d:Hello>[\s\S]*<\/d:Hello>/u, `<d:Bye><a:EndpointReference><a:Address>${epr}</a:Address></a:EndpointReference></d:Bye>`);
const notify = (ip: string, bootId = '1'): string =>
  ['NOTIFY * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'CACHE-CONTROL: max-age=1800', `LOCATION: http://${ip}:49152/rootDesc.xml`, 'NT: upnp:rootdevice', 'NTS: ssdp:alive', 'SERVER: Linux UPnP/1.0 Dahua', `USN: uuid:dahua-${ip}::upnp:rootdevice`, `BOOTID.UPNP.ORG: ${bootId}`, '', ''].join('\r\n');

const SETTINGS: PassiveSettings = {
  protocols: ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'],
  gate: DEFAULT_GATE_LIMITS,
  settleMs: 500,
  ipv6HoldMs: 2000,
  cooldownMs: 60_000,
  concurrency: 2,
  maxPending: 16,
  maxHosts: 64,
  descriptionCacheEntries: 16,
};

interface World {
  segment: MemorySegment;
  clock: FakeClock;
  identified: Array<{ ip: string; observations: readonly Observation[] }>;
  sightings: Array<{ result: SweepResult; heardAtMs: number }>;
  departures: Departure[];
  /** Metrics the passive side counted, by name. */
  counted: Map<string, number>;
  passive: ReturnType<typeof createPassive>;
  /** A device host on the segment that sends `payload` to a group. */
  send(from: string, payload: string | Buffer, group: string, port: number): Promise<void>;
}

async function world(settings: Partial<PassiveSettings> = {}): Promise<World> {
  const segment = createMemorySegment();
  const agent = segment.host({ address: ETH0.address, ipv6: ETH0.ipv6! });
  const clock = new FakeClock();
  const identified: World['identified'] = [];
  const sightings: World['sightings'] = [];
  const departures: Departure[] = [];
  const counted = new Map<string, number>();
  const count = (name: string): void => void counted.set(name, (counted.get(name) ?? 0) + 1);
  const passive = createPassive({
    metrics: {
      announcement: (p, k) => count(`${p} ${k}`),
      dropped: (r) => count(`dropped ${r}`),
      skipped: (r) => count(`skipped ${r}`),
      identification: (o) => count(`identification ${o}`),
      departure: () => count('departure'),
      description: (o) => count(`description ${o}`),
    },
    settings: { ...SETTINGS, ...settings },
    udp: agent,
    clock,
    log: silentLogger(),
    identify: () => (request) => {
      identified.push({ ip: request.ip, observations: [...request.observations] });
      const result: SweepResult = { schema: 'camsweep.sweep/v1', id: `s-${identified.length}`, startedAt: '', finishedAt: '', interfaces: [], devices: [device({ ip: request.ip, evidence: request.observations.flatMap((o) => o.evidence) })], errors: [] };
      return { offer: () => false, done: Promise.resolve(result) };
    },
    sighted: async (result, heardAtMs) => void sightings.push({ result, heardAtMs }),
    departed: async (d) => void departures.push(d),
  });
  await passive.listen([ETH0]);
  const senders = new Map<string, UdpFactory>();
  return {
    segment,
    clock,
    identified,
    sightings,
    departures,
    counted,
    passive,
    async send(from, payload, group, port) {
      let udp = senders.get(from);
      if (udp === undefined) {
        udp = segment.host({ address: from });
        senders.set(from, udp);
      }
      const s = await udp({ bindAddress: from, bindPort: 0, onMessage: () => undefined, onError: () => undefined });
      await s.send(payload, port, group);
      s.close();
      await settle();
    },
  };
}

const fromAgent = (w: World) => w.segment.sent.filter((d) => d.from.address === ETH0.address || d.from.address === 'fe80::2');

describe('passive listening', () => {
  it('identifies a new host once, from its announcements over every protocol gathered while it settles, and sends nothing', async () => {
    const w = await world();
    expect(w.passive.status()).toMatchObject({ listening: true, interfaces: ['eth0'], sockets: 8 });
    await w.send(CAMERA, hello(), '239.255.255.250', 3702);
    await w.send(CAMERA, notify(CAMERA), '239.255.255.250', 1900);
    await w.send(CAMERA, notify(CAMERA), '239.255.255.250', 1900);
    const mdns = dnsPacket.encode({ type: 'response', answers: [{ name: 'ipc.local', type: 'A', ttl: 120, data: CAMERA }] });
    await w.send(CAMERA, mdns, '224.0.0.251', 5353);
    await w.clock.advance(499);
    expect(w.identified).toEqual([]);
    await w.clock.advance(1);
    await w.passive.idle();
    expect(w.identified.map((i) => [i.ip, i.observations.map((o) => o.protocol)])).toEqual([[CAMERA, ['wsd', 'ssdp', 'mdns']]]);
    expect(w.sightings.map((s) => [s.result.devices[0]!.ip, s.heardAtMs])).toEqual([[CAMERA, Date.parse('2026-01-15T00:00:00.000Z')]]);
    // The same announcements again: nothing new to identify.
    await w.send(CAMERA, hello(), '239.255.255.250', 3702);
    await w.send(CAMERA, notify(CAMERA), '239.255.255.250', 1900);
    await w.clock.advance(120_000);
    expect(w.identified).toHaveLength(1);
    // A new MetadataVersion (or BOOTID) is a changed identity: identified again.
    await w.send(CAMERA, hello(2), '239.255.255.250', 3702);
    await w.clock.advance(600);
    await w.passive.idle();
    expect(w.identified).toHaveLength(2);
    expect(fromAgent(w)).toEqual([]);
    await w.passive.stop();
  });

  it('records a goodbye from a known host as a departure, once; heard again, the host is identified (back)', async () => {
    const w = await world();
    w.passive.seed([device({ ip: CAMERA, identifiers: { epr: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' }, evidence: [{ protocol: 'wsd', field: 'wsd.epr', value: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' }] })]);
    await w.send(CAMERA, bye(), '239.255.255.250', 3702);
    await w.send(CAMERA, bye(), '239.255.255.250', 3702);
    await w.passive.idle();
    expect(w.departures).toEqual([{ id: expect.any(String), at: '2026-01-15T00:00:00.000Z', ip: CAMERA, identifiers: { epr: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' }, interface: 'eth0', protocol: 'wsd' }]);
    await w.send(CAMERA, hello(), '239.255.255.250', 3702);
    await w.clock.advance(500);
    await w.passive.idle();
    expect(w.identified.map((i) => i.ip)).toEqual([CAMERA]);
    // A goodbye from a host never known is nothing to record.
    await w.send('192.168.1.77', bye('uuid:nobody-0000'), '239.255.255.250', 3702);
    await w.passive.idle();
    expect(w.departures).toHaveLength(1);
    await w.passive.stop();
  });

  it('a goodbye is a departure only from the host itself naming what it is known by: not an IPv6 neighbour claiming its EPR, nor a Bye of another EPR', async () => {
    const w = await world();
    const EPR = 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464';
    w.passive.seed([device({ ip: CAMERA, addresses: [CAMERA, 'fe80::45'], identifiers: { epr: EPR }, evidence: [{ protocol: 'wsd', field: 'wsd.epr', value: EPR }] })]);
    const wsd = LISTENED.find((p) => p.protocol === 'wsd')!;
    // Another host on the link, from its own IPv6 address, names the camera's EPR (heard in its Hello).
    w.passive.hear({ protocol: wsd, msg: Buffer.from(bye(EPR)), ip: 'fe80::66', iface: 'eth0' });
    // From the camera's address, a Bye naming an EPR the camera is not known by.
    await w.send(CAMERA, bye('uuid:someone-else-0000'), '239.255.255.250', 3702);
    await w.passive.idle();
    expect(w.departures).toEqual([]);
    // Its own goodbye, over IPv6 from the address the sweep saw for it: a departure of the camera.
    w.passive.hear({ protocol: wsd, msg: Buffer.from(bye(EPR)), ip: 'fe80::45', iface: 'eth0' });
    await w.passive.idle();
    expect(w.departures.map((d) => [d.ip, d.identifiers])).toEqual([[CAMERA, { epr: EPR }]]);
    await w.passive.stop();
  });

  it('a goodbye from a new host\'s address naming another EPR does not cancel its identification', async () => {
    const w = await world();
    await w.send(CAMERA, hello(), '239.255.255.250', 3702);
    await w.send(CAMERA, bye('uuid:someone-else-0000'), '239.255.255.250', 3702);
    await w.clock.advance(500);
    await w.passive.idle();
    expect(w.identified.map((i) => i.ip)).toEqual([CAMERA]);
    await w.passive.stop();
  });

  it('closes the sockets a listen() was opening when stop() or a later listen() overtook it', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: ETH0.address, ipv6: ETH0.ipv6! });
    let gate: () => void = () => undefined;
    let opening = new Promise<void>((resolve) => (gate = resolve));
    const slow: UdpFactory = async (o) => {
      await opening;
      return agent(o);
    };
    const make = () =>
      createPassive({
        settings: SETTINGS,
        udp: slow,
        clock: new FakeClock(),
        log: silentLogger(),
        identify: () => () => ({ offer: () => false, done: new Promise<SweepResult>(() => undefined) }),
        sighted: async () => undefined,
        departed: async () => undefined,
      });
    const stopped = make();
    const listening = stopped.listen([ETH0]);
    await stopped.stop();
    gate();
    await listening;
    expect(stopped.status()).toMatchObject({ listening: false, sockets: 0 });
    expect(segment.openSockets).toBe(0);

    opening = new Promise<void>((resolve) => (gate = resolve));
    const twice = make();
    const first = twice.listen([ETH0]);
    const { ipv6: _v6, ...v4only } = ETH0;
    const second = twice.listen([v4only]);
    gate();
    await Promise.all([first, second]);
    // Only the second one's sockets (no IPv6 address: 5) stay open.
    expect(twice.status()).toMatchObject({ listening: true, sockets: 5 });
    expect(segment.openSockets).toBe(5);
    await twice.stop();
    expect(segment.openSockets).toBe(0);
  });

  it('waits while a sweep runs, then identifies only what the sweep did not find', async () => {
    const w = await world();
    w.passive.hold();
    await w.send(CAMERA, hello(), '239.255.255.250', 3702);
    await w.send('192.168.1.46', notify('192.168.1.46'), '239.255.255.250', 1900);
    await w.clock.advance(5000);
    expect(w.identified).toEqual([]);
    // The sweep found the camera as it announced itself; the other host it missed.
    w.passive.swept([device({ ip: CAMERA, evidence: [{ protocol: 'wsd', field: 'wsd.epr', value: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' }, { protocol: 'wsd', field: 'wsd.metadataVersion', value: '1' }] })]);
    await w.clock.advance(10);
    await w.passive.idle();
    expect(w.identified.map((i) => i.ip)).toEqual(['192.168.1.46']);
    await w.passive.stop();
  });

  it('under a flood of forged announcements, identifies each forged host at most once per cool-down, drops the rest at the gate, and still identifies the real camera', async () => {
    const w = await world({ maxPending: 8 });
    const flooders = ['192.168.1.200', '192.168.1.201', '192.168.1.202'];
    for (let round = 0; round < 200; round += 1) {
      for (const ip of flooders) await w.send(ip, hello(1, `uuid:forged-${round}-${ip}`), '239.255.255.250', 3702);
      if (round === 100) await w.send(CAMERA, hello(), '239.255.255.250', 3702);
      if (round % 20 === 0) await w.clock.advance(100);
    }
    // Each forged host changed its EPR again and again: one more identification after its cool-down.
    await w.clock.advance(61_000);
    await w.passive.idle();
    const ips = w.identified.map((i) => i.ip);
    expect(ips).toContain(CAMERA);
    for (const ip of flooders) expect(ips.filter((x) => x === ip).length).toBeLessThanOrEqual(2);
    // Each forged source got its burst and its rate through the gate; the rest never reached a decoder.
    expect(w.counted.get('dropped rate-source')).toBeGreaterThan(400);
    expect(w.counted.get('wsd alive')).toBeLessThan(200);
    expect(w.passive.status().hosts).toBeLessThanOrEqual(SETTINGS.maxHosts);
    expect(fromAgent(w)).toEqual([]);
    await w.passive.stop();
  });

  it('a flood of forged IPv6-only hosts (a new link-local source each) is identified a bounded number of times and evicts no known IPv4 host', async () => {
    const w = await world();
    w.passive.seed([device({ ip: CAMERA, evidence: [{ protocol: 'wsd', field: 'wsd.epr', value: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' }, { protocol: 'wsd', field: 'wsd.metadataVersion', value: '1' }] })]);
    const wsd = LISTENED.find((p) => p.protocol === 'wsd')!;
    for (let n = 1; n <= 2000; n += 1) {
      w.passive.hear({ protocol: wsd, msg: Buffer.from(hello(1, `uuid:forged-${n}`)), ip: `fe80::1:${n.toString(16)}`, iface: 'eth0' });
      if (n % 20 === 0) await w.clock.advance(100);
    }
    await w.clock.advance(5000);
    await w.passive.idle();
    // maxHosts 64: at most 8 IPv6-only hosts taken on.
    expect(w.identified.length).toBeLessThanOrEqual(SETTINGS.maxHosts / 8);
    expect(w.counted.get('skipped queue-full')).toBeGreaterThan(1000);
    // The camera is still known: its usual Hello is nothing new.
    await w.send(CAMERA, hello(), '239.255.255.250', 3702);
    await w.clock.advance(1000);
    await w.passive.idle();
    expect(w.identified.map((i) => i.ip)).not.toContain(CAMERA);
    await w.passive.stop();
  });

  it('drops what comes from no swept segment, and junk, before it costs anything', async () => {
    const w = await world();
    await w.send('10.99.0.5', hello(), '239.255.255.250', 3702);
    await w.send(CAMERA, Buffer.from([0, 1, 2, 3]), '239.255.255.250', 3702);
    await w.clock.advance(1000);
    expect(w.identified).toEqual([]);
    expect([w.counted.get('dropped off-segment'), w.counted.get('dropped invalid')]).toEqual([1, 1]);
    await w.passive.stop();
  });
});
