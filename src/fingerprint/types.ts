import type { ClaimTemplate } from './schema.ts';
import type { Vocabulary } from './vocabulary.ts';

/** A condition on other evidence of the same device (`requires` in the file). */
export interface Requirement {
  field: string;
  pattern: string;
  regex: RegExp;
}

export interface FingerprintExample {
  value: string;
  field: string;
  claims: ClaimTemplate;
  context: ReadonlyArray<{ field: string; value: string }>;
  source: string;
}

export interface FingerprintCounterExample {
  value: string;
  field: string;
  source: string;
  note?: string;
}

/** One fingerprint, validated and compiled. */
export interface CompiledFingerprint {
  id: string;
  /** The file it came from (base name without extension, e.g. `hikvision`). */
  file: string;
  /** Position in the database: the order in which entries are tried. */
  order: number;
  /** Exact fields and `prefix.*` fields it reads. */
  fields: readonly string[];
  pattern: string;
  flags: string;
  regex: RegExp;
  claims: Readonly<ClaimTemplate>;
  weight: number;
  description: string;
  requires: readonly Requirement[];
  examples: readonly FingerprintExample[];
  counterExamples: readonly FingerprintCounterExample[];
}

export interface FingerprintDb {
  readonly fingerprints: readonly CompiledFingerprint[];
  readonly vocabulary: Vocabulary;
  /** The files read, in database order (base names). */
  readonly files: readonly string[];
  /**
   * The entries that read `field`, in the order they are tried: entries naming the field
   * exactly (database order), then entries reading a prefix of it (longest prefix first).
   */
  candidatesFor(field: string): readonly CompiledFingerprint[];
}
