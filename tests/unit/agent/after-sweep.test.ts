import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAfterSweep, type AfterSweepDeps, type Lease } from '../../../src/agent/after-sweep.ts';
import { openInventory, type InventoryStore } from '../../../src/inventory/store.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { resolveReportConfig, reportConfigSchema } from '../../../src/report/config.ts';
import { openOutbox, type Outbox } from '../../../src/report/outbox.ts';
import { createLogger } from '../../../src/util/log.ts';
import { device, sweep } from '../inventory/sample.ts';
import { HOST } from '../report/sample.ts';

let dir: string;
let inventory: InventoryStore;
let outbox: Outbox;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'camsweep-after-sweep-'));
  inventory = openInventory(dir);
  outbox = openOutbox(dir);
});
afterEach(() => {
  inventory.close();
  outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const kept = <T>(store: T): Lease<T> => ({ use: async (fn) => fn(store) });
const config = () => resolveReportConfig({ report: reportConfigSchema.parse({ endpoint: 'https://central.example/v1/reports', include: 'all', agentId: 'agent-1' }), dataDir: dir }, {}, () => '', { host: HOST });

function deps(over: Partial<AfterSweepDeps> = {}): { deps: AfterSweepDeps; lines: Array<Record<string, unknown>>; failures: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const failures: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  const cfg = config();
  return {
    lines,
    failures,
    deps: { log, strict: false, inventory: kept<Inventory>(inventory), report: { config: () => cfg, outbox: kept(outbox), withEvents: true }, onFailure: (stage) => failures.push(stage), ...over },
  };
}

const camera = device({ ip: '10.66.0.11', mac: '44:19:b6:21:42:0b', status: 'restricted' });
const other = device({ ip: '10.66.0.12', mac: '4c:11:bf:22:28:0c', status: 'review' });

describe('createAfterSweep', () => {
  it('records a sweep, queues its report with its events, and calls a new restricted device urgent', async () => {
    const t = deps();
    const out = await createAfterSweep(t.deps)({ result: sweep([camera, other], '2026-11-26T10:00:00Z'), scope: 'sweep' });
    expect(out.events.map((e) => e.type)).toEqual(['restricted-new', 'device-new']);
    expect(out.urgent).toBe(true);
    expect(out.queued).toMatchObject({ queued: 1, devices: 2, events: 2 });
    expect(outbox.pendingCount()).toBe(1);
  });

  it('records a sighting (a device identified between sweeps) without calling the devices it lacks gone, and reports it', async () => {
    const t = deps();
    const after = createAfterSweep(t.deps);
    await after({ result: sweep([camera, other], '2026-11-26T10:00:00Z'), scope: 'sweep' });
    const newcomer = device({ ip: '10.66.0.13', mac: 'ac:cc:8e:20:36:0d', status: 'restricted' });
    const seen = await after({ result: sweep([newcomer], '2026-11-26T10:20:00Z'), scope: 'sighting' });
    expect(seen.events.map((e) => [e.type, e.device.ip])).toEqual([['restricted-new', '10.66.0.13']]);
    expect(seen.urgent).toBe(true);
    expect(seen.queued).toMatchObject({ queued: 1, devices: 1, events: 1 });
    expect((JSON.parse(outbox.listPending().at(-1)!.body) as { sweep: { kind?: string } }).sweep.kind).toBe('sighting');
    // The same device missing from a whole sweep is gone, as before.
    const swept = await after({ result: sweep([camera, newcomer], '2026-11-26T11:00:00Z'), scope: 'sweep' });
    expect(swept.events.map((e) => [e.type, e.device.ip])).toEqual([['device-gone', '10.66.0.12']]);
  });

  it('records a goodbye as a departure (device-leaving), reports it once, and reports nothing for one that changed nothing', async () => {
    const t = deps();
    const after = createAfterSweep(t.deps);
    await after({ result: sweep([camera, other], '2026-11-26T10:00:00Z'), scope: 'sweep' });
    const before = outbox.pendingCount();
    const departure = { id: 'bye-0001-aaaa', at: '2026-11-26T10:30:00Z', ip: '10.66.0.12', identifiers: {}, interface: 'eth0', protocol: 'ssdp' as const };
    const out = await after({ departure, scope: 'departure' });
    expect(out.events.map((e) => [e.type, e.device.ip])).toEqual([['device-leaving', '10.66.0.12']]);
    expect(out.urgent).toBe(false);
    expect(out.queued).toMatchObject({ queued: 1, devices: 0, events: 1, sweepId: 'bye-0001-aaaa' });
    const body = JSON.parse(outbox.listPending().at(-1)!.body) as { sweep: { kind?: string }; devices: unknown[]; events: Array<{ type: string }> };
    expect(body.sweep.kind).toBe('departure');
    expect(body.events.map((e) => e.type)).toEqual(['device-leaving']);
    // The next byebye (one per service) says nothing new: nothing queued.
    const again = await after({ departure: { ...departure, id: 'bye-0002-bbbb' }, scope: 'departure' });
    expect(again).toMatchObject({ events: [], queued: null });
    expect(outbox.pendingCount()).toBe(before + 1);
  });

  it('goes on past a failure when not strict (logged, counted), and throws it when strict', async () => {
    const broken: Lease<Inventory> = { use: () => Promise.reject(Object.assign(new Error('disk full'), { code: 'INVENTORY_DB_OPEN' })) };
    const t = deps({ inventory: broken });
    const out = await createAfterSweep(t.deps)({ result: sweep([camera], '2026-11-26T10:00:00Z'), scope: 'sweep' });
    expect(t.failures).toEqual(['inventory']);
    expect(t.lines.map((l) => l.msg)).toContain('the sweep could not be stored in the inventory; its changes are unknown');
    expect(out.events).toEqual([]);
    expect(out.queued).toMatchObject({ queued: 1, devices: 1 });
    await expect(createAfterSweep({ ...t.deps, strict: true })({ result: sweep([camera], '2026-11-26T10:00:00Z'), scope: 'sweep' })).rejects.toThrow('disk full');
  });

  it('reports nothing without an endpoint, and records without a report', async () => {
    const t = deps({ report: { config: () => ({ ...config(), endpoint: null }), outbox: kept(outbox), withEvents: true } });
    const out = await createAfterSweep(t.deps)({ result: sweep([camera], '2026-11-26T10:00:00Z'), scope: 'sweep' });
    expect(out).toMatchObject({ queued: null, delivery: null });
    expect(out.events.map((e) => e.type)).toEqual(['restricted-new']);
    expect(outbox.pendingCount()).toBe(0);
  });
});
