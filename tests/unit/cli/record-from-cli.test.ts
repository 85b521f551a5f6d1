import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/util/log.ts';
import { recordSweepFromCli } from '../../../src/cli/after-sweep.ts';
import { openInventory } from '../../../src/inventory/store.ts';
import { amcrestDevice, device, sweep } from '../inventory/sample.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'camsweep-inventory-record-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { log, lines };
}

describe('recordSweepFromCli', () => {
  it('stores the sweep, warns about each new restricted device and logs the counts', async () => {
    const { log, lines } = capture();
    const dataDir = path.join(root, 'data');
    const s = sweep([amcrestDevice(), device({ ip: '10.66.0.40', mac: '64:eb:8c:00:00:01', kind: 'printer', status: 'clear' })], '2026-11-26T10:00:00Z');
    const events = await recordSweepFromCli(s, { dataDir, log });
    expect(events.map((e) => e.type)).toEqual(['restricted-new', 'device-new']);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'new restricted device'],
      [30, 'sweep recorded in the inventory: 2 change(s)'],
    ]);
    expect(lines[0]).toMatchObject({ module: 'inventory', device: { ip: '192.168.1.108', mac: '9c:8e:cd:0a:1b:2c', manufacturer: 'Dahua', brand: 'Amcrest', model: 'IP5M-T1277EW-AI' } });
    expect(lines[1]).toMatchObject({ inventory: { sweepId: s.id, devices: 2, changes: { 'restricted-new': 1, 'device-new': 1 }, file: path.join(dataDir, 'inventory.db') } });
    const inv = openInventory(dataDir, { readOnly: true });
    try {
      expect(inv.sweeps().map((x) => x.id)).toEqual([s.id]);
    } finally {
      inv.close();
    }
    // Recording it again adds nothing and gives the same events.
    expect(await recordSweepFromCli(s, { dataDir, log })).toEqual(events);
  });

  it('throws with a stable code when the data directory cannot be written', async () => {
    const { log } = capture();
    // A file where the directory should be (permission bits would not stop root).
    const blocker = path.join(root, 'not-a-directory');
    writeFileSync(blocker, '');
    await expect(recordSweepFromCli(sweep([], '2026-11-26T10:00:00Z'), { dataDir: path.join(blocker, 'data'), log })).rejects.toThrow(
      expect.objectContaining({ code: 'INVENTORY_DB_OPEN' }),
    );
  });
});
