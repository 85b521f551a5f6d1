import { describe, expect, it } from 'vitest';
import { fakeEnrichers } from '../../helpers/enrichers.ts';
import { runSweep, type SweepOptions } from '../../../src/sweep/sweep.ts';
import type { Discoverer } from '../../../src/discovery/types.ts';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import type { EnrichContext } from '../../../src/enrich/types.ts';
import type { Observation } from '../../../src/domain/types.ts';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import { judgeWithDefaults } from '../../helpers/judge.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { sleep, aborted } from '../../../src/util/time.ts';

const eth0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };
const eth1: NetInterface = { name: 'eth1', address: '10.77.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };

/** A discoverer that emits the given observations (per interface name) then waits for the window. */
function fakeDiscoverer(protocol: Discoverer['protocol'], perIface: Record<string, Observation[]>, opts: { throwOn?: string; errorOn?: string } = {}): Discoverer {
  return {
    protocol,
    async run(ctx) {
      if (ctx.iface.name === opts.throwOn) throw new Error('socket exploded');
      if (ctx.iface.name === opts.errorOn) ctx.error({ code: 'FAKE_BAD_REPLY', message: 'junk', ip: '10.66.0.99' });
      for (const obs of perIface[ctx.iface.name] ?? []) {
        ctx.emit(obs);
        await sleep(5);
      }
      await aborted(ctx.signal);
    },
  };
}

const base = (over: Partial<SweepOptions>): SweepOptions => ({
  interfaces: [eth0],
  discoverers: [],
  enrichers: [],
  windowMs: 150,
  enrichGraceMs: 100,
  requestTimeoutMs: 100,
  maxBodyBytes: 1024,
  enrichConcurrency: 4,
  http: () => Promise.reject(new Error('no network in unit tests')),
  credentialsFor: () => undefined,
  neighbours: async () => new Map(),
  log: silentLogger(),
  judge: judgeWithDefaults,
  ...over,
});

const camera = (ip: string, xaddr = `http://${ip}/onvif/device_service`): Observation => ({
  protocol: 'wsd',
  ip,
  evidence: [{ protocol: 'wsd', field: 'wsd.type', value: 'dn:NetworkVideoTransmitter' }],
  endpoints: { xaddrs: [xaddr], httpPorts: [8080] },
});

describe('runSweep', () => {
  it('runs every discoverer on every interface and records which interface saw each device', async () => {
    const result = await runSweep(
      base({
        interfaces: [eth0, eth1],
        discoverers: [fakeDiscoverer('wsd', { eth0: [camera('10.66.0.11')], eth1: [camera('10.77.0.11')] })],
      }),
    );
    expect(result.schema).toBe('camsweep.sweep/v1');
    expect(result.devices.map((d) => [d.ip, d.interfaces])).toEqual([
      ['10.66.0.11', ['eth0']],
      ['10.77.0.11', ['eth1']],
    ]);
    expect(result.interfaces.map((i) => i.name)).toEqual(['eth0', 'eth1']);
  });

  it('a discoverer that throws on one interface loses nothing found elsewhere', async () => {
    const result = await runSweep(
      base({
        interfaces: [eth0, eth1],
        discoverers: [fakeDiscoverer('wsd', { eth1: [camera('10.77.0.11')] }, { throwOn: 'eth0', errorOn: 'eth1' })],
      }),
    );
    expect(result.devices.map((d) => d.ip)).toEqual(['10.77.0.11']);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { code: 'DISCOVERY_FAILED', message: 'socket exploded', protocol: 'wsd', interface: 'eth0' },
        { code: 'FAKE_BAD_REPLY', message: 'junk', ip: '10.66.0.99', protocol: 'wsd', interface: 'eth1' },
      ]),
    );
  });

  it('enriches each host once per endpoint, merging what enrichers return into the device', async () => {
    const calls: string[] = [];
    const result = await runSweep(
      base({
        discoverers: [fakeDiscoverer('wsd', { eth0: [camera('10.66.0.11'), camera('10.66.0.11')] })],
        enrichers: fakeEnrichers({
          onvif: async (t) => {
            calls.push(`onvif ${t.ip} ${t.xaddrs.join(' ')}`);
            return { observations: [{ protocol: 'onvif', ip: t.ip, evidence: [{ protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' }] }], errors: [] };
          },
          banner: async (t) => {
            calls.push(`banner ${t.ip}:${t.port}`);
            return { observations: [], errors: [{ code: 'HTTP_TIMEOUT', message: `port ${t.port} slow`, ip: t.ip }] };
          },
        }),
        neighbours: async () => new Map([['10.66.0.11', '44:19:b6:00:00:01']]),
      }),
    );
    expect(calls.sort()).toEqual(['banner 10.66.0.11:80', 'banner 10.66.0.11:8080', 'onvif 10.66.0.11 http://10.66.0.11/onvif/device_service']);
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]).toMatchObject({ manufacturer: 'Hikvision', mac: '44:19:b6:00:00:01', protocols: ['wsd', 'onvif', 'arp', 'mac'] });
    expect(result.devices[0]!.evidence).toContainEqual({ protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' });
    expect(result.errors.filter((e) => e.code === 'HTTP_TIMEOUT')).toHaveLength(2);
  });

  it('aborts enrichment that outlives the grace period, and finishes in bounded time', async () => {
    const started = Date.now();
    const result = await runSweep(
      base({
        windowMs: 100,
        enrichGraceMs: 150,
        discoverers: [fakeDiscoverer('wsd', { eth0: [camera('10.66.0.11')] })],
        enrichers: fakeEnrichers({
          onvif: async (t, ctx: EnrichContext) => {
            await aborted(ctx.signal); // a device that never answers
            return { observations: [], errors: [{ code: 'ONVIF_ABORTED', message: 'aborted', ip: t.ip }] };
          },
        }),
      }),
    );
    const ms = Date.now() - started;
    expect(ms).toBeGreaterThanOrEqual(240);
    expect(ms).toBeLessThan(5000); // bounded by the grace: without it the device would hold the sweep for ever
    expect(result.devices).toHaveLength(1);
    expect(result.errors.map((e) => e.code)).toContain('ONVIF_ABORTED');
  });

  it('gives each host a time budget for all its enrichment: a slow host is cut off, once, and the others are untouched', async () => {
    const calls: string[] = [];
    const result = await runSweep(
      base({
        windowMs: 600,
        enrichGraceMs: 2000,
        enrichConcurrency: 1,
        discoverers: [fakeDiscoverer('wsd', { eth0: [camera('10.66.0.66'), camera('10.66.0.11')] })],
        limits: { maxHostMs: 200 },
        enrichers: fakeEnrichers({
          onvif: async (t, ctx: EnrichContext) => {
            calls.push(`onvif ${t.ip}`);
            if (t.ip === '10.66.0.66') await aborted(ctx.signal); // drips forever
            return { observations: [], errors: ctx.signal.aborted ? [{ code: 'ONVIF_ABORTED', message: 'aborted', ip: t.ip }] : [] };
          },
          banner: async (t) => (calls.push(`banner ${t.ip}:${t.port}`), { observations: [], errors: [] }),
        }),
      }),
    );
    // The slow host's ONVIF request was aborted at 200 ms and its banners never asked for.
    expect(calls.filter((c) => c.includes('10.66.0.66'))).toEqual(['onvif 10.66.0.66']);
    expect(calls.filter((c) => c.includes('10.66.0.11')).sort()).toEqual(['banner 10.66.0.11:80', 'banner 10.66.0.11:8080', 'onvif 10.66.0.11']);
    expect(result.errors.filter((e) => e.code === 'ENRICH_HOST_TIME')).toEqual([
      { code: 'ENRICH_HOST_TIME', message: 'enrichment of this host passed 200 ms: the request in flight was aborted and the rest not sent', ip: '10.66.0.66' },
    ]);
  });

  it('queries one host at most twice at once, while other hosts go ahead', async () => {
    const active = new Map<string, number>();
    const most = new Map<string, number>();
    let mostOverall = 0;
    const busy = async (ip: string): Promise<{ observations: []; errors: [] }> => {
      active.set(ip, (active.get(ip) ?? 0) + 1);
      most.set(ip, Math.max(most.get(ip) ?? 0, active.get(ip)!));
      mostOverall = Math.max(mostOverall, [...active.values()].reduce((a, b) => a + b, 0));
      await sleep(40);
      active.set(ip, active.get(ip)! - 1);
      return { observations: [], errors: [] };
    };
    const cam = (ip: string): Observation => ({ ...camera(ip), endpoints: { xaddrs: [`http://${ip}/onvif/device_service`], httpPorts: [8080, 8081], location: `http://${ip}:49152/d.xml` } });
    await runSweep(
      base({
        windowMs: 300,
        enrichConcurrency: 16,
        discoverers: [fakeDiscoverer('wsd', { eth0: [cam('10.66.0.11'), cam('10.66.0.12')] })],
        enrichers: fakeEnrichers({ onvif: (t) => busy(t.ip), upnp: (t) => busy(t.ip), banner: (t) => busy(t.ip) }),
      }),
    );
    // Five queries each (ONVIF, UPnP, three banner ports): never more than two at once per host.
    expect(most).toEqual(new Map([['10.66.0.11', 2], ['10.66.0.12', 2]]));
    expect(mostOverall).toBe(4);
  });

  it('reports the enrichment the grace left unsent, once, with how many requests and hosts', async () => {
    const result = await runSweep(
      base({
        windowMs: 100,
        enrichGraceMs: 100,
        enrichConcurrency: 1,
        discoverers: [fakeDiscoverer('wsd', { eth0: [camera('10.66.0.11'), camera('10.66.0.12'), camera('10.66.0.13')] })],
        enrichers: fakeEnrichers({
          onvif: async (t, ctx: EnrichContext) => {
            await aborted(ctx.signal); // the first holds the only slot until the grace runs out
            return { observations: [], errors: [{ code: 'ONVIF_ABORTED', message: 'aborted', ip: t.ip }] };
          },
        }),
      }),
    );
    expect(result.errors.filter((e) => e.code === 'ONVIF_ABORTED')).toHaveLength(1);
    expect(result.errors.filter((e) => e.code === 'ENRICH_NOT_STARTED')).toEqual([
      { code: 'ENRICH_NOT_STARTED', message: '2 enrichment request(s) for 2 host(s) were never sent: enrich.grace (100 ms after the window) ran out first; raise enrich.concurrency or enrich.grace' },
    ]);
  });

  it('fetches at most two UPnP descriptions per host, however many LOCATIONs it advertises', async () => {
    const fetched: string[] = [];
    const ssdp = (i: number): Observation => ({
      protocol: 'ssdp',
      ip: '10.66.0.66',
      evidence: [{ protocol: 'ssdp', field: 'ssdp.st', value: 'upnp:rootdevice' }],
      endpoints: { location: `http://10.66.0.66:49152/desc${i % 5}.xml` },
    });
    await runSweep(
      base({
        discoverers: [fakeDiscoverer('ssdp', { eth0: Array.from({ length: 10 }, (_, i) => ssdp(i)) })],
        windowMs: 300,
        enrichers: fakeEnrichers({ upnp: async (t) => (fetched.push(t.location), { observations: [], errors: [] }) }),
      }),
    );
    expect(fetched).toEqual(['http://10.66.0.66:49152/desc0.xml', 'http://10.66.0.66:49152/desc1.xml']);
  });

  it('an enricher that throws is recorded, not fatal', async () => {
    const result = await runSweep(
      base({
        discoverers: [fakeDiscoverer('wsd', { eth0: [camera('10.66.0.11')] })],
        enrichers: fakeEnrichers({ onvif: () => Promise.reject(new Error('bug')) }),
      }),
    );
    expect(result.devices).toHaveLength(1);
    expect(result.errors).toContainEqual({ code: 'ENRICH_FAILED', message: 'bug', ip: '10.66.0.11' });
  });

  it('bounds hosts, observations and errors', async () => {
    const flood: Observation[] = Array.from({ length: 50 }, (_, i) => camera(`10.66.1.${i}`));
    const result = await runSweep(
      base({
        windowMs: 400,
        discoverers: [
          {
            protocol: 'ssdp',
            async run(ctx) {
              for (const o of flood) ctx.emit(o);
              for (let i = 0; i < 30; i += 1) ctx.error({ code: 'SSDP_INVALID', message: 'junk', ip: `10.66.2.${i}` });
              await aborted(ctx.signal);
            },
          },
        ],
        limits: { maxHosts: 10, maxErrors: 5 },
      }),
    );
    expect(result.devices).toHaveLength(10);
    expect(result.errors.map((e) => e.code)).toEqual(['SSDP_INVALID', 'SSDP_INVALID', 'SSDP_INVALID', 'SSDP_INVALID', 'SSDP_INVALID', 'SWEEP_HOST_LIMIT', 'SWEEP_ERROR_LIMIT']);
  });
});

describe('ONVIF enrichment', () => {
  const wsdObs = (evidence: Array<[string, string]>): Observation => ({
    protocol: 'wsd',
    ip: '10.66.0.5',
    evidence: evidence.map(([field, value]) => ({ protocol: 'wsd', field, value })),
  });

  it('a printer answering WS-Discovery gets no ONVIF request, a camera does', async () => {
    const asked: string[] = [];
    const printer: Observation = { ...wsdObs([['wsd.type', 'wprt:PrintDeviceType']]), ip: '10.66.0.14', endpoints: { xaddrs: ['http://10.66.0.14/WSD/DEVICE'] } };
    await runSweep(
      base({
        discoverers: [fakeDiscoverer('wsd', { eth0: [printer, camera('10.66.0.11')] })],
        enrichers: fakeEnrichers({ onvif: async (t) => (asked.push(t.ip), { observations: [], errors: [] }) }),
      }),
    );
    expect(asked).toEqual(['10.66.0.11']);
  });
});

describe('runSweep error records', () => {
  it('keeps one record of a problem repeated by the same host', async () => {
    const result = await runSweep(
      base({
        discoverers: [
          {
            protocol: 'wsd',
            async run(ctx) {
              for (let i = 0; i < 4; i += 1) ctx.error({ code: 'WSD_INVALID', message: 'not XML', ip: '10.66.0.101' });
              ctx.error({ code: 'WSD_INVALID', message: 'not XML', ip: '10.66.0.102' });
              await aborted(ctx.signal);
            },
          },
        ],
      }),
    );
    expect(result.errors.map((e) => e.ip)).toEqual(['10.66.0.101', '10.66.0.102']);
  });
});

describe('runSweep audit record', () => {
  it('records every datagram a discoverer sends and every HTTP request an enricher makes', async () => {
    const entries: AuditEntry[] = [];
    await runSweep(
      base({
        audit: (e) => entries.push(e),
        discoverers: [
          {
            protocol: 'wsd',
            async run(ctx) {
              ctx.audit?.({ address: '239.255.255.250', port: 3702, payload: Buffer.from('<d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe>') });
              ctx.emit(camera('10.66.0.11'));
              await aborted(ctx.signal);
            },
          },
        ],
        enrichers: fakeEnrichers({
          onvif: async (t, ctx) => {
            await ctx.http({ url: t.xaddrs[0]!, method: 'POST', body: '<s:Envelope><s:Body><tds:GetSystemDateAndTime/></s:Body></s:Envelope>', timeoutMs: 100, maxBytes: 100 }).catch(() => undefined);
            return { observations: [], errors: [] };
          },
        }),
        now: () => new Date('2026-11-26T10:00:00Z'),
      }),
    );
    expect(entries).toEqual([
      { at: '2026-11-26T10:00:00.000Z', transport: 'udp', protocol: 'wsd', interface: 'eth0', destination: '239.255.255.250', port: 3702, message: 'Probe dn:NetworkVideoTransmitter', bytes: 64 },
      { at: '2026-11-26T10:00:00.000Z', transport: 'tcp', protocol: 'onvif', destination: '10.66.0.11', port: 80, message: 'POST /onvif/device_service GetSystemDateAndTime', bytes: 69 },
    ]);
  });
});

describe('runSweep: the adaptive window', () => {
  /** Sends at once, says its replies are due within `dueMs` and that it is done, then emits. */
  const punctual = (dueMs: number, obs: Observation[], protocol: Discoverer['protocol'] = 'wsd'): Discoverer => ({
    protocol,
    async run(ctx) {
      ctx.expectReplies?.(dueMs, true);
      for (const o of obs) {
        await sleep(10);
        ctx.emit(o);
      }
      await aborted(ctx.signal);
    },
  });

  it('closes as soon as the replies are due and have stopped, long before the longest window', async () => {
    const started = performance.now();
    const result = await runSweep(
      base({ windowMs: 5000, settle: { idleMs: 100 }, discoverers: [punctual(200, [camera('10.66.0.11'), camera('10.66.0.12')])] }),
    );
    const ms = performance.now() - started;
    expect(result.devices.map((d) => d.ip).sort()).toEqual(['10.66.0.11', '10.66.0.12']);
    expect(result.window).toMatchObject({ reason: 'settled', maxMs: 5000 });
    expect(result.window!.ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(5000 / 2); // long before the 5 s window
  });

  it('waits for quiet among new sources (a host, or a host over another protocol), not among a known host repeating itself', async () => {
    /** Due within 50 ms and done; then emits one observation every 20 ms for 2 s. */
    const chatty = (obsAt: (i: number) => Observation): Discoverer => ({
      protocol: 'ssdp',
      async run(ctx) {
        ctx.expectReplies?.(50, true);
        for (let i = 0; i < 100 && !ctx.signal.aborted; i += 1) {
          ctx.emit(obsAt(i));
          await sleep(20);
        }
        await aborted(ctx.signal);
      },
    });
    const repeats = await runSweep(base({ windowMs: 10_000, settle: { idleMs: 150 }, discoverers: [chatty(() => ({ ...camera('10.66.0.11'), protocol: 'ssdp' }))] }));
    expect(repeats.window).toMatchObject({ reason: 'settled' });
    expect(repeats.window!.ms).toBeLessThan(1800); // closed while the known host kept repeating (~0.2 s)
    const newHosts = await runSweep(base({ windowMs: 10_000, settle: { idleMs: 150 }, discoverers: [chatty((i) => ({ ...camera(`10.66.0.${20 + i}`), protocol: 'ssdp' }))] }));
    expect(newHosts.window!.ms).toBeGreaterThanOrEqual(1800); // open while new hosts kept coming (~2 s)
  });

  it('waits for every discoverer on every interface, and counts one that failed as done', async () => {
    const late: Discoverer = {
      protocol: 'ssdp',
      async run(ctx) {
        ctx.expectReplies?.(100);
        await sleep(300, ctx.signal);
        ctx.expectReplies?.(100, true);
        await aborted(ctx.signal);
      },
    };
    const result = await runSweep(
      base({
        interfaces: [eth0, eth1],
        windowMs: 1200,
        settle: { idleMs: 50 },
        discoverers: [punctual(50, [camera('10.66.0.11')]), late, fakeDiscoverer('mdns', {}, { throwOn: 'eth1' })],
      }),
    );
    // mdns on eth0 never says it is done (mdns on eth1 threw, which counts as done): the window runs to the end.
    expect(result.window?.reason).toBe('timeout');
    expect(result.window!.ms).toBeGreaterThanOrEqual(1190);
    expect(result.errors.map((e) => e.code)).toEqual(['DISCOVERY_FAILED']);
    const withoutMdns = await runSweep(
      base({ interfaces: [eth0, eth1], windowMs: 5000, settle: { idleMs: 50 }, discoverers: [punctual(50, [camera('10.66.0.11')]), late] }),
    );
    expect(withoutMdns.window?.reason).toBe('settled');
    expect(withoutMdns.window!.ms).toBeGreaterThanOrEqual(390);
    expect(withoutMdns.window!.ms).toBeLessThan(5000 / 2);
  }, 15_000);

  it('without settle, listens the whole window and says so', async () => {
    const result = await runSweep(base({ windowMs: 300, discoverers: [punctual(10, [camera('10.66.0.11')])] }));
    expect(result.window).toMatchObject({ reason: 'timeout', maxMs: 300 });
    expect(result.window!.ms).toBeGreaterThanOrEqual(290);
  });
});
