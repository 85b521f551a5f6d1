import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/inventory/types.ts';
import { buildReports, serializeReport, splitReport, type BuildOptions, type ReportV1 } from '../../../src/report/payload.ts';
import { eventIncluded, reportEvents } from '../../../src/report/events.ts';
import { queueSweepReport } from '../../../src/report/queue.ts';
import { openOutbox } from '../../../src/report/outbox.ts';
import { schemaValidator } from '../../helpers/json-schema.ts';
import { validateReport } from '../../../src/report/receiver/validate.ts';
import { openReceiverStore } from '../../../src/report/receiver/store.ts';
import { config, devices, sweep } from './sample.ts';

const validate = schemaValidator('report.v1.schema.json');

const opts = (over: Partial<BuildOptions> = {}): BuildOptions => ({
  agentId: 'agent-01',
  site: 'HQ',
  sweepId: 'sw-1',
  include: 'restricted',
  batchMaxBytes: 256 * 1024,
  createdAt: '2026-11-26T10:00:04.000Z',
  version: '0.1.0',
  ...over,
});

function event(type: ChangeEvent['type'], i: number, status: ChangeEvent['device']['status'] = 'restricted', change: { before?: string | null; after?: string | null } = {}): ChangeEvent {
  return {
    type,
    deviceId: `dev-${i}`,
    sweepId: 'sw-1',
    at: '2026-11-26T10:00:03.250Z',
    device: { ip: `10.66.0.${10 + i}`, mac: `44:19:b6:00:00:${(10 + i).toString(16).padStart(2, '0')}`, manufacturer: 'Hikvision', brand: 'HIKVISION', model: 'DS-2CD2142FWD-I', kind: 'camera', status },
    ...change,
  };
}

const expectValid = (r: ReportV1): void => {
  const doc: unknown = JSON.parse(serializeReport(r));
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  expect(validateReport(doc).ok).toBe(true);
};

describe('change events in camsweep.report/v1', () => {
  it('adds an events array (valid against the schema) and sweep.eventsReported only when events are given', () => {
    const result = sweep(devices(2));
    const without = buildReports(result, opts());
    expect(without[0]).not.toHaveProperty('events');
    expect(without[0]!.sweep).not.toHaveProperty('eventsReported');
    const events = [event('restricted-new', 1), event('firmware-changed', 2, 'restricted', { before: 'V5.4.5 build 170124', after: 'V5.5.0 build 180101' }), event('device-gone', 3)];
    const [r] = buildReports(result, opts({ events }));
    expectValid(r!);
    expect(r!.sweep.eventsReported).toBe(3);
    expect(r!.events!.map((e) => [e.type, e.deviceId, e.before ?? null])).toEqual([
      ['restricted-new', 'dev-1', null],
      ['firmware-changed', 'dev-2', 'V5.4.5 build 170124'],
      ['device-gone', 'dev-3', null],
    ]);
    // Events change the request key; the device keys stay what they were.
    expect(r!.idempotencyKey).not.toBe(without[0]!.idempotencyKey);
    expect(r!.devices.map((d) => d.idempotencyKey)).toEqual(without[0]!.devices.map((d) => d.idempotencyKey));
    // A sweep with no change still says so: events: [].
    const [quiet] = buildReports(result, opts({ events: [] }));
    expect(quiet!.events).toEqual([]);
    expectValid(quiet!);
  });

  it('includes events like devices (report.include), and a verdict-changed that left an included status', () => {
    const events = [
      event('device-new', 1, 'clear'),
      event('restricted-new', 2, 'restricted'),
      event('device-new', 3, 'review'),
      event('verdict-changed', 4, 'clear', { before: 'restricted', after: 'clear' }),
      event('verdict-changed', 5, 'clear', { before: 'review', after: 'clear' }),
    ];
    const types = (include: BuildOptions['include']): string[] => reportEvents(events, 'a', 's', include === 'restricted' ? ['restricted'] : include === 'review' ? ['restricted', 'review'] : ['restricted', 'review', 'clear']).map((e) => e.deviceId);
    expect(types('restricted')).toEqual(['dev-2', 'dev-4']);
    expect(types('review')).toEqual(['dev-2', 'dev-3', 'dev-4', 'dev-5']);
    expect(types('all')).toEqual(['dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5']);
    expect(eventIncluded(event('verdict-changed', 6, 'clear', { before: null, after: 'clear' }), ['restricted'])).toBe(false);
  });

  it('gives every event a stable key per agent, sweep, type and device; a repeat gets its own', () => {
    const a = reportEvents([event('ip-changed', 1), event('ip-changed', 1), event('device-gone', 1)], 'agent-01', 'sw-1', ['restricted']);
    const b = reportEvents([event('ip-changed', 1)], 'agent-01', 'sw-1', ['restricted']);
    expect(new Set(a.map((e) => e.idempotencyKey)).size).toBe(3);
    expect(b[0]!.idempotencyKey).toBe(a[0]!.idempotencyKey);
    expect(reportEvents([event('ip-changed', 1)], 'agent-01', 'sw-2', ['restricted'])[0]!.idempotencyKey).not.toBe(a[0]!.idempotencyKey);
    const long = reportEvents([event('model-changed', 1, 'restricted', { before: 'x'.repeat(5000), after: 'y' })], 'a', 's', ['restricted']);
    expect(long[0]!.before).toHaveLength(256);
  });

  it('batches devices and events under the byte cap, and a 413 split keeps every device and event key', () => {
    const result = sweep(devices(60));
    const events = Array.from({ length: 200 }, (_, i) => event('restricted-new', i));
    const reports = buildReports(result, opts({ events, batchMaxBytes: 64 * 1024 }));
    expect(reports.length).toBeGreaterThan(1);
    for (const r of reports) {
      expect(Buffer.byteLength(serializeReport(r))).toBeLessThanOrEqual(64 * 1024);
      expectValid(r);
    }
    expect(reports.flatMap((r) => r.events ?? [])).toHaveLength(200);
    expect(reports.flatMap((r) => r.devices)).toHaveLength(60);
    const mixed = reports.find((r) => r.devices.length > 0 && (r.events?.length ?? 0) > 0) ?? reports[0]!;
    const halves = splitReport(mixed)!;
    expect(halves.map((h) => h.batch.part)).toEqual(['0', '1']);
    expect(halves.flatMap((h) => h.devices.map((d) => d.idempotencyKey))).toEqual(mixed.devices.map((d) => d.idempotencyKey));
    expect(halves.flatMap((h) => (h.events ?? []).map((e) => e.idempotencyKey))).toEqual((mixed.events ?? []).map((e) => e.idempotencyKey));
    expect(new Set([mixed.idempotencyKey, ...halves.map((h) => h.idempotencyKey)]).size).toBe(3);
    for (const h of halves) expectValid(h);
    // Events only: still splittable; one event alone is not.
    const [eventsOnly] = buildReports(sweep([]), opts({ events: [event('device-gone', 1), event('device-gone', 2)] }));
    expect(splitReport(eventsOnly!)?.map((h) => h.events?.length)).toEqual([1, 1]);
    const [one] = buildReports(sweep([]), opts({ events: [event('device-gone', 1)] }));
    expect(splitReport(one!)).toBeNull();
  });
});

describe('events through the outbox and the receiver store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-events-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('queueSweepReport carries the events; the receiver keeps one row per event key', async () => {
    const cfg = config({ endpoint: 'https://central.example/v1/reports', include: 'all' }, path.join(dir, 'agent'));
    const box = openOutbox(cfg.dataDir);
    const store = openReceiverStore(path.join(dir, 'rx'));
    try {
      const result = sweep(devices(2));
      const events = [event('restricted-new', 1), event('device-new', 2, 'clear')];
      expect(queueSweepReport(result, cfg, { outbox: box, events })).toMatchObject({ queued: 1, devices: 2, events: 2 });
      const body = JSON.parse(box.nextDue(Date.now() + 1000)!.body) as ReportV1;
      const v = validateReport(body);
      if (!v.ok) throw new Error(v.problems.join('; '));
      const meta = { receivedAt: 1, bytes: 1, remote: null };
      expect(await store.ingest(v.report, meta)).toEqual({ kind: 'stored', accepted: 2, duplicates: 0, events: { accepted: 2, duplicates: 0 } });
      expect(await store.ingest(v.report, meta)).toEqual({ kind: 'stored', accepted: 0, duplicates: 2, events: { accepted: 0, duplicates: 2 } });
      const stored = store.listEvents();
      expect(stored.map((e) => [e.type, e.deviceId, e.status, e.receipts])).toEqual([
        ['restricted-new', 'dev-1', 'restricted', 2],
        ['device-new', 'dev-2', 'clear', 2],
      ]);
      expect(stored[0]).toMatchObject({ agentId: 'agent-01.example', sweepId: result.id, ip: '10.66.0.11', manufacturer: 'Hikvision' });
    } finally {
      box.close();
      await store.close();
    }
  });

  it('refuses a report that carries the same event key twice', () => {
    const [r] = buildReports(sweep([]), opts({ events: [event('device-gone', 1)] }));
    const doc = JSON.parse(serializeReport(r!)) as ReportV1;
    doc.events = [doc.events![0]!, doc.events![0]!];
    expect(validateReport(doc)).toEqual({ ok: false, problems: [`events: key ${doc.events[0]!.idempotencyKey} appears twice`] });
  });
});
