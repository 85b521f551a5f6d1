import { describe, expect, it } from 'vitest';
import { loadFingerprintDb } from '../../src/fingerprint/index.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { loadCatalogues, scoreCodes, type ScoredCode } from './models.ts';
import { splitOf } from './split.ts';

/**
 * The model catalogues (corpus/models, 10,000+ codes) against the fingerprints, as `npm run
 * models` measures them (docs/fingerprints.md, "Model codes and the catalogues"). A code of a
 * maker no pack covers attributed to a covered maker is a false restricted waiting to happen:
 * none is allowed. Collisions among other makers are held to the documented list below, and
 * recall per covered maker in sample to a floor a few points under the measured figure.
 */

const db = loadFingerprintDb();
const catalogues = loadCatalogues();
const scored = scoreCodes(db, catalogues);
const canonical = (name: string): string => db.vocabulary.vendor(name)?.name ?? name;

/** Every company the default packs cover: entities, subsidiaries, affiliates and brands. */
function coveredNames(): Set<string> {
  const out = new Set<string>();
  for (const pack of loadPolicy().packs) {
    for (const rule of pack.rules) {
      out.add(canonical(rule.entity));
      for (const r of [...rule.subsidiaries, ...rule.affiliates, ...rule.brands]) out.add(canonical(r.name));
    }
  }
  return out;
}
const covered = coveredNames();
/** Whether a name is covered, itself or through its parent company. */
const isCovered = (name: string): boolean => db.vocabulary.lineage(canonical(name)).some((n) => covered.has(n)) || covered.has(canonical(name));

/**
 * Collisions that remain, each with its reason: a code of one catalogue attributed to another
 * maker. Empty today; an entry here needs a reason (two makers sharing a code scheme, a catalogue
 * row filed under the wrong maker).
 */
export const ALLOWED_COLLISIONS: ReadonlyArray<{ maker: string; code: string; got: string; reason: string }> = [];

/**
 * In-sample recall floors per covered catalogue maker (codes attributed to the maker or its
 * family), a few points under the figures measured when they were set (docs/fingerprints.md).
 */
export const RECALL_FLOORS: Readonly<Record<string, number>> = {
  Hikvision: 0.93,
  Dahua: 0.83,
  Uniview: 0.82,
  Huawei: 0.84,
  Tiandy: 0.95,
  HiWatch: 0.52,
  LTS: 0.95,
};

const show = (s: ScoredCode): string => `${s.maker} ${s.code} -> ${s.got ?? `label ${s.brand}`} (${s.set})`;

describe('model catalogues against the fingerprints', () => {
  it('reads every catalogue: 10,000+ codes, both splits', () => {
    expect(catalogues.length).toBeGreaterThan(10_000);
    expect(new Set(catalogues.map((c) => c.set))).toEqual(new Set(['fitting', 'held-out']));
    expect(covered.has('Hikvision') && covered.has('Dahua') && covered.has('Uniview') && covered.has('Annke')).toBe(true);
  });

  it('no code of a maker no pack covers is attributed to a covered maker, nor given a covered label', () => {
    const wrong = scored.filter(
      (s) => !isCovered(s.maker) && ((s.got !== null && isCovered(s.got)) || (s.got === null && s.brand !== null && isCovered(s.brand))),
    );
    expect(wrong.map(show)).toEqual([]);
  });

  it('collisions stay within the documented list', () => {
    const allowed = new Set(ALLOWED_COLLISIONS.map((c) => `${c.maker}\u0000${c.code}\u0000${c.got}`));
    const collisions = scored.filter((s) => s.outcome === 'other' || s.outcome === 'other-label');
    expect(collisions.filter((s) => !allowed.has(`${s.maker}\u0000${s.code}\u0000${s.got ?? ''}`)).map(show)).toEqual([]);
    for (const c of ALLOWED_COLLISIONS) expect(c.reason.length, `${c.maker} ${c.code}`).toBeGreaterThan(10);
  });

  it.each(Object.entries(RECALL_FLOORS))('%s: in-sample recall stays at or above its floor', (maker, floor) => {
    const fitting = scored.filter((s) => s.maker === maker && s.set === 'fitting');
    expect(fitting.length).toBeGreaterThan(0);
    const known = fitting.filter((s) => s.outcome === 'right' || s.outcome === 'relabelled').length;
    expect(known / fitting.length).toBeGreaterThanOrEqual(floor);
  });

  it('every fingerprint example taken from a catalogue is in that catalogue, under the source it cites, a fitting one', () => {
    const bad: string[] = [];
    for (const fp of db.fingerprints) {
      for (const ex of fp.examples) {
        const file = /corpus\/models\/([\w.-]+\.yaml)/u.exec(ex.source)?.[1];
        if (file === undefined) continue;
        const key = /github:[\w.-]+\/[\w.-]+/u.exec(ex.source)?.[0];
        const found = catalogues.some((c) => c.file === file && c.code === ex.value && (key === undefined || c.sourceKey === key));
        if (!found) bad.push(`${fp.id}: "${ex.value}" is not in corpus/models/${file}${key ? ` under ${key}` : ''}`);
        else if (key !== undefined && splitOf(key) === 'held-out') bad.push(`${fp.id}: "${ex.value}" cites a held-out catalogue (${key})`);
      }
    }
    expect(bad).toEqual([]);
  });
});
