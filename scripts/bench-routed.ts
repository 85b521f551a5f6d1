/**
 * `npm run bench:routed`: times a routed /24 unicast sweep at the default rate. Builds the
 * routed lab (tests/lab/standard-lab.ts routedLab: the agent and a printer on 10.66.0.0/24, a
 * router, Hikvision, Dahua and two Axis cameras on 10.68.0.0/24) inside this private network
 * namespace, runs `camsweep sweep --target 10.68.0.0/24` from the agent's namespace with the
 * default rate and window, and prints the wall time, the sweep's own time, the sending time,
 * the busiest second and what was found. Nothing leaves the namespace made by
 * scripts/private-netns.sh.
 *
 *   npm run bench:routed [-- --rate 100] [-- --timeout 3]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assertPrivateNamespace, createLab, routedLab, ROUTED_FAR_SUBNET } from '../tests/lab/netns.ts';
import type { AuditEntry } from '../src/domain/audit.ts';
import type { SweepResult } from '../src/domain/types.ts';
import { cidrContains, parseCidr } from '../src/util/cidr.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string' },
    timeout: { type: 'string', default: '3' },
  },
  strict: true,
});

const CLI = new URL('../bin/camsweep.js', import.meta.url).pathname;
const FAR = parseCidr(ROUTED_FAR_SUBNET)!;
const say = (text: string): void => void process.stdout.write(text);

assertPrivateNamespace();
const lab = await createLab(routedLab());
let code = 1;
try {
  const started = await lab.startDevices();
  say(`routed lab: ${lab.devices.length} devices, router ${lab.routers.map((r) => r.interfaces.map((i) => i.ip).join(' / ')).join(', ')} (built in ${lab.buildMs} ms, simulators up in ${started.ms} ms)\n`);
  const auditFile = path.join(lab.dir, 'bench.audit.jsonl');
  const args = [
    process.execPath,
    CLI,
    'sweep',
    '--interface',
    'eth0',
    '--format',
    'json',
    '--log-level',
    'warn',
    '--timeout',
    values.timeout,
    '--target',
    ROUTED_FAR_SUBNET,
    '--audit-file',
    auditFile,
    ...(values.rate === undefined ? [] : ['--rate', values.rate]),
  ];
  say(`$ camsweep ${args.slice(2).join(' ')}\n`);
  const run = await lab.execAgent(args, { timeoutMs: 15 * 60_000 });
  if (run.code !== 0) throw new Error(`sweep exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as SweepResult;
  const audit = readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
  const unicast = audit.filter((e) => e.transport === 'udp' && cidrContains(FAR, e.destination));
  const times = unicast.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i]! - times[j]! >= 1000) j += 1;
    busiest = Math.max(busiest, i - j + 1);
  }
  const sendMs = times.length > 0 ? times.at(-1)! - times[0]! : 0;
  const sweepMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  const addresses = new Set(unicast.map((e) => e.destination)).size;

  say(`\nrate: ${values.rate ?? 'default (100 datagrams/s)'}, window ${values.timeout} s\n`);
  say(`unicast: ${unicast.length} datagrams to ${addresses} addresses, sent over ${(sendMs / 1000).toFixed(1)} s, busiest second ${busiest}\n`);
  say(`sweep: ${(sweepMs / 1000).toFixed(1)} s (startedAt -> finishedAt); process wall time ${(run.ms / 1000).toFixed(1)} s\n`);
  const firstProbe = times[0] ?? Date.parse(result.startedAt);
  const lastProbe = times.at(-1) ?? Date.parse(result.startedAt);
  const lastRequest = Math.max(...audit.map((e) => Date.parse(e.at)));
  say(
    `  first unicast probe ${((firstProbe - Date.parse(result.startedAt)) / 1000).toFixed(2)} s after the start; after the last: ` +
      `last request sent ${((lastRequest - lastProbe) / 1000).toFixed(2)} s later, sweep finished ${((Date.parse(result.finishedAt) - lastProbe) / 1000).toFixed(2)} s later\n`,
  );
  say(`found ${result.devices.length} devices:\n`);
  for (const d of result.devices) {
    say(`  ${d.ip.padEnd(12)} ${(d.mac ?? '-').padEnd(17)} ${(d.manufacturer ?? '?').padEnd(10)} ${d.status.padEnd(10)} ${d.protocols.join(',')}\n`);
  }
  if (result.errors.length > 0) say(`errors: ${result.errors.map((e) => `${e.code}${e.ip === undefined ? '' : ` ${e.ip}`}`).join(', ')}\n`);
  code = 0;
} finally {
  await lab.stop();
}
process.exitCode = code;
