/**
 * `npm run accuracy`: every usable capture of the shared corpus (tests/corpus/manifest),
 * through the real decoders, merger, fingerprints and default policy; prints accuracy by
 * vendor folder and writes bench-results/accuracy.md. Sends nothing: every case is a
 * fixture file, and the ONVIF enricher talks to an in-process fake.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderReport, renderTable, runManifest, tally } from '../tests/corpus/accuracy.ts';
import { MANIFEST } from '../tests/corpus/manifest/index.ts';
import { defaultJudge } from '../tests/corpus/run.ts';

const judge = defaultJudge();
const results = await runManifest(judge, MANIFEST);
const { rows, total } = tally(MANIFEST, results);

process.stdout.write(`${renderTable(rows, total)}\n`);

const out = new URL('../bench-results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('accuracy.md', out), renderReport(results, rows, total, { fingerprints: judge.db.fingerprints.length }, MANIFEST));
process.stdout.write(`\nwrote bench-results/accuracy.md (${results.length} verdicts from ${MANIFEST.length} corpus files)\n`);

if (total.trapsFired > 0) {
  process.stderr.write(`${total.trapsFired} trap(s) fired\n`);
  process.exitCode = 1;
}
