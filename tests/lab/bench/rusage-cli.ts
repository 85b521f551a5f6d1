/**
 * Runs the camsweep CLI in this process (same argv) and, at exit, writes one line to stderr:
 * `BENCH-RUSAGE {"userMs":..,"systemMs":..,"maxRssKb":..}` from process.resourceUsage(), so a
 * benchmark gets the CPU time and peak RSS of the sweep itself without /usr/bin/time.
 * It starts the CLI as bin/camsweep.js does (Node's compile cache on, then the CLI imported),
 * so the start-up measured is the one users get.
 *
 *   node tests/lab/bench/rusage-cli.ts sweep --interface eth0 ...
 */
import { enableCompileCache } from 'node:module';
import { RUSAGE_MARK } from './rusage.ts';

enableCompileCache?.();

process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`${RUSAGE_MARK}${JSON.stringify({ userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssKb: u.maxRSS })}\n`);
});

const { main } = await import('../../../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
