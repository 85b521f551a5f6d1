/**
 * Every JSON output has a schema under schemas/, and each is checked here against real output
 * of the command it documents (the sweep document's own test is in format.test.ts and the lab).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { openInventory } from '../../../src/inventory/store.ts';
import { openOutbox } from '../../../src/report/outbox.ts';
import { openReceiverStore } from '../../../src/report/receiver/store.ts';
import { formatDeviceStatesJson } from '../../../src/central/format.ts';
import { formatOutboxJson, formatReceivedEventsJson, formatReceivedJson } from '../../../src/report/format.ts';
import { schemaValidator } from '../../helpers/json-schema.ts';
import { captureIo } from '../../helpers/cli.ts';
import { amcrestDevice, device, sweep } from '../inventory/sample.ts';
import { config } from '../report/sample.ts';
import { queueSweepReport } from '../../../src/report/queue.ts';
import { validateReport } from '../../../src/report/receiver/validate.ts';
import type { ChangeEvent } from '../../../src/inventory/types.ts';
import type { SweepResult } from '../../../src/domain/types.ts';

let root: string;
let dataDir: string;
let second: SweepResult;
let events: ChangeEvent[];

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'camsweep-schemas-'));
  dataDir = path.join(root, 'data');
  const inv = openInventory(dataDir);
  inv.recordSweep(sweep([amcrestDevice(), device({ ip: '10.66.0.20', mac: '44:19:b6:00:00:20' })], '2026-11-20T10:00:00Z'));
  second = sweep([amcrestDevice('192.168.1.109'), device({ ip: '10.66.0.21', mac: '44:19:b6:00:00:21', status: 'restricted' })], '2026-11-21T10:00:00Z');
  events = inv.recordSweep(second);
  inv.close();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const json = async (argv: string[]): Promise<unknown> => {
  const io = captureIo();
  expect(await main([...argv, '--data-dir', dataDir, '--format', 'json'], io), io.err).toBe(0);
  return JSON.parse(io.out) as unknown;
};

const valid = (schema: string, doc: unknown): void => {
  const validate = schemaValidator(schema);
  expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
};

describe('the JSON outputs and their schemas', () => {
  it('devices: devices.v1', async () => {
    const doc = await json(['devices']);
    expect((doc as unknown[]).length).toBeGreaterThan(1);
    valid('devices.v1.schema.json', doc);
  });

  it('show: device.v1', async () => {
    valid('device.v1.schema.json', await json(['show', '9c:8e:cd:0a:1b:2c']));
  });

  it('sweeps: sweeps.v1', async () => {
    valid('sweeps.v1.schema.json', await json(['sweeps']));
  });

  it('diff (the change events): diff.v1', async () => {
    const doc = (await json(['diff'])) as { changes: unknown[] };
    expect(doc.changes.length).toBeGreaterThan(0);
    valid('diff.v1.schema.json', doc);
  });

  it('outbox list: outbox.v1; receive --list, --list --reports and --list --events: received-devices.v1, received.v1, received-events.v1', async () => {
    expect(events.length).toBeGreaterThan(0);
    const cfg = config({ endpoint: 'https://central.example/v1/reports', include: 'all' }, path.join(root, 'agent'));
    const box = openOutbox(cfg.dataDir);
    const store = openReceiverStore(path.join(root, 'central'));
    try {
      queueSweepReport(second, cfg, { outbox: box, events });
      valid('outbox.v1.schema.json', JSON.parse(formatOutboxJson(box.listPending(), box.listDead())));
      const v = validateReport(JSON.parse(box.listPending()[0]!.body));
      if (!v.ok) throw new Error(v.problems.join('; '));
      await store.ingest(v.report, { receivedAt: Date.parse('2026-11-21T10:00:05Z'), bytes: 1, remote: null });
      expect(store.listDevices().length).toBeGreaterThan(0);
      expect(store.listEvents().length).toBeGreaterThan(0);
      valid('received.v1.schema.json', JSON.parse(formatReceivedJson(store.listDevices(), store.counts())));
      const page = await store.listDevicePage({ limit: 1000 });
      expect(page.devices.length).toBeGreaterThan(0);
      valid('received-devices.v1.schema.json', JSON.parse(formatDeviceStatesJson(page.devices, store.counts())));
      valid('received-events.v1.schema.json', JSON.parse(formatReceivedEventsJson(store.listEvents())));
    } finally {
      await store.close();
      box.close();
    }
  });

  it('a schema refuses what its output never holds', () => {
    expect(schemaValidator('sweeps.v1.schema.json')([{ id: 'x' }])).toBe(false);
    expect(schemaValidator('devices.v1.schema.json')({})).toBe(false);
  });
});
