/**
 * runSweep with targets: the unicast prober is replaced by a fake (the socket side is tested in
 * prober.test.ts and the lab), so these check what the sweep does around it: which addresses it
 * hands over, the scope guard on enrichment, exclusions, the audit record and the window.
 */
import { describe, expect, it } from 'vitest';
import { fakeEnrichers } from '../../../helpers/enrichers.ts';
import type { Discoverer } from '../../../../src/discovery/types.ts';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import type { UnicastContext, UnicastStats } from '../../../../src/discovery/unicast/prober.ts';
import { resolveTargets } from '../../../../src/discovery/unicast/targets.ts';
import type { AuditEntry } from '../../../../src/domain/audit.ts';
import type { Observation } from '../../../../src/domain/types.ts';
import type { EnrichContext, EnrichResult } from '../../../../src/enrich/types.ts';
import { runSweep, type SweepOptions } from '../../../../src/sweep/sweep.ts';
import { parseCidr } from '../../../../src/util/cidr.ts';
import type { HttpRequest } from '../../../../src/util/http.ts';
import { judgeWithDefaults } from '../../../helpers/judge.ts';
import { silentLogger } from '../../../../src/util/log.ts';
import { aborted, sleep } from '../../../../src/util/time.ts';

const eth0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };

const wsd = (ip: string): Observation => ({
  protocol: 'wsd',
  ip,
  evidence: [{ protocol: 'wsd', field: 'wsd.type', value: 'dn:NetworkVideoTransmitter' }],
  endpoints: { xaddrs: [`http://${ip}/onvif/device_service`] },
});

/** A multicast discoverer hearing the given hosts on eth0. */
const hearing = (...obs: Observation[]): Discoverer => ({
  protocol: 'wsd',
  async run(ctx) {
    for (const o of obs) ctx.emit(o);
    await aborted(ctx.signal);
  },
});

interface FakeProbe {
  probe: (ctx: UnicastContext) => Promise<UnicastStats>;
  calls: UnicastContext[];
}

/** Answers from `replying` (each gets an observation), after `ms`; audits one datagram per address. */
function fakeProbe(replying: string[], ms = 0): FakeProbe {
  const calls: UnicastContext[] = [];
  return {
    calls,
    async probe(ctx) {
      calls.push(ctx);
      for (const [i, ip] of ctx.addresses.entries()) {
        ctx.audit?.('wsd')({ address: ip, port: 3702, payload: Buffer.from('<d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe>') });
        ctx.onProgress?.(i + 1, ctx.addresses.length);
      }
      for (const ip of replying) ctx.emit({ ...wsd(ip), ...(ctx.interfaceOf(ip) === undefined ? {} : { interface: ctx.interfaceOf(ip)! }) });
      await sleep(ms);
      return { addresses: ctx.addresses.length, probed: ctx.addresses.length, datagrams: ctx.addresses.length, failed: 0, sendMs: 0 };
    },
  };
}

function bannerRecorder(): { banner: (t: { ip: string; port: number }, ctx: EnrichContext) => Promise<EnrichResult>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async banner(t, ctx) {
      asked.push(`${t.ip}:${t.port}`);
      await ctx.http({ url: `http://${t.ip}:${t.port}/`, method: 'GET', timeoutMs: 100, maxBytes: 100 }).catch(() => undefined);
      return { observations: [{ protocol: 'http', ip: t.ip, evidence: [{ protocol: 'http', field: 'http.status', value: '401' }] }], errors: [] };
    },
  };
}

const base = (over: Partial<SweepOptions>): SweepOptions => ({
  interfaces: [eth0],
  discoverers: [],
  enrichers: [],
  windowMs: 150,
  enrichGraceMs: 200,
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

const plan = (targets: string[], exclude: string[] = []): Pick<SweepOptions, 'targets' | 'exclude'> => {
  const p = resolveTargets({ targets, exclude });
  return { targets: { ranges: p.ranges, addresses: p.addresses }, exclude: p.exclude };
};

describe('runSweep with targets', () => {
  it('hands the prober the target addresses minus exclusions and its own address, with the rate and the window', async () => {
    const fake = fakeProbe([]);
    const progress: string[] = [];
    const targets = resolveTargets({ targets: ['10.68.0.0/29', '10.66.0.0/30'], exclude: ['10.68.0.3'] });
    await runSweep(
      base({
        // A stale plan may still hold an excluded address: the sweep filters again.
        targets: { ranges: targets.ranges, addresses: [...targets.addresses, '10.68.0.3', '10.99.0.1'] },
        exclude: targets.exclude,
        rate: { packetsPerSecond: 42, concurrency: 3 },
        unicastProtocols: ['wsd', 'sadp'],
        probeUnicast: fake.probe,
        onProgress: (n, total) => progress.push(`${n}/${total}`),
      }),
    );
    expect(fake.calls).toHaveLength(1);
    const ctx = fake.calls[0]!;
    // 10.66.0.2 is the agent's own address; 10.68.0.3 is excluded; 10.99.0.1 is in no target range.
    expect(ctx.addresses).toEqual(['10.66.0.1', '10.68.0.1', '10.68.0.2', '10.68.0.4', '10.68.0.5', '10.68.0.6']);
    expect(ctx).toMatchObject({ concurrency: 3, listenMs: 150, protocols: ['wsd', 'sadp'] });
    expect(ctx.rate.perSecond).toBe(42);
    expect(ctx.interfaceOf('10.66.0.1')).toBe('eth0');
    expect(ctx.interfaceOf('10.68.0.1')).toBeUndefined();
    expect(progress.at(-1)).toBe('6/6');
  });

  it('without targets, probes nothing by unicast', async () => {
    const fake = fakeProbe([]);
    await runSweep(base({ probeUnicast: fake.probe, exclude: [parseCidr('10.66.0.9')!] }));
    expect(fake.calls).toEqual([]);
  });

  it('banners a target host that replied, and records unicast datagrams in the audit without an interface', async () => {
    const fake = fakeProbe(['10.68.0.12']);
    const banner = bannerRecorder();
    const audit: AuditEntry[] = [];
    const result = await runSweep(
      base({ ...plan(['10.68.0.12/31']), probeUnicast: fake.probe, enrichers: fakeEnrichers({ banner: banner.banner }), audit: (e) => audit.push(e) }),
    );
    expect(banner.asked).toEqual(['10.68.0.12:80']);
    expect(result.devices.map((d) => [d.ip, d.protocols, d.interfaces])).toEqual([['10.68.0.12', ['wsd', 'http'], []]]);
    expect(audit.filter((e) => e.transport === 'udp')).toEqual([
      expect.objectContaining({ protocol: 'wsd', destination: '10.68.0.12', port: 3702, message: 'Probe dn:NetworkVideoTransmitter' }),
      expect.objectContaining({ protocol: 'wsd', destination: '10.68.0.13', port: 3702 }),
    ]);
    for (const e of audit.filter((x) => x.transport === 'udp')) expect(Object.hasOwn(e, 'interface')).toBe(false);
    expect(audit.filter((e) => e.transport === 'tcp').map((e) => `${e.destination}:${e.port} ${e.message}`)).toEqual(['10.68.0.12:80 GET /']);
  });

  it('drops every reply from an excluded address, multicast or not, and never contacts it', async () => {
    const banner = bannerRecorder();
    const onvif: string[] = [];
    const result = await runSweep(
      base({
        ...plan(['10.68.0.0/24'], ['10.66.0.13', '10.68.0.13']),
        discoverers: [hearing(wsd('10.66.0.11'), wsd('10.66.0.13'))],
        probeUnicast: fakeProbe(['10.68.0.12', '10.68.0.13']).probe,
        enrichers: fakeEnrichers({ banner: banner.banner, onvif: async (t) => (onvif.push(t.ip), { observations: [], errors: [] }) }),
      }),
    );
    expect(result.devices.map((d) => d.ip)).toEqual(['10.66.0.11', '10.68.0.12']);
    expect([...banner.asked, ...onvif].sort()).toEqual(['10.66.0.11', '10.66.0.11:80', '10.68.0.12', '10.68.0.12:80']);
    expect(result.errors).toEqual([]);
  });

  it('contacts nothing beyond discovery off the swept segments and target ranges', async () => {
    const banner = bannerRecorder();
    const result = await runSweep(
      base({
        // A factory-default camera answering SADP through the group, and a host in no range.
        discoverers: [hearing(wsd('192.0.0.64'), wsd('10.69.0.5'), wsd('10.66.0.11'))],
        enrichers: fakeEnrichers({ banner: banner.banner }),
      }),
    );
    expect(banner.asked).toEqual(['10.66.0.11:80']);
    expect(result.devices.map((d) => d.ip)).toEqual(['10.66.0.11', '10.69.0.5', '192.0.0.64']);
    expect(result.errors).toEqual([
      { code: 'SWEEP_OUT_OF_SCOPE', message: 'replied from outside every swept segment and target range: not contacted beyond discovery', ip: '192.0.0.64' },
      { code: 'SWEEP_OUT_OF_SCOPE', message: 'replied from outside every swept segment and target range: not contacted beyond discovery', ip: '10.69.0.5' },
    ]);
  });

  it('waits for the unicast listen window, which may outlast the multicast one, then enriches', async () => {
    const banner = bannerRecorder();
    const t0 = performance.now();
    const result = await runSweep(
      base({ ...plan(['10.68.0.12']), windowMs: 100, probeUnicast: fakeProbe(['10.68.0.12'], 400).probe, enrichers: fakeEnrichers({ banner: banner.banner }) }),
    );
    expect(performance.now() - t0).toBeGreaterThanOrEqual(395);
    expect(result.devices.map((d) => d.protocols)).toEqual([['wsd', 'http']]);
  });

  it('paces requests to routed hosts with the unicast rate, not those on a swept segment', async () => {
    const at = new Map<string, number>();
    const t0 = performance.now();
    const http = async (req: HttpRequest): Promise<never> => {
      at.set(new URL(req.url).hostname, performance.now() - t0);
      throw new Error('no network in unit tests');
    };
    const routed = ['10.68.0.11', '10.68.0.12', '10.68.0.13', '10.68.0.14'];
    await runSweep(
      base({
        ...plan(['10.68.0.8/29']),
        rate: { packetsPerSecond: 10, concurrency: 1 },
        discoverers: [hearing(wsd('10.66.0.11'), wsd('10.66.0.12'))],
        probeUnicast: fakeProbe(routed).probe,
        enrichers: fakeEnrichers({ banner: bannerRecorder().banner }),
        enrichConcurrency: 8,
        enrichGraceMs: 1000,
        http,
      }),
    );
    const local = ['10.66.0.11', '10.66.0.12'].map((ip) => at.get(ip)!);
    const far = routed.map((ip) => at.get(ip)!).sort((a, b) => a - b);
    expect(Math.max(...local)).toBeLessThan(100);
    // 10 a second, one saved up: four requests span at least 300 ms.
    expect(far.at(-1)! - far[0]!).toBeGreaterThanOrEqual(280);
  });
});
