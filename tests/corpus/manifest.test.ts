import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadVocabulary } from '../../src/fingerprint/index.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { MANIFEST, RESTRICTED_MAKERS } from './manifest/index.ts';
import { readFixture } from './observe.ts';
import { isJudged } from './types.ts';

/**
 * The manifest itself: one entry per corpus file, fixtures that are byte-for-byte copies,
 * expectations in the vocabulary and consistent with the policy's covered makers.
 * INDEX.md is read from the project's own copy (tests/fixtures/corpus/INDEX.md).
 */

/** File paths of INDEX.md's table: `| vendor/file.ext | ...`. */
function indexedFiles(index: string): string[] {
  return [...index.matchAll(/^\| ([\w.-]+\/[\w.-]+) \|/gmu)].map((m) => m[1]!);
}

const index = readFixture('corpus/INDEX.md').toString('utf8');
const judgedCases = MANIFEST.flatMap((e) => e.cases.filter(isJudged).map((c) => ({ entry: e, c })));

/** Every name a default pack covers as a label: entities, subsidiaries, affiliates and brands. */
const COVERED_LABELS: ReadonlySet<string> = new Set(
  loadPolicy().packs.flatMap((p) => p.rules.flatMap((r) => [r.entity, ...r.subsidiaries.map((x) => x.name), ...r.affiliates.map((x) => x.name), ...r.brands.map((x) => x.name)])),
);

describe('corpus manifest', () => {
  it('has exactly one entry per file INDEX.md lists (83)', () => {
    const files = indexedFiles(index);
    expect(index).toMatch(/^Total files: 83$/mu);
    expect(new Set(files).size).toBe(83);
    expect(MANIFEST.map((e) => e.corpus).sort()).toEqual([...files].sort());
  });

  it('names each entry by the vendor folder its path starts with', () => {
    for (const e of MANIFEST) expect(e.vendor).toBe(e.corpus.split('/')[0]);
  });

  it.each(MANIFEST.filter((e) => e.fixture !== null).map((e) => [e.fixture!, e] as const))('%s is a byte-for-byte copy of its corpus file', (fixture, e) => {
    const sha = createHash('sha256').update(readFixture(fixture)).digest('hex');
    expect(sha.slice(0, 16), e.corpus).toBe(e.sha256);
  });

  it('gives every unusable file or part a reason, and every usable file at least one case', () => {
    for (const e of MANIFEST) {
      if (e.unusable !== undefined) {
        expect(e.unusable.length, e.corpus).toBeGreaterThan(40);
        expect(e.cases, e.corpus).toEqual([]);
        expect(e.fixture, e.corpus).toBeNull();
      } else {
        expect(e.cases.length, e.corpus).toBeGreaterThan(0);
        expect(e.fixture, e.corpus).not.toBeNull();
      }
      for (const c of e.cases) if (!isJudged(c)) expect(c.unusable.length, `${e.corpus} ${c.id}`).toBeGreaterThan(20);
      expect(new Set(e.cases.map((c) => c.id)).size, e.corpus).toBe(e.cases.length);
    }
  });

  it('says so explicitly for the anonymised replies of discovery protocols camsweep does not implement', () => {
    const notImplemented = MANIFEST.filter((e) => /discovery protocol camsweep does not implement/u.test(e.unusable ?? '')).map((e) => e.corpus);
    expect(notImplemented.sort()).toEqual([
      'bosch/bosch-discovery-1.xml',
      'hanwha/hanwha-discovery-1.bin',
      'panasonic/panasonic-discovery-1.bin',
      'sony/sony-discovery-1.bin',
      'ubiquiti/ubnt-discovery-1.bin',
      'vivotek/vivotek-discovery-1.bin',
    ]);
    const facts = MANIFEST.filter((e) => e.corpus.startsWith('_facts/'));
    expect(facts).toHaveLength(5);
    for (const e of facts) expect(e.unusable).toMatch(/not a capture/u);
  });

  it('uses canonical vendor names only', () => {
    const vocab = loadVocabulary();
    const canonical = new Set(vocab.vendors.map((v) => v.name));
    for (const { entry, c } of judgedCases) {
      for (const name of [c.expect.manufacturer, c.expect.brand, c.truth, ...(c.trap?.mustNotClaim ?? [])]) {
        if (name === undefined || name === null) continue;
        expect(canonical.has(name), `${entry.corpus} ${c.id}: ${name}`).toBe(true);
      }
    }
  });

  it('lists as restricted makers exactly the entities the default packs cover, with their subsidiaries and affiliates', () => {
    const covered = new Set<string>();
    for (const pack of loadPolicy().packs) {
      for (const rule of pack.rules) {
        covered.add(rule.entity);
        for (const s of rule.subsidiaries) covered.add(s.name);
        for (const a of rule.affiliates) covered.add(a.name);
      }
    }
    expect([...RESTRICTED_MAKERS].sort()).toEqual([...covered].sort());
  });

  it('expects restricted exactly for restricted makers (or a covered label with no maker), and review only where the maker cannot be established', () => {
    for (const { entry, c } of judgedCases) {
      const where = `${entry.corpus} ${c.id}`;
      const maker = c.expect.manufacturer;
      const coveredLabel = maker === null && c.expect.brand !== null && c.expect.brand !== undefined && COVERED_LABELS.has(c.expect.brand);
      if (c.expect.status === 'restricted') expect((maker !== null && RESTRICTED_MAKERS.includes(maker)) || coveredLabel, where).toBe(true);
      if (coveredLabel) expect(c.expect.status, where).toBe('restricted');
      if (maker !== null && RESTRICTED_MAKERS.includes(maker)) expect(c.expect.status, where).toBe('restricted');
      if (c.expect.status === 'review') expect(maker, where).toBeNull();
      expect(c.expect.why.length, where).toBeGreaterThan(20);
    }
  });

  it('allows known gaps only away from restricted makers, with a reason', () => {
    for (const { entry, c } of judgedCases) {
      if (!c.gap) continue;
      const where = `${entry.corpus} ${c.id}`;
      expect(c.expect.status, where).not.toBe('restricted');
      const truth = c.truth === undefined ? c.expect.manufacturer : c.truth;
      expect(truth === null || !RESTRICTED_MAKERS.includes(truth), where).toBe(true);
      expect(c.gap.fields.length, where).toBeGreaterThan(0);
      expect(c.gap.why.length, where).toBeGreaterThan(40);
    }
  });
});
