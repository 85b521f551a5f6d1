import { loadVocabulary, type Vocabulary as VendorVocabulary } from '../fingerprint/vocabulary.ts';

/**
 * The vendor vocabulary (config/vendors.yaml) as the policy loader needs it: the canonical
 * names a pack may use, and the canonical name behind any other known spelling, to suggest it
 * when a pack uses that spelling. Read and validated by the fingerprint vocabulary's loader:
 * one reader of the file, one set of rules.
 */
export interface Vocabulary {
  names: ReadonlySet<string>;
  /** The canonical name for a name or alias (any letter case), or undefined. */
  canonical(nameOrAlias: string): string | undefined;
}

export function vocabularyFromVendors(vendors: VendorVocabulary): Vocabulary {
  return { names: new Set(vendors.names), canonical: (nameOrAlias) => vendors.canonical(nameOrAlias) };
}

/** A vocabulary of just these names (tests, and packs checked against a given list). */
export function vocabularyFromNames(names: readonly string[]): Vocabulary {
  const byKey = new Map(names.map((n) => [n.trim().toLowerCase(), n]));
  return { names: new Set(names), canonical: (nameOrAlias) => byKey.get(nameOrAlias.trim().toLowerCase()) };
}

/** Reads config/vendors.yaml (or `file`); a broken vocabulary is a UsageError listing every problem. */
export function readVocabulary(file?: string): Vocabulary {
  return vocabularyFromVendors(file === undefined ? loadVocabulary() : loadVocabulary(file));
}

/** Why `name` is not acceptable, or undefined when it is a canonical name. */
export function vocabularyProblem(vocabulary: Vocabulary, name: string): string | undefined {
  if (vocabulary.names.has(name)) return undefined;
  const canonical = vocabulary.canonical(name);
  return canonical === undefined
    ? `unknown vendor "${name}" (not in config/vendors.yaml; ask its owner to add it)`
    : `"${name}" is not the canonical vendor name: use "${canonical}"`;
}
