/**
 * `npm run demo`: builds a simulated building network (the standard lab: Hikvision, Dahua and
 * Axis cameras, a printer, a media player, and seven hostile devices) inside this private
 * network namespace, starts the reference receiver (`camsweep receive`), runs a real
 * `camsweep sweep --report-to` from the agent's namespace, and prints what it found and what
 * the central side received. Nothing leaves the namespace made by scripts/private-netns.sh.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLab, standardLab, assertPrivateNamespace } from '../tests/lab/netns.ts';

const CLI = new URL('../bin/camsweep.js', import.meta.url).pathname;
const camsweep = (...args: string[]): string[] => [process.execPath, CLI, ...args];
const say = (text: string): void => void process.stdout.write(text);

assertPrivateNamespace();
const lab = await createLab(standardLab());
let code = 1;
try {
  const started = await lab.startDevices();
  say(`camsweep demo: ${lab.devices.length} simulated devices on 10.66.0.0/24 (lab built in ${lab.buildMs} ms, simulators up in ${started.ms} ms)\n\n`);
  for (const d of lab.devices) say(`  ${d.ip.padEnd(12)} ${d.mac}  ${d.profile}\n`);

  // The central side: the reference receiver, on the agent host's loopback for the demo.
  const token = path.join(lab.dir, 'report.token');
  writeFileSync(token, 'demo-token-please-change\n', { mode: 0o600 });
  const receiverDir = path.join(lab.dir, 'central');
  const agentDir = path.join(lab.dir, 'agent');
  const receiver = lab.spawnAgent(camsweep('receive', '--listen', '127.0.0.1:8088', '--data-dir', receiverDir, '--token-file', token, '--log-level', 'warn'));
  await waitForListener(8088);

  say('\n$ camsweep sweep --interface eth0 --report-to http://127.0.0.1:8088/v1/reports --report-token-file report.token\n\n');
  const sweep = await lab.execAgent(
    camsweep('sweep', '--interface', 'eth0', '--format', 'table', '--log-level', 'warn', '--report-to', 'http://127.0.0.1:8088/v1/reports', '--report-token-file', token),
    { timeoutMs: 60_000, env: { CAMSWEEP_DATA_DIR: agentDir } },
  );
  say(sweep.stdout);
  if (sweep.stderr.trim() !== '') process.stderr.write(sweep.stderr);
  say(`\nsweep wall time ${(sweep.ms / 1000).toFixed(2)} s, exit code ${sweep.code}\n`);

  say('\n$ camsweep receive --list     (the central side: restricted devices reported by the agent)\n\n');
  const list = await lab.execAgent(camsweep('receive', '--list', '--format', 'table', '--data-dir', receiverDir), { timeoutMs: 30_000 });
  say(list.stdout);
  if (list.code !== 0) process.stderr.write(list.stderr);
  await receiver.stop();
  say('\nMachine-readable output: --format json (or csv). Real use: npx camsweep sweep\n');
  code = sweep.code === 0 && list.code === 0 ? 0 : 1;
} finally {
  await lab.stop();
}
process.exit(code);

async function waitForListener(port: number): Promise<void> {
  // A TCP connection from the agent's namespace means it listens (Node itself: the demo needs no curl).
  const connect = `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  for (let i = 0; i < 100; i += 1) {
    const probe = await lab.execAgent([process.execPath, '-e', connect], { timeoutMs: 2000 }).catch(() => undefined);
    if (probe?.code === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`receiver did not listen on ${port}`);
}
