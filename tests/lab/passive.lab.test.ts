/**
 * Listening between sweeps, end to end (issue 14): the real `camsweep daemon` on a one-hour
 * schedule in the agent's namespace of a lab, reporting to the reference receiver. After its
 * first sweep (a Hikvision camera and an Epson printer), new devices start and announce
 * themselves as their profiles say: a Dahua camera (WS-Discovery Hello, SSDP NOTIFY), an Axis
 * camera (Hello, NOTIFY, mDNS), a Lorex camera (a DHIP notice only) and an Annke camera (a SADP
 * notice only). Each must reach the receiver, with the right verdict, well before the next
 * sweep (an hour away); the printer's goodbye must give its device-leaving event; a flood of
 * forged announcements from 32 addresses must keep the daemon's memory under a bound while an
 * Imou camera started during it is still reported. Nothing is sent while listening: no
 * datagram after the first sweep (the audit record, and what every device heard), and only
 * the announced devices get the identification's requests. Timings are printed, not asserted
 * tightly: `npm run bench:passive` measures them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/audit.ts';
import type { StoredEvent } from '../../src/report/receiver/store.ts';
import { startFlooder } from './bench/flood-lab.ts';
import { createLab, type Lab, type LabDeviceSpec, type LabProcess } from './netns.ts';
import { announcedAt, memoryKb, reportedAt } from './passive-timings.ts';
import { parsePrometheus, valueOf, type Family } from '../unit/daemon/prometheus-parse.ts';
import { DEFAULT_GATE_LIMITS } from '../../src/passive/gate.ts';

/** Every sample of a metric family added up (0 when the family is absent). */
const sum = (m: Map<string, Family>, name: string): number => m.get(name)?.samples.reduce((a, x) => a + x.value, 0) ?? 0;

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const FLOODER = new URL('./bench/announce-flood.ts', import.meta.url).pathname;
const camsweep = (...args: string[]): string[] => [process.execPath, CLI, ...args];
const AGENT = '10.66.0.2';
const RX_PORT = 8089;
const HTTP = '127.0.0.1:9466';

const DEVICES: LabDeviceSpec[] = [
  { name: 'hikvision', ip: '10.66.0.11', mac: '44:19:b6:21:42:0b', profile: 'hikvision-ds-2cd2142fwd' },
  { name: 'epson', ip: '10.66.0.14', mac: 'ac:18:26:84:1a:46', profile: 'epson-xp-410' },
  { name: 'dahua', ip: '10.66.0.12', mac: '4c:11:bf:22:28:0c', profile: 'dahua-ipc-hfw2228m' },
  { name: 'axis', ip: '10.66.0.13', mac: 'ac:cc:8e:20:36:0d', profile: 'axis-m2036-le' },
  { name: 'lorex', ip: '10.66.0.21', mac: '00:1f:54:4a:61:21', profile: 'lorex-w461asc' },
  { name: 'annke', ip: '10.66.0.23', mac: 'c0:56:e3:91:b0:4d', profile: 'annke-c800-i91bm' },
  { name: 'imou', ip: '10.66.0.24', mac: '1c:4d:89:3a:22:24', profile: 'imou-ipc-a22e' },
];
const ip = (name: string): string => DEVICES.find((d) => d.name === name)!.ip;
/** Announced after the first sweep, and the verdict each must be reported with. */
const NEWCOMERS: ReadonlyArray<[string, string]> = [
  ['dahua', 'restricted'],
  ['axis', 'clear'],
  ['lorex', 'restricted'],
  ['annke', 'restricted'],
];
const FLOOD_IPS = Array.from({ length: 32 }, (_, i) => `10.66.0.${200 + i}`);
const FLOOD_RATE = 1500;
/** Generous bounds for a loaded two-core machine; the benchmark measures the real figures. */
const REPORTED_WITHIN_MS = 20_000;
/**
 * The daemon's peak RSS under the flood (measured: see docs/limits.md, "Between sweeps"), and
 * what the flood may add to it.
 */
const MAX_RSS_MB = 300;
const MAX_RSS_GROWTH_MB = 64;

interface LogLine {
  level: number;
  time: number;
  msg: string;
  module?: string;
  event?: { type: string };
  device?: { ip: string };
}

let lab: Lab;
let daemon: LabProcess;
let receiver: LabProcess;
let rxDir: string;
let auditFile: string;
let agentV6 = '';

const lines = (): LogLine[] =>
  daemon
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

async function until<T>(what: string, get: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (performance.now() > end || !daemon.running) throw new Error(`timed out waiting for ${what}\n${daemon.stderr().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cli(...args: string[]): Promise<string> {
  const r = await lab.execAgent(camsweep(...args), { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`camsweep ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const receivedEvents = async (): Promise<StoredEvent[]> => (JSON.parse(await cli('receive', '--list', '--events', '--data-dir', rxDir, '--format', 'json')) as { events: StoredEvent[] }).events;

const rssKb = (pid: number): { rss: number; hwm: number } => memoryKb(pid, (f) => readFileSync(f, 'utf8'));

describe('camsweep daemon listening between sweeps', () => {
  let firstSweepEndMs: number;
  const timings = new Map<string, { announced: number; reported: number; status: string }>();
  let rssBeforeFloodMb: number;
  let rssPeakFloodMb: number;
  let floodCounters: Record<string, number>;
  let imou: { announced: number; reported: number; status: string };
  let metrics: Map<string, Family>;
  let metricsBeforeFlood: Map<string, Family>;
  let floodMs = 0;
  let leaving: LogLine | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null };

  beforeAll(async () => {
    lab = await createLab({ subnet: '10.66.0.0/24', agent: { ip: AGENT, mac: '02:66:00:00:00:02' }, devices: DEVICES });
    await lab.startDevices({ only: ['hikvision', 'epson'] });
    const v6 = await lab.execAgent(['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    agentV6 = /inet6 (fe80::[0-9a-f:]+)\//u.exec(v6.stdout)?.[1] ?? '';
    rxDir = path.join(lab.dir, 'central');
    auditFile = path.join(lab.dir, 'audit.jsonl');
    const token = path.join(lab.dir, 'report.token');
    writeFileSync(token, 'lab-token-for-the-passive-test\n', { mode: 0o600 });
    receiver = lab.spawnAgent(camsweep('receive', '--listen', `127.0.0.1:${RX_PORT}`, '--data-dir', rxDir, '--token-file', token, '--log-level', 'warn'));
    const config = path.join(lab.dir, 'camsweep.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${path.join(lab.dir, 'agent')}`,
        'sweep: { interfaces: [eth0], timeout: 1 }',
        'enrich: { grace: 1 }',
        `audit: { file: ${auditFile} }`,
        'report:',
        `  endpoint: http://127.0.0.1:${RX_PORT}/v1/reports`,
        `  tokenFile: ${token}`,
        '  agentId: lab-agent',
        '  include: all',
        'daemon:',
        '  schedule: { interval: 3600, runAtStart: true }',
        `  http: { listen: "${HTTP}" }`,
        '',
      ].join('\n'),
    );
    daemon = lab.spawnAgent(camsweep('daemon', '--config', config));
    await until('the first sweep', () => lines().find((l) => l.msg === 'sweep done'), 30_000);
    firstSweepEndMs = lines().find((l) => l.msg === 'sweep done')!.time;
    await until('listening', () => lines().find((l) => l.msg === 'listening for announcements between sweeps'), 10_000);

    // New devices start and announce themselves.
    const t0 = Date.now();
    await lab.startDevices({ only: NEWCOMERS.map(([name]) => name) });
    for (const [name] of NEWCOMERS) {
      const reported = await until(`${name} reported`, () => reportedAt(rxDir, ip(name), t0), REPORTED_WITHIN_MS + 10_000);
      const announced = (await announcedAt(lab, name)) ?? t0;
      timings.set(name, { announced, reported: reported.at, status: reported.status });
    }

    // The printer, known from the first sweep, is unplugged: it says goodbye.
    await lab.stopDevices({ only: ['epson'] });
    leaving = await until('device-leaving', () => lines().find((l) => l.module === 'events' && l.event?.type === 'device-leaving'), 15_000);

    // A flood of forged announcements; a real camera starts in the middle of it.
    rssBeforeFloodMb = rssKb(daemon.pid).rss / 1024;
    metricsBeforeFlood = parsePrometheus((await lab.execAgent(['curl', '-s', '--max-time', '3', `http://${HTTP}/metrics`], { timeoutMs: 5000 })).stdout);
    const floodStartedAt = Date.now();
    const flood = await startFlooder<Record<string, number>>(lab, { ips: FLOOD_IPS, prefix: 24, argv: [process.execPath, FLOODER, '--ips', FLOOD_IPS.join(','), '--rate', String(FLOOD_RATE)] });
    let peakKb = 0;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, rssKb(daemon.pid).rss)), 100);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const t1 = Date.now();
      await lab.startDevices({ only: ['imou'] });
      const reported = await until('imou reported during the flood', () => reportedAt(rxDir, ip('imou'), t1), REPORTED_WITHIN_MS + 20_000);
      imou = { announced: (await announcedAt(lab, 'imou')) ?? t1, reported: reported.at, status: reported.status };
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      clearInterval(sampler);
      floodCounters = await flood.stop();
      floodMs = Date.now() - floodStartedAt;
    }
    rssPeakFloodMb = Math.max(peakKb, rssKb(daemon.pid).hwm) / 1024;

    const scrape = await lab.execAgent(['curl', '-s', '--max-time', '3', `http://${HTTP}/metrics`], { timeoutMs: 5000 });
    metrics = parsePrometheus(scrape.stdout);
    const result = await daemon.stop(15_000);
    exit = { code: result.code, signal: result.signal };
    await receiver.stop();
    const ms = (n: string): string => {
      const t = timings.get(n)!;
      return `${n} ${t.reported - t.announced} ms`;
    };
    console.info(
      `passive: announcement to report ${NEWCOMERS.map(([n]) => ms(n)).join(', ')}; during the flood imou ${imou.reported - imou.announced} ms; ` +
        `RSS before the flood ${rssBeforeFloodMb.toFixed(0)} MB, peak ${rssPeakFloodMb.toFixed(0)} MB; flooder ${JSON.stringify(floodCounters)}; ` +
        `dropped ${JSON.stringify(Object.fromEntries(['rate-source', 'rate-total', 'invalid', 'off-segment'].map((r) => [r, valueOf(metrics, 'camsweep_announcements_dropped_total', { reason: r })])))}, ` +
        `identifications ${valueOf(metrics, 'camsweep_identifications_total', { outcome: 'ok' })}, skipped ${JSON.stringify({ cooldown: valueOf(metrics, 'camsweep_identifications_skipped_total', { reason: 'cooldown' }), full: valueOf(metrics, 'camsweep_identifications_skipped_total', { reason: 'queue-full' }) })}`,
    );
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it.each(NEWCOMERS)('reports %s, announced after the first sweep, with its verdict (%s), long before the next sweep', (name, status) => {
    const t = timings.get(name)!;
    expect(t.status).toBe(status);
    expect(t.reported - t.announced).toBeLessThan(REPORTED_WITHIN_MS);
    expect(lines().filter((l) => l.msg === 'sweep starting')).toHaveLength(1);
  });

  it('a device that says goodbye gives its device-leaving event, logged, counted and reported', async () => {
    expect(leaving).toMatchObject({ device: { ip: ip('epson') } });
    expect(valueOf(metrics, 'camsweep_events_total', { type: 'device-leaving' })).toBe(1);
    expect(valueOf(metrics, 'camsweep_departures_total')).toBe(1);
    const events = await receivedEvents();
    expect(events.filter((e) => e.type === 'device-leaving').map((e) => e.ip)).toEqual([ip('epson')]);
    expect(events.map((e) => `${e.type} ${e.ip}`)).toEqual(expect.arrayContaining([`restricted-new ${ip('dahua')}`, `device-new ${ip('axis')}`, `restricted-new ${ip('lorex')}`, `restricted-new ${ip('annke')}`]));
  });

  it('sends no datagram while listening: the audit record and what every device heard say so', async () => {
    const audit = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AuditEntry);
    const late = audit.filter((e) => Date.parse(e.at) > firstSweepEndMs);
    expect(late.filter((e) => e.transport === 'udp')).toEqual([]);
    // What identification sent: requests to hosts that announced themselves (the forged ones
    // too: they are on the segment), each to itself only, and each forged host identified at
    // most twice (its first announcement, then once after its cool-down: the flood lasts less).
    const announced = new Set([...NEWCOMERS.map(([n]) => ip(n)), ip('imou'), ...FLOOD_IPS]);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((e) => !announced.has(e.destination))).toEqual([]);
    // (One identification asks a host at most ONVIF, two descriptions and three banners: 2 x 6 = 12.)
    for (const flooder of FLOOD_IPS) expect(late.filter((e) => e.destination === flooder).length, flooder).toBeLessThanOrEqual(12);
    const fromAgent = (from: string): boolean => from === AGENT || (agentV6 !== '' && from.split('%')[0] === agentV6);
    for (const d of DEVICES) {
      const udp = (await lab.deviceHits(d.name)).filter((h) => fromAgent(h.from) && h.t > firstSweepEndMs && ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'].includes(h.proto));
      expect(udp, d.name).toEqual([]);
    }
  });

  it(`under a flood of forged announcements keeps its memory under ${MAX_RSS_MB} MB (at most ${MAX_RSS_GROWTH_MB} MB more), drops the excess, and still reports a real camera`, () => {
    expect(floodCounters.sent).toBeGreaterThan(FLOOD_RATE * 2);
    expect(imou.status).toBe('restricted');
    expect(imou.reported - imou.announced).toBeLessThan(REPORTED_WITHIN_MS + 10_000);
    expect(rssPeakFloodMb).toBeLessThan(MAX_RSS_MB);
    expect(rssPeakFloodMb - rssBeforeFloodMb).toBeLessThan(MAX_RSS_GROWTH_MB);
    // What the gate let through during the flood stays within its budget (the total bucket's
    // burst and rate over the flood's time, plus the real camera's few announcements); the rest
    // of what the daemon read was dropped. How much of the flood the daemon reads at all depends
    // on the machine's load (the kernel drops what a busy process does not read), so the bound is
    // on what passed, not on a share of what was sent.
    const passed = sum(metrics, 'camsweep_announcements_total') - sum(metricsBeforeFlood, 'camsweep_announcements_total');
    const rateDropped = (m: Map<string, Family>): number => ['rate-source', 'rate-total'].reduce((a, reason) => a + valueOf(m, 'camsweep_announcements_dropped_total', { reason }), 0);
    expect(rateDropped(metrics) - rateDropped(metricsBeforeFlood)).toBeGreaterThan(0);
    expect(passed).toBeLessThanOrEqual(DEFAULT_GATE_LIMITS.totalBurst + DEFAULT_GATE_LIMITS.totalPerSecond * Math.ceil(floodMs / 1000) + 64);
    expect(valueOf(metrics, 'camsweep_passive_hosts')).toBeLessThan(FLOOD_IPS.length + DEVICES.length + 8);
    expect(valueOf(metrics, 'camsweep_passive_waiting')).toBeLessThanOrEqual(FLOOD_IPS.length + DEVICES.length);
  });

  it('stops cleanly, and counted what it heard and identified', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lines().filter((l) => l.level >= 50)).toEqual([]);
    expect(valueOf(metrics, 'camsweep_identifications_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(NEWCOMERS.length + 1);
    expect(valueOf(metrics, 'camsweep_identifications_total', { outcome: 'failed' })).toBe(0);
    expect(valueOf(metrics, 'camsweep_announcements_total', { protocol: 'dhip', kind: 'alive' })).toBeGreaterThan(0);
    expect(valueOf(metrics, 'camsweep_announcements_total', { protocol: 'sadp', kind: 'alive' })).toBeGreaterThan(0);
    expect(valueOf(metrics, 'camsweep_passive_listening')).toBe(1);
  });
});
