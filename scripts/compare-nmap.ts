/**
 * `npm run compare:nmap [-- --runs 3] [--crowd 10]`: a building-sized lab (the standard lab's
 * twelve devices plus `--crowd` simulated cameras of the benchmark crowd, 22 by default) swept
 * by camsweep (as bin/camsweep.js starts it, Node flags included) and by nmap's three broadcast
 * discovery scripts (broadcast-wsdd-discover, broadcast-upnp-info,
 * broadcast-dns-service-discovery, default timing), `--runs` times each, alternately: wall
 * time of each run (process start to exit) and which lab devices each reported; the ratio is of
 * the medians. Runs in a private network namespace; prints the tables and writes them to
 * bench-results/compare-nmap.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createLab, standardLab, assertPrivateNamespace, STANDARD_DEVICES } from '../tests/lab/netns.ts';
import { createCrowd } from '../tests/lab/bench/crowd-lab.ts';
import { binNodeFlags } from '../tests/helpers/node-flags.ts';
import type { SweepResult } from '../src/domain/types.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, crowd: { type: 'string', default: '10' } }, strict: true });
const runs = Number(values.runs);
const crowdSize = Number(values.crowd);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error(`--runs: 1..20, got ${values.runs}`);
if (!Number.isInteger(crowdSize) || crowdSize < 0 || crowdSize > 90) throw new Error(`--crowd: 0..90, got ${values.crowd}`);

const CLI = new URL('../bin/camsweep.js', import.meta.url).pathname;
const OUT_DIR = new URL('../bench-results/', import.meta.url).pathname;
/** Devices that give a usable answer (the non-XML and entity-bomb devices answer nothing usable). */
const FINDABLE = STANDARD_DEVICES.filter((d) => !['not-xml', 'xml-bomb'].includes(d.name));
/** The crowd's first address: after the standard lab's .101-.107. */
const CROWD_FIRST = '10.66.0.150';
const NMAP_SCRIPTS = 'broadcast-wsdd-discover,broadcast-upnp-info,broadcast-dns-service-discovery';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

assertPrivateNamespace();
const lab = await createLab(standardLab());
const lines: string[] = [];
try {
  await lab.startDevices();
  const crowd = crowdSize > 0 ? await createCrowd(lab, crowdSize, CROWD_FIRST, 24) : undefined;
  try {
    const findable = [...FINDABLE.map((d) => ({ name: `${d.name} (${d.profile})`, ip: d.ip })), ...(crowd?.devices ?? []).map((d) => ({ name: `crowd ${d.vendor}`, ip: d.ip }))];
    const count = (found: ReadonlySet<string>): number => findable.filter((d) => found.has(d.ip)).length;
    const camsweepMs: number[] = [];
    const nmapMs: number[] = [];
    let camsweepFound = new Set<string>();
    let nmapFound = new Set<string>();
    const perRun: string[] = ['| run | load average | camsweep (s) | found | nmap (s) | found | ratio |', '|---:|---:|---:|---:|---:|---:|---:|'];
    for (let run = 1; run <= runs; run += 1) {
      const load = loadavg()[0]!.toFixed(1);
      const sweep = await lab.execAgent([process.execPath, ...binNodeFlags(), CLI, 'sweep', '--interface', 'eth0', '--format', 'json', '--quiet'], { timeoutMs: 60_000 });
      if (sweep.code !== 0) throw new Error(`camsweep exited ${String(sweep.code)}: ${sweep.stderr.slice(-2000)}`);
      const result = JSON.parse(sweep.stdout) as SweepResult;
      const found = new Set(result.devices.map((d) => d.ip));
      const nmap = await lab.execAgent(['nmap', '-e', 'eth0', '-sn', '-Pn', '--script', NMAP_SCRIPTS], { timeoutMs: 120_000 });
      const nfound = new Set(nmap.stdout.match(/\b10\.66\.0\.\d{1,3}\b/gu) ?? []);
      nfound.delete('10.66.0.2');
      camsweepMs.push(sweep.ms);
      nmapMs.push(nmap.ms);
      // Recall is compared on the run that found least.
      if (run === 1 || count(found) < count(camsweepFound)) camsweepFound = found;
      if (run === 1 || count(nfound) < count(nmapFound)) nmapFound = nfound;
      perRun.push(`| ${run} | ${load} | ${seconds(sweep.ms)} | ${count(found)} | ${seconds(nmap.ms)} | ${count(nfound)} | ${(sweep.ms / nmap.ms).toFixed(2)} |`);
      if (process.env.COMPARE_NMAP_RAW === '1') process.stdout.write(`\n--- nmap output, run ${run} ---\n${nmap.stdout}\n`);
    }
    const mark = (found: ReadonlySet<string>, ipAddr: string): string => (found.has(ipAddr) ? 'yes' : '-');
    lines.push(`${findable.length} findable devices: the standard lab's ${FINDABLE.length} and ${crowdSize} crowd cameras; ${runs} run(s) each, alternately.`, '');
    lines.push(`| tool | wall time, median of ${runs} (s) | lab devices found, fewest of the runs (of ${findable.length}) |`);
    lines.push('|---|---:|---:|');
    lines.push(`| camsweep sweep (adaptive window, 3 s at most) | ${seconds(median(camsweepMs))} | ${count(camsweepFound)} |`);
    lines.push(`| nmap ${NMAP_SCRIPTS.split(',').join(' + ')} | ${seconds(median(nmapMs))} | ${count(nmapFound)} |`);
    lines.push('', ...perRun, '');
    lines.push('| device | ip | camsweep | nmap |');
    lines.push('|---|---|---|---|');
    for (const d of findable) lines.push(`| ${d.name} | ${d.ip} | ${mark(camsweepFound, d.ip)} | ${mark(nmapFound, d.ip)} |`);
    lines.push('');
    lines.push(`ratio camsweep/nmap wall time (medians): ${(median(camsweepMs) / median(nmapMs)).toFixed(2)}`);
  } finally {
    await crowd?.stop();
  }
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(`${OUT_DIR}compare-nmap.md`, text);
} finally {
  await lab.stop();
}
