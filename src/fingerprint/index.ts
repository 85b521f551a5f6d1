/**
 * Fingerprinting: who made a device, under which label, and why. Pure except for loading
 * the database and the IEEE registry from the package.
 */
export { attribute, matchEvidence, MAX_EVIDENCE_ITEMS, MAX_VALUE_CHARS } from './match.ts';
export { loadFingerprintDb, verifyFingerprintDb, fingerprintStats, DEFAULT_FINGERPRINT_DIR } from './db.ts';
export type { FingerprintDbOptions, FingerprintStats, VerifyResult } from './db.ts';
export type { FingerprintDb, CompiledFingerprint } from './types.ts';
export { lookupOui, macEvidence, withMacEvidence, createOuiLookup } from './oui.ts';
export type { OuiResult, OuiAssignment, OuiLookup } from './oui.ts';
export { loadVocabulary, parseVocabulary, DEFAULT_VENDORS_FILE } from './vocabulary.ts';
export type { Vocabulary, Vendor } from './vocabulary.ts';
