import { describe, expect, it } from 'vitest';
import type { Observation, SweepError } from '../../../src/domain/types.ts';
import { createEnrichScheduler, type EnrichSchedulerOptions } from '../../../src/enrich/scheduler.ts';
import { ENRICHERS } from '../../../src/enrich/registry.ts';
import type { EnrichContext, Enricher } from '../../../src/enrich/types.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { aborted } from '../../../src/util/time.ts';

const context = (ip: string, _protocol: string, signal: AbortSignal): EnrichContext => ({
  signal,
  http: () => Promise.reject(new Error(`no HTTP to ${ip} in unit tests`)),
  log: silentLogger(),
  requestTimeoutMs: 100,
  maxBodyBytes: 1024,
  now: () => new Date(),
});

function setup(enrichers: readonly Enricher[], over: Partial<EnrichSchedulerOptions> = {}) {
  const found: Observation[] = [];
  const errors: SweepError[] = [];
  const scheduler = createEnrichScheduler({
    enrichers,
    concurrency: 4,
    maxConcurrentPerHost: 2,
    maxHostMs: 1000,
    mayContact: (ip) => ip.startsWith('10.66.0.'),
    context,
    found: (o) => found.push(o),
    error: (e) => errors.push(e),
    log: silentLogger(),
    ...over,
  });
  return { scheduler, found, errors };
}

/** A read-only query added the way a new one would be: a declaration, nothing else. */
function favicon(asked: string[]): Enricher {
  return {
    name: 'favicon',
    protocol: 'http',
    maxPerHost: 1,
    plan: (obs) => [
      {
        key: '/favicon.ico',
        run: async () => {
          asked.push(obs.ip);
          return { observations: [{ protocol: 'http', ip: obs.ip, evidence: [{ protocol: 'http', field: 'http.favicon.md5', value: 'd41d8cd9' }] }], errors: [] };
        },
      },
    ],
  };
}

const reply = (ip: string, extra: Partial<Observation> = {}): Observation => ({ protocol: 'ssdp', ip, interface: 'eth0', evidence: [], ...extra });

describe('createEnrichScheduler', () => {
  it('runs a newly declared enricher once per host, labelling what it finds with the host and interface', async () => {
    const asked: string[] = [];
    const t = setup([favicon(asked)]);
    t.scheduler.offer(reply('10.66.0.11'));
    t.scheduler.offer(reply('10.66.0.11'));
    t.scheduler.offer(reply('10.66.0.12', { interface: 'eth1' }));
    const outcome = await t.scheduler.finish(1000);
    expect(asked).toEqual(['10.66.0.11', '10.66.0.12']);
    expect(t.found.map((o) => [o.ip, o.interface])).toEqual([
      ['10.66.0.11', 'eth0'],
      ['10.66.0.12', 'eth1'],
    ]);
    expect(outcome).toEqual({ tasks: 2, unsent: { tasks: 0, hosts: 0 } });
  });

  it('asks each enricher at most its maxPerHost distinct tasks of a host', async () => {
    const asked: string[] = [];
    const many: Enricher = { name: 'ports', protocol: 'http', maxPerHost: 2, plan: (obs) => [1, 2, 3, 1].map((p) => ({ key: String(p), run: async () => (asked.push(`${obs.ip}:${p}`), { observations: [], errors: [] }) })) };
    const t = setup([many]);
    t.scheduler.offer(reply('10.66.0.11'));
    t.scheduler.offer(reply('10.66.0.11'));
    await t.scheduler.finish(1000);
    expect(asked).toEqual(['10.66.0.11:1', '10.66.0.11:2']);
  });

  it('contacts no host outside the scope and no IPv6 host, recording the former', async () => {
    const asked: string[] = [];
    const t = setup([favicon(asked)]);
    t.scheduler.offer(reply('192.168.7.7'));
    t.scheduler.offer(reply('fe80::1%eth0'));
    await t.scheduler.finish(1000);
    expect(asked).toEqual([]);
    expect(t.errors).toEqual([{ code: 'SWEEP_OUT_OF_SCOPE', message: 'replied from outside every swept segment and target range: not contacted beyond discovery', ip: '192.168.7.7' }]);
  });

  it('serves one host identified on its own (an announcement between sweeps) with the registered enrichers', async () => {
    const t = setup(ENRICHERS, { maxHostMs: 200 });
    t.scheduler.offer(reply('10.66.0.11', { endpoints: { location: 'http://10.66.0.11:49152/d.xml', httpPorts: [8080] } }));
    const outcome = await t.scheduler.finish(2000);
    // UPnP description, two banner ports, the favicon, RTSP OPTIONS and the TLS handshake. The
    // fake HTTP client refuses the first four (recorded, not fatal); this context has no stream
    // client, so RTSP and TLS have nothing to send and record nothing.
    expect(outcome.tasks).toBe(6);
    expect(t.errors.map((e) => e.ip)).toEqual(['10.66.0.11', '10.66.0.11', '10.66.0.11', '10.66.0.11']);
  });

  it('leaves unsent what the grace did not reach, and aborts what still runs', async () => {
    const slow: Enricher = { name: 'slow', protocol: 'http', maxPerHost: 1, plan: () => [{ key: 'x', run: async (ctx) => (await aborted(ctx.signal), { observations: [], errors: [] }) }] };
    const t = setup([slow], { concurrency: 1 });
    for (const ip of ['10.66.0.11', '10.66.0.12', '10.66.0.13']) t.scheduler.offer(reply(ip));
    const started = performance.now();
    const outcome = await t.scheduler.finish(100);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcome).toEqual({ tasks: 3, unsent: { tasks: 2, hosts: 2 } });
  });

  describe('follow-ups (needsFollowUp)', () => {
    const order: string[] = [];
    const task = (name: string, followUp: boolean, wait = 0): Enricher => ({
      name,
      protocol: 'http',
      maxPerHost: 4,
      ...(followUp ? { followUp: true } : {}),
      plan: (obs) => [
        {
          key: `${name}:${obs.protocol}`,
          run: async () => {
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            order.push(`${name} ${obs.ip}`);
            return { observations: [], errors: [] };
          },
        },
      ],
    });

    it('asks follow-ups once the other tasks of the host are done, only of hosts that need them', async () => {
      order.length = 0;
      const needs: string[] = [];
      const t = setup([task('onvif', false, 20), task('rtsp', true)], { needsFollowUp: (ip) => (needs.push(ip), ip !== '10.66.0.11') });
      t.scheduler.offer(reply('10.66.0.11'));
      t.scheduler.offer(reply('10.66.0.12'));
      const outcome = await t.scheduler.finish(1000);
      expect(outcome.tasks).toBe(3);
      expect(order.indexOf('rtsp 10.66.0.12')).toBeGreaterThan(order.indexOf('onvif 10.66.0.12'));
      expect(order).not.toContain('rtsp 10.66.0.11');
      expect(t.scheduler.skipped().map((o) => o.ip)).toEqual(['10.66.0.11']);
      expect(needs.sort()).toEqual(['10.66.0.11', '10.66.0.12']);
    });

    it('asks again when new tasks of the host are done: a host skipped early is asked once it needs them', async () => {
      order.length = 0;
      let restricted = true;
      const t = setup([task('onvif', false, 10), task('rtsp', true)], { needsFollowUp: () => !restricted });
      t.scheduler.offer(reply('10.66.0.11'));
      await new Promise((r) => setTimeout(r, 50));
      expect(t.scheduler.skipped().map((o) => o.ip)).toEqual(['10.66.0.11']);
      restricted = false;
      t.scheduler.offer(reply('10.66.0.11', { protocol: 'wsd' })); // new evidence: a new onvif task
      await t.scheduler.finish(1000);
      expect(order).toEqual(['onvif 10.66.0.11', 'onvif 10.66.0.11', 'rtsp 10.66.0.11']);
      expect(t.scheduler.skipped()).toEqual([]);
    });

    it('a host nothing else is asked of is decided at once; past the grace, follow-ups count as never sent', async () => {
      order.length = 0;
      const t = setup([task('rtsp', true)], { needsFollowUp: () => true });
      t.scheduler.offer(reply('10.66.0.11'));
      await t.scheduler.finish(1000);
      expect(order).toEqual(['rtsp 10.66.0.11']);

      const slow: Enricher = { name: 'slow', protocol: 'http', maxPerHost: 1, plan: () => [{ key: 'x', run: async (ctx) => (await aborted(ctx.signal), { observations: [], errors: [] }) }] };
      const u = setup([slow, task('rtsp', true)], { needsFollowUp: () => true });
      u.scheduler.offer(reply('10.66.0.12'));
      const outcome = await u.scheduler.finish(50);
      expect(outcome).toEqual({ tasks: 2, unsent: { tasks: 1, hosts: 1 } });
    });
  });
});
