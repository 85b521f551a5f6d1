/**
 * `npm run demo`: builds a simulated building network (the standard lab: Hikvision, Dahua and
 * Axis cameras, a printer, a media player, and seven hostile devices) inside this private
 * network namespace, runs a real `camsweep sweep` from the agent's namespace, and prints what
 * it found. Nothing leaves the namespace made by scripts/private-netns.sh.
 */
import { createLab, standardLab, assertPrivateNamespace } from '../tests/lab/netns.ts';

const CLI = new URL('../bin/camsweep.js', import.meta.url).pathname;

assertPrivateNamespace();
const lab = await createLab(standardLab());
let code = 1;
try {
  const started = await lab.startDevices();
  process.stdout.write(
    `camsweep demo: ${lab.devices.length} simulated devices on 10.66.0.0/24 ` +
      `(lab built in ${lab.buildMs} ms, simulators up in ${started.ms} ms)\n\n`,
  );
  for (const d of lab.devices) process.stdout.write(`  ${d.ip.padEnd(12)} ${d.mac}  ${d.profile}\n`);
  process.stdout.write('\n$ camsweep sweep --interface eth0 --format table\n\n');
  const sweep = await lab.execAgent([process.execPath, CLI, 'sweep', '--interface', 'eth0', '--format', 'table', '--log-level', 'warn'], {
    timeoutMs: 60_000,
  });
  process.stdout.write(sweep.stdout);
  if (sweep.stderr.trim() !== '') process.stderr.write(sweep.stderr);
  process.stdout.write(`\nsweep wall time ${(sweep.ms / 1000).toFixed(2)} s, exit code ${sweep.code}\n`);
  process.stdout.write('Machine-readable output: add --format json (or csv). Real use: npx camsweep sweep\n');
  code = sweep.code ?? 1;
} finally {
  await lab.stop();
}
process.exit(code);
