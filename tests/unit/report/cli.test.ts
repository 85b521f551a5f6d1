import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { openOutbox } from '../../../src/report/outbox.ts';
import { queueSweepReport } from '../../../src/report/queue.ts';
import { startReceiver, type RunningReceiver } from '../../../src/report/receiver/server.ts';
import { openReceiverStore, type ReceiverStore } from '../../../src/report/receiver/store.ts';
import { Secret } from '../../../src/report/secret.ts';
import { config, devices, quiet, sweep } from './sample.ts';
import { captureIo } from '../../helpers/cli.ts';

/** `camsweep outbox list|send|retry|purge` and `camsweep receive --list`, through main(). */

let dir: string;
let agentDir: string;
let rxDir: string;
let store: ReceiverStore;
let rx: RunningReceiver;

const io = captureIo;

let sweeps = 0;
/** Queues `n` new sweeps (each with its own keys) of two devices. */
function queue(n: number): void {
  const box = openOutbox(agentDir);
  try {
    for (let i = 0; i < n; i++, sweeps++) {
      queueSweepReport(sweep(devices(2), new Date(Date.UTC(2026, 10, 26, 10, sweeps)).toISOString()), config({ endpoint: rx.url }, agentDir), { outbox: box });
    }
  } finally {
    box.close();
  }
}

function deadLetterAll(): number[] {
  const box = openOutbox(agentDir);
  try {
    for (const r of box.listPending()) box.deadLetter(r.id, Date.now(), 401, 'HTTP 401: missing or wrong bearer token');
    return box.listDead().map((d) => d.id);
  } finally {
    box.close();
  }
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-cli-'));
  agentDir = path.join(dir, 'agent');
  rxDir = path.join(dir, 'rx');
  store = openReceiverStore(rxDir);
  rx = await startReceiver({ host: '127.0.0.1', port: 0 }, { store, token: new Secret('tok-1'), hmacSecret: null, log: quiet });
});
afterEach(async () => {
  await rx.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('camsweep outbox', () => {
  it('list shows pending reports and dead letters, as JSON with the bodies or as a table', async () => {
    queue(3);
    deadLetterAll();
    queue(1);
    const json = io();
    expect(await main(['outbox', 'list', '--data-dir', agentDir, '--format', 'json'], json)).toBe(0);
    const doc = JSON.parse(json.out) as { pending: Array<{ body: { schema: string } }>; dead: Array<{ status: number; reason: string }> };
    expect(doc.pending).toHaveLength(1);
    expect(doc.pending[0]!.body.schema).toBe('camsweep.report/v1');
    expect(doc.dead).toHaveLength(3);
    expect(doc.dead[0]).toMatchObject({ status: 401, reason: 'HTTP 401: missing or wrong bearer token' });

    const table = io();
    expect(await main(['outbox', 'list', '--data-dir', agentDir, '--format', 'table', '--dead'], table)).toBe(0);
    expect(table.out).toMatch(/^ID\s+STATE\s+DEVICES/mu);
    expect(table.out.match(/\bdead\b/gu)?.length).toBeGreaterThanOrEqual(3);
    expect(table.out).toContain('0 pending, 3 dead letter(s)');
    expect(table.out).toContain('camsweep outbox retry');
  });

  it('send delivers what is pending (token from $CAMSWEEP_REPORT_TOKEN), and exits 1 when some stays behind', async () => {
    queue(2);
    const good = io({ CAMSWEEP_REPORT_TOKEN: 'tok-1' });
    expect(await main(['outbox', 'send', '--data-dir', agentDir, '--report-to', rx.url, '--log-level', 'silent'], good)).toBe(0);
    expect(good.out).toContain('2 report(s) delivered (4 device(s))');
    expect(store.counts().devices).toBe(4);

    queue(3);
    const bad = io({ CAMSWEEP_REPORT_TOKEN: 'wrong' });
    expect(await main(['outbox', 'send', '--data-dir', agentDir, '--report-to', rx.url, '--log-level', 'silent'], bad)).toBe(1);
    expect(bad.out).toContain('3 moved to dead letters');
  });

  it('retry moves named dead letters back and sends them (token from a file); --no-send only moves them', async () => {
    queue(3);
    const [a, b, c] = deadLetterAll();
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'tok-1\n');
    const one = io();
    expect(await main(['outbox', 'retry', String(a), '--data-dir', agentDir, '--report-to', rx.url, '--report-token-file', tokenFile, '--log-level', 'silent'], one)).toBe(0);
    expect(one.out).toContain('1 dead letter(s) moved back');
    expect(one.out).toContain('1 report(s) delivered');
    expect(store.counts().devices).toBe(2);

    const moveOnly = io();
    expect(await main(['outbox', 'retry', '--all', '--no-send', '--data-dir', agentDir], moveOnly)).toBe(0);
    expect(moveOnly.out).toContain('2 dead letter(s) moved back');
    const box = openOutbox(agentDir);
    expect(box.listPending().map((r) => r.id).sort()).toEqual([b, c]);
    box.close();
  });

  it('purge deletes named or all dead letters, and queued reports only with --pending', async () => {
    queue(3);
    const [a] = deadLetterAll();
    queue(1);
    const one = io();
    expect(await main(['outbox', 'purge', String(a), '--data-dir', agentDir], one)).toBe(0);
    expect(one.out).toContain('1 dead letter(s) deleted');
    const all = io();
    expect(await main(['outbox', 'purge', '--all', '--data-dir', agentDir], all)).toBe(0);
    expect(all.out).toContain('2 dead letter(s) deleted');
    const box = openOutbox(agentDir);
    expect(box.pendingCount()).toBe(1);
    box.close();
    const pending = io();
    expect(await main(['outbox', 'purge', '--all', '--pending', '--data-dir', agentDir], pending)).toBe(0);
    expect(pending.out).toContain('1 queued report(s) deleted');
  });

  it('refuses unclear selections and a send without an endpoint (exit 2)', async () => {
    const s = io();
    expect(await main(['outbox', 'retry', '--data-dir', agentDir], s)).toBe(2);
    expect(s.err).toContain('name the dead letters by id');
    expect(await main(['outbox', 'purge', '1', '--all', '--data-dir', agentDir], io())).toBe(2);
    expect(await main(['outbox', 'purge', 'abc', '--data-dir', agentDir], io())).toBe(2);
    const noEndpoint = io();
    expect(await main(['outbox', 'send', '--data-dir', agentDir], noEndpoint)).toBe(2);
    expect(noEndpoint.err).toContain('no endpoint');
  });

  it('reads its settings from the config file (report section, dataDir), reporting every problem', async () => {
    const cfgFile = path.join(dir, 'camsweep.yaml');
    writeFileSync(cfgFile, `dataDir: ${agentDir}\nreport:\n  endpoint: ${rx.url}\n  tokenFile: ${path.join(dir, 'missing')}\n  include: maybe\n`);
    const s = io();
    expect(await main(['outbox', 'list', '-c', cfgFile], s)).toBe(2);
    expect(s.err).toContain('report.include');
    writeFileSync(cfgFile, `dataDir: ${agentDir}\nreport:\n  endpoint: ${rx.url}\n`);
    queue(1);
    const ok = io({ CAMSWEEP_REPORT_TOKEN: 'tok-1' });
    expect(await main(['outbox', 'send', '-c', cfgFile, '--log-level', 'silent'], ok)).toBe(0);
    expect(store.counts().devices).toBe(2);
  });
});

describe('camsweep receive', () => {
  it('--list prints what was received (JSON and table), and an empty list before anything arrived', async () => {
    const empty = io();
    expect(await main(['receive', '--list', '--data-dir', path.join(dir, 'nothing-yet'), '--format', 'json'], empty)).toBe(0);
    expect(JSON.parse(empty.out)).toEqual({ counts: { requests: 0, deviceReceipts: 0, devices: 0, sweeps: 0 }, devices: [] });

    queue(2);
    expect(await main(['outbox', 'send', '--data-dir', agentDir, '--report-to', rx.url, '--log-level', 'silent'], io({ CAMSWEEP_REPORT_TOKEN: 'tok-1' }))).toBe(0);
    const json = io();
    expect(await main(['receive', '--list', '--data-dir', rxDir, '--format', 'json'], json)).toBe(0);
    const doc = JSON.parse(json.out) as { counts: { devices: number }; devices: Array<{ status: string; rule: string }> };
    expect(doc.counts.devices).toBe(4);
    expect(doc.devices.every((d) => d.status === 'restricted' && d.rule === 'hikvision')).toBe(true);
    const table = io();
    expect(await main(['receive', '--list', '--data-dir', rxDir, '--format', 'table'], table)).toBe(0);
    // The latest state of each device: the two sweeps saw the same devices.
    expect(table.out).toMatch(/^LAST SEEN\s+SITE\s+IP\s+MAC\s+STATUS/mu);
    expect(table.out).toContain('us-ndaa-889/hikvision');
    expect(table.out).toMatch(/\n(\d+) device\(s\), latest state, from 2 sweep\(s\) in .*; 2 request\(s\) accepted, 4 device report\(s\)/u);
    expect(doc.devices).toHaveLength(2);
    const reports = io();
    expect(await main(['receive', '--list', '--reports', '--data-dir', rxDir, '--format', 'table'], reports)).toBe(0);
    expect(reports.out).toMatch(/^RECEIVED\s+AGENT\s+SITE\s+IP/mu);
    expect(reports.out).toContain('4 device(s) from 2 sweep(s)');
  });

  it('refuses to listen without a token, or without --listen', async () => {
    const s = io();
    expect(await main(['receive', '--listen', '127.0.0.1:0', '--data-dir', rxDir], s)).toBe(2);
    expect(s.err).toContain('no token');
    const t = io();
    expect(await main(['receive', '--data-dir', rxDir], t)).toBe(2);
    expect(t.err).toContain('--listen');
  });

  it('--help lists the outbox subcommands and the receiver options', async () => {
    const top = io();
    expect(await main(['--help'], top)).toBe(0);
    expect(top.out).toMatch(/outbox/u);
    expect(top.out).toMatch(/receive/u);
    const rxHelp = io();
    expect(await main(['receive', '--help'], rxHelp)).toBe(0);
    for (const flag of ['--listen', '--list', '--data-dir', '--token-file', '--hmac-secret-file', '--tls-cert', '--tls-key', '--tls-client-ca', '--max-body-bytes']) {
      expect(rxHelp.out).toContain(flag);
    }
    const ob = io();
    expect(await main(['outbox', '--help'], ob)).toBe(0);
    for (const sub of ['list', 'send', 'retry', 'purge']) expect(ob.out).toContain(sub);
  });
});
