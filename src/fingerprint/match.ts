import type { DeviceKind, Evidence } from '../domain/types.ts';
import type { Attribution, Claims, FingerprintMatch, ManufacturerCandidate } from '../domain/verdict.ts';
import { fillTemplate } from './regex.ts';
import type { CompiledFingerprint, FingerprintDb } from './types.ts';

/**
 * Evidence -> attribution (pure). See docs/fingerprints.md for the rules; in short:
 *
 * 1. Each evidence item is tried against the entries for its field, in database order; the
 *    first entry that matches (and whose `requires` the device meets) applies, and only it.
 * 2. Manufacturer support per candidate is a noisy-OR of the weights of the distinct
 *    fingerprints that claim it: 1 - Π(1 - w). A subsidiary and its parent (vocabulary
 *    `parent`) support each other: they form one family, named by its most specific member.
 * 3. The winner's confidence is its family's support times (1 - the best other family's
 *    support): contradicting evidence lowers it, and each contradiction is written down.
 * 4. Brand is the strongest label claim (a label-only fingerprint wins a tie), else the
 *    manufacturer. Model, firmware family and kind come from the strongest claims that agree
 *    with the winner.
 */

/** Evidence items looked at per device, and characters of each value patterns see. */
export const MAX_EVIDENCE_ITEMS = 256;
export const MAX_VALUE_CHARS = 512;
/** Label claims at least this strong are compared with each other (see `conflicts`). */
export const STRONG_LABEL = 0.5;

type FieldIndex = ReadonlyMap<string, readonly string[]>;

function indexByField(evidence: readonly Evidence[]): FieldIndex {
  const map = new Map<string, string[]>();
  for (const e of evidence) {
    const list = map.get(e.field) ?? [];
    list.push(e.value.slice(0, MAX_VALUE_CHARS));
    map.set(e.field, list);
  }
  return map;
}

function requirementsMet(fp: CompiledFingerprint, index: FieldIndex): boolean {
  return fp.requires.every((req) => (index.get(req.field) ?? []).some((v) => req.regex.test(v)));
}

/** What one entry extracts from one match (templates filled; a claim whose group is absent is dropped). */
export function resolveClaims(fp: CompiledFingerprint, groups: Readonly<Record<string, string | undefined>> | undefined): Claims {
  const out: Claims = {};
  const { manufacturer, brand, model, firmwareFamily, kind } = fp.claims;
  if (manufacturer !== undefined) out.manufacturer = manufacturer;
  if (brand !== undefined) out.brand = brand;
  if (model !== undefined) {
    const m = fillTemplate(model, groups);
    if (m) out.model = m;
  }
  if (firmwareFamily !== undefined) {
    const f = fillTemplate(firmwareFamily, groups);
    if (f) out.firmwareFamily = f;
  }
  if (kind !== undefined) out.kind = kind;
  return out;
}

/** The entry that applies to one evidence item (the first in database order that matches), with its claims. */
export function firstMatch(
  db: FingerprintDb,
  field: string,
  value: string,
  index: FieldIndex,
): { fingerprint: CompiledFingerprint; claims: Claims } | undefined {
  const v = value.slice(0, MAX_VALUE_CHARS);
  for (const fp of db.candidatesFor(field)) {
    const m = fp.regex.exec(v);
    if (m && requirementsMet(fp, index)) return { fingerprint: fp, claims: resolveClaims(fp, m.groups) };
  }
  return undefined;
}

/** Every fingerprint match for a device's evidence (the first matching entry per item). */
export function matchEvidence(evidence: readonly Evidence[], db: FingerprintDb): FingerprintMatch[] {
  const items = evidence.slice(0, MAX_EVIDENCE_ITEMS);
  const index = indexByField(items);
  const matches: FingerprintMatch[] = [];
  for (const e of items) {
    const hit = firstMatch(db, e.field, e.value, index);
    if (!hit) continue;
    matches.push({
      fingerprint: hit.fingerprint.id,
      protocol: e.protocol,
      field: e.field,
      value: e.value.slice(0, MAX_VALUE_CHARS),
      weight: hit.fingerprint.weight,
      claims: hit.claims,
    });
  }
  return matches;
}

/** 1 - Π(1 - w) over the distinct fingerprints in `matches` (each counted once, at its weight). */
function noisyOr(matches: readonly FingerprintMatch[]): number {
  const weights = new Map<string, number>();
  for (const m of matches) weights.set(m.fingerprint, Math.max(weights.get(m.fingerprint) ?? 0, m.weight));
  let miss = 1;
  for (const w of weights.values()) miss *= 1 - w;
  return 1 - miss;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

interface Family {
  root: string;
  members: Map<string, FingerprintMatch[]>;
  score: number;
  /** The most specific member (deepest in the vocabulary), best supported among equals. */
  representative: string;
}

function describeSupport(matches: readonly FingerprintMatch[]): string {
  const shown = matches.slice(0, 3).map((m) => `${m.field} "${m.value.length > 60 ? `${m.value.slice(0, 57)}...` : m.value}" (${m.fingerprint})`);
  const more = matches.length > 3 ? ` and ${matches.length - 3} more` : '';
  return `${shown.join(', ')}${more}`;
}

/** Picks a claim: highest weight first, then `prefer`red matches, then evidence order. */
function strongest<K extends keyof Claims>(matches: readonly FingerprintMatch[], key: K, prefer: (m: FingerprintMatch) => boolean = () => false): Claims[K] | undefined {
  let best: FingerprintMatch | undefined;
  for (const m of matches) {
    if (m.claims[key] === undefined) continue;
    if (!best || m.weight > best.weight || (m.weight === best.weight && prefer(m) && !prefer(best))) best = m;
  }
  return best?.claims[key];
}

/** Who made the device, under which label, and why (pure; bounded by MAX_EVIDENCE_ITEMS). */
export function attribute(evidence: readonly Evidence[], db: FingerprintDb): Attribution {
  const matches = matchEvidence(evidence, db);
  const vocab = db.vocabulary;
  const conflicts: string[] = [];

  // Manufacturer candidates, grouped into families (a company with its subsidiaries).
  const families = new Map<string, Family>();
  for (const m of matches) {
    const maker = m.claims.manufacturer;
    if (maker === undefined) continue;
    const lineage = vocab.lineage(maker);
    const root = lineage[lineage.length - 1] ?? maker;
    let fam = families.get(root);
    if (!fam) {
      fam = { root, members: new Map(), score: 0, representative: maker };
      families.set(root, fam);
    }
    const list = fam.members.get(maker) ?? [];
    list.push(m);
    fam.members.set(maker, list);
  }
  for (const fam of families.values()) {
    fam.score = noisyOr([...fam.members.values()].flat());
    const ranked = [...fam.members.entries()].sort(
      ([a, ma], [b, mb]) => vocab.lineage(b).length - vocab.lineage(a).length || noisyOr(mb) - noisyOr(ma) || a.localeCompare(b),
    );
    fam.representative = ranked[0]![0];
  }
  const ranking = [...families.values()].sort(
    (a, b) => b.score - a.score || Math.max(...[...b.members.values()].flat().map((m) => m.weight)) - Math.max(...[...a.members.values()].flat().map((m) => m.weight)) || a.root.localeCompare(b.root),
  );
  const winner = ranking[0];
  const runnerUp = ranking[1];
  const confidence = winner ? round(winner.score * (1 - (runnerUp?.score ?? 0))) : 0;
  for (const other of ranking.slice(1)) {
    const support = [...other.members.values()].flat();
    conflicts.push(
      `evidence also points at ${other.representative} (support ${round(other.score)}): ${describeSupport(support)}; confidence in ${winner!.representative} lowered`,
    );
  }

  const candidates: ManufacturerCandidate[] = [];
  for (const fam of ranking) {
    const members = [...fam.members.entries()].sort(
      ([a, ma], [b, mb]) => (a === fam.representative ? -1 : b === fam.representative ? 1 : noisyOr(mb) - noisyOr(ma) || a.localeCompare(b)),
    );
    for (const [name, ms] of members) {
      candidates.push({ manufacturer: name, score: round(noisyOr(ms)), fingerprints: unique(ms.map((m) => m.fingerprint)) });
    }
  }

  const manufacturer = winner?.representative ?? null;
  const inWinner = (m: FingerprintMatch): boolean => m.claims.manufacturer === undefined || (winner !== undefined && winner.members.has(m.claims.manufacturer));
  const agreeing = matches.filter(inWinner);

  // Brand: the strongest label; a label-only fingerprint (no maker claim) wins a tie.
  const brandClaims = matches.filter((m) => m.claims.brand !== undefined);
  const brand = strongest(brandClaims, 'brand', (m) => m.claims.manufacturer === undefined) ?? manufacturer;
  // Weak labels (such as Generic for "General"/"Private") name nobody: they never disagree.
  const labels = unique(brandClaims.filter((m) => m.weight >= STRONG_LABEL).map((m) => m.claims.brand!));
  if (labels.length > 1) {
    conflicts.push(`labels disagree: ${labels.map((l) => `${l} (${describeSupport(brandClaims.filter((m) => m.claims.brand === l))})`).join(' vs ')}`);
  }

  const pick = <K extends 'model' | 'firmwareFamily' | 'kind'>(key: K): Claims[K] | undefined =>
    strongest(agreeing, key) ?? strongest(matches, key);
  const kind: DeviceKind | undefined = pick('kind');

  return {
    manufacturer,
    brand: brand ?? null,
    model: pick('model') ?? null,
    firmwareFamily: pick('firmwareFamily') ?? null,
    kind: kind ?? null,
    confidence,
    candidates,
    matches,
    conflicts,
  };
}
