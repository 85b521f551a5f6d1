import type { Evidence, Protocol } from './types.ts';
import { cleanText } from '../util/text.ts';

/** Evidence kept per observation or per device, whatever a host sends. */
export const MAX_EVIDENCE = 256;

export interface EvidenceList {
  /** The evidence so far, deduplicated, in the order it was added. */
  readonly list: Evidence[];
  /** Adds `field = value` for this list's protocol; the value is cleaned, empty values are skipped. */
  add(field: string, value: string | null | undefined): void;
  /** Adds one piece of evidence as it is (for merging lists of several protocols). */
  push(evidence: Evidence): void;
}

/**
 * The one place evidence is collected: deduplicated by (protocol, field, value), capped at
 * `max`, values cleaned of control characters. Decoders, enrichers and the merger all use it.
 */
export function evidenceList(protocol: Protocol, max = MAX_EVIDENCE): EvidenceList {
  const list: Evidence[] = [];
  const seen = new Set<string>();
  const push = (e: Evidence): void => {
    if (e.value === '' || list.length >= max) return;
    const key = `${e.protocol}\u0000${e.field}\u0000${e.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    list.push(e);
  };
  return {
    list,
    push,
    add: (field, value) => push({ protocol, field, value: cleanText(value) }),
  };
}
