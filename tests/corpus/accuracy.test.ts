import { describe, expect, it } from 'vitest';
import { renderTable, runManifest, tally, type CaseResult } from './accuracy.ts';
import { MANIFEST } from './manifest/index.ts';
import { defaultJudge } from './run.ts';
import { isJudged, type Entry } from './types.ts';

function result(vendor: string, over: Partial<CaseResult>): CaseResult {
  return {
    vendor,
    corpus: `${vendor}/x`,
    id: 'x',
    truth: null,
    expected: { manufacturer: null, status: 'clear' },
    got: { manufacturer: null, brand: null, kind: 'other', status: 'clear', confidence: 0 },
    mismatches: [],
    trap: false,
    trapFired: [],
    ...over,
  };
}

describe('tally', () => {
  const entries: Entry[] = [
    { corpus: 'a/1', vendor: 'a', fixture: 'f', sha256: '0', cases: [{ id: 'p', unusable: 'a TLS subject nobody sees' }] },
    { corpus: 'a/2', vendor: 'a', fixture: 'f', sha256: '0', cases: [] },
    { corpus: 'b/1', vendor: 'b', fixture: null, sha256: '0', unusable: 'facts', cases: [] },
  ];
  entries[1]!.cases.push({ id: 'q', read: { kind: 'ssdp' }, expect: { manufacturer: 'Dahua', status: 'restricted', why: 'w' } });

  it('counts files, usable files, verdicts, correctness, restricted makers, traps and gaps per vendor and overall', () => {
    const { rows, total } = tally(entries, [
      result('a', { truth: 'Dahua', got: { manufacturer: 'Dahua', brand: null, kind: 'camera', status: 'restricted', confidence: 0.9 } }),
      result('a', { truth: 'Dahua', mismatches: ['manufacturer'], got: { manufacturer: null, brand: null, kind: 'camera', status: 'review', confidence: 0 }, gap: 'why' }),
      result('a', { trap: true, trapFired: ['x claimed Dahua'] }),
    ]);
    expect(rows.map((r) => r.vendor)).toEqual(['a', 'b']);
    expect(rows[0]).toMatchObject({
      files: 2,
      usableFiles: 1,
      notObservable: 1,
      cases: 3,
      makerCorrect: 2,
      statusCorrect: 3,
      makerKnown: 2,
      makerNamed: 1,
      restrictedMaker: { restricted: 1, review: 1, clear: 0 },
      traps: 1,
      trapsFired: 1,
      gaps: 1,
    });
    expect(total).toMatchObject({ files: 3, usableFiles: 1, cases: 3, trapsFired: 1 });
    expect(renderTable(rows, total)).toContain('| a | 2 | 1 | 3 | 2/3 (67%) | 3/3 (100%) | 1/2 | 1 / 1 / 0 | 1 of 1 | 1 | 1 |');
  });
});

describe('accuracy over the corpus', () => {
  it('covers all 83 files; no trap fires and no restricted maker\'s device is cleared', async () => {
    const results = await runManifest(defaultJudge());
    const { total } = tally(MANIFEST, results);
    expect(total.files).toBe(83);
    expect(total.cases).toBe(MANIFEST.flatMap((e) => e.cases.filter(isJudged)).length);
    expect(total.trapsFired).toBe(0);
    expect(total.restrictedMaker.clear).toBe(0);
    expect(total.gaps).toBe(MANIFEST.flatMap((e) => e.cases.filter((c) => isJudged(c) && c.gap !== undefined)).length);
  });
});
