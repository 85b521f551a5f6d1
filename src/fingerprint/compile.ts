import { PROTOCOLS } from '../domain/types.ts';
import { analysePattern, compilePattern, templateRefs } from './regex.ts';
import { fingerprintFileSchema, type ClaimTemplate, type FingerprintEntry, type Tell } from './schema.ts';
import { statementWeightsOf, type Calibration } from './calibration.ts';
import { isMakerField } from './statements.ts';
import type { CompiledFingerprint, FingerprintDb, Requirement } from './types.ts';
import type { Vocabulary } from './vocabulary.ts';
import { openYamlSnapshot, yaml, type YamlSnapshot } from '../util/yaml-snapshot.ts';

/**
 * Fingerprint files -> one database: parse, validate against the schema and the vendor
 * vocabulary, compile each regex once, and index the entries by field. Every problem is
 * collected (with file and entry) instead of stopping at the first; entries with problems
 * are left out of the database.
 */

export interface SourceFile {
  /** Base name without extension (`hikvision`): also the prefix of every id in the file. */
  name: string;
  /** Path for messages. */
  path: string;
  text: string;
}

export interface CompileResult {
  db: FingerprintDb;
  problems: string[];
}

const FILE_NAME = /^[a-z0-9][a-z0-9-]*$/u;
const KNOWN_ROOTS: ReadonlySet<string> = new Set(PROTOCOLS);

/** Whether an entry field (exact, or `prefix.*`) covers an evidence field. */
export function fieldCovers(entryField: string, field: string): boolean {
  if (entryField.endsWith('.*')) return field.startsWith(entryField.slice(0, -1)) && field.length > entryField.length - 1;
  return entryField === field;
}

function checkClaims(claims: ClaimTemplate, groups: readonly string[], vocabulary: Vocabulary, where: string, problems: string[]): void {
  if (claims.manufacturer !== undefined) {
    const vendor = vocabulary.vendor(claims.manufacturer);
    if (!vendor) problems.push(`${where}: unknown manufacturer "${claims.manufacturer}" (not in the vendor vocabulary)`);
    else if (vendor.name !== claims.manufacturer) problems.push(`${where}: write the canonical name "${vendor.name}", not "${claims.manufacturer}"`);
    else if (vendor.kind === 'brand') problems.push(`${where}: "${vendor.name}" is a brand: claim it as brand, and the maker from a protocol tell`);
    else if (vendor.kind === 'component') problems.push(`${where}: "${vendor.name}" makes components, not devices: it is never a device's maker`);
  }
  if (claims.brand !== undefined) {
    const vendor = vocabulary.vendor(claims.brand);
    if (!vendor) problems.push(`${where}: unknown brand "${claims.brand}" (not in the vendor vocabulary)`);
    else if (vendor.name !== claims.brand) problems.push(`${where}: write the canonical name "${vendor.name}", not "${claims.brand}"`);
    else if (vendor.kind === 'component') problems.push(`${where}: "${vendor.name}" makes components: it is no device's label`);
  }
  for (const key of ['model', 'firmwareFamily'] as const) {
    const template = claims[key];
    if (template === undefined) continue;
    for (const ref of templateRefs(template)) {
      if (!groups.includes(ref)) problems.push(`${where}: claims.${key} uses $<${ref}> but the pattern has no group named ${ref}`);
    }
  }
}

/**
 * The tell an entry is when it does not say: a brand-only claim is a label; the MAC registry's
 * fields, a registry tell; a field meant to name the maker, a statement; anything else a
 * platform tell.
 */
export function inferTell(entry: Pick<FingerprintEntry, 'claims' | 'tell'>, fields: readonly string[]): Tell {
  if (entry.tell !== undefined) return entry.tell;
  if (entry.claims.manufacturer === undefined) return 'label';
  if (fields.every((f) => f.startsWith('mac.'))) return 'registry';
  if (fields.some(isMakerField)) return 'statement';
  return 'platform';
}

/** Independence group: declared, or the id's topic (`hikvision.namespace.onvif-ext` -> `namespace`). */
export function inferGroup(entry: Pick<FingerprintEntry, 'id' | 'group'>, tell: Tell): string {
  if (entry.group !== undefined) return entry.group;
  if (tell === 'statement' || tell === 'registry' || tell === 'label') return tell;
  return entry.id.split('.')[1] ?? 'platform';
}

function compileEntry(entry: FingerprintEntry, file: SourceFile, order: number, vocabulary: Vocabulary, problems: string[]): CompiledFingerprint | undefined {
  const where = `${file.path}: ${entry.id}`;
  const before = problems.length;
  if (entry.id.split('.')[0] !== file.name) problems.push(`${where}: id must start with "${file.name}." (the file's name)`);
  const fields = typeof entry.field === 'string' ? [entry.field] : entry.field;
  for (const f of fields) {
    const root = f.split('.')[0]!;
    if (!KNOWN_ROOTS.has(root)) problems.push(`${where}: field ${f} does not start with a protocol (${[...KNOWN_ROOTS].join(', ')})`);
  }
  if (new Set(fields).size !== fields.length) problems.push(`${where}: a field is listed twice`);

  const analysis = analysePattern(entry.pattern);
  for (const p of analysis.problems) problems.push(`${where}: ${p}`);
  const regex = compilePattern(entry.pattern, entry.flags);
  if (typeof regex === 'string') problems.push(`${where}: pattern does not compile: ${regex}`);
  else if (regex.test('')) problems.push(`${where}: pattern matches the empty string (it would match every value)`);

  const requires: Requirement[] = [];
  for (const [i, req] of (entry.requires ?? []).entries()) {
    for (const p of analysePattern(req.pattern).problems) problems.push(`${where}: requires.${i}: ${p}`);
    const r = compilePattern(req.pattern, req.flags);
    if (typeof r === 'string') problems.push(`${where}: requires.${i}: pattern does not compile: ${r}`);
    else if (r.test('')) problems.push(`${where}: requires.${i}: pattern matches the empty string`);
    else requires.push({ field: req.field, pattern: req.pattern, regex: r });
  }

  checkClaims(entry.claims, analysis.groupNames, vocabulary, `${where}: claims`, problems);
  const examples = entry.examples.map((ex, i) => {
    const field = ex.field ?? fields[0]!;
    if (!fields.some((f) => fieldCovers(f, field))) problems.push(`${where}: examples.${i}: field ${field} is not one the entry reads`);
    checkClaims(ex.claims, analysis.groupNames, vocabulary, `${where}: examples.${i}.claims`, problems);
    return { value: ex.value, field, claims: ex.claims, context: ex.context ?? [], source: ex.source };
  });
  const counterExamples = (entry.counterExamples ?? []).map((ce) => {
    const out: CompiledFingerprint['counterExamples'][number] = { value: ce.value, field: ce.field ?? fields[0]!, source: ce.source };
    if (ce.note !== undefined) out.note = ce.note;
    return out;
  });

  if (entry.shared === true && entry.sharedBecause === undefined) problems.push(`${where}: shared: true needs sharedBecause (why other makers show it)`);
  if (entry.sharedBecause !== undefined && entry.shared !== true) problems.push(`${where}: sharedBecause without shared: true`);
  if (problems.length > before || typeof regex === 'string') return undefined;
  const tell = inferTell(entry, fields);
  return Object.freeze({
    id: entry.id,
    file: file.name,
    order,
    fields: Object.freeze([...fields]),
    pattern: entry.pattern,
    flags: entry.flags ?? '',
    regex,
    claims: Object.freeze({ ...entry.claims }),
    weight: entry.weight,
    tell,
    group: inferGroup(entry, tell),
    shared: entry.shared === true,
    ...(entry.sharedBecause === undefined ? {} : { sharedBecause: entry.sharedBecause }),
    description: entry.description,
    requires: Object.freeze(requires),
    examples: Object.freeze(examples),
    counterExamples: Object.freeze(counterExamples),
  });
}

/** How a fingerprint file is parsed (the key of its value in a snapshot too). */
const FILE_YAML_OPTIONS = { maxAliasCount: 50, uniqueKeys: true } as const;

/**
 * Parses, validates and compiles the files (in the order given) into one database. `snapshot`
 * may hold the files' parsed values from an earlier run (src/util/yaml-snapshot.ts); every
 * check below runs on them all the same.
 */
export function compileFingerprints(files: readonly SourceFile[], vocabulary: Vocabulary, snapshot: YamlSnapshot = openYamlSnapshot(undefined)): CompileResult {
  const problems: string[] = [];
  const compiled: CompiledFingerprint[] = [];
  const ids = new Map<string, string>();
  const pairs = new Map<string, string>();
  const fileNames: string[] = [];

  for (const file of files) {
    if (!FILE_NAME.test(file.name)) {
      problems.push(`${file.path}: file name must be lower-case letters, digits and dashes (the vendor's slug)`);
      continue;
    }
    fileNames.push(file.name);
    let raw: unknown;
    try {
      raw = snapshot.value(file.text, FILE_YAML_OPTIONS, () => yaml().parse(file.text, FILE_YAML_OPTIONS));
    } catch (err) {
      problems.push(`${file.path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = fingerprintFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String);
        const entry = path[0] === 'fingerprints' && path[1] !== undefined ? (raw as { fingerprints?: Array<{ id?: unknown }> }).fingerprints?.[Number(path[1])]?.id : undefined;
        const label = typeof entry === 'string' ? `${entry} (${path.slice(2).join('.') || 'entry'})` : path.join('.') || '(root)';
        problems.push(`${file.path}: ${label}: ${issue.message}`);
      }
      continue;
    }
    for (const entry of parsed.data.fingerprints) {
      const seenIn = ids.get(entry.id);
      if (seenIn !== undefined) {
        problems.push(`${file.path}: ${entry.id}: duplicate id (also in ${seenIn})`);
        continue;
      }
      ids.set(entry.id, file.path);
      for (const f of typeof entry.field === 'string' ? [entry.field] : entry.field) {
        const key = `${f}\u0000${entry.flags ?? ''}\u0000${entry.pattern}`;
        const other = pairs.get(key);
        if (other !== undefined) problems.push(`${file.path}: ${entry.id}: same field and pattern as ${other} (${f})`);
        else pairs.set(key, entry.id);
      }
      const fp = compileEntry(entry, file, compiled.length, vocabulary, problems);
      if (fp) compiled.push(fp);
    }
  }
  return { db: buildDb(compiled, vocabulary, fileNames), problems };
}

/**
 * The database with measured weights and shared flags applied (calibration.ts): an entry's
 * weight becomes its calibrated one, and an entry measured firing on another maker's device
 * becomes shared. Entries the calibration does not know keep what their file says.
 */
export function applyCalibration(db: FingerprintDb, calibration: Calibration): FingerprintDb {
  const fingerprints = db.fingerprints.map((fp) => {
    const m = calibration.fingerprints[fp.id];
    if (m === undefined) return fp;
    const shared = fp.shared || m.sharedBy !== undefined;
    const because = fp.sharedBecause ?? (m.sharedBy === undefined ? undefined : `measured: fired on another maker's device (${m.sharedBy})`);
    return Object.freeze({ ...fp, weight: m.weight, shared, ...(because === undefined ? {} : { sharedBecause: because }) });
  });
  return buildDb(fingerprints, db.vocabulary, db.files, statementWeightsOf(calibration));
}

function buildDb(
  fingerprints: readonly CompiledFingerprint[],
  vocabulary: Vocabulary,
  files: readonly string[],
  statementWeights?: Readonly<Record<'maker' | 'product' | 'text', number>>,
): FingerprintDb {
  const exact = new Map<string, CompiledFingerprint[]>();
  const prefixed: Array<{ prefix: string; fp: CompiledFingerprint }> = [];
  for (const fp of fingerprints) {
    for (const f of fp.fields) {
      if (f.endsWith('.*')) prefixed.push({ prefix: f.slice(0, -1), fp });
      else {
        const list = exact.get(f) ?? [];
        list.push(fp);
        exact.set(f, list);
      }
    }
  }
  prefixed.sort((a, b) => b.prefix.length - a.prefix.length || a.fp.order - b.fp.order);
  const none: readonly CompiledFingerprint[] = Object.freeze([]);
  const ids = new Map(fingerprints.map((fp) => [fp.id, fp]));
  return Object.freeze({
    ...(statementWeights === undefined ? {} : { statementWeights: Object.freeze({ ...statementWeights }) }),
    byId: (id: string) => ids.get(id),
    fingerprints: Object.freeze([...fingerprints]),
    vocabulary,
    files: Object.freeze([...files]),
    candidatesFor(field: string): readonly CompiledFingerprint[] {
      const direct = exact.get(field) ?? none;
      const wild = prefixed.filter((p) => field.startsWith(p.prefix) && field.length > p.prefix.length).map((p) => p.fp);
      if (wild.length === 0) return direct;
      return [...direct, ...wild.filter((fp) => !direct.includes(fp))];
    },
  });
}
