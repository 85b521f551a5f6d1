import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { FingerprintDb } from '../../src/fingerprint/types.ts';
import { attribute } from '../../src/fingerprint/match.ts';
import { splitOf, type CorpusSet } from './split.ts';

/**
 * The model catalogues (corpus/models/*.yaml, 10,000+ codes from makers' lists and open
 * camera-model datasets) against the fingerprint database: each code, as a device would state
 * it in ONVIF `Model`, is attributed (pure, nothing sent), and the maker it gets is compared
 * with the maker the catalogue files it under. Split by source like the cases: patterns are
 * written from fitting catalogues; held-out ones measure them.
 */

export const MODELS_DIR = new URL('../../corpus/models/', import.meta.url);

const fileSchema = z.object({
  maker: z.string().min(1),
  brands: z.array(z.string()).optional(),
  note: z.string().optional(),
  sources: z.array(z.object({ id: z.string(), key: z.string() }).passthrough()),
  models: z.array(z.object({ code: z.string(), source: z.string(), label: z.string().optional(), kind: z.string().optional() }).passthrough()),
});

export interface CatalogueCode {
  file: string;
  maker: string;
  code: string;
  label?: string;
  sourceKey: string;
  set: CorpusSet;
}

export function loadCatalogues(dir: URL = MODELS_DIR): CatalogueCode[] {
  const out: CatalogueCode[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = fileSchema.parse(parse(readFileSync(new URL(name, dir), 'utf8')));
    const keys = new Map(doc.sources.map((s) => [s.id, s.key]));
    for (const m of doc.models) {
      const sourceKey = keys.get(m.source) ?? m.source;
      out.push({ file: name, maker: doc.maker, code: m.code, ...(m.label ? { label: m.label } : {}), sourceKey, set: splitOf(sourceKey) });
    }
  }
  return out;
}

/**
 * right: its maker (or family); relabelled: a maker its label is known to sell; label: no maker,
 * but the catalogue's label; none; other: another maker (a collision); other-label: no maker, but
 * another label (a label collision: a covered label would hold the device for review).
 */
export type CodeOutcome = 'right' | 'relabelled' | 'label' | 'none' | 'other' | 'other-label';

export interface ScoredCode extends CatalogueCode {
  outcome: CodeOutcome;
  /** The maker of record, else the strongest candidate. */
  got: string | null;
  /** The label the attribution gives. */
  brand: string | null;
}

/** Whether `got` is `maker`, in its family, or a maker `maker` is known to sell (madeBy). */
function sameMaker(db: FingerprintDb, maker: string, got: string): boolean {
  const v = db.vocabulary;
  const canon = (n: string) => v.vendor(n)?.name ?? n;
  const a = canon(maker);
  const b = canon(got);
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const la = v.lineage(a);
  const lb = v.lineage(b);
  return la.includes(b) || lb.includes(a);
}

function madeByOf(db: FingerprintDb, maker: string, got: string): boolean {
  const vendor = db.vocabulary.vendor(maker);
  return vendor !== undefined && vendor.madeBy.some((l) => db.vocabulary.lineage(l.maker).includes(got) || l.maker === got);
}

export function scoreCodes(db: FingerprintDb, codes: readonly CatalogueCode[]): ScoredCode[] {
  return codes.map((c) => {
    const a = attribute([{ protocol: 'onvif', field: 'onvif.model', value: c.code }], db);
    const got = a.manufacturer ?? a.candidates[0]?.manufacturer ?? null;
    const labelled = a.brand !== null && sameMaker(db, c.maker, a.brand);
    const outcome: CodeOutcome =
      got === null
        ? labelled
          ? 'label'
          : a.brand !== null && db.vocabulary.vendor(a.brand)?.anonymous !== true
            ? 'other-label'
            : 'none'
        : sameMaker(db, c.maker, got)
          ? 'right'
          : madeByOf(db, c.maker, got)
            ? 'relabelled'
            : 'other';
    return { ...c, outcome, got, brand: a.brand };
  });
}

export interface ModelFigures {
  maker: string;
  set: CorpusSet;
  codes: number;
  right: number;
  relabelled: number;
  label: number;
  none: number;
  other: number;
  'other-label': number;
}

export function modelFigures(scored: readonly ScoredCode[]): ModelFigures[] {
  const by = new Map<string, ModelFigures>();
  for (const s of scored) {
    const key = `${s.maker}\u0000${s.set}`;
    const f = by.get(key) ?? { maker: s.maker, set: s.set, codes: 0, right: 0, relabelled: 0, label: 0, none: 0, other: 0, 'other-label': 0 };
    f.codes += 1;
    f[s.outcome] += 1;
    by.set(key, f);
  }
  return [...by.values()].sort((a, b) => b.codes - a.codes || a.maker.localeCompare(b.maker));
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${n}/${d} (${Math.round((100 * n) / d)}%)`);

/** The per-maker table and the in-sample / out-of-sample totals, as Markdown. */
export function renderModelTable(figures: readonly ModelFigures[]): { table: string; totals: string } {
  const rows = figures.map((f) => `| ${f.maker} | ${f.set} | ${f.codes} | ${pct(f.right + f.relabelled, f.codes)} | ${f.label} | ${f.none} | ${f.other} | ${f['other-label']} |`);
  const table = ['| catalogue maker | set | codes | recognised (maker or its label\'s maker) | label only | none | other maker | other label |', '|---|---|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
  const sum = (set: CorpusSet) => {
    const fs = figures.filter((f) => f.set === set);
    const codes = fs.reduce((n, f) => n + f.codes, 0);
    return {
      codes,
      known: fs.reduce((n, f) => n + f.right + f.relabelled, 0),
      label: fs.reduce((n, f) => n + f.label, 0),
      other: fs.reduce((n, f) => n + f.other, 0),
      otherLabel: fs.reduce((n, f) => n + f['other-label'], 0),
    };
  };
  const fit = sum('fitting');
  const held = sum('held-out');
  const totals = [
    '| figure | in sample (fitting) | out of sample (held out) |',
    '|---|---:|---:|',
    `| codes | ${fit.codes} | ${held.codes} |`,
    `| recognised as their maker (or their label's maker) | ${pct(fit.known, fit.codes)} | ${pct(held.known, held.codes)} |`,
    `| their label recognised, no maker named | ${pct(fit.label, fit.codes)} | ${pct(held.label, held.codes)} |`,
    `| attributed to another maker | ${pct(fit.other, fit.codes)} | ${pct(held.other, held.codes)} |`,
    `| no maker, another label | ${pct(fit.otherLabel, fit.codes)} | ${pct(held.otherLabel, held.codes)} |`,
  ].join('\n');
  return { table, totals };
}
