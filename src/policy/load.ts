import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, errorMessage } from '../domain/errors.ts';
import { DEFAULT_PACKS } from './config.ts';
import { policyPackSchema, type PolicyPackData } from './schema.ts';
import { packProblems } from './validate.ts';
import { readVocabulary, vocabularyFromNames, type Vocabulary } from './vocabulary.ts';
import { openYamlSnapshot, packageSnapshotFile, yaml, type YamlSnapshot } from '../util/yaml-snapshot.ts';

/** A pack in force, with where it was read from. */
export type LoadedPack = PolicyPackData & {
  /** Absolute path of the YAML file. */
  readonly file: string;
  /** True for packs given as files (--policy-file, `policy.files`), false for shipped ones. */
  readonly custom: boolean;
};

/** The packs in force, in order (the order decides which rule a verdict names). Frozen. */
export interface Policy {
  readonly packs: readonly LoadedPack[];
}

export interface LoadPolicyOptions {
  /** Shipped pack ids, in order. Default: us-ndaa-889, uk-2022-sensitive-sites. */
  packs?: readonly string[];
  /** Custom pack files (paths as given, relative to the working directory), after `packs`. */
  customFiles?: readonly string[];
  /** Directory of the shipped packs. Default: config/policy/ in the package. */
  dir?: string;
  /** Canonical vendor names. Default: the names in config/vendors.yaml. */
  vendors?: readonly string[];
  /**
   * The vendor vocabulary already loaded (the fingerprint database's: a sweep loads both, and
   * the file need not be read and parsed twice). Default: read from config/vendors.yaml.
   */
  vocabulary?: Vocabulary;
}

/** config/policy/ next to src/ and dist/ alike: both are one level under the package root. */
export const PACK_DIR = fileURLToPath(new URL('../../config/policy/', import.meta.url));

/** A pack file larger than this is refused (the shipped ones are a few KiB). */
export const MAX_PACK_BYTES = 1024 * 1024;

/** Ids of the packs in `dir` (file names without .yaml), sorted. */
export function availablePacks(dir: string = PACK_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Reads and validates the selected packs. Every problem in every pack is collected and thrown
 * at once as one UsageError (the CLI exits 2), each line naming the file and the path of the
 * bad value.
 */
export function loadPolicy(options: LoadPolicyOptions = {}): Policy {
  const dir = options.dir ?? PACK_DIR;
  const vocabulary: Vocabulary = options.vocabulary ?? (options.vendors ? vocabularyFromNames(options.vendors) : readVocabulary());
  const ids = options.packs ?? DEFAULT_PACKS;
  const problems: string[] = [];
  const wanted: Array<{ file: string; label: string; custom: boolean; expectId?: string }> = [];

  let available: string[] = [];
  try {
    available = availablePacks(dir);
  } catch (err) {
    if (ids.length > 0) problems.push(`cannot list policy packs in ${dir}: ${errorMessage(err)}`);
  }
  const seenIds = new Set<string>();
  for (const id of ids) {
    if (seenIds.has(id)) {
      problems.push(`policy pack "${id}" is selected twice`);
      continue;
    }
    seenIds.add(id);
    if (available.includes(id)) {
      const file = resolve(dir, `${id}.yaml`);
      wanted.push({ file, label: dir === PACK_DIR ? `config/policy/${id}.yaml` : file, custom: false, expectId: id });
    } else {
      problems.push(`unknown policy pack "${id}" (available: ${available.join(', ') || 'none'})`);
    }
  }
  for (const f of options.customFiles ?? []) wanted.push({ file: resolve(f), label: f, custom: true });
  if (ids.length === 0 && (options.customFiles ?? []).length === 0) {
    problems.push('no policy pack selected: every verdict would be "clear" (select a pack or a custom pack file)');
  }

  const packs: LoadedPack[] = [];
  const packIds = new Map<string, string>();
  // The shipped packs' parsed YAML is kept between runs (src/util/yaml-snapshot.ts); an
  // operator's pack file is parsed every time.
  const snapshot = openYamlSnapshot(dir === PACK_DIR ? packageSnapshotFile(POLICY_SNAPSHOT) : undefined);
  const none = openYamlSnapshot(undefined);
  for (const w of wanted) {
    const pack = readPack(w.file, w.label, vocabulary, problems, w.custom ? none : snapshot);
    if (!pack) continue;
    const label = w.label;
    if (w.expectId !== undefined && pack.id !== w.expectId) {
      problems.push(`${label}: id "${pack.id}" does not match the file name (${w.expectId}.yaml)`);
    }
    const other = packIds.get(pack.id);
    if (other !== undefined) {
      problems.push(`${label}: pack id "${pack.id}" is already in force (from ${other})`);
      continue;
    }
    packIds.set(pack.id, label);
    packs.push({ ...pack, file: w.file, custom: w.custom });
  }

  snapshot.save();
  if (problems.length > 0) {
    throw new UsageError(`policy: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return deepFreeze({ packs });
}

/** One pack file: parse, validate against the schema, then the vocabulary and cross-field checks. */
/** The package's snapshot of its policy packs. */
export const POLICY_SNAPSHOT = 'policy';

/** Thrown by a parse whose YAML errors are already listed in `problems`. */
class YamlErrors extends Error {}

const PACK_YAML_OPTIONS = { prettyErrors: false, maxAliasCount: 100 } as const;

function readPack(file: string, label: string, vocabulary: Vocabulary, problems: string[], snapshot: YamlSnapshot): PolicyPackData | undefined {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_PACK_BYTES) {
      problems.push(`${label}: not a regular file of at most ${MAX_PACK_BYTES} bytes`);
      return undefined;
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${label}: cannot read: ${errorMessage(err)}`);
    return undefined;
  }
  let raw: unknown;
  try {
    raw = snapshot.value(text, PACK_YAML_OPTIONS, () => {
      const doc = yaml().parseDocument(text, { prettyErrors: PACK_YAML_OPTIONS.prettyErrors });
      if (doc.errors.length > 0) {
        for (const e of doc.errors) problems.push(`${label}: not valid YAML: ${e.message}`);
        throw new YamlErrors();
      }
      return doc.toJS({ maxAliasCount: PACK_YAML_OPTIONS.maxAliasCount });
    });
  } catch (err) {
    if (!(err instanceof YamlErrors)) problems.push(`${label}: not valid YAML: ${errorMessage(err)}`);
    return undefined;
  }
  const parsed = policyPackSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${label}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  for (const p of packProblems(raw, vocabulary)) problems.push(`${label}: ${p}`);
  return parsed.success ? parsed.data : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
