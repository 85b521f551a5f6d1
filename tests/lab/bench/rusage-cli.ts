/**
 * Runs the camsweep CLI in this process (same argv) and, at exit, writes one line to stderr:
 * `BENCH-RUSAGE {"userMs":..,"systemMs":..,"maxRssKb":..}` from process.resourceUsage(), so a
 * benchmark gets the CPU time and peak RSS of the sweep itself without /usr/bin/time.
 *
 *   node tests/lab/bench/rusage-cli.ts sweep --interface eth0 ...
 */
import { RUSAGE_MARK } from './rusage.ts';
import { main } from '../../../src/cli/main.ts';

process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`${RUSAGE_MARK}${JSON.stringify({ userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssKb: u.maxRSS })}\n`);
});

process.exitCode = await main(process.argv.slice(2));
