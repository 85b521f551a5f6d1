/**
 * `npm run bench:passive`: how long a new device takes from its first announcement to a
 * report at the central endpoint, with the daemon listening between sweeps (issue 14's goal:
 * a new restricted camera reported within 5 s, p95). Inside this private network namespace:
 * a lab with the real `camsweep daemon` (one-hour schedule, so no sweep helps) reporting to
 * the reference receiver (`camsweep receive`); after its first sweep, `--devices` cameras and
 * look-alikes start in waves of `--wave` a `--gap` apart, each announcing itself as its
 * profile says (WS-Discovery, SSDP, mDNS, SADP or DHIP notices only); then they leave (saying
 * goodbye) and `--flood-devices` more do the same under a flood of forged announcements from
 * 32 addresses (tests/lab/bench/announce-flood.ts). Prints each phase's p50, p95 and max with N, the
 * verdicts, the daemon's memory, and writes bench-results/passive.md.
 *
 *   npm run bench:passive [-- --devices 30 --wave 3 --gap 2 --flood-devices 10 --flood-rate 4000]
 *
 * BENCH_LOG_LEVEL=debug sets the daemon's log level; BENCH_LOG_FILE=<file> keeps its log when
 * the bench fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assertPrivateNamespace, createLab, type Lab, type LabDeviceSpec, type LabProcess } from '../tests/lab/netns.ts';
import { startFlooder } from '../tests/lab/bench/flood-lab.ts';
import { announcedAt, memoryKb, quantile, reportedAt } from '../tests/lab/passive-timings.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '30' },
    wave: { type: 'string', default: '3' },
    gap: { type: 'string', default: '2' },
    'flood-devices': { type: 'string', default: '10' },
    'flood-rate': { type: 'string', default: '4000' },
  },
  strict: true,
});
const N = Number(values.devices);
const WAVE = Number(values.wave);
const GAP_MS = Number(values.gap) * 1000;
const FLOOD_N = Number(values['flood-devices']);
const FLOOD_RATE = Number(values['flood-rate']);

const CLI = new URL('../bin/camsweep.js', import.meta.url).pathname;
const FLOODER = new URL('../tests/lab/bench/announce-flood.ts', import.meta.url).pathname;
const RESULTS = new URL('../bench-results/passive.md', import.meta.url).pathname;
const camsweep = (...args: string[]): string[] => [process.execPath, CLI, ...args];
const say = (text: string): void => void process.stdout.write(text);
const RX_PORT = 8090;

/** Profiles the new devices cycle through, with an OUI each and the verdict each must get. */
const KINDS: ReadonlyArray<{ profile: string; oui: string; status: string; speaks: string }> = [
  { profile: 'dahua-ipc-hfw2228m', oui: '4c:11:bf', status: 'restricted', speaks: 'WS-Discovery, SSDP' },
  { profile: 'hikvision-ds-2cd2142fwd', oui: '44:19:b6', status: 'restricted', speaks: 'WS-Discovery' },
  { profile: 'lorex-w461asc', oui: '00:1f:54', status: 'restricted', speaks: 'DHIP notice' },
  { profile: 'annke-c800-i91bm', oui: 'c0:56:e3', status: 'restricted', speaks: 'SADP notice' },
  { profile: 'imou-ipc-a22e', oui: '1c:4d:89', status: 'restricted', speaks: 'WS-Discovery' },
  { profile: 'axis-m2036-le', oui: 'ac:cc:8e', status: 'clear', speaks: 'WS-Discovery, SSDP, mDNS' },
];

interface Sample {
  name: string;
  profile: string;
  ms: number;
  status: string;
  expected: string;
}

function devices(): LabDeviceSpec[] {
  return Array.from({ length: N + FLOOD_N }, (_, i) => {
    const kind = KINDS[i % KINDS.length]!;
    const n = i + 20;
    return { name: `cam-${n}`, ip: `10.66.0.${n}`, mac: `${kind.oui}:7e:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`, profile: kind.profile };
  });
}

async function until<T>(what: string, get: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `names` in waves and measures each from its first announcement to its first report. */
async function measure(lab: Lab, rxDir: string, names: readonly string[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < names.length; i += WAVE) {
    const wave = names.slice(i, i + WAVE);
    const t0 = Date.now();
    await lab.startDevices({ only: [...wave] });
    for (const name of wave) {
      const spec = lab.device(name);
      const kind = KINDS.find((k) => k.profile === spec.profile)!;
      pending.push(
        (async () => {
          const reported = await until(`${name} reported`, () => reportedAt(rxDir, spec.ip, t0), 60_000);
          const announced = (await announcedAt(lab, name)) ?? t0;
          samples.push({ name, profile: spec.profile, ms: reported.at - announced, status: reported.status, expected: kind.status });
        })(),
      );
    }
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  await Promise.all(pending);
  return samples;
}

function summary(label: string, samples: readonly Sample[]): string {
  const ms = samples.map((s) => s.ms);
  const wrong = samples.filter((s) => s.status !== s.expected);
  return `${label}: N ${samples.length}, p50 ${quantile(ms, 0.5)} ms, p95 ${quantile(ms, 0.95)} ms, max ${Math.max(...ms)} ms; verdicts ${samples.length - wrong.length}/${samples.length} right${wrong.length > 0 ? ` (wrong: ${wrong.map((w) => `${w.name} ${w.status}`).join(', ')})` : ''}`;
}

assertPrivateNamespace();
const specs = devices();
const lab = await createLab({ subnet: '10.66.0.0/24', agent: { ip: '10.66.0.2', mac: '02:66:00:00:00:02' }, devices: specs });
let daemon: LabProcess | undefined;
let receiver: LabProcess | undefined;
let code = 1;
try {
  const rxDir = path.join(lab.dir, 'central');
  const token = path.join(lab.dir, 'report.token');
  writeFileSync(token, 'lab-token-for-the-passive-bench\n', { mode: 0o600 });
  receiver = lab.spawnAgent(camsweep('receive', '--listen', `127.0.0.1:${RX_PORT}`, '--data-dir', rxDir, '--token-file', token, '--log-level', 'warn'));
  const config = path.join(lab.dir, 'camsweep.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${path.join(lab.dir, 'agent')}`,
      'sweep: { interfaces: [eth0], timeout: 1 }',
      'report:',
      `  endpoint: http://127.0.0.1:${RX_PORT}/v1/reports`,
      `  tokenFile: ${token}`,
      '  agentId: bench-agent',
      '  include: all',
      'daemon:',
      '  schedule: { interval: 3600, runAtStart: true }',
      '  http: { listen: false }',
      '',
    ].join('\n'),
  );
  const d = lab.spawnAgent(camsweep('daemon', '--config', config, '--log-level', process.env.BENCH_LOG_LEVEL ?? 'info'));
  daemon = d;
  await until('the first sweep', () => (d.stderr().includes('"msg":"sweep done"') ? true : undefined), 60_000);
  await until('listening', () => (d.stderr().includes('listening for announcements between sweeps') ? true : undefined), 10_000);
  say(`passive bench: daemon swept once (nothing there) and listens; ${N} devices start in waves of ${WAVE}, ${GAP_MS / 1000} s apart\n`);

  const quiet = await measure(lab, rxDir, specs.slice(0, N).map((s) => s.name));
  const memQuiet = memoryKb(d.pid, (f) => readFileSync(f, 'utf8'));
  say(`${summary('quiet', quiet)}\n`);

  // The measured devices leave (saying goodbye): every simulator on the bridge hears the whole
  // flood and logs each datagram it cannot read, and forty of them would measure the lab's two
  // cores, not the daemon.
  await lab.stopDevices({ only: specs.slice(0, N).map((x) => x.name) });
  const floodIps = Array.from({ length: 32 }, (_, i) => `10.66.0.${200 + i}`);
  const flood = await startFlooder<Record<string, number>>(lab, { ips: floodIps, prefix: 24, argv: [process.execPath, FLOODER, '--ips', floodIps.join(','), '--rate', String(FLOOD_RATE)] });
  let flooded: Sample[] = [];
  let counters: Record<string, number> = {};
  try {
    await new Promise((r) => setTimeout(r, 3000));
    flooded = await measure(lab, rxDir, specs.slice(N).map((s) => s.name));
  } finally {
    counters = await flood.stop();
  }
  const memFlood = memoryKb(d.pid, (f) => readFileSync(f, 'utf8'));
  say(`${summary(`flood of ${FLOOD_RATE}/s forged announcements from 32 addresses (sent ${counters.sent ?? 0})`, flooded)}\n`);
  say(`daemon memory: RSS ${(memQuiet.rss / 1024).toFixed(0)} MB after the quiet phase, peak ${(memFlood.hwm / 1024).toFixed(0)} MB\n`);

  const byProfile = KINDS.map((k) => {
    const ms = [...quiet, ...flooded].filter((s) => s.profile === k.profile).map((s) => s.ms);
    return `| ${k.profile} | ${k.speaks} | ${k.status} | ${ms.length} | ${quantile(ms, 0.5)} | ${quantile(ms, 0.95)} |`;
  });
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    [
      '# Passive listening: from a device\'s first announcement to its report',
      '',
      `\`npm run bench:passive -- --devices ${N} --wave ${WAVE} --gap ${GAP_MS / 1000} --flood-devices ${FLOOD_N} --flood-rate ${FLOOD_RATE}\`, ${new Date().toISOString()}`,
      '',
      `- ${summary('quiet', quiet)}`,
      `- ${summary(`under a flood of ${FLOOD_RATE}/s forged announcements from 32 addresses`, flooded)}`,
      `- daemon RSS ${(memQuiet.rss / 1024).toFixed(0)} MB after the quiet phase, peak ${(memFlood.hwm / 1024).toFixed(0)} MB`,
      '',
      '| profile | announces | verdict | N | p50 ms | p95 ms |',
      '|---|---|---|---|---|---|',
      ...byProfile,
      '',
    ].join('\n'),
  );
  code = [...quiet, ...flooded].every((s) => s.status === s.expected) ? 0 : 1;
} catch (err) {
  process.stderr.write(`bench:passive failed: ${(err as Error).stack ?? String(err)}\n${daemon?.stderr().slice(-3000) ?? ''}\n`);
  if (process.env.BENCH_LOG_FILE !== undefined) writeFileSync(process.env.BENCH_LOG_FILE, daemon?.stderr() ?? '');
} finally {
  await daemon?.stop(15_000);
  await receiver?.stop();
  await lab.stop();
}
process.exit(code);
