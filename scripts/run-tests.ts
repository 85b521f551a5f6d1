/**
 * `npm test`: runs the whole vitest suite (already inside the private network namespace made
 * by scripts/private-netns.sh) and ends with one plain summary line, `tests: N passed, N
 * failed, N skipped`, that CI and people can read whatever the reporter prints.
 * Extra arguments go to vitest (e.g. a path filter).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
  process.stderr.write('run-tests: refusing to run outside a private network namespace (use npm test)\n');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'camsweep-tests-'));
const report = join(dir, 'vitest.json');
const vitest = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const run = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{ name: string; status: string; message?: string; assertionResults: Array<{ status: string }> }>;
}

let summary = 'tests: 0 passed, 1 failed, 0 skipped';
try {
  const r = JSON.parse(readFileSync(report, 'utf8')) as Report;
  let failed = r.numFailedTests;
  let skipped = r.numPendingTests + r.numTodoTests;
  for (const file of r.testResults) {
    if (file.status !== 'failed' || file.assertionResults.some((a) => a.status === 'failed')) continue;
    // The file failed outside its tests (a hook, an import): vitest reports what it did not run
    // as skipped. Those count as failed here (a file with none as one), so the line never says
    // "0 failed" when vitest failed.
    const unrun = file.assertionResults.filter((a) => a.status !== 'passed').length;
    failed += Math.max(unrun, 1);
    skipped -= unrun;
    process.stderr.write(`run-tests: ${file.name} failed before its tests ran: ${(file.message ?? '').split('\n')[0] ?? ''}\n`);
  }
  summary = `tests: ${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
} catch {
  process.stderr.write('run-tests: vitest wrote no report\n');
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\n${summary}\n`);
process.exit(run.status ?? 1);
