import type { DeviceSummary } from '../central/types.ts';

/**
 * A device's latest report (the `document` the store keeps) read defensively, and its verdict
 * in one sentence, pure. The document came from an agent: every field is checked for its type
 * here, and what is not a string where a string belongs is left out.
 */

export interface EvidenceRow {
  protocol: string;
  field: string;
  value: string;
}

export interface MatchRow extends EvidenceRow {
  fingerprint: string;
  weight: number | null;
  tell: string | null;
  claims: string;
}

export interface DocumentView {
  reason: string | null;
  pack: string | null;
  rule: string | null;
  entity: string | null;
  scope: string | null;
  source: { document: string; date: string | null; url: string | null } | null;
  confidence: number | null;
  evidence: EvidenceRow[];
  matches: MatchRow[];
  candidates: Array<{ manufacturer: string; score: number | null; fingerprints: string[] }>;
  conflicts: string[];
  notes: string[];
  interfaces: string[];
  addresses: string[];
  protocols: string[];
  identifiers: Array<[string, string]>;
  truncated: boolean;
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/** At most this many rows of evidence and matches are shown (a device's report is bounded anyway). */
const MAX_ROWS = 500;

export function readDocument(document: unknown): DocumentView {
  const d = obj(document);
  const verdict = obj(d.verdict);
  const attribution = obj(d.attribution);
  const source = obj(verdict.source);
  const evidence = list(d.evidence)
    .slice(0, MAX_ROWS)
    .map(obj)
    .flatMap((e) => {
      const protocol = str(e.protocol);
      const field = str(e.field);
      const value = str(e.value);
      return protocol !== null && field !== null && value !== null ? [{ protocol, field, value }] : [];
    });
  const matches = list(attribution.matches)
    .slice(0, MAX_ROWS)
    .map(obj)
    .flatMap((m): MatchRow[] => {
      const fingerprint = str(m.fingerprint);
      if (fingerprint === null) return [];
      const claims = Object.entries(obj(m.claims))
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
      return [{ fingerprint, protocol: str(m.protocol) ?? '', field: str(m.field) ?? '', value: str(m.value) ?? '', weight: num(m.weight), tell: str(m.tell), claims }];
    });
  const candidates = list(attribution.candidates)
    .slice(0, 50)
    .map(obj)
    .flatMap((c) => {
      const manufacturer = str(c.manufacturer);
      return manufacturer === null ? [] : [{ manufacturer, score: num(c.score), fingerprints: strings(c.fingerprints).slice(0, 50) }];
    });
  const docName = str(source.document);
  return {
    reason: str(verdict.reason),
    pack: str(verdict.pack),
    rule: str(verdict.rule),
    entity: str(verdict.entity),
    scope: str(verdict.scope),
    source: docName === null ? null : { document: docName, date: str(source.date), url: str(source.url) },
    confidence: num(attribution.confidence) ?? num(d.confidence),
    evidence,
    matches,
    candidates,
    conflicts: strings(attribution.conflicts).slice(0, 100),
    notes: strings(attribution.notes).slice(0, 100),
    interfaces: strings(d.interfaces).slice(0, 50),
    addresses: strings(d.addresses).slice(0, 50),
    protocols: strings(d.protocols).slice(0, 50),
    identifiers: Object.entries(obj(d.identifiers))
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .slice(0, 20),
    truncated: d.truncated === true,
  };
}

const STATUS_WORDS: Record<string, string> = {
  restricted: 'Restricted',
  review: 'Needs review',
  clear: 'Clear',
  exception: 'Restricted, under an exception',
  'false-positive': 'Marked a false positive',
  replaced: 'Marked replaced',
};

export const statusWord = (status: string): string => STATUS_WORDS[status] ?? status;

/**
 * The verdict in one sentence: what it is, who made it (maker of record), under which brand,
 * the rule and pack that decide it and the dated source of that rule.
 */
export function verdictSentence(d: Pick<DeviceSummary, 'status' | 'verdictStatus' | 'manufacturer' | 'brand' | 'model' | 'kind' | 'pack' | 'rule' | 'reason' | 'review'>, doc: DocumentView): string {
  const what = [d.kind === 'other' ? 'device' : d.kind, d.model === null ? null : `(${d.model})`].filter((x) => x !== null).join(' ');
  const maker = d.manufacturer === null ? 'an unestablished maker' : d.manufacturer;
  const brand = d.brand !== null && d.brand.toLowerCase() !== (d.manufacturer ?? '').toLowerCase() ? ` and sold as ${d.brand}` : '';
  const made = `A ${what} made by ${maker}${brand}`;
  const rule = d.rule ?? doc.rule;
  const pack = d.pack ?? doc.pack;
  const src = doc.source === null ? '' : `: ${doc.source.document}${doc.source.date === null ? '' : `, ${doc.source.date}`}`;
  const ruleText = rule !== null || pack !== null ? `${rule === null ? '' : `rule ${rule}`}${rule !== null && pack !== null ? ' of ' : ''}${pack === null ? '' : `pack ${pack}`}${src}` : '';
  let verdict: string;
  switch (d.verdictStatus) {
    case 'restricted':
      verdict = `is restricted under ${ruleText || 'the policy'}`;
      break;
    case 'review':
      verdict = `needs review${ruleText === '' ? '' : ` under ${ruleText}`}`;
      break;
    default:
      verdict = 'is clear';
  }
  const review =
    d.review === null
      ? ''
      : d.review.state === 'exception'
        ? ` An exception${d.review.until === null ? '' : ` until ${d.review.until}`} was granted by ${d.review.by}.`
        : ` Reviewed ${d.review.state} by ${d.review.by}.`;
  return `${made} ${verdict}.${review}`;
}
