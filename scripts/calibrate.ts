/**
 * `npm run calibrate`: measures every fingerprint's precision on the fitting cases of both
 * corpora and writes config/calibration.json (method: src/fingerprint/calibration.ts). Run it
 * after changing fingerprints, their weights or the corpus; tests/corpus/calibration.test.ts
 * fails while the file is out of date. Sends nothing.
 *
 *   npm run calibrate [-- --corpus DIR] [-- --check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_CALIBRATION_FILE } from '../src/fingerprint/calibration.ts';
import { calibrationJson, computeCalibration } from '../tests/corpus/calibrate.ts';

const corpusArg = process.argv.indexOf('--corpus');
const corpusDir = corpusArg > 0 ? process.argv[corpusArg + 1] : undefined;
const text = calibrationJson(await computeCalibration(corpusDir));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(DEFAULT_CALIBRATION_FILE, 'utf8');
  } catch {
    // no file yet
  }
  process.stdout.write(current === text ? 'config/calibration.json is up to date\n' : 'config/calibration.json is out of date: run npm run calibrate\n');
  process.exitCode = current === text ? 0 : 1;
} else {
  writeFileSync(DEFAULT_CALIBRATION_FILE, text);
  const c = JSON.parse(text) as { fingerprints: Record<string, { fired: number; right: number; prior: number; weight: number; sharedBy?: string }>; fitting: { cases: number } };
  const rows = Object.entries(c.fingerprints);
  process.stdout.write(`wrote config/calibration.json: ${rows.length} fingerprints measured on ${c.fitting.cases} fitting cases\n`);
  for (const [id, m] of rows) {
    if (Math.abs(m.weight - m.prior) >= 0.05 || m.sharedBy !== undefined) {
      process.stdout.write(`  ${id}: ${m.right}/${m.fired} right, weight ${m.prior} -> ${m.weight}${m.sharedBy ? `, shared (${m.sharedBy})` : ''}\n`);
    }
  }
}
