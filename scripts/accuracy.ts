/**
 * `npm run accuracy`: every judged case of both corpora through the real decoders, merger,
 * fingerprints and default policy, as `camsweep identify` judges a capture: the shared corpus
 * (../shared/corpus, through tests/corpus/manifest) and the project's own (corpus/cases).
 * Prints the in-sample (fitting) and out-of-sample (held-out) figures, the per-vendor table of
 * the shared corpus and every miss; writes bench-results/accuracy.md. Sends nothing.
 *
 *   npm run accuracy [-- --corpus DIR]     DIR: another corpus folder (cases/ and captures/)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderReport, renderTable, runManifest, tally } from '../tests/corpus/accuracy.ts';
import { MANIFEST } from '../tests/corpus/manifest/index.ts';
import { defaultJudge } from '../tests/corpus/run.ts';
import { figures, misses, renderSplitTable, scoreProject, scoreShared } from '../tests/corpus/score.ts';

const corpusArg = process.argv.indexOf('--corpus');
const corpusDir = corpusArg > 0 ? process.argv[corpusArg + 1] : undefined;

const judge = defaultJudge();
const shared = await scoreShared(judge);
const project = scoreProject(judge, corpusDir);
for (const p of project.problems) process.stderr.write(`corpus: ${p}\n`);
const all = [...shared, ...project.scored];
const fitting = figures(all.filter((s) => s.set === 'fitting'));
const heldOut = figures(all.filter((s) => s.set === 'held-out'));
const split = renderSplitTable(fitting, heldOut);
const missed = misses(all);

process.stdout.write(`Both corpora (${shared.length} shared cases, ${project.scored.length} project cases):\n\n${split}\n\n`);

const results = await runManifest(judge, MANIFEST);
const { rows, total } = tally(MANIFEST, results);
process.stdout.write(`Shared corpus by vendor folder:\n\n${renderTable(rows, total)}\n\n`);
process.stdout.write(`${missed.length} miss(es):\n${missed.map((m) => `  ${m}`).join('\n')}\n`);

const out = new URL('../bench-results/', import.meta.url);
mkdirSync(out, { recursive: true });
const report = [
  '# Accuracy',
  '',
  `Both corpora: ${shared.length} shared cases, ${project.scored.length} project cases. The split is by source (corpus/README.md).`,
  '',
  split,
  '',
  '## Misses',
  '',
  ...missed.map((m) => `- ${m}`),
  '',
  renderReport(results, rows, total, { fingerprints: judge.db.fingerprints.length }, MANIFEST),
].join('\n');
writeFileSync(new URL('accuracy.md', out), report);
process.stdout.write(`\nwrote bench-results/accuracy.md\n`);

if (total.trapsFired > 0) {
  process.stderr.write(`${total.trapsFired} trap(s) fired\n`);
  process.exitCode = 1;
}
