import { calibratedWeight, type Calibration, type Measured } from '../../src/fingerprint/calibration.ts';
import { loadFingerprintDb, matchEvidence, type FingerprintDb } from '../../src/fingerprint/index.ts';
import { STATEMENT_WEIGHT, statementClass, type StatementClass } from '../../src/fingerprint/statements.ts';
import { DEFAULT_THRESHOLD } from '../../src/policy/config.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import type { Judge } from '../../src/sweep/judge.ts';
import { scoreProject, scoreShared, type Scored } from './score.ts';

/**
 * Computes config/calibration.json from the fitting cases of both corpora (method:
 * src/fingerprint/calibration.ts). Fingerprints match the same way whatever their weights, so
 * the cases are judged once with the authors' weights and each match is scored against what
 * the facts establish.
 */

export const CALIBRATION_METHOD =
  'Per fingerprint (and per statement class of the generic name matcher), over the fitting cases of both corpora: fired = cases with an established maker (label entries: a stated label) it fired on; right = those where its claim was that maker, its family, or a name known to sell that maker\'s devices (vendors.yaml madeBy). weight = (right + w0 * 4) / (fired + 4), w0 the author\'s weight, clamped to [0.05, 0.97]. An entry that fired on another maker\'s device is shared.';

interface Tally {
  fired: number;
  right: number;
  prior: number;
  sharedBy?: string;
}

function familyOf(db: FingerprintDb, name: string): string {
  const lineage = db.vocabulary.lineage(name);
  return lineage[lineage.length - 1] ?? name;
}

/** Whether claiming `claimed` for a device the facts say `truth` made is right (rule 7 labels included). */
function rightMaker(db: FingerprintDb, claimed: string, truth: string): boolean {
  if (familyOf(db, claimed) === familyOf(db, truth)) return true;
  const vendor = db.vocabulary.vendor(claimed);
  return vendor !== undefined && vendor.madeBy.some((l) => familyOf(db, l.maker) === familyOf(db, truth));
}

function measured(t: Tally): Measured {
  const out: Measured = { fired: t.fired, right: t.right, prior: t.prior, weight: calibratedWeight(t.prior, t.fired, t.right) };
  if (t.sharedBy !== undefined) out.sharedBy = t.sharedBy;
  return out;
}

export function calibrationFrom(scored: readonly Scored[], db: FingerprintDb): Calibration {
  const fitting = scored.filter((s) => s.set === 'fitting');
  const perId = new Map<string, Tally>();
  const perClass = new Map<StatementClass, Tally>();
  for (const fp of db.fingerprints) perId.set(fp.id, { fired: 0, right: 0, prior: fp.weight });
  for (const cls of Object.keys(STATEMENT_WEIGHT) as StatementClass[]) perClass.set(cls, { fired: 0, right: 0, prior: STATEMENT_WEIGHT[cls] });

  for (const s of fitting) {
    const truthMaker = s.expected.manufacturer === null ? undefined : (db.vocabulary.canonical(s.expected.manufacturer) ?? s.expected.manufacturer);
    const truthBrand = s.expected.brand === undefined || s.expected.brand === null ? undefined : (db.vocabulary.canonical(s.expected.brand) ?? s.expected.brand);
    // Per case, each fingerprint (or statement class) counts once: right if any of its claims was.
    const verdicts = new Map<string, { right: boolean; tally: Tally }>();
    for (const m of matchEvidence(s.got.evidence, db)) {
      const isStatement = m.fingerprint.startsWith('statement.');
      const cls = isStatement ? statementClass(m.field) : undefined;
      const tally = isStatement ? (cls === undefined ? undefined : perClass.get(cls)) : perId.get(m.fingerprint);
      if (tally === undefined) continue;
      let right: boolean | undefined;
      if (m.claims.manufacturer !== undefined) right = truthMaker === undefined ? undefined : rightMaker(db, m.claims.manufacturer, truthMaker);
      else if (m.claims.brand !== undefined && db.vocabulary.vendor(m.claims.brand)?.anonymous !== true) {
        right = truthBrand === undefined ? undefined : familyOf(db, m.claims.brand) === familyOf(db, truthBrand) || (truthMaker !== undefined && rightMaker(db, m.claims.brand, truthMaker));
      }
      if (right === undefined) continue;
      const key = isStatement ? `statement:${cls}` : m.fingerprint;
      const seen = verdicts.get(key);
      verdicts.set(key, { right: (seen?.right ?? false) || right, tally });
      if (!right && !isStatement && tally.sharedBy === undefined) tally.sharedBy = `${s.corpus} ${s.id}`;
    }
    for (const { right, tally } of verdicts.values()) {
      tally.fired += 1;
      if (right) tally.right += 1;
    }
  }
  const fingerprints: Record<string, Measured> = {};
  for (const [id, t] of [...perId].sort(([a], [b]) => a.localeCompare(b))) if (t.fired > 0) fingerprints[id] = measured(t);
  const statements: Partial<Record<StatementClass, Measured>> = {};
  for (const [cls, t] of perClass) if (t.fired > 0) statements[cls] = measured(t);
  return {
    method: CALIBRATION_METHOD,
    fitting: { cases: fitting.length, sources: new Set(fitting.map((s) => s.key)).size },
    fingerprints,
    statements: statements as Calibration['statements'],
  };
}

/** The authors' database (no calibration applied) judging every case of both corpora. */
export async function computeCalibration(corpusDir?: string): Promise<Calibration> {
  const db = loadFingerprintDb({ calibrationFile: false });
  const judge: Judge = { db, policy: loadPolicy(), threshold: DEFAULT_THRESHOLD };
  const scored = [...(await scoreShared(judge)), ...scoreProject(judge, corpusDir).scored];
  return calibrationFrom(scored, db);
}

export function calibrationJson(c: Calibration): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
