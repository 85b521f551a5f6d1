import { afterEach, describe, expect, it } from 'vitest';
import { settle } from './helpers.ts';
import { hikvision, printer } from './fakes.ts';
import { harness, started, type Harness } from './harness.ts';
import { parsePrometheus, valueOf } from './prometheus-parse.ts';

const S = 1000;
let h: Harness | undefined;
afterEach(async () => {
  if (h !== undefined && h.daemon.health().status !== 'stopping') {
    const stopping = h.daemon.stop();
    await h.clock.advance(10 * S);
    await stopping;
  }
  h?.cleanup();
  h = undefined;
});

const dahua = () => hikvision('10.66.0.12', '4c:11:bf:22:28:0c');

describe('daemon', () => {
  it('sweeps on schedule; each sweep is recorded, its changes logged (module events) and counted, and reported with its events', async () => {
    h = harness({ durationMs: 2 * S });
    h.sweeper.devices = [hikvision(), printer()];
    await started(h);
    await h.clock.advance(2 * S);
    h.sweeper.devices = [hikvision(), dahua()];
    await h.clock.advance(10 * S);
    expect(h.sweeper.runs).toBe(2);
    expect(h.inventory.recorded.map((r) => r.id)).toEqual(['sweep-1', 'sweep-2']);

    const events = h.lines.filter((l) => l.module === 'events');
    expect(events.map((l) => [l.msg, (l as unknown as { device: { ip: string } }).device.ip])).toEqual([
      ['new restricted device', '10.66.0.11'],
      ['device-new', '10.66.0.14'],
      ['new restricted device', '10.66.0.12'],
      ['device-gone', '10.66.0.14'],
    ]);
    expect(events[0]).toMatchObject({ level: 40, event: { type: 'restricted-new', sweepId: 'sweep-1' }, device: { manufacturer: 'Hikvision', status: 'restricted' } });

    const bySweep = new Map(h.transport.requests.map((r) => [r.body.sweep.id, r.body]));
    expect(bySweep.get('sweep-1')?.events?.map((e) => e.type)).toEqual(['restricted-new', 'device-new']);
    expect(bySweep.get('sweep-2')?.events?.map((e) => e.type)).toEqual(['restricted-new', 'device-gone']);
    expect(bySweep.get('sweep-2')?.devices).toHaveLength(2);

    const f = parsePrometheus(h.daemon.metricsText());
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'ok' })).toBe(2);
    expect(valueOf(f, 'camsweep_events_total', { type: 'restricted-new' })).toBe(2);
    expect(valueOf(f, 'camsweep_events_total', { type: 'device-new' })).toBe(1);
    expect(valueOf(f, 'camsweep_events_total', { type: 'device-gone' })).toBe(1);
    expect(valueOf(f, 'camsweep_devices', { status: 'restricted' })).toBe(2);
    expect(valueOf(f, 'camsweep_devices', { status: 'clear' })).toBe(0);
    expect(valueOf(f, 'camsweep_inventory_devices', { status: 'clear' })).toBe(1);
    expect(valueOf(f, 'camsweep_inventory_devices', { status: 'restricted' })).toBe(2);
    expect(valueOf(f, 'camsweep_sweep_duration_seconds_count')).toBe(2);
    expect(valueOf(f, 'camsweep_sweep_duration_seconds_sum')).toBe(4);
    expect(valueOf(f, 'camsweep_reports_delivered_total')).toBe(2);
    expect(valueOf(f, 'camsweep_outbox_pending')).toBe(0);
    expect(valueOf(f, 'camsweep_sweep_problems_total')).toBe(1);
  });

  it('a new restricted device is reported at once, even while the endpoint\'s backoff holds the other reports', async () => {
    h = harness({ durationMs: 2 * S, edit: (y) => y.replace('backoff: { base: 1, max: 60 }', 'backoff: { base: 60, max: 600 }') });
    h.transport.status = 503;
    await started(h);
    await h.clock.advance(2 * S);
    expect(h.transport.requests.map((r) => r.body.sweep.id)).toEqual(['sweep-1']);
    h.transport.status = 200;
    // Sweep 2 (10 s): nothing new: its report waits behind the endpoint's backoff (30 s).
    await h.clock.advance(10 * S);
    expect(h.transport.requests).toHaveLength(1);
    expect(h.outbox().pendingCount()).toBe(2);
    // Sweep 3 (20 s) finds a new restricted camera: delivery starts at once.
    h.sweeper.devices = [hikvision(), dahua()];
    await h.clock.advance(10 * S);
    const at = (id: string) => h!.transport.requests.find((r) => r.body.sweep.id === id)?.at;
    expect(at('sweep-3')).toBe(h.clock.now());
    expect(at('sweep-2')).toBe(h.clock.now());
    expect(h.transport.requests.find((r) => r.body.sweep.id === 'sweep-3')?.body.events?.map((e) => e.type)).toEqual(['restricted-new']);
    // sweep-1's report keeps its own retry time.
    expect(h.outbox().pendingCount()).toBe(1);
  });

  it('a failed sweep is counted and shown by /healthz; an inventory failure still queues the report (without events)', async () => {
    h = harness({ durationMs: 1 * S });
    h.sweeper.failNext = true;
    await started(h);
    await h.clock.advance(1 * S);
    expect(h.daemon.health().body).toMatchObject({ status: 'ok', sweeps: { lastError: 'NO_INTERFACE: no up, non-loopback interface', lastSuccessAt: null } });
    h.inventory.failNext = true;
    await h.clock.advance(10 * S);
    const f = parsePrometheus(h.daemon.metricsText());
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'ok' })).toBe(1);
    expect(valueOf(f, 'camsweep_errors_total', { stage: 'sweep' })).toBe(1);
    expect(valueOf(f, 'camsweep_errors_total', { stage: 'inventory' })).toBe(1);
    expect(h.messages()).toContain('the sweep could not be stored in the inventory; its changes are unknown');
    expect(h.transport.requests.map((r) => [r.body.sweep.id, r.body.events])).toEqual([['sweep-2', []]]);
    expect(h.daemon.health().body).toMatchObject({ status: 'ok', sweeps: { lastError: null } });
  });

  it('serves /healthz and /metrics on its listener: 200 while sweeps succeed, 503 once they stop succeeding, and when stopping', async () => {
    h = harness({ durationMs: 1 * S, daemon: '  schedule: { interval: 10 }\n  http: { listen: "127.0.0.1:0" }\n  shutdownTimeout: 8' });
    await started(h);
    const url = h.daemon.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    await h.clock.advance(1 * S);
    let res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { status: string; version: string; sweeps: { lastSuccessAt: string; nextAt: string; staleAfterSeconds: number } };
    expect(body).toMatchObject({ status: 'ok', version: '0.1.0', sweeps: { lastSuccessAt: new Date(h.clock.now()).toISOString(), staleAfterSeconds: 96 } });
    expect(Date.parse(body.sweeps.nextAt) - h.clock.now()).toBe(9 * S);

    res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const f = parsePrometheus(await res.text());
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'ok' })).toBe(1);
    expect(valueOf(f, 'camsweep_sweep_running')).toBe(0);
    expect(valueOf(f, 'camsweep_next_sweep_timestamp_seconds')).toBe((h.clock.now() + 9 * S) / 1000);

    expect((await fetch(`${url}/other`)).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');

    // Every sweep from now on fails: after 2 periods + one sweep's budget (3 s window + 5 s grace
    // + 8 s margin) + 60 s = 96 s, unhealthy.
    h.sweeper.failNext = true;
    const failAlways = h.sweeper.run.bind(h.sweeper);
    h.sweeper.run = () => {
      h!.sweeper.failNext = true;
      return failAlways();
    };
    await h.clock.advance(96 * S);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await h.clock.advance(1 * S);
    res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { status: string }).status).toBe('stale');

    const stopping = h.daemon.stop();
    await settle();
    expect(h.daemon.health().status).toBe('stopping');
    await h.clock.advance(1 * S);
    expect(await stopping).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('refuses to start when its listener cannot bind (exit 1 through the CLI), before any sweep', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      h = harness({ daemon: `  schedule: { interval: 10 }\n  http: { listen: "127.0.0.1:${port}" }` });
      await expect(h.daemon.run()).rejects.toMatchObject({ code: 'DAEMON_LISTEN' });
      expect(h.sweeper.runs).toBe(0);
      expect(h.inventory.closed).toBe(true);
      h.cleanup();
      h = undefined;
    } finally {
      busy.close();
    }
  });

  it('runOnce: one sweep, recorded and delivered, then closed', async () => {
    h = harness({ durationMs: 1 * S });
    const once = h.daemon.runOnce();
    await h.clock.advance(1 * S);
    expect(await once).toBe(0);
    expect(h.inventory.recorded).toHaveLength(1);
    expect(h.transport.requests.map((r) => r.body.sweep.id)).toEqual(['sweep-1']);
    expect(h.inventory.closed).toBe(true);
    h.cleanup();
    h = undefined;
  });
});
