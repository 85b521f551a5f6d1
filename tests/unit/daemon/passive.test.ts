/**
 * The daemon listening between sweeps, on the virtual clock with fake sweeps, inventory and
 * transport, and an in-memory segment for the sockets: a camera announced after the first
 * sweep is identified, recorded as a sighting, logged, counted and reported at once; a known
 * camera's goodbye is a departure; the agent sends no datagram while it listens; a reload can
 * turn it off.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemorySegment, type MemorySegment } from '../../../src/discovery/udp-memory.ts';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import { hikvision } from './fakes.ts';
import { harness, started, type Harness } from './harness.ts';
import { settle } from './helpers.ts';
import { parsePrometheus, valueOf } from './prometheus-parse.ts';

const S = 1000;
const ETH0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };
const HELLO = readFileSync(new URL('../../fixtures/wsd/dahua.ipc-hfw2228m-i1-v2.Hello.xml', import.meta.url), 'utf8').replaceAll('192.168.1.45', '10.66.0.12');
const BYE = (epr: string): string =>
  HELLO.replace('/discovery/Hello<', '/discovery/Bye<').replace(/<d:Hello>[\s\S]*<\/d:Hello>/u, `<d:Bye><a:EndpointReference><a:Address>${epr}</a:Address></a:EndpointReference></d:Bye>`);
const dahua = () => hikvision('10.66.0.12', '4c:11:bf:22:28:0c');

let h: Harness | undefined;
let segment: MemorySegment;
afterEach(async () => {
  if (h !== undefined && h.daemon.health().status !== 'stopping') {
    const stopping = h.daemon.stop();
    await h.clock.advance(10 * S);
    await stopping;
  }
  h?.cleanup();
  h = undefined;
});

async function send(from: string, payload: string): Promise<void> {
  const s = await segment.host({ address: from })({ bindAddress: from, bindPort: 0, onMessage: () => undefined, onError: () => undefined });
  await s.send(payload, 3702, '239.255.255.250');
  s.close();
  await settle();
}

function passiveHarness(daemon?: string): Harness {
  segment = createMemorySegment();
  const agent = segment.host({ address: ETH0.address });
  const x = harness({ durationMs: 2 * S, udp: agent, ...(daemon === undefined ? {} : { daemon }) });
  x.sweeper.ifaces = [ETH0];
  return x;
}

describe('daemon: listening between sweeps', () => {
  it('identifies a camera announced after the first sweep, records it as a sighting, and reports it at once; a known camera\'s goodbye is a departure', async () => {
    h = passiveHarness();
    h.sweeper.devices = [hikvision()];
    h.sweeper.identifyAs.set('10.66.0.12', dahua());
    await started(h);
    await h.clock.advance(2 * S);
    expect(h.inventory.recorded.map((r) => r.id)).toEqual(['sweep-1']);

    await send('10.66.0.12', HELLO);
    await h.clock.advance(1 * S);
    expect(h.sweeper.identified.map((r) => [r.ip, r.observations.map((o) => o.protocol)])).toEqual([['10.66.0.12', ['wsd']]]);
    expect(h.inventory.recorded.map((r) => r.id)).toEqual(['sweep-1', 'sighting-1']);
    const reported = h.transport.requests.map((r) => r.body as { sweep: { id: string; kind?: string }; events?: Array<{ type: string }> });
    expect(reported.find((r) => r.sweep.id === 'sighting-1')).toMatchObject({ sweep: { kind: 'sighting' }, events: [{ type: 'restricted-new' }] });
    const events = h.lines.filter((l) => l.module === 'events').map((l) => [l.msg, (l as unknown as { device: { ip: string } }).device.ip]);
    expect(events).toContainEqual(['new restricted device', '10.66.0.12']);

    // The first camera, known from the sweep, says goodbye.
    await send('10.66.0.11', BYE('urn:uuid:11111111-2222-3333-4444-555555555555'));
    await h.clock.advance(100);
    expect(h.inventory.departures.map((d) => [d.ip, d.protocol, d.identifiers])).toEqual([['10.66.0.11', 'wsd', { epr: 'urn:uuid:11111111-2222-3333-4444-555555555555' }]]);
    expect(h.transport.requests.map((r) => r.body as { sweep: { kind?: string }; events?: Array<{ type: string }> }).find((r) => r.sweep.kind === 'departure')).toMatchObject({ events: [{ type: 'device-leaving' }] });

    const f = parsePrometheus(h.daemon.metricsText());
    expect(valueOf(f, 'camsweep_announcements_total', { protocol: 'wsd', kind: 'alive' })).toBe(1);
    expect(valueOf(f, 'camsweep_announcements_total', { protocol: 'wsd', kind: 'bye' })).toBe(1);
    expect(valueOf(f, 'camsweep_identifications_total', { outcome: 'ok' })).toBe(1);
    expect(valueOf(f, 'camsweep_identification_seconds_count')).toBe(1);
    expect(valueOf(f, 'camsweep_departures_total')).toBe(1);
    expect(valueOf(f, 'camsweep_events_total', { type: 'device-leaving' })).toBe(1);
    expect(valueOf(f, 'camsweep_passive_listening')).toBe(1);
    expect(valueOf(f, 'camsweep_announcements_dropped_total', { reason: 'rate-source' })).toBe(0);
    expect(h.daemon.health().body.passive).toMatchObject({ listening: true, interfaces: ['eth0'] });
    // Listening sent nothing.
    expect(segment.sent.filter((d) => d.from.address === ETH0.address)).toEqual([]);
  });

  it('holds what it hears while a sweep runs; the sweep finding the camera makes an identification needless', async () => {
    h = passiveHarness();
    h.sweeper.devices = [hikvision()];
    await started(h);
    // Sweep 1 runs (2 s): the camera announces itself meanwhile, and the sweep finds it.
    await send('10.66.0.11', HELLO.replaceAll('10.66.0.12', '10.66.0.11'));
    await h.clock.advance(3 * S);
    expect(h.sweeper.identified).toEqual([]);
  });

  it('a reload while a sweep runs restarts listening held: a camera heard meanwhile waits for the sweep to end', async () => {
    h = passiveHarness();
    h.sweeper.devices = [hikvision()];
    h.sweeper.identifyAs.set('10.66.0.12', dahua());
    await started(h);
    // Sweep 1 runs (2 s); the passive settings change meanwhile.
    h.yaml = h.yaml.replace('shutdownTimeout: 8', 'shutdownTimeout: 8\n  passive: { cooldown: 30 }');
    expect(await h.daemon.reload()).toBe(true);
    await send('10.66.0.12', HELLO);
    await h.clock.advance(1 * S);
    expect(h.sweeper.identified).toEqual([]);
    // The sweep ended without it: identified now.
    await h.clock.advance(2 * S);
    expect(h.sweeper.identified.map((r) => r.ip)).toEqual(['10.66.0.12']);
  });

  it('daemon.passive.enabled: false does not listen; a reload turns it on and off', async () => {
    h = passiveHarness('  schedule: { interval: 10, runAtStart: true }\n  http: { listen: false }\n  shutdownTimeout: 8\n  passive: { enabled: false }');
    await started(h);
    expect(h.daemon.health().body.passive).toBeNull();
    expect(segment.openSockets).toBe(0);
    h.yaml = h.yaml.replace('passive: { enabled: false }', 'passive: { enabled: true }');
    expect(await h.daemon.reload()).toBe(true);
    expect(h.daemon.health().body.passive).toMatchObject({ listening: true });
    expect(segment.openSockets).toBe(5);
    h.yaml = h.yaml.replace('passive: { enabled: true }', 'passive: { enabled: false }');
    expect(await h.daemon.reload()).toBe(true);
    expect(segment.openSockets).toBe(0);
  });
});
