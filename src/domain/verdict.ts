import type { DeviceKind, DeviceStatus, Protocol } from './types.ts';

/**
 * Fingerprinting and policy results. Fingerprinting turns a device's evidence into an
 * attribution (who made it, under which label, with what confidence, and why); the policy turns
 * the attribution into a status with the pack, rule and source behind it.
 */

/** What a fingerprint may conclude from one piece of evidence. */
export interface Claims {
  /** Manufacturer of record (a canonical name from config/vendors.yaml): who made it. */
  manufacturer?: string;
  /** The label on the box (canonical vendor name or a brand such as Amcrest, Lorex, EZVIZ). */
  brand?: string;
  model?: string;
  /** Firmware family, e.g. "Dahua 2.8xx", "Hikvision V5". */
  firmwareFamily?: string;
  kind?: DeviceKind;
}

/** One fingerprint that matched one piece of a device's evidence. */
export interface FingerprintMatch {
  /** Fingerprint id, e.g. `hikvision.onvif.manufacturer`. */
  fingerprint: string;
  protocol: Protocol;
  field: string;
  value: string;
  /** How strongly this match supports its manufacturer claim (0..1). */
  weight: number;
  claims: Claims;
  /**
   * platform (firmware, protocol, serial or model scheme), statement (the device names a
   * company), registry (the MAC's IEEE registrant) or label (a brand only). Absent in
   * attributions recorded before tells existed.
   */
  tell?: 'platform' | 'statement' | 'registry' | 'label';
  /** A tell other makers' devices show too: it supports a maker, never establishes one alone. */
  shared?: boolean;
}

/** A vendor the device names itself, with the strongest field naming it. */
export interface NamedVendor {
  vendor: string;
  field: string;
  value: string;
}

export interface ManufacturerCandidate {
  manufacturer: string;
  /** Combined support from every match claiming this manufacturer (0..1). */
  score: number;
  fingerprints: string[];
}

export interface Attribution {
  manufacturer: string | null;
  brand: string | null;
  model: string | null;
  firmwareFamily: string | null;
  kind: DeviceKind | null;
  /** Confidence in `manufacturer` (0..1), lowered by evidence that names another maker. */
  confidence: number;
  /** Every manufacturer some evidence pointed at, best first. */
  candidates: ManufacturerCandidate[];
  matches: FingerprintMatch[];
  /** Plain-language notes on contradicting evidence. */
  conflicts: string[];
  /**
   * False when only tells other makers share support the manufacturer: it is then a lead,
   * never established, whatever the threshold. Absent (true) in older attributions.
   */
  corroborated?: boolean;
  /** Every vendor the device names itself (statements and labels): the policy never clears a covered one. */
  named?: NamedVendor[];
  /** Plain-language notes on how the conclusion was reached (a maker resting only on shared tells). */
  notes?: string[];
}

export interface PolicySource {
  document: string;
  date: string;
  url: string;
}

export interface PolicyVerdict {
  status: DeviceStatus;
  /** Why, in one sentence an auditor can read. */
  reason: string;
  /** The pack and rule behind a restricted (or brand-based review) verdict. */
  pack?: string;
  rule?: string;
  entity?: string;
  source?: PolicySource;
  scope?: string;
}
