import { isDeepStrictEqual } from 'node:util';
import { firstMatch } from './match.ts';
import { MAX_VALUE_LENGTH } from './schema.ts';
import type { CompiledFingerprint, FingerprintDb } from './types.ts';

/**
 * The database's self-test (Recog style), run by `camsweep fingerprints verify` and by the
 * example test:
 *
 * - every example matches its own entry FIRST (no earlier entry for that field takes it) and
 *   extracts exactly the claims it declares;
 * - no counter-example is matched by its entry or by any entry, for that field, claiming the
 *   same manufacturer (or, for label-only entries, the same brand);
 * - every pattern stays fast on long adversarial strings.
 */

/** Slowest acceptable run of one pattern on one 512-character adversarial string. */
export const SLOW_PATTERN_MS = 50;

const ADVERSARIAL: readonly string[] = [
  'a'.repeat(MAX_VALUE_LENGTH),
  'A'.repeat(MAX_VALUE_LENGTH),
  '0'.repeat(MAX_VALUE_LENGTH),
  ' '.repeat(MAX_VALUE_LENGTH),
  '-'.repeat(MAX_VALUE_LENGTH),
  '.'.repeat(MAX_VALUE_LENGTH),
  'A1-'.repeat(MAX_VALUE_LENGTH / 4),
  'a b '.repeat(MAX_VALUE_LENGTH / 4),
  '0.'.repeat(MAX_VALUE_LENGTH / 2),
];

const show = (claims: object): string => JSON.stringify(claims);

function exampleProblems(db: FingerprintDb, fp: CompiledFingerprint): string[] {
  const problems: string[] = [];
  fp.examples.forEach((ex, i) => {
    const where = `${fp.id}: examples.${i} (${ex.field} "${ex.value}")`;
    const index = new Map<string, string[]>();
    for (const e of [{ field: ex.field, value: ex.value }, ...ex.context]) index.set(e.field, [...(index.get(e.field) ?? []), e.value]);
    const hit = firstMatch(db, ex.field, ex.value, index);
    if (!hit) {
      problems.push(`${where}: matches no entry (the pattern does not match it${fp.requires.length > 0 ? ', or its context does not meet requires' : ''})`);
    } else if (hit.fingerprint.id !== fp.id) {
      problems.push(`${where}: matched first by ${hit.fingerprint.id}, so this entry never applies to it`);
    } else if (!isDeepStrictEqual(hit.claims, ex.claims)) {
      problems.push(`${where}: extracts ${show(hit.claims)} but the example declares ${show(ex.claims)}`);
    }
  });
  return problems;
}

function counterExampleProblems(db: FingerprintDb, fp: CompiledFingerprint): string[] {
  const problems: string[] = [];
  const { manufacturer, brand } = fp.claims;
  const sameClaim = (other: CompiledFingerprint): boolean =>
    other === fp ||
    (manufacturer !== undefined && other.claims.manufacturer === manufacturer) ||
    (manufacturer === undefined && brand !== undefined && other.claims.brand === brand);
  fp.counterExamples.forEach((ce, i) => {
    const hits = db.candidatesFor(ce.field).filter((other) => sameClaim(other) && other.regex.test(ce.value.slice(0, MAX_VALUE_LENGTH)));
    if (hits.length > 0) {
      const what = manufacturer ?? brand ?? fp.id;
      problems.push(`${fp.id}: counterExamples.${i} (${ce.field} "${ce.value}") is matched by ${hits.map((h) => h.id).join(', ')}, which claim ${what}`);
    }
  });
  return problems;
}

function slowPatternProblems(fp: CompiledFingerprint, now: () => number): string[] {
  const regexes = [{ label: 'pattern', regex: fp.regex }, ...fp.requires.map((r, i) => ({ label: `requires.${i}`, regex: r.regex }))];
  const problems: string[] = [];
  for (const { label, regex } of regexes) {
    for (const s of ADVERSARIAL) {
      const t0 = now();
      regex.test(s);
      const ms = now() - t0;
      if (ms > SLOW_PATTERN_MS) {
        problems.push(`${fp.id}: ${label} took ${Math.round(ms)} ms on a ${s.length}-character string "${s.slice(0, 6)}..." (catastrophic backtracking?)`);
        break;
      }
    }
  }
  return problems;
}

/** Every problem the self-test finds in a compiled database. */
export function selfCheck(db: FingerprintDb, options: { now?: () => number } = {}): string[] {
  const now = options.now ?? (() => performance.now());
  const problems: string[] = [];
  for (const fp of db.fingerprints) {
    problems.push(...exampleProblems(db, fp), ...counterExampleProblems(db, fp), ...slowPatternProblems(fp, now));
  }
  problems.push(...coverageProblems(db));
  return problems;
}

/**
 * Every vendor of the vocabulary needs at least one fingerprint of its own (claiming it as
 * maker or brand), beyond the generic name matcher: a maker nothing recognises but its name is
 * a maker the database cannot attribute. Anonymous labels (Generic) name nobody and need none.
 */
export function coverageProblems(db: FingerprintDb): string[] {
  const claimed = new Set<string>();
  for (const fp of db.fingerprints) {
    if (fp.claims.manufacturer !== undefined) claimed.add(fp.claims.manufacturer);
    if (fp.claims.brand !== undefined) claimed.add(fp.claims.brand);
  }
  return db.vocabulary.vendors
    .filter((v) => !v.anonymous && v.kind !== 'component' && !claimed.has(v.name))
    .map((v) => `vendor ${v.name} (config/vendors.yaml) has no fingerprint: add one with a real example (scripts/oui-fingerprint.ts prints its IEEE registry entry)`);
}
