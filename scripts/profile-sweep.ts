/**
 * `npm run profile -- --n 1000 [--out DIR] [--heap] [--log-level debug]`: builds a crowd of N
 * simulated cameras (as `npm run bench` does) and runs one `camsweep sweep` on it under V8's CPU
 * profiler (--cpu-prof; --heap adds --heap-prof), then prints the functions with the most self
 * time, where the CPU went by phase of the process (start-up, fingerprint database, discovery,
 * enrichment, verdicts, output: tests/lab/bench/profile-timeline.ts) and on a timeline of
 * 250 ms slices from process start, and the sweep's phase lines from its debug log (`--log-level
 * debug` costs CPU of its own; the default `info` keeps the phase lines off). Runs in a private
 * network namespace.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assertPrivateNamespace, createLab } from '../tests/lab/netns.ts';
import { createCrowd } from '../tests/lab/bench/crowd-lab.ts';
import { readRusage } from '../tests/lab/bench/rusage.ts';
import { categoryTotals, timeline, topSelf, type CpuProfile } from '../tests/lab/bench/profile-timeline.ts';
import type { SweepResult } from '../src/domain/types.ts';
import { binNodeFlags } from '../tests/helpers/node-flags.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    out: { type: 'string', default: 'bench-results/profile' },
    heap: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
  },
  strict: true,
});
const n = Number(values.n);
const out = new URL(`../${values.out}/`, import.meta.url).pathname;
const RUSAGE_CLI = new URL('../tests/lab/bench/rusage-cli.ts', import.meta.url).pathname;

assertPrivateNamespace();
mkdirSync(out, { recursive: true });
const lab = await createLab({ subnet: '10.70.0.0/22', agent: { ip: '10.70.0.2' }, devices: [] });
try {
  const crowd = await createCrowd(lab, n, '10.70.0.10', 22);
  try {
    const flags = [`--cpu-prof`, `--cpu-prof-dir=${out}`, ...(values.heap ? [`--heap-prof`, `--heap-prof-dir=${out}`] : [])];
    const before = new Set(readdirSync(out));
    const sweep = await lab.execAgent(
      [process.execPath, ...binNodeFlags(), ...flags, RUSAGE_CLI, 'sweep', '--interface', 'eth0', '--format', 'json', '--log-level', values['log-level']],
      { timeoutMs: 120_000 },
    );
    const result = JSON.parse(sweep.stdout) as SweepResult;
    const usage = readRusage(sweep.stderr);
    process.stdout.write(`N=${n}: wall ${sweep.ms} ms, devices ${result.devices.length}, errors ${result.errors.length}, cpu ${usage ? usage.userMs + usage.systemMs : '?'} ms, rss ${usage ? Math.round(usage.maxRssKb / 1024) : '?'} MB\n`);
    if (result.window !== undefined) process.stdout.write(`window ${result.window.reason} after ${result.window.ms} ms; sweep ${Date.parse(result.finishedAt) - Date.parse(result.startedAt)} ms\n`);
    const profileFile = readdirSync(out).find((f) => !before.has(f) && f.endsWith('.cpuprofile'));
    if (profileFile !== undefined) {
      const profile = JSON.parse(readFileSync(`${out}${profileFile}`, 'utf8')) as CpuProfile;
      process.stdout.write(`profile ${out}${profileFile} (${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms)\n`);
      process.stdout.write(`\nby phase of the process (ms of samples):\n${categoryTotals(profile).join('\n')}\n`);
      process.stdout.write(`\ntimeline (250 ms slices from the profile's start):\n${timeline(profile, 250).join('\n')}\n`);
      process.stdout.write(`\nself time:\n${topSelf(profile, 30).join('\n')}\n`);
    }
    const phases = sweep.stderr.split('\n').filter((line) => /"msg":"(sweep phase|sweep finished)"/u.test(line));
    process.stdout.write(`${phases.join('\n')}\n`);
  } finally {
    process.stdout.write(`responder: ${await crowd.stop()}\n`);
  }
} finally {
  await lab.stop();
}
