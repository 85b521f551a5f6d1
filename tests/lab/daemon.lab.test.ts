/**
 * End to end: the real `camsweep daemon` in the agent's namespace of a lab, sweeping every few
 * seconds while the network changes under it, reporting to the reference receiver
 * (`camsweep receive`) on the agent host's loopback. Between sweeps a camera appears, a printer
 * disappears and a camera gets new firmware (its simulator restarted with another profile on
 * the same IP and MAC). Asserts the inventory (`camsweep devices`, `camsweep sweeps`), the
 * change events (the daemon's log, its metrics, the receiver), the reports at the receiver,
 * /healthz and /metrics (and `camsweep health`), and a clean exit within the bound on SIGTERM.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, standardLab, STANDARD_DEVICES, type DeviceProfile, type Lab, type LabProcess } from './netns.ts';
import { profilePath } from './simulator/profile.ts';
import type { InventoryDevice, SweepSummary } from '../../src/inventory/types.ts';
import type { StoredEvent } from '../../src/report/receiver/store.ts';
import { parsePrometheus, valueOf, type Family } from '../unit/daemon/prometheus-parse.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const camsweep = (...args: string[]): string[] => [process.execPath, CLI, ...args];
const ip = (name: string): string => STANDARD_DEVICES.find((d) => d.name === name)!.ip;

/**
 * Each change to the lab (a camera plugged in, a printer unplugged, a camera restarted on new
 * firmware) must land between two sweeps: the interval less a sweep (~2 s) is the time it has.
 * Starting a simulator took over 4 s on a busy 2-core machine (sweep 2 then ran before the new
 * camera was up), so 8 s, not 4.
 */
const INTERVAL_S = 8;
const SHUTDOWN_S = 8;
const RX_PORT = 8088;
const HTTP = '127.0.0.1:9464';
const OLD_FIRMWARE = 'V5.4.5 build 170124';
const NEW_FIRMWARE = 'V5.5.0 build 180101';

interface LogLine {
  level: number;
  msg: string;
  module?: string;
  sweep?: { id: string; devices: number };
  event?: { type: string };
  device?: { ip: string };
  change?: { before: string | null; after: string | null };
}

let lab: Lab;
let daemon: LabProcess;
let receiver: LabProcess;
let agentDir: string;
let rxDir: string;
const t0 = performance.now();
const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

const lines = (): LogLine[] =>
  daemon
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
const sweepsDone = (): LogLine[] => lines().filter((l) => l.msg === 'sweep done');

async function until<T>(what: string, get: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end || !daemon.running) throw new Error(`timed out waiting for ${what}\n${daemon.stderr().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for sweep `n` to be done (recorded and its report queued). */
async function afterSweep(n: number): Promise<void> {
  await until(`sweep ${n}`, () => sweepsDone().length >= n || undefined, (INTERVAL_S + 6) * 1000);
}

async function cli(...args: string[]): Promise<string> {
  const r = await lab.execAgent(camsweep(...args), { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`camsweep ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The Hikvision profile after a firmware upgrade: the same unit, new version everywhere it shows. */
function upgradedHikvision(): DeviceProfile {
  const text = readFileSync(profilePath('hikvision-ds-2cd2142fwd'), 'utf8');
  const sadpOld = OLD_FIRMWARE.replace(' build', 'build');
  const profile = JSON.parse(text.replaceAll(OLD_FIRMWARE, NEW_FIRMWARE).replaceAll(sadpOld, NEW_FIRMWARE.replace(' build', 'build'))) as DeviceProfile & { id: string };
  return { ...profile, id: 'hikvision-ds-2cd2142fwd-v550' };
}

describe('camsweep daemon on a changing lab', () => {
  let metricsMid: Map<string, Family>;
  let healthMid: { status: string; sweeps: { lastSuccessAt: string | null; skipped: number } };
  let healthCli: string;
  let stopMs: number;
  let exit: { code: number | null; signal: NodeJS.Signals | null };

  beforeAll(async () => {
    lab = await createLab(standardLab({ only: ['hikvision', 'dahua', 'axis', 'epson'] }));
    await lab.startDevices({ only: ['hikvision', 'axis', 'epson'] });
    agentDir = path.join(lab.dir, 'agent');
    rxDir = path.join(lab.dir, 'central');
    const token = path.join(lab.dir, 'report.token');
    writeFileSync(token, 'lab-token-for-the-daemon-test\n', { mode: 0o600 });
    receiver = lab.spawnAgent(camsweep('receive', '--listen', `127.0.0.1:${RX_PORT}`, '--data-dir', rxDir, '--token-file', token, '--log-level', 'warn'));

    const config = path.join(lab.dir, 'camsweep.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${agentDir}`,
        'sweep:',
        '  interfaces: [eth0]',
        'enrich: { grace: 1 }',
        'report:',
        `  endpoint: http://127.0.0.1:${RX_PORT}/v1/reports`,
        `  tokenFile: ${token}`,
        '  agentId: lab-agent',
        '  include: all',
        'daemon:',
        '  schedule: { interval: 60, runAtStart: true }',
        `  http: { listen: "${HTTP}" }`,
        `  shutdownTimeout: ${SHUTDOWN_S}`,
        // What the schedule alone finds: listening between sweeps is passive.lab.test.ts.
        '  passive: { enabled: false }',
        '',
      ].join('\n'),
    );
    // The environment overrides the file: a short listen window and an INTERVAL_S interval.
    daemon = lab.spawnAgent(camsweep('daemon', '--config', config), {
      env: { CAMSWEEP_SWEEP_TIMEOUT: '1', CAMSWEEP_DAEMON_SCHEDULE_INTERVAL: String(INTERVAL_S) },
    });

    // Sweep 1: hikvision, axis, epson. Then a Dahua camera is plugged in.
    await afterSweep(1);
    await lab.startDevices({ only: ['dahua'] });
    console.info(`sweep 1 done, dahua started: ${elapsed()}`);
    // Sweep 2 finds it. Then the printer is unplugged.
    await afterSweep(2);
    await lab.stopDevices({ only: ['epson'] });
    console.info(`sweep 2 done, epson stopped: ${elapsed()}`);
    // Sweep 3 misses it. Then the Hikvision camera is upgraded (restarted with new firmware).
    await afterSweep(3);
    await lab.stopDevices({ only: ['hikvision'] });
    lab.setProfile('hikvision', upgradedHikvision());
    await lab.startDevices({ only: ['hikvision'] });
    console.info(`sweep 3 done, hikvision upgraded: ${elapsed()}`);
    // Sweep 4 sees the new firmware.
    await afterSweep(4);
    console.info(`sweep 4 done: ${elapsed()}`);

    const metrics = await lab.execAgent(['curl', '-s', '--max-time', '3', `http://${HTTP}/metrics`], { timeoutMs: 5000 });
    metricsMid = parsePrometheus(metrics.stdout);
    const health = await lab.execAgent(['curl', '-s', '--max-time', '3', `http://${HTTP}/healthz`], { timeoutMs: 5000 });
    healthMid = JSON.parse(health.stdout) as typeof healthMid;
    healthCli = await cli('health', '--config', config);

    // Stop it in the middle of sweep 5: that sweep finishes and is recorded, the outbox is
    // flushed, and the process exits within the bound.
    await until('sweep 5 to start', () => lines().filter((l) => l.msg === 'sweep starting').length >= 5 || undefined, (INTERVAL_S + 4) * 1000);
    await new Promise((r) => setTimeout(r, 300));
    const stopAt = performance.now();
    const result = await daemon.stop((SHUTDOWN_S + 5) * 1000);
    stopMs = performance.now() - stopAt;
    exit = { code: result.code, signal: result.signal };
    console.info(`daemon stopped in ${Math.round(stopMs)} ms (exit ${result.code}), total ${elapsed()}`);
    await receiver.stop();
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('on SIGTERM during a sweep: finishes and records it, flushes the outbox, exits 0 within daemon.shutdownTimeout', () => {
    expect(exit, daemon.stderr().slice(-3000)).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_S * 1000);
    const msgs = lines().map((l) => l.msg);
    const from = msgs.indexOf('stopping: no new sweeps; finishing the running one and flushing the outbox');
    expect(from).toBeGreaterThan(0);
    expect(msgs.slice(from)).toEqual(['stopping: no new sweeps; finishing the running one and flushing the outbox', 'waiting for the running sweep to finish', 'sweep finished', 'sweep done', 'outbox flushed', 'stopped']);
    expect(sweepsDone()).toHaveLength(5);
    expect(lines().filter((l) => l.level >= 50)).toEqual([]);
  });

  it('swept on the schedule from the environment (INTERVAL_S), never two at once', () => {
    const starts = lines().filter((l) => l.msg === 'sweep starting');
    expect(starts.length).toBeGreaterThanOrEqual(4);
    expect(lines().find((l) => l.msg === 'daemon started')).toMatchObject({ daemon: { schedule: `every ${INTERVAL_S} s`, fromEnv: ['CAMSWEEP_DAEMON_SCHEDULE_INTERVAL', 'CAMSWEEP_SWEEP_TIMEOUT'] } });
    expect(valueOf(metricsMid, 'camsweep_sweeps_skipped_total')).toBe(0);
  });

  it('keeps the inventory: the new camera, the gone printer, the upgraded camera', async () => {
    const devices = JSON.parse(await cli('devices', '--data-dir', agentDir, '--format', 'json')) as InventoryDevice[];
    const byIp = new Map(devices.map((d) => [d.latest.ip, d]));
    expect([...byIp.keys()].sort()).toEqual([ip('hikvision'), ip('dahua'), ip('axis'), ip('epson')].sort());
    expect(byIp.get(ip('hikvision'))).toMatchObject({ present: true, latest: { firmware: NEW_FIRMWARE, verdict: { status: 'restricted' } } });
    expect(byIp.get(ip('hikvision'))!.sweeps).toBeGreaterThanOrEqual(4);
    expect(byIp.get(ip('dahua'))).toMatchObject({ present: true, latest: { manufacturer: 'Dahua', verdict: { status: 'restricted' } } });
    expect(byIp.get(ip('epson'))).toMatchObject({ present: false, latest: { kind: 'printer', verdict: { status: 'clear' } } });
    expect(byIp.get(ip('axis'))).toMatchObject({ present: true });
    const sweeps = JSON.parse(await cli('sweeps', '--data-dir', agentDir, '--format', 'json')) as SweepSummary[];
    expect(sweeps).toHaveLength(5);
    const oldestFirst = [...sweeps].reverse();
    expect(oldestFirst.slice(0, 4).map((s) => s.restricted)).toEqual([1, 2, 2, 2]);
    expect(oldestFirst.slice(0, 4).map((s) => s.devices)).toEqual([3, 4, 3, 3]);
  });

  it('logs each change (module events) and counts it in /metrics', () => {
    const events = lines().filter((l) => l.module === 'events');
    const seen = events.map((l) => `${l.event!.type} ${l.device!.ip}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        `restricted-new ${ip('hikvision')}`,
        `device-new ${ip('axis')}`,
        `device-new ${ip('epson')}`,
        `restricted-new ${ip('dahua')}`,
        `device-gone ${ip('epson')}`,
        `firmware-changed ${ip('hikvision')}`,
      ]),
    );
    expect(events.find((l) => l.event!.type === 'firmware-changed')?.change).toEqual({ before: OLD_FIRMWARE, after: NEW_FIRMWARE });
    expect(events.filter((l) => l.event!.type === 'restricted-new').every((l) => l.level === 40)).toBe(true);
    expect(valueOf(metricsMid, 'camsweep_events_total', { type: 'restricted-new' })).toBe(2);
    expect(valueOf(metricsMid, 'camsweep_events_total', { type: 'device-new' })).toBe(2);
    expect(valueOf(metricsMid, 'camsweep_events_total', { type: 'device-gone' })).toBe(1);
    expect(valueOf(metricsMid, 'camsweep_events_total', { type: 'firmware-changed' })).toBe(1);
  });

  it('served /metrics and /healthz while running; camsweep health said healthy', () => {
    expect(valueOf(metricsMid, 'camsweep_sweeps_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(4);
    expect(valueOf(metricsMid, 'camsweep_sweeps_total', { outcome: 'failed' })).toBe(0);
    expect(valueOf(metricsMid, 'camsweep_devices', { status: 'restricted' })).toBe(2);
    expect(valueOf(metricsMid, 'camsweep_inventory_devices', { status: 'restricted' })).toBe(2);
    expect(valueOf(metricsMid, 'camsweep_inventory_devices', { status: 'clear' })).toBe(2);
    expect(valueOf(metricsMid, 'camsweep_sweep_duration_seconds_count')).toBeGreaterThanOrEqual(4);
    expect(valueOf(metricsMid, 'camsweep_reports_delivered_total')).toBeGreaterThanOrEqual(3);
    expect(valueOf(metricsMid, 'camsweep_outbox_dead')).toBe(0);
    for (const stage of ['sweep', 'inventory', 'report', 'delivery']) expect(valueOf(metricsMid, 'camsweep_errors_total', { stage })).toBe(0);
    expect(healthMid.status).toBe('ok');
    expect(healthMid.sweeps.lastSuccessAt).not.toBeNull();
    expect(healthCli).toMatch(/^200 \{"status":"ok"/u);
  });

  it('reported every sweep and its events to the receiver', async () => {
    const received = JSON.parse(await cli('receive', '--list', '--reports', '--data-dir', rxDir, '--format', 'json')) as { counts: { sweeps: number }; devices: Array<{ ip: string; status: string; sweepId: string }> };
    // Every sweep, the one finished during the stop included.
    expect(received.counts.sweeps).toBe(5);
    const sweepIds = new Set(sweepsDone().map((l) => l.sweep!.id));
    expect(new Set(received.devices.map((d) => d.sweepId)).size).toBe(sweepIds.size);
    expect(received.devices.filter((d) => d.ip === ip('dahua')).every((d) => d.status === 'restricted')).toBe(true);
    const { events } = JSON.parse(await cli('receive', '--list', '--events', '--data-dir', rxDir, '--format', 'json')) as { events: StoredEvent[] };
    const got = events.map((e) => `${e.type} ${e.ip}`);
    expect(got).toEqual(
      expect.arrayContaining([
        `restricted-new ${ip('hikvision')}`,
        `restricted-new ${ip('dahua')}`,
        `device-new ${ip('epson')}`,
        `device-gone ${ip('epson')}`,
        `firmware-changed ${ip('hikvision')}`,
      ]),
    );
    expect(events.every((e) => e.agentId === 'lab-agent' && e.receipts === 1)).toBe(true);
    expect(events.find((e) => e.type === 'firmware-changed')).toMatchObject({ before: OLD_FIRMWARE, after: NEW_FIRMWARE, status: 'restricted' });
  });
});
