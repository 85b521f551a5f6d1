/**
 * `npm run bench [-- --sizes 50,250,1000] [--http-delay-ms 100]`: for each size N, a lab of N simulated cameras
 * (tests/lab/bench: one namespace, one macvlan with its own MAC and address per device, one
 * responder process for all) swept by camsweep and by nmap's three broadcast discovery scripts
 * (as in compare-nmap.ts), side by side: wall time, recall (crowd addresses reported / N), and
 * camsweep's CPU time and peak RSS (process.resourceUsage() via tests/lab/bench/rusage-cli.ts,
 * with the Node flags bin/camsweep.js starts Node with, as shipped).
 * Runs in a private network namespace; prints the tables and writes them to
 * bench-results/bench.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { assertPrivateNamespace, createLab } from '../tests/lab/netns.ts';
import { createCrowd } from '../tests/lab/bench/crowd-lab.ts';
import { MAX_CROWD } from '../tests/lab/bench/crowd-plan.ts';
import { readRusage } from '../tests/lab/bench/rusage.ts';
import type { SweepResult } from '../src/domain/types.ts';
import { binNodeFlags } from '../tests/helpers/node-flags.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '50,250,1000' }, 'http-delay-ms': { type: 'string', default: '0' } }, strict: true });
/** The crowd's HTTP responses wait 1/5 of this to all of it (0: at once; 100 is like slow embedded servers). */
const httpDelayMs = Number(values['http-delay-ms']);
if (!Number.isInteger(httpDelayMs) || httpDelayMs < 0 || httpDelayMs > 10_000) throw new Error(`--http-delay-ms: 0..10000, got ${values['http-delay-ms']}`);
const sizes = values.sizes.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_CROWD)) throw new Error(`--sizes: integers 1..${MAX_CROWD}, got ${values.sizes}`);

const RUSAGE_CLI = new URL('../tests/lab/bench/rusage-cli.ts', import.meta.url).pathname;
const OUT_DIR = new URL('../bench-results/', import.meta.url).pathname;
const SUBNET = '10.70.0.0/22';
const PREFIX = 22;
const AGENT = '10.70.0.2';
const FIRST = '10.70.0.10';
const NMAP_SCRIPTS = 'broadcast-wsdd-discover,broadcast-upnp-info,broadcast-dns-service-discovery';

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const percent = (found: number, n: number): string => `${found}/${n} (${((100 * found) / n).toFixed(1)} %)`;

async function benchOne(n: number): Promise<string[]> {
  const lab = await createLab({ subnet: SUBNET, agent: { ip: AGENT }, devices: [] });
  try {
    const crowd = await createCrowd(lab, n, FIRST, PREFIX, { httpDelayMs });
    const ips = new Set(crowd.devices.map((d) => d.ip));
    const lines: string[] = [];
    try {
      const responderBefore = crowd.cpuMs();
      const sweep = await lab.execAgent([process.execPath, ...binNodeFlags(), RUSAGE_CLI, 'sweep', '--interface', 'eth0', '--format', 'json', '--quiet'], { timeoutMs: 15 * 60_000 });
      if (sweep.code !== 0) throw new Error(`camsweep exited ${String(sweep.code)}: ${sweep.stderr.slice(-2000)}`);
      const result = JSON.parse(sweep.stdout) as SweepResult;
      const found = result.devices.filter((d) => ips.has(d.ip)).length;
      const usage = readRusage(sweep.stderr);
      const responderAfter = crowd.cpuMs();
      const nmap = await lab.execAgent(['nmap', '-e', 'eth0', '-sn', '-Pn', '--script', NMAP_SCRIPTS], { timeoutMs: 15 * 60_000 });
      if (nmap.code !== 0) throw new Error(`nmap exited ${String(nmap.code)}: ${nmap.stderr.slice(-2000)}`);
      const nmapFound = [...new Set(nmap.stdout.match(/\b10\.70\.\d{1,3}\.\d{1,3}\b/gu) ?? [])].filter((ip) => ips.has(ip)).length;
      const cpu = usage === undefined ? 'n/a' : seconds(usage.userMs + usage.systemMs);
      const rss = usage === undefined ? 'n/a' : (usage.maxRssKb / 1024).toFixed(0);
      lines.push(`### N = ${n}`, '');
      lines.push(`crowd: namespace and ${n} macvlans in ${crowd.buildMs} ms, responder ready in ${crowd.readyMs} ms; HTTP responses delayed ${httpDelayMs === 0 ? 'not at all' : `${httpDelayMs / 5}-${httpDelayMs} ms`}`, '');
      lines.push('| tool | wall (s) | recall | CPU user+sys (s) | peak RSS (MB) |', '|---|---:|---:|---:|---:|');
      lines.push(`| camsweep sweep | ${seconds(sweep.ms)} | ${percent(found, n)} | ${cpu} | ${rss} |`);
      lines.push(`| nmap ${NMAP_SCRIPTS} | ${seconds(nmap.ms)} | ${percent(nmapFound, n)} | - | - |`, '');
      lines.push(`ratio camsweep/nmap wall time: ${(sweep.ms / nmap.ms).toFixed(2)}`);
      const named = result.devices.filter((d) => ips.has(d.ip) && d.manufacturer !== null).length;
      const sweepMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
      const window = result.window === undefined ? 'n/a' : `${result.window.reason} after ${result.window.ms} ms (of ${result.window.maxMs})`;
      if (usage !== undefined) {
        // Both run on this machine's cores: the crowd's CPU is what a real building's cameras spend on their own.
        const responderMs = responderAfter - responderBefore;
        const cores = availableParallelism();
        lines.push(
          '',
          `CPU during the sweep: camsweep ${seconds(usage.userMs + usage.systemMs)} s, the crowd's responder ${seconds(responderMs)} s, together ${seconds(usage.userMs + usage.systemMs + responderMs)} s on ${cores} cores (${seconds((usage.userMs + usage.systemMs + responderMs) / cores)} s of wall time were every core busy throughout)`,
        );
      }
      lines.push('', `camsweep: listen window ${window}; sweep ${sweepMs} ms (window + enrichment tail + verdicts), the rest of the wall time is process start and output; maker named for ${named}/${n}`);
      const errors = new Map<string, number>();
      for (const e of result.errors) errors.set(e.code, (errors.get(e.code) ?? 0) + 1);
      if (errors.size > 0) lines.push('', `camsweep errors: ${[...errors].map(([code, count]) => `${code} x${count}`).join(', ')}`);
      const missed = crowd.devices.filter((d) => !result.devices.some((x) => x.ip === d.ip));
      if (missed.length > 0) lines.push('', `camsweep missed: ${missed.slice(0, 20).map((d) => `${d.ip} (${d.vendor})`).join(', ')}${missed.length > 20 ? ' ...' : ''}`);
    } finally {
      lines.push('', `responder counters: ${await crowd.stop()}`, '');
    }
    return lines;
  } finally {
    await lab.stop();
  }
}

assertPrivateNamespace();
const report: string[] = ['# camsweep vs nmap broadcast scripts on N simulated cameras', ''];
for (const n of sizes) {
  const lines = await benchOne(n);
  process.stdout.write(`${lines.join('\n')}\n`);
  report.push(...lines);
}
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(`${OUT_DIR}bench.md`, `${report.join('\n')}\n`);
process.stdout.write(`written to ${OUT_DIR}bench.md\n`);
