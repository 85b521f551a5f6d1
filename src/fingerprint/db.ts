import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../domain/errors.ts';
import { DEFAULT_CALIBRATION_FILE, loadCalibration } from './calibration.ts';
import { applyCalibration, compileFingerprints, type SourceFile } from './compile.ts';
import { selfCheck } from './selfcheck.ts';
import type { FingerprintDb } from './types.ts';
import { checkVocabulary, DEFAULT_VENDORS_FILE, vendorsValue, type Vocabulary } from './vocabulary.ts';
import { openYamlSnapshot, packageSnapshotFile, type YamlSnapshot } from '../util/yaml-snapshot.ts';

export type { FingerprintDb, CompiledFingerprint } from './types.ts';

/** config/fingerprints in the package, from src/ and from dist/ alike. */
export const DEFAULT_FINGERPRINT_DIR = fileURLToPath(new URL('../../config/fingerprints/', import.meta.url));

export interface FingerprintDbOptions {
  /** Directory of `<vendor>.yaml` files (default: the package's config/fingerprints). */
  dir?: string;
  /**
   * Measured weights (config/calibration.json): applied by default to the packaged database
   * only; `false` loads the authors' weights as written (what calibration itself starts from).
   */
  calibrationFile?: string | false;
  /** The vendor vocabulary file (default: the package's config/vendors.yaml). */
  vendorsFile?: string;
  /**
   * Where the parsed YAML is kept between runs (src/util/yaml-snapshot.ts): by default the
   * package's snapshot when the package's own files are loaded (no `dir`, no `vendorsFile`),
   * none otherwise; `false`: none.
   */
  snapshotFile?: string | false;
}

/** The package's snapshot of its fingerprint files and vendor vocabulary. */
export const FINGERPRINT_SNAPSHOT = 'fingerprints';

export interface FingerprintStats {
  files: number;
  fingerprints: number;
  examples: number;
  counterExamples: number;
  /** Per file (vendor): fingerprints, examples and counter-examples. */
  perFile: Record<string, { fingerprints: number; examples: number; counterExamples: number }>;
  /** Every field some entry reads, with how many entries read it. */
  fields: Record<string, number>;
}

export interface VerifyResult {
  problems: string[];
  stats: FingerprintStats;
}

interface Loaded {
  db?: FingerprintDb;
  problems: string[];
}

function readVocabulary(file: string, snapshot: YamlSnapshot): { vocabulary?: Vocabulary; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problems: [`cannot read vendor vocabulary ${file}: ${(err as Error).message}`] };
  }
  let raw: unknown;
  try {
    raw = vendorsValue(text, snapshot);
  } catch (err) {
    return { problems: [`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  return checkVocabulary(raw, file);
}

function readSources(dir: string): { files: SourceFile[]; problems: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/u.test(n)).sort();
  } catch (err) {
    return { files: [], problems: [`cannot read fingerprint directory ${dir}: ${(err as Error).message}`] };
  }
  if (names.length === 0) return { files: [], problems: [`${dir}: no fingerprint files (*.yaml)`] };
  const files: SourceFile[] = [];
  const problems: string[] = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      files.push({ name: basename(n).replace(/\.ya?ml$/u, ''), path, text: readFileSync(path, 'utf8') });
    } catch (err) {
      problems.push(`cannot read ${path}: ${(err as Error).message}`);
    }
  }
  return { files, problems };
}

function snapshotOf(options: FingerprintDbOptions): YamlSnapshot {
  const packaged = options.dir === undefined && options.vendorsFile === undefined;
  const file = options.snapshotFile ?? (packaged ? packageSnapshotFile(FINGERPRINT_SNAPSHOT) : false);
  return openYamlSnapshot(file === false ? undefined : file);
}

function load(options: FingerprintDbOptions): Loaded {
  const snapshot = snapshotOf(options);
  const vocab = readVocabulary(options.vendorsFile ?? DEFAULT_VENDORS_FILE, snapshot);
  const sources = readSources(options.dir ?? DEFAULT_FINGERPRINT_DIR);
  const problems = [...vocab.problems, ...sources.problems];
  if (!vocab.vocabulary) return { problems };
  const compiled = compileFingerprints(sources.files, vocab.vocabulary, snapshot);
  snapshot.save();
  const calibrationFile = options.calibrationFile ?? (options.dir === undefined ? DEFAULT_CALIBRATION_FILE : false);
  let db = compiled.db;
  if (calibrationFile !== false) {
    try {
      const calibration = loadCalibration(calibrationFile);
      if (calibration !== undefined) db = applyCalibration(db, calibration);
    } catch (err) {
      problems.push(`calibration: ${(err as Error).message}`);
    }
  }
  return { db, problems: [...problems, ...compiled.problems] };
}

/**
 * Loads the fingerprint database: files in name order, entries in file order; regexes
 * compiled once; indexed by field. Any problem (schema, vocabulary, ids, regex sanity) is
 * reported, all at once, in one UsageError. The examples are not run here: that is verify's job.
 */
export function loadFingerprintDb(options: FingerprintDbOptions = {}): FingerprintDb {
  const { db, problems } = load(options);
  if (!db || problems.length > 0) {
    throw new UsageError(`fingerprint database has ${problems.length} problem(s) (run \`camsweep fingerprints verify\`):\n  ${problems.join('\n  ')}`);
  }
  return db;
}

export function fingerprintStats(db: FingerprintDb | undefined): FingerprintStats {
  const stats: FingerprintStats = { files: db?.files.length ?? 0, fingerprints: 0, examples: 0, counterExamples: 0, perFile: {}, fields: {} };
  for (const name of db?.files ?? []) stats.perFile[name] = { fingerprints: 0, examples: 0, counterExamples: 0 };
  for (const fp of db?.fingerprints ?? []) {
    const f = (stats.perFile[fp.file] ??= { fingerprints: 0, examples: 0, counterExamples: 0 });
    f.fingerprints += 1;
    f.examples += fp.examples.length;
    f.counterExamples += fp.counterExamples.length;
    stats.fingerprints += 1;
    stats.examples += fp.examples.length;
    stats.counterExamples += fp.counterExamples.length;
    for (const field of fp.fields) stats.fields[field] = (stats.fields[field] ?? 0) + 1;
  }
  return stats;
}

/**
 * Everything an author needs to hear about the database: what loading reports (schema,
 * vocabulary, duplicate ids and field/pattern pairs, regex sanity) plus the self-test
 * (examples match their own entry first and extract what they declare, counter-examples do
 * not fire, patterns stay fast). Never throws for a bad database: problems are returned.
 */
export function verifyFingerprintDb(options: FingerprintDbOptions = {}): VerifyResult {
  const { db, problems } = load(options);
  const all = db ? [...problems, ...selfCheck(db)] : problems;
  return { problems: all, stats: fingerprintStats(db) };
}
