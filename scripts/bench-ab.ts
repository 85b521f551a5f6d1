/**
 * `sh scripts/private-netns.sh node scripts/bench-ab.ts --trees A,B [--n 250] [--rounds 5]`:
 * one crowd of N simulated cameras (as `npm run bench` builds), swept alternately by the
 * camsweep of each checkout (A, B: directories with src/ and tests/lab/bench/rusage-cli.ts; an
 * entry `DIR|--flag` adds Node flags), `--rounds` times each. On a machine shared with other
 * work, alternating is what makes two versions comparable: each round sees about the same
 * load. Prints every run (wall time, CPU, peak RSS, devices found, window, load average) and
 * the medians. Runs in a private network namespace (docs/performance.md).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { assertPrivateNamespace, createLab } from '../tests/lab/netns.ts';
import { createCrowd } from '../tests/lab/bench/crowd-lab.ts';
import { MAX_CROWD } from '../tests/lab/bench/crowd-plan.ts';
import { readRusage } from '../tests/lab/bench/rusage.ts';
import { binNodeFlags } from '../tests/helpers/node-flags.ts';
import type { SweepResult } from '../src/domain/types.ts';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '250' }, rounds: { type: 'string', default: '5' }, trees: { type: 'string', default: '.' }, args: { type: 'string', default: '' } },
  strict: true,
});
const n = Number(values.n);
const rounds = Number(values.rounds);
if (!Number.isInteger(n) || n < 1 || n > MAX_CROWD) throw new Error(`--n: 1..${MAX_CROWD}, got ${values.n}`);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds: 1..50, got ${values.rounds}`);
const trees = values.trees.split(',').map((t) => {
  const [dir = '.', flags = ''] = t.split('|');
  return { label: t, dir: new URL(`${dir.replace(/\/?$/u, '/')}`, `file://${process.cwd()}/`).pathname, flags: flags.split(' ').filter((f) => f !== '') };
});
const extra = values.args.split(' ').filter((a) => a !== '');

interface Run {
  wall: number;
  cpu: number;
  rss: number;
  found: number;
  window: number;
}
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

assertPrivateNamespace();
const lab = await createLab({ subnet: '10.70.0.0/22', agent: { ip: '10.70.0.2' }, devices: [] });
const runs = new Map<string, Run[]>();
try {
  const crowd = await createCrowd(lab, n, '10.70.0.10', 22);
  const ips = new Set(crowd.devices.map((d) => d.ip));
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const tree of trees) {
        const load = loadavg()[0]!.toFixed(1);
        const cmd = [process.execPath, ...binNodeFlags(), ...tree.flags, `${tree.dir}tests/lab/bench/rusage-cli.ts`, 'sweep', '--interface', 'eth0', '--format', 'json', '--quiet', ...extra];
        const res = await lab.execAgent(cmd, { timeoutMs: 120_000 });
        const usage = readRusage(res.stderr);
        if (res.code !== 0 || usage === undefined) throw new Error(`${tree.label}: exited ${String(res.code)}: ${res.stderr.slice(-2000)}`);
        const result = JSON.parse(res.stdout) as SweepResult;
        const run: Run = { wall: res.ms, cpu: usage.userMs + usage.systemMs, rss: usage.maxRssKb / 1024, found: result.devices.filter((d) => ips.has(d.ip)).length, window: result.window?.ms ?? Number.NaN };
        runs.set(tree.label, [...(runs.get(tree.label) ?? []), run]);
        process.stdout.write(
          `${round} ${tree.label}: wall ${(run.wall / 1000).toFixed(2)} s, cpu ${(run.cpu / 1000).toFixed(2)} s, rss ${run.rss.toFixed(0)} MB, found ${run.found}/${n}, window ${result.window?.reason ?? '?'} ${run.window} ms, load ${load}\n`,
        );
      }
    }
  } finally {
    process.stdout.write(`responder: ${await crowd.stop()}\n`);
  }
} finally {
  await lab.stop();
}
process.stdout.write(`\nmedians of ${rounds} (N = ${n}):\n`);
for (const [label, list] of runs) {
  const m = (pick: (r: Run) => number): number => median(list.map(pick));
  process.stdout.write(
    `${label}: wall ${(m((r) => r.wall) / 1000).toFixed(2)} s, cpu ${(m((r) => r.cpu) / 1000).toFixed(2)} s, rss ${m((r) => r.rss).toFixed(0)} MB, window ${m((r) => r.window).toFixed(0)} ms, found min ${Math.min(...list.map((r) => r.found))}/${n}\n`,
  );
}
