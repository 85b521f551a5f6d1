/**
 * `npm run compare:nmap`: the standard lab swept by camsweep and by nmap's three broadcast
 * discovery scripts (broadcast-wsdd-discover, broadcast-upnp-info,
 * broadcast-dns-service-discovery, default timing), side by side: wall time and which lab
 * devices each reported. Runs in a private network namespace; prints a table and writes it to
 * bench-results/compare-nmap.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createLab, standardLab, assertPrivateNamespace, STANDARD_DEVICES } from '../tests/lab/netns.ts';
import type { SweepResult } from '../src/domain/types.ts';

const CLI = new URL('../bin/camsweep.js', import.meta.url).pathname;
const OUT_DIR = new URL('../bench-results/', import.meta.url).pathname;
/** Devices that give a usable answer (the non-XML and entity-bomb devices answer nothing usable). */
const FINDABLE = STANDARD_DEVICES.filter((d) => !['not-xml', 'xml-bomb'].includes(d.name));

assertPrivateNamespace();
const lab = await createLab(standardLab());
const lines: string[] = [];
try {
  await lab.startDevices();

  const sweep = await lab.execAgent([process.execPath, CLI, 'sweep', '--interface', 'eth0', '--format', 'json', '--quiet'], { timeoutMs: 60_000 });
  const result = JSON.parse(sweep.stdout) as SweepResult;
  const camsweepFound = new Set(result.devices.map((d) => d.ip));

  const nmap = await lab.execAgent(
    ['nmap', '-e', 'eth0', '-sn', '-Pn', '--script', 'broadcast-wsdd-discover,broadcast-upnp-info,broadcast-dns-service-discovery'],
    { timeoutMs: 120_000 },
  );
  const nmapFound = new Set(nmap.stdout.match(/\b10\.66\.0\.\d{1,3}\b/gu) ?? []);
  nmapFound.delete('10.66.0.2');

  const count = (found: Set<string>): number => FINDABLE.filter((d) => found.has(d.ip)).length;
  const mark = (found: Set<string>, ipAddr: string): string => (found.has(ipAddr) ? 'yes' : '-');
  lines.push(`| tool | wall time (s) | lab devices found (of ${FINDABLE.length}) |`);
  lines.push('|---|---:|---:|');
  lines.push(`| camsweep sweep (adaptive window, 3 s at most) | ${(sweep.ms / 1000).toFixed(2)} | ${count(camsweepFound)} |`);
  lines.push(`| nmap broadcast-wsdd-discover + broadcast-upnp-info + broadcast-dns-service-discovery | ${(nmap.ms / 1000).toFixed(2)} | ${count(nmapFound)} |`);
  lines.push('');
  lines.push('| device | ip | camsweep | nmap |');
  lines.push('|---|---|---|---|');
  for (const d of FINDABLE) lines.push(`| ${d.name} (${d.profile}) | ${d.ip} | ${mark(camsweepFound, d.ip)} | ${mark(nmapFound, d.ip)} |`);
  lines.push('');
  lines.push(`ratio camsweep/nmap wall time: ${(sweep.ms / nmap.ms).toFixed(2)}`);
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(`${OUT_DIR}compare-nmap.md`, text);
  if (process.env.COMPARE_NMAP_RAW === '1') process.stdout.write(`\n--- nmap output ---\n${nmap.stdout}\n`);
} finally {
  await lab.stop();
}
