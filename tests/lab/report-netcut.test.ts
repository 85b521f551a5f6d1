/**
 * A network cut in the lab while sweeps continue: the agent sweeps the simulated building and
 * reports over HTTPS (private CA) to `camsweep receive` running on a central host in its own
 * namespace. The central host's link goes down for two sweeps (the sweeps still run and print;
 * their reports wait in the outbox), comes back, and the next sweep delivers everything:
 * every device of every sweep exactly once, nothing lost.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/domain/types.ts';
import type { ReportFromCliResult } from '../../src/cli/after-sweep.ts';
import { openReceiverStore } from '../../src/report/receiver/store.ts';
import { loadReportSettings } from '../../src/report/settings-file.ts';
import { spawnInNamespace, type LabProcess } from './lab-process.ts';
import { createLab, STANDARD_AGENT, standardDevice, type Lab } from './netns.ts';
import { expectedFor, printTally, tally } from './report-tally.ts';
import { makeTlsMaterial, type TlsMaterial } from './tls-certs.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const SCRIPT = new URL('./report-sweep.ts', import.meta.url).pathname;
const CENTRAL_IP = '10.66.0.50';
const TOKEN = 'netcut-token';

let lab: Lab;
let tls: TlsMaterial;
let dir: string;
let central: LabProcess | undefined;
let cfgFile: string;

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-netcut-'));
  tls = makeTlsMaterial([CENTRAL_IP]);
  lab = await createLab({
    agent: { ...STANDARD_AGENT },
    devices: [
      standardDevice('hikvision'),
      standardDevice('axis'),
      // The central host: a namespace on the same LAN; its simulator is never started, the receiver runs there.
      { name: 'central', ip: CENTRAL_IP, mac: '02:66:00:00:00:50', profile: 'epson-xp-410' },
    ],
  });
  await lab.startDevices({ only: ['hikvision', 'axis'] });
  writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  central = spawnInNamespace(lab.device('central').namespace, [
    process.execPath, CLI, 'receive', '--listen', `${CENTRAL_IP}:8443`, '--data-dir', path.join(dir, 'rx'),
    '--token-file', path.join(dir, 'token'), '--tls-cert', tls.server.certFile, '--tls-key', tls.server.keyFile, '--log-level', 'warn',
  ]);
  await waitFor(() => /listening on https:\/\/10\.66\.0\.50:8443/u.test(central!.stdout()) || !central!.running, 'the receiver');
  expect(central.running, central.stderr()).toBe(true);
  cfgFile = path.join(dir, 'camsweep.yaml');
  writeFileSync(
    cfgFile,
    [
      `dataDir: ${path.join(dir, 'agent')}`,
      'report:',
      `  endpoint: https://${CENTRAL_IP}:8443/v1/reports`,
      `  tokenFile: ${path.join(dir, 'token')}`,
      `  caFile: ${tls.ca.certFile}`,
      '  agentId: lab-agent',
      '  site: Lab building',
      '  include: all',
      '  timeout: 1',
      '  backoff: { base: 0.1, max: 0.5 }',
      '  deliverFor: 2',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await central?.stop();
  await lab?.stop();
  tls?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function sweepAndReport(n: number): Promise<{ result: SweepResult; report: ReportFromCliResult; ms: number }> {
  const stats = path.join(dir, `stats-${n}.json`);
  const r = await lab.execAgent(
    [process.execPath, SCRIPT, '--report-config', cfgFile, '--stats-file', stats, '--', '--interface', 'eth0', '--timeout', '1', '--no-enrich', '--log-level', 'error'],
    { timeoutMs: 30_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  return { result: JSON.parse(r.stdout) as SweepResult, report: JSON.parse(readFileSync(stats, 'utf8')) as ReportFromCliResult, ms: r.ms };
}

describe('reporting across a network cut', () => {
  it('keeps sweeping while the central host is unreachable and delivers every report once it is back', async () => {
    const results: SweepResult[] = [];
    const first = await sweepAndReport(1);
    results.push(first.result);
    expect(first.result.devices.length).toBeGreaterThanOrEqual(2);
    expect(first.report.delivery).toMatchObject({ pending: 0, dead: 0 });
    expect(first.report.delivery.delivered).toBeGreaterThanOrEqual(1);

    const cut = await lab.execDevice('central', ['ip', 'link', 'set', 'eth0', 'down']);
    expect(cut.code, cut.stderr).toBe(0);
    for (const n of [2, 3]) {
      const s = await sweepAndReport(n);
      results.push(s.result);
      // The sweep still ran and printed; delivery gave up after report.deliverFor, nothing lost.
      expect(s.result.devices.length).toBeGreaterThanOrEqual(2);
      expect(s.report.delivery).toMatchObject({ delivered: 0, dead: 0, stoppedBy: 'deadline' });
      expect(s.report.delivery.pending).toBe(n - 1);
      // Gave up after report.deliverFor (2 s), far from the 30 s default: the behaviour, not a timing.
      expect(s.ms).toBeLessThan(20_000);
    }

    const restore = await lab.execDevice('central', ['ip', 'link', 'set', 'eth0', 'up']);
    expect(restore.code, restore.stderr).toBe(0);
    const last = await sweepAndReport(4);
    results.push(last.result);
    expect(last.report.delivery).toMatchObject({ delivered: 3, pending: 0, dead: 0 });

    await central!.stop();
    const cfg = loadReportSettings({ file: cfgFile, env: {} });
    const store = openReceiverStore(path.join(dir, 'rx'), { readOnly: true });
    try {
      const expected = expectedFor(results, cfg);
      const t = tally(store, expected, []);
      printTally('network cut (2 sweeps during the cut)', { ...t, sent: store.counts().requests, retried: store.counts().requests - 4 }, `sweeps received ${store.counts().sweeps}`);
      expect(store.counts().sweeps).toBe(4);
      expect(t.lost).toBe(0);
      expect(t.duplicated).toBe(0);
      expect(t.delivered).toBe(expected.keys.size);
      const sites = new Set(store.listDevices().map((d) => d.site));
      expect([...sites]).toEqual(['Lab building']);
    } finally {
      store.close();
    }
  }, 90_000);
});
