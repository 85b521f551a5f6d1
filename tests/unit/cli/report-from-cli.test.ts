import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportFromCli } from '../../../src/cli/after-sweep.ts';
import { reportConfigSchema } from '../../../src/report/config.ts';
import { startReceiver, type RunningReceiver } from '../../../src/report/receiver/server.ts';
import { openReceiverStore, type ReceiverStore } from '../../../src/report/receiver/store.ts';
import { Secret } from '../../../src/report/secret.ts';
import { captureLog } from '../../lab/report-tally.ts';
import { devices, quiet, sweep } from '../report/sample.ts';

/** reportFromCli: the two lines `camsweep sweep` adds after printing. */

let dir: string;
let store: ReceiverStore;
let rx: RunningReceiver;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-fromcli-'));
  store = openReceiverStore(path.join(dir, 'rx'));
  rx = await startReceiver({ host: '127.0.0.1', port: 0 }, { store, token: new Secret('tok-9'), hmacSecret: null, log: quiet });
});
afterEach(async () => {
  await rx.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reportFromCli', () => {
  it('without an endpoint sends and stores nothing (not even a data directory)', async () => {
    const out = await reportFromCli(sweep(devices(2)), { flags: {}, settings: { dataDir: path.join(dir, 'agent') }, env: {}, log: quiet });
    expect(out).toBeNull();
    expect(existsSync(path.join(dir, 'agent'))).toBe(false);
  });

  it('--report-to and --report-token-file over the config: queues, then delivers', async () => {
    writeFileSync(path.join(dir, 'tok'), 'tok-9\n');
    const settings = { report: reportConfigSchema.parse({ endpoint: 'https://not-this.example/', include: 'all' }), dataDir: path.join(dir, 'agent') };
    const out = await reportFromCli(sweep(devices(3, ['restricted', 'review', 'clear'])), {
      flags: { reportTo: rx.url, reportTokenFile: path.join(dir, 'tok') },
      settings,
      env: {},
      log: quiet,
    });
    expect(out?.queue).toMatchObject({ queued: 1, devices: 3 });
    expect(out?.delivery).toMatchObject({ delivered: 1, devicesDelivered: 3, pending: 0, stoppedBy: 'empty' });
    expect(store.counts().devices).toBe(3);
  });

  it('warns that --report-token shows in the process list (never logging it); a refused token ends in the dead-letter table', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const settings = { report: reportConfigSchema.parse({ deliverFor: 0.3, timeout: 0.2, backoff: { base: 0.05, max: 0.1 } }), dataDir: path.join(dir, 'agent') };
    const out = await reportFromCli(sweep(devices(1)), { flags: { reportTo: rx.url, reportToken: 'wrong-token' }, settings, env: {}, log: captureLog(lines) });
    expect(lines.some((l) => String(l.msg).includes('process list'))).toBe(true);
    expect(out?.delivery).toMatchObject({ delivered: 0, deadLettered: 1 });
    expect(JSON.stringify(lines)).not.toContain('wrong-token');
  });
});
