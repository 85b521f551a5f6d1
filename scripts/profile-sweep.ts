/**
 * `npm run profile -- --n 1000 [--out DIR] [--heap]`: builds a crowd of N simulated cameras
 * (as `npm run bench` does) and runs one `camsweep sweep` on it under V8's CPU profiler
 * (--cpu-prof; --heap adds --heap-prof), then prints the functions with the most self time and
 * the sweep's phases from its debug log. Runs in a private network namespace.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assertPrivateNamespace, createLab } from '../tests/lab/netns.ts';
import { createCrowd } from '../tests/lab/bench/crowd-lab.ts';
import { readRusage } from '../tests/lab/bench/rusage.ts';
import type { SweepResult } from '../src/domain/types.ts';
import { binNodeFlags } from '../tests/helpers/node-flags.ts';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '1000' }, out: { type: 'string', default: 'bench-results/profile' }, heap: { type: 'boolean', default: false } },
  strict: true,
});
const n = Number(values.n);
const out = new URL(`../${values.out}/`, import.meta.url).pathname;
const RUSAGE_CLI = new URL('../tests/lab/bench/rusage-cli.ts', import.meta.url).pathname;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

function topSelf(profile: CpuProfile, limit: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const [i, id] of profile.samples.entries()) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|src|tests)\//u, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, us]) => `${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
}

assertPrivateNamespace();
mkdirSync(out, { recursive: true });
const lab = await createLab({ subnet: '10.70.0.0/22', agent: { ip: '10.70.0.2' }, devices: [] });
try {
  const crowd = await createCrowd(lab, n, '10.70.0.10', 22);
  try {
    const flags = [`--cpu-prof`, `--cpu-prof-dir=${out}`, ...(values.heap ? [`--heap-prof`, `--heap-prof-dir=${out}`] : [])];
    const before = new Set(readdirSync(out));
    const sweep = await lab.execAgent([process.execPath, ...binNodeFlags(), ...flags, RUSAGE_CLI, 'sweep', '--interface', 'eth0', '--format', 'json', '--log-level', 'debug'], { timeoutMs: 120_000 });
    const result = JSON.parse(sweep.stdout) as SweepResult;
    const usage = readRusage(sweep.stderr);
    process.stdout.write(`N=${n}: wall ${sweep.ms} ms, devices ${result.devices.length}, errors ${result.errors.length}, cpu ${usage ? usage.userMs + usage.systemMs : '?'} ms, rss ${usage ? Math.round(usage.maxRssKb / 1024) : '?'} MB\n`);
    const profileFile = readdirSync(out).find((f) => !before.has(f) && f.endsWith('.cpuprofile'));
    if (profileFile !== undefined) {
      const profile = JSON.parse(readFileSync(`${out}${profileFile}`, 'utf8')) as CpuProfile;
      process.stdout.write(`profile ${out}${profileFile} (${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms)\n${topSelf(profile, 40).join('\n')}\n`);
    }
    const phases = sweep.stderr.split('\n').filter((line) => /"msg":"(sweep finished|ssdp|wsd|mdns|sadp|dhip|unicast)[^"]*"/u.test(line)).slice(0, 20);
    process.stdout.write(`${phases.join('\n')}\n`);
  } finally {
    process.stdout.write(`responder: ${await crowd.stop()}\n`);
  }
} finally {
  await lab.stop();
}
