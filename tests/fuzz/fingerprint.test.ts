/**
 * The matcher under hostile evidence: attribute() never throws, stays fast on every pattern
 * of the database (no catastrophic backtracking on 512-character values), looks at no more
 * than MAX_EVIDENCE_ITEMS items, and returns a bounded attribution whose names come from the
 * vocabulary and whose numbers are probabilities. Seeds: every real example and
 * counter-example in the database, mutated.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { PROTOCOLS, type Evidence, type Protocol } from '../../src/domain/types.ts';
import { fingerprintStats, loadFingerprintDb } from '../../src/fingerprint/db.ts';
import { attribute, MAX_EVIDENCE_ITEMS, MAX_VALUE_CHARS } from '../../src/fingerprint/match.ts';
import { cleanText } from '../../src/util/text.ts';
import { check, checkClean, checkTree, noThrow } from './shared/bounds.ts';
import { mutationArb, applyMutations } from './shared/mutate.ts';
import { inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, sweep, Tally } from './shared/run.ts';
import { hostileString } from './shared/text-gen.ts';

const db = loadFingerprintDb();
const FIELDS = Object.keys(fingerprintStats(db).fields).map((f) => f.replace(/\*$/u, 'x'));
const FUNCTIONS = ['attribute'] as const;
const tally = new Tally();

const protocolOf = (field: string): Protocol => (PROTOCOLS as readonly string[]).find((p) => field.startsWith(`${p}.`)) as Protocol | undefined ?? 'http';
const evidence = (field: string, value: string): Evidence => ({ protocol: protocolOf(field), field, value });

/** Every real example and counter-example in the database, with its context: the seeds. */
const EXAMPLES: Evidence[][] = db.fingerprints.flatMap((fp) => [
  ...fp.examples.map((ex) => [evidence(ex.field, ex.value), ...ex.context.map((c) => evidence(c.field, c.value))]),
  ...fp.counterExamples.map((ce) => [evidence(ce.field, ce.value)]),
]);

const vocabulary = new Set(db.vocabulary.names);

function run(items: readonly Evidence[]): void {
  const a = tally.time('attribute', () => noThrow(() => attribute(items, db), 'attribute'));
  check(a.matches.length <= Math.min(items.length, MAX_EVIDENCE_ITEMS), () => `${a.matches.length} matches for ${items.length} items`);
  for (const m of a.matches) {
    check(m.value.length <= MAX_VALUE_CHARS, () => `match value of ${m.value.length} chars`);
    check(m.weight >= 0 && m.weight <= 1, () => `weight ${m.weight}`);
  }
  check(Number.isFinite(a.confidence) && a.confidence >= 0 && a.confidence <= 1, () => `confidence ${a.confidence}`);
  check(a.manufacturer === null || vocabulary.has(a.manufacturer), () => `manufacturer ${a.manufacturer} not in the vocabulary`);
  check(a.candidates.length <= a.matches.length, () => `${a.candidates.length} candidates for ${a.matches.length} matches`);
  for (const c of a.candidates) {
    check(vocabulary.has(c.manufacturer), () => `candidate ${c.manufacturer}`);
    check(c.score >= 0 && c.score <= 1, () => `score ${c.score}`);
  }
  check(a.conflicts.length <= a.candidates.length + 1, () => `${a.conflicts.length} conflicts`);
  for (const c of a.conflicts) checkClean(c, 8192, 'conflict');
  for (const key of ['brand', 'model', 'firmwareFamily'] as const) {
    const v = a[key];
    if (v !== null) checkClean(v, MAX_VALUE_CHARS, key);
  }
  checkTree(a, { maxString: 8192, maxNodes: 20_000 }, 'attribution');
}

/** An example's values mutated byte-wise, then cleaned the way every decoder cleans evidence. */
const mutatedExample = fc
  .tuple(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.nat())
  .map(([i, mutations, which]) => {
    const items = EXAMPLES[i]!;
    const k = which % items.length;
    return items.map((e, j) => (j === k ? { ...e, value: cleanText(applyMutations(Buffer.from(e.value, 'utf8'), mutations, []).toString('utf8')) } : e));
  });

/** Long adversarial values: what makes a backtracking regex slow. */
const adversarial = fc
  .tuple(fc.constantFrom('a', 'A', '0', ' ', '-', '.', 'A1-', 'a b ', '0.', 'DS-2CD', 'V5.', 'IPC-HFW', '%20', 'uuid:'), fc.constantFrom('', '!', 'x', '\u00e9'))
  .map(([unit, tail]) => `${unit.repeat(Math.ceil(MAX_VALUE_CHARS / unit.length))}`.slice(0, MAX_VALUE_CHARS - tail.length) + tail);

const item = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: hostileString.map((s) => cleanText(s, 64)) }),
    fc.oneof(hostileString.map((s) => cleanText(s)), adversarial, fc.constantFrom(...EXAMPLES.flat().map((e) => e.value))),
  )
  .map(([field, value]) => evidence(field, value));

describe('fuzz: fingerprint attribution', { timeout: CASE_TIMEOUT_MS }, () => {
  it('attributes every real example and counter-example of the database', () => {
    sweep('fingerprint examples', EXAMPLES, run, (items) => JSON.stringify(items).slice(0, 300));
  });

  it('survives mutated examples', () => {
    fuzz('fingerprint mutated examples', mutatedExample, run, 6000);
  });

  it('survives generated evidence lists (adversarial values on every field the database reads)', () => {
    const lists = fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: 30 }) },
      { weight: 1, arbitrary: fc.array(item, { minLength: MAX_EVIDENCE_ITEMS - 10, maxLength: MAX_EVIDENCE_ITEMS + 50, size: 'max' }) },
    );
    fuzz('fingerprint generated evidence', lists, run, 5000);
  });

  inputFloorCase(tally, FUNCTIONS, 'fingerprint');
});
