import type { Device, DeviceStatus } from '../../src/domain/types.ts';
import { identify } from '../../src/identify/index.ts';
import type { Judge } from '../../src/sweep/judge.ts';
import { MANIFEST } from './manifest/index.ts';
import { readFixture } from './observe.ts';
import { loadProjectCases, readCaseFile, type ProjectCase } from './project/cases.ts';
import { AS_OF, caseDevice } from './run.ts';
import { sourceKeyOf, splitOf, type CorpusSet } from './split.ts';
import { isJudged } from './types.ts';

/**
 * Every judged case of both corpora (the shared one, ../shared/corpus through the manifest;
 * the project's own, corpus/cases), with its split set, what the facts call for and what
 * camsweep said, and the figures the issue asks for, per set: restricted recall, restricted
 * makers cleared, false restricted, maker-of-record and brand accuracy.
 */

export interface Expected {
  manufacturer: string | null;
  brand?: string | null;
  kind?: string;
  status: DeviceStatus;
}

export interface Scored {
  corpus: 'shared' | 'project';
  id: string;
  group: string;
  key: string;
  set: CorpusSet;
  expected: Expected;
  got: Device;
}

/** INDEX.md's Source column per corpus path. */
export function sharedSourceKeys(): Map<string, string> {
  const index = readFixture('corpus/INDEX.md').toString('utf8');
  const keys = new Map<string, string>();
  for (const m of index.matchAll(/^\| ([\w.-]+\/[\w.-]+) \|[^|]*\|[^|]*\|[^|]*\| ([^|]*) \|/gmu)) {
    keys.set(m[1]!, sourceKeyOf(m[2]!) ?? `shared:${m[1]!}`);
  }
  return keys;
}

export async function scoreShared(judge: Judge): Promise<Scored[]> {
  const keys = sharedSourceKeys();
  const out: Scored[] = [];
  for (const entry of MANIFEST) {
    const key = keys.get(entry.corpus) ?? `shared:${entry.corpus}`;
    for (const c of entry.cases.filter(isJudged)) {
      const got = await caseDevice(entry, c, judge);
      out.push({ corpus: 'shared', id: `${entry.corpus} ${c.id}`, group: entry.vendor, key, set: splitOf(key), expected: c.expect, got });
    }
  }
  return out;
}

export function judgeProjectCase(c: ProjectCase, judge: Judge): Device {
  const captures = c.files.map((f) => ({ name: f.path, bytes: readCaseFile(c, f.path), ...(f.as === undefined ? {} : { as: f.as }) }));
  return identify(captures, judge, { asOf: AS_OF }).device;
}

export function scoreProject(judge: Judge, corpusDir?: string): { scored: Scored[]; problems: string[] } {
  const { cases, problems } = loadProjectCases(corpusDir);
  // Expectations name companies as the sources spell them (eufy, Polycom): compare canonical names.
  const canonical = <T extends string | null | undefined>(n: T): T => (typeof n === 'string' ? ((judge.db.vocabulary.canonical(n) ?? n) as T) : n);
  const scored = cases.map((c): Scored => ({
    corpus: 'project',
    id: c.id,
    group: c.group,
    key: c.source.key,
    set: c.set,
    expected: {
      manufacturer: canonical(c.expect.manufacturer),
      ...(c.expect.brand === undefined ? {} : { brand: canonical(c.expect.brand) }),
      ...(c.expect.kind === undefined ? {} : { kind: c.expect.kind }),
      status: c.expect.status,
    },
    got: judgeProjectCase(c, judge),
  }));
  return { scored, problems };
}

export interface Figures {
  cases: number;
  sources: number;
  /** Devices the facts call restricted, and what camsweep said of them. */
  restricted: Record<DeviceStatus, number> & { total: number };
  /** Devices the facts do not call restricted that camsweep restricted. */
  falseRestricted: number;
  notRestricted: number;
  /** Cases whose maker of record the facts establish, and those camsweep named exactly. */
  makerCases: number;
  makerRight: number;
  /** Cases with no establishable maker where camsweep named none either. */
  noMakerCases: number;
  noMakerRight: number;
  brandCases: number;
  brandRight: number;
  statusRight: number;
}

export function figures(scored: readonly Scored[]): Figures {
  const f: Figures = {
    cases: scored.length,
    sources: new Set(scored.map((s) => s.key)).size,
    restricted: { total: 0, restricted: 0, review: 0, clear: 0 },
    falseRestricted: 0,
    notRestricted: 0,
    makerCases: 0,
    makerRight: 0,
    noMakerCases: 0,
    noMakerRight: 0,
    brandCases: 0,
    brandRight: 0,
    statusRight: 0,
  };
  for (const s of scored) {
    const { expected: e, got } = s;
    if (e.status === 'restricted') {
      f.restricted.total += 1;
      f.restricted[got.status] += 1;
    } else {
      f.notRestricted += 1;
      if (got.status === 'restricted') f.falseRestricted += 1;
    }
    if (e.manufacturer !== null) {
      f.makerCases += 1;
      if (got.manufacturer === e.manufacturer) f.makerRight += 1;
    } else {
      f.noMakerCases += 1;
      if (got.manufacturer === null) f.noMakerRight += 1;
    }
    if (e.brand !== undefined && e.brand !== null) {
      f.brandCases += 1;
      if (got.brand === e.brand) f.brandRight += 1;
    }
    if (got.status === e.status) f.statusRight += 1;
  }
  return f;
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${n}/${d} (${Math.round((100 * n) / d)}%)`);

/** The in-sample / out-of-sample table: the out-of-sample column is the one that counts. */
export function renderSplitTable(fitting: Figures, heldOut: Figures): string {
  const rows: Array<[string, (f: Figures) => string]> = [
    ['cases (devices)', (f) => String(f.cases)],
    ['sources', (f) => String(f.sources)],
    ['restricted recall (restricted-maker devices judged restricted)', (f) => pct(f.restricted.restricted, f.restricted.total)],
    ['restricted-maker devices held for review', (f) => String(f.restricted.review)],
    ['restricted-maker devices cleared (worst failure)', (f) => String(f.restricted.clear)],
    ['false restricted (of devices not restricted)', (f) => `${f.falseRestricted} of ${f.notRestricted}`],
    ['maker of record right (where the facts establish one)', (f) => pct(f.makerRight, f.makerCases)],
    ['no maker invented (where the facts establish none)', (f) => pct(f.noMakerRight, f.noMakerCases)],
    ['brand right (where the device states one)', (f) => pct(f.brandRight, f.brandCases)],
    ['status right', (f) => pct(f.statusRight, f.cases)],
  ];
  return [
    '| figure | in sample (fitting) | out of sample (held out) |',
    '|---|---:|---:|',
    ...rows.map(([label, get]) => `| ${label} | ${get(fitting)} | ${get(heldOut)} |`),
  ].join('\n');
}

/** One line per case camsweep got wrong (status, maker or brand), for the report. */
export function misses(scored: readonly Scored[]): string[] {
  const out: string[] = [];
  for (const s of scored) {
    const e = s.expected;
    const wrong: string[] = [];
    if (s.got.status !== e.status) wrong.push(`status ${s.got.status} (expected ${e.status})`);
    if (s.got.manufacturer !== e.manufacturer) wrong.push(`maker ${s.got.manufacturer ?? '-'} (expected ${e.manufacturer ?? '-'})`);
    if (e.brand !== undefined && e.brand !== null && s.got.brand !== e.brand) wrong.push(`brand ${s.got.brand ?? '-'} (expected ${e.brand})`);
    if (wrong.length > 0) out.push(`${s.set} ${s.corpus} ${s.id}: ${wrong.join(', ')}`);
  }
  return out;
}
