import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CamsweepError, errorMessage } from '../domain/errors.ts';

/**
 * The vendor vocabulary (config/vendors.yaml) as the policy loader needs it: the canonical
 * names a pack may use, and the known spellings of each, to suggest the right name when a pack
 * uses another one.
 */
export interface Vocabulary {
  names: ReadonlySet<string>;
  /** Lower-cased canonical name or alias -> canonical name. */
  spellings: ReadonlyMap<string, string>;
}

export const VENDORS_FILE = new URL('../../config/vendors.yaml', import.meta.url);

export function vocabularyFromNames(names: readonly string[]): Vocabulary {
  return {
    names: new Set(names),
    spellings: new Map(names.map((n) => [n.toLowerCase(), n])),
  };
}

/** Reads config/vendors.yaml (or `file`). A broken vocabulary is a packaging fault, not a usage error. */
export function readVocabulary(file: URL | string = VENDORS_FILE): Vocabulary {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    throw new CamsweepError('VOCABULARY_INVALID', `cannot read the vendor vocabulary ${String(file)}: ${errorMessage(err)}`);
  }
  const vendors = doc && typeof doc === 'object' && 'vendors' in doc ? doc.vendors : undefined;
  if (!Array.isArray(vendors)) throw new CamsweepError('VOCABULARY_INVALID', `the vendor vocabulary ${String(file)} has no vendors list`);
  const names = new Set<string>();
  const spellings = new Map<string, string>();
  for (const v of vendors as unknown[]) {
    const name = v && typeof v === 'object' && 'name' in v && typeof v.name === 'string' ? v.name : undefined;
    if (name === undefined) throw new CamsweepError('VOCABULARY_INVALID', `the vendor vocabulary ${String(file)} has an entry without a name`);
    names.add(name);
    spellings.set(name.toLowerCase(), name);
    const aliases = 'aliases' in (v as object) ? (v as { aliases: unknown }).aliases : [];
    if (Array.isArray(aliases)) {
      for (const a of aliases) if (typeof a === 'string' && !spellings.has(a.toLowerCase())) spellings.set(a.toLowerCase(), name);
    }
  }
  return { names, spellings };
}

/** Why `name` is not acceptable, or undefined when it is a canonical name. */
export function vocabularyProblem(vocabulary: Vocabulary, name: string): string | undefined {
  if (vocabulary.names.has(name)) return undefined;
  const canonical = vocabulary.spellings.get(name.toLowerCase());
  return canonical === undefined
    ? `unknown vendor "${name}" (not in config/vendors.yaml; ask its owner to add it)`
    : `"${name}" is not the canonical vendor name: use "${canonical}"`;
}
