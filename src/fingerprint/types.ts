import type { ClaimTemplate, Tell } from './schema.ts';
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
  /** platform, statement, registry or label (declared, or inferred: see schema.ts). */
  tell: Tell;
  /** Independence group: matches in one group count once, at the strongest. */
  group: string;
  /** Cannot establish a maker alone (declared, or measured on the corpus: see calibration). */
  shared: boolean;
  sharedBecause?: string;
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
  /** The entry with this id. */
  byId(id: string): CompiledFingerprint | undefined;
  /** Weights of statements by class (the generic name matcher), when calibrated. */
  readonly statementWeights?: Readonly<Record<'maker' | 'product' | 'text', number>>;
}
