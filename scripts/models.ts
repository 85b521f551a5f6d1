/**
 * `npm run models`: every code of the model catalogues (corpus/models, 10,000+ codes from
 * makers' lists and open camera-model datasets) as a device would state it in ONVIF `Model`,
 * attributed by the fingerprint database (pure: nothing is sent). Per maker file and per split
 * (fitting / held-out by source, as the cases): codes attributed to the file's maker or its
 * family (right), to a maker known to make the label's devices (relabelled), to nobody (none),
 * and to another maker (other: a collision, the error that matters). Writes
 * bench-results/models.md.
 *
 *   npm run models [-- --misses MAKER]     also list MAKER's codes nobody recognised
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadFingerprintDb } from '../src/fingerprint/index.ts';
import { loadCatalogues, modelFigures, renderModelTable, scoreCodes } from '../tests/corpus/models.ts';

const db = loadFingerprintDb();
const scored = scoreCodes(db, loadCatalogues());
const { table, totals } = renderModelTable(modelFigures(scored));
const collisions = scored.filter((s) => s.outcome === 'other');
const labelCollisions = scored.filter((s) => s.outcome === 'other-label');
const lines = [
  '# Model catalogues against the fingerprints',
  '',
  `${scored.length} codes in ${new Set(scored.map((s) => s.file)).size} catalogue files. Split by source as the cases (corpus/README.md).`,
  '',
  totals,
  '',
  table,
  '',
  `## Collisions (${collisions.length}): a code of one maker's catalogue attributed to another`,
  '',
  ...collisions.map((c) => `- ${c.maker} ${c.code} -> ${c.got} (${c.set}, ${c.sourceKey})`),
  '',
  `## Label collisions (${labelCollisions.length}): no maker, but another maker's label`,
  '',
  ...labelCollisions.map((c) => `- ${c.maker} ${c.code} -> label ${c.brand ?? '?'} (${c.set}, ${c.sourceKey})`),
];
const missesArg = process.argv.indexOf('--misses');
if (missesArg > 0) {
  const maker = process.argv[missesArg + 1] ?? '';
  lines.push('', `## ${maker}: codes nobody recognised`, '', ...scored.filter((s) => s.maker === maker && s.outcome === 'none').map((s) => `- ${s.code} (${s.set})`));
}
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../bench-results/models.md', import.meta.url), `${lines.join('\n')}\n`);
