import type { DeviceStatus } from '../../src/domain/types.ts';
import { MANIFEST, RESTRICTED_MAKERS } from './manifest/index.ts';
import { AS_OF, runCase, type Field } from './run.ts';
import type { Judge } from '../../src/sweep/judge.ts';
import { isJudged, type Entry, type JudgedCase } from './types.ts';

/**
 * Accuracy by vendor folder over the corpus manifest (pure tally + markdown; the runner is
 * scripts/accuracy.ts, `npm run accuracy`). Nothing is sent: every case is a fixture.
 */

export interface CaseResult {
  vendor: string;
  corpus: string;
  id: string;
  /** The maker the corpus names, whether or not the capture can establish it. */
  truth: string | null;
  expected: { manufacturer: string | null; status: DeviceStatus };
  got: { manufacturer: string | null; brand: string | null; kind: string; status: DeviceStatus; confidence: number };
  mismatches: Field[];
  trap: boolean;
  trapFired: string[];
  gap?: string;
}

export interface Row {
  vendor: string;
  files: number;
  usableFiles: number;
  /** Parts of files camsweep cannot observe (TLS subjects, RTSP and telnet banners, ...). */
  notObservable: number;
  cases: number;
  makerCorrect: number;
  statusCorrect: number;
  /** Cases whose corpus maker is known, and those where camsweep named exactly it. */
  makerKnown: number;
  makerNamed: number;
  /** Cases whose corpus maker is a restricted one, by camsweep's status. */
  restrictedMaker: Record<DeviceStatus, number>;
  traps: number;
  trapsFired: number;
  gaps: number;
}

function emptyRow(vendor: string): Row {
  return {
    vendor,
    files: 0,
    usableFiles: 0,
    notObservable: 0,
    cases: 0,
    makerCorrect: 0,
    statusCorrect: 0,
    makerKnown: 0,
    makerNamed: 0,
    restrictedMaker: { restricted: 0, review: 0, clear: 0 },
    traps: 0,
    trapsFired: 0,
    gaps: 0,
  };
}

export function truthOf(c: JudgedCase): string | null {
  return c.truth === undefined ? c.expect.manufacturer : c.truth;
}

/** Rows by vendor folder (sorted), then the overall row. */
export function tally(entries: readonly Entry[], results: readonly CaseResult[]): { rows: Row[]; total: Row } {
  const rows = new Map<string, Row>();
  const row = (vendor: string): Row => {
    let r = rows.get(vendor);
    if (!r) {
      r = emptyRow(vendor);
      rows.set(vendor, r);
    }
    return r;
  };
  for (const e of entries) {
    const r = row(e.vendor);
    r.files += 1;
    if (e.cases.some(isJudged)) r.usableFiles += 1;
    r.notObservable += e.cases.filter((c) => !isJudged(c)).length;
  }
  for (const res of results) {
    const r = row(res.vendor);
    r.cases += 1;
    if (!res.mismatches.includes('manufacturer')) r.makerCorrect += 1;
    if (!res.mismatches.includes('status')) r.statusCorrect += 1;
    if (res.truth !== null) {
      r.makerKnown += 1;
      if (res.got.manufacturer === res.truth) r.makerNamed += 1;
      if (RESTRICTED_MAKERS.includes(res.truth)) r.restrictedMaker[res.got.status] += 1;
    }
    if (res.trap) r.traps += 1;
    if (res.trapFired.length > 0) r.trapsFired += 1;
    if (res.gap !== undefined) r.gaps += 1;
  }
  const sorted = [...rows.values()].sort((a, b) => a.vendor.localeCompare(b.vendor));
  const total = emptyRow('**all**');
  for (const r of sorted) {
    for (const k of ['files', 'usableFiles', 'notObservable', 'cases', 'makerCorrect', 'statusCorrect', 'makerKnown', 'makerNamed', 'traps', 'trapsFired', 'gaps'] as const) total[k] += r[k];
    for (const s of ['restricted', 'review', 'clear'] as const) total.restrictedMaker[s] += r.restrictedMaker[s];
  }
  return { rows: sorted, total };
}

/** Every judged case of the manifest, run through the real pipeline. */
export async function runManifest(judge: Judge, entries: readonly Entry[] = MANIFEST): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const e of entries) {
    for (const c of e.cases) {
      if (!isJudged(c)) continue;
      const o = await runCase(e, c, judge);
      const d = o.device;
      const result: CaseResult = {
        vendor: e.vendor,
        corpus: e.corpus,
        id: c.id,
        truth: truthOf(c),
        expected: { manufacturer: c.expect.manufacturer, status: c.expect.status },
        got: { manufacturer: d.manufacturer, brand: d.brand, kind: d.kind, status: d.status, confidence: d.confidence },
        mismatches: o.mismatches,
        trap: c.trap !== undefined,
        trapFired: o.trapFired,
      };
      if (c.gap) result.gap = c.gap.why;
      out.push(result);
    }
  }
  return out;
}

const pct = (n: number, of: number): string => (of === 0 ? '-' : `${n}/${of} (${Math.round((100 * n) / of)}%)`);
const frac = (n: number, of: number): string => (of === 0 ? '-' : `${n}/${of}`);

function line(r: Row): string {
  const rm = r.restrictedMaker;
  const restricted = rm.restricted + rm.review + rm.clear === 0 ? '-' : `${rm.restricted} / ${rm.review} / ${rm.clear}`;
  return `| ${r.vendor} | ${r.files} | ${r.usableFiles} | ${r.cases} | ${pct(r.makerCorrect, r.cases)} | ${pct(r.statusCorrect, r.cases)} | ${frac(r.makerNamed, r.makerKnown)} | ${restricted} | ${r.trapsFired} of ${r.traps} | ${r.gaps} | ${r.notObservable} |`;
}

export function renderTable(rows: readonly Row[], total: Row): string {
  return [
    '| vendor folder | files | usable | verdicts | manufacturer correct | status correct | corpus maker named | restricted-maker verdicts: restricted / review / clear | traps fired | known gaps | parts not observable |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(line),
    line(total),
  ].join('\n');
}

/** The accuracy report (bench-results/accuracy.md): the table, then every miss with its reason. */
export function renderReport(results: readonly CaseResult[], rows: readonly Row[], total: Row, meta: { fingerprints: number }, entries: readonly Entry[] = MANIFEST): string {
  const misses = results.filter((r) => r.mismatches.length > 0 || r.trapFired.length > 0);
  const unnamed = results.filter((r) => r.truth !== null && r.got.manufacturer !== r.truth && r.mismatches.length === 0);
  const out = [
    '# Corpus accuracy',
    '',
    `Every usable capture of the shared corpus, through camsweep's real decoders, merger, fingerprint database (${meta.fingerprints} fingerprints) and default policy (us-ndaa-889 + uk-2022-sensitive-sites, threshold 0.6), judged as of ${AS_OF.toISOString().slice(0, 10)}. Generated by \`npm run accuracy\`; method in docs/accuracy.md.`,
    '',
    renderTable(rows, total),
    '',
    'Columns: *manufacturer/status correct* compare with the expected verdict (the maker the capture can establish, from INDEX.md); *corpus maker named* counts verdicts naming the maker the corpus says made the device, including captures that cannot show it; *restricted-maker verdicts* are those of devices a restricted maker made, by camsweep\'s status (clear would be a miss that matters); *traps fired* must be 0.',
    '',
    '## Verdicts that differ from the expectation',
    '',
    ...(misses.length === 0
      ? ['None.']
      : misses.map(
          (r) =>
            `- \`${r.corpus}\` (${r.id}): expected ${r.expected.manufacturer ?? 'no maker'} / ${r.expected.status}, got ${r.got.manufacturer ?? 'no maker'} / ${r.got.status}` +
            `${r.trapFired.length > 0 ? `; TRAP FIRED: ${r.trapFired.join('; ')}` : ''}${r.gap ? `; known gap: ${r.gap}` : ''}`,
        )),
    '',
    '## Devices whose maker the capture cannot establish',
    '',
    ...(unnamed.length === 0
      ? ['None.']
      : unnamed.map((r) => `- \`${r.corpus}\` (${r.id}): made by ${r.truth}; camsweep says ${r.got.manufacturer ?? 'no maker'} / ${r.got.status}, as expected`)),
    '',
    '## Files with nothing camsweep can observe',
    '',
    ...entries.filter((e) => e.unusable !== undefined).map((e) => `- \`${e.corpus}\`: ${e.unusable}`),
    '',
  ];
  return out.join('\n');
}
