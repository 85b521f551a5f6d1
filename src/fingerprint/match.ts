import type { DeviceKind, Evidence } from '../domain/types.ts';
import type { Attribution, Claims, FingerprintMatch, ManufacturerCandidate } from '../domain/verdict.ts';
import { buildNameIndex, type NameIndex } from './names.ts';
import { fillTemplate } from './regex.ts';
import type { Tell } from './schema.ts';
import { STATEMENT_WEIGHT, statementClass } from './statements.ts';
import type { CompiledFingerprint, FingerprintDb } from './types.ts';
import type { Vendor } from './vocabulary.ts';

/**
 * Evidence -> attribution (pure). docs/fingerprints.md explains each rule; in short:
 *
 * 1. Each evidence item is tried against the regex entries for its field, in database order;
 *    the first that matches (and whose `requires` the device meets) applies. Independently,
 *    every vendor name the device states in a statement field (statements.ts) is found by the
 *    generic name matcher (names.ts) and becomes a `statement` (a maker) or `label` (a brand).
 * 2. Support for a family (a company with its subsidiaries) is a noisy-OR over independence
 *    groups: per evidence item only its strongest match counts, per group only its strongest
 *    item, and `1 - Π(1 - w)` combines the groups. Three vendor namespaces from one SOAP reply
 *    are one tell, not three.
 * 3. A family supported only by shared tells (a namespace OEM SDKs copy, a module's OUI, a
 *    shared stack) is not corroborated: it is a lead (candidates, a note), never the maker of
 *    record, until an exclusive tell agrees.
 * 4. Confidence is the winner's support times (1 - the best other family's support); every
 *    other family is written to `conflicts` with the evidence behind it.
 * 5. Maker of record: within the winning family, the member the platform evidence names
 *    (firmware, protocol, serial and model schemes), else the one the device names, else the
 *    most specific. An Imou camera running Dahua firmware is made by Dahua, labelled Imou.
 * 6. Brand, the label on the box: a brand the device states (Annke, Amcrest, Lorex, or a
 *    company known to sell the maker's devices under its own name), else a subsidiary it
 *    states or its MAC block names, else the company it states, else a label that names
 *    nobody (Generic: a white-label box), else the manufacturer.
 * 7. A company the device names (or its MAC block names) that is known to sell devices the
 *    platform evidence's maker made (vocabulary `madeBy`) is the label, not a rival maker:
 *    a Samsung-labelled Hanwha camera, a Honeywell-labelled Dahua recorder.
 */

/** Evidence items looked at per device, and characters of each value patterns see. */
export const MAX_EVIDENCE_ITEMS = 256;
export const MAX_VALUE_CHARS = 512;
/** Label claims at least this strong are compared with each other (see `conflicts`). */
export const STRONG_LABEL = 0.5;
/** Weight of a statement naming an anonymous label (Generic). */
const ANONYMOUS_WEIGHT = 0.2;

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

const nameIndexes = new WeakMap<FingerprintDb, NameIndex>();

/** The name matcher for a database's vocabulary (built once per database). */
export function nameIndexOf(db: FingerprintDb): NameIndex {
  let index = nameIndexes.get(db);
  if (index === undefined) {
    index = buildNameIndex(db.vocabulary);
    nameIndexes.set(db, index);
  }
  return index;
}

/** Statement fingerprint ids: `statement.<class>` (maker, product, text) or `statement.domain`. */
export function statementId(cls: string, how: string): string {
  return how === 'domain' ? 'statement.domain' : `statement.${cls}`;
}

function statementClaims(vendor: Vendor): Claims {
  return vendor.kind === 'manufacturer' ? { manufacturer: vendor.name, brand: vendor.name } : { brand: vendor.name };
}

/**
 * Every fingerprint match for a device's evidence: per item the first regex entry that
 * applies, plus every vendor the item names when its field is a statement field (unless the
 * regex entry already claims that vendor from the same item).
 */
export function matchEvidence(evidence: readonly Evidence[], db: FingerprintDb): FingerprintMatch[] {
  const items = evidence.slice(0, MAX_EVIDENCE_ITEMS);
  const index = indexByField(items);
  const names = nameIndexOf(db);
  const weights = db.statementWeights ?? STATEMENT_WEIGHT;
  const matches: FingerprintMatch[] = [];
  for (const e of items) {
    const value = e.value.slice(0, MAX_VALUE_CHARS);
    const hit = firstMatch(db, e.field, e.value, index);
    if (hit) {
      matches.push({
        fingerprint: hit.fingerprint.id,
        protocol: e.protocol,
        field: e.field,
        value,
        weight: hit.fingerprint.weight,
        claims: hit.claims,
        tell: hit.fingerprint.tell,
        ...(hit.fingerprint.shared ? { shared: true } : {}),
      });
    }
    const cls = statementClass(e.field);
    // A regex entry that names a company for this exact value knows it better than the
    // generic matcher ("Web Viewer for Samsung DVR" is a Hanwha recorder's title).
    if (cls === undefined || (hit && (hit.claims.manufacturer !== undefined || hit.claims.brand !== undefined))) continue;
    for (const named of names.find(value, { prefix: cls !== 'text' })) {
      // A component maker's name (HiSilicon's streaming server) says nothing about who made the device.
      if (named.vendor.kind === 'component') continue;
      const claims = statementClaims(named.vendor);
      const tell: Tell = named.vendor.kind === 'manufacturer' ? 'statement' : 'label';
      matches.push({
        fingerprint: statementId(cls, named.how),
        protocol: e.protocol,
        field: e.field,
        value,
        weight: named.vendor.anonymous ? ANONYMOUS_WEIGHT : weights[cls],
        claims,
        tell,
      });
    }
  }
  return matches;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
const unique = (xs: readonly string[]): string[] => [...new Set(xs)];
const itemKey = (m: FingerprintMatch): string => `${m.field}\u0000${m.value}`;

/** The group a match counts in (statements and labels by tell; regex entries by their group). */
function groupOf(m: FingerprintMatch, db: FingerprintDb): string {
  const fp = db.byId?.(m.fingerprint);
  if (fp) return fp.group;
  return m.tell ?? 'statement';
}

/**
 * Support from a set of matches: per evidence item its strongest match, per independence
 * group its strongest item, then 1 - Π(1 - w) over the groups.
 */
export function support(matches: readonly FingerprintMatch[], db: FingerprintDb): number {
  const perItem = new Map<string, FingerprintMatch>();
  for (const m of matches) {
    const k = itemKey(m);
    const best = perItem.get(k);
    if (!best || m.weight > best.weight) perItem.set(k, m);
  }
  const perGroup = new Map<string, number>();
  for (const m of perItem.values()) {
    const g = groupOf(m, db);
    perGroup.set(g, Math.max(perGroup.get(g) ?? 0, m.weight));
  }
  let miss = 1;
  for (const w of perGroup.values()) miss *= 1 - w;
  return 1 - miss;
}

interface Family {
  root: string;
  members: Map<string, FingerprintMatch[]>;
  score: number;
  corroborated: boolean;
  /** The maker of record within the family (rule 5). */
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

/** Rule 5: the member platform evidence names, else the one the device names, else the most specific. */
function makerOfRecord(fam: Family, db: FingerprintDb): string {
  const vocab = db.vocabulary;
  const depth = (name: string): number => vocab.lineage(name).length;
  const members = [...fam.members.entries()];
  for (const tells of [['platform'], ['statement'], ['platform', 'statement', 'registry', 'label']] as const) {
    const scored = members
      .map(([name, ms]) => ({ name, score: support(ms.filter((m) => (tells as readonly string[]).includes(m.tell ?? 'platform')), db) }))
      .filter((x) => x.score > 0);
    if (scored.length === 0) continue;
    scored.sort((a, b) => round(b.score) - round(a.score) || depth(b.name) - depth(a.name) || a.name.localeCompare(b.name));
    return scored[0]!.name;
  }
  return fam.root;
}

/**
 * Rule 6, the label on the box: a brand the device states or a label entry names (strongest
 * first), then a subsidiary named by a statement or the MAC registry, then any company the
 * device names, then the maker. Anonymous labels (Generic) come last.
 */
function chooseBrand(matches: readonly FingerprintMatch[], manufacturer: string | null, relabels: ReadonlySet<string>, db: FingerprintDb): string | null {
  const vocab = db.vocabulary;
  const anonymous = (name: string): boolean => vocab.vendor(name)?.anonymous === true;
  const isBrand = (name: string): boolean => vocab.vendor(name)?.kind === 'brand';
  const labelOnly = (m: FingerprintMatch): boolean => m.claims.manufacturer === undefined;
  const named = (pred: (m: FingerprintMatch) => boolean): string | undefined =>
    strongest(
      matches.filter((m) => m.claims.brand !== undefined && !anonymous(m.claims.brand) && pred(m)),
      'brand',
      labelOnly,
    );
  const subsidiaryOfMaker = (name: string): boolean =>
    manufacturer !== null && name !== manufacturer && vocab.lineage(name).includes(manufacturer);
  const registryNames = (m: FingerprintMatch): string[] => (m.tell === 'registry' && m.claims.manufacturer ? [m.claims.manufacturer] : []);
  const registrySubsidiary = matches.flatMap(registryNames).find(subsidiaryOfMaker);
  const stated = (m: FingerprintMatch): boolean => m.tell === 'statement' || m.tell === 'label';
  return (
    named((m) => isBrand(m.claims.brand!) || relabels.has(m.claims.brand!)) ??
    named((m) => stated(m) && subsidiaryOfMaker(m.claims.brand!)) ??
    registrySubsidiary ??
    named(stated) ??
    strongest(matches.filter((m) => m.claims.brand !== undefined && anonymous(m.claims.brand)), 'brand') ??
    manufacturer ??
    strongest(matches.filter((m) => m.claims.brand !== undefined), 'brand', labelOnly) ??
    null
  );
}

/**
 * A model code: a platform tell read from a field naming the product (ONVIF Model, a scope's
 * hardware, UPnP modelName) that gives the model. Whoever sells a box names its model, so a
 * model code says whose catalogue the box is in (the label's), not whose firmware it runs.
 */
function isModelCode(m: FingerprintMatch): boolean {
  return m.tell === 'platform' && m.claims.model !== undefined && statementClass(m.field) === 'product';
}

/** Exclusive platform evidence below the label: firmware, serial and protocol schemes. */
function isDeep(m: FingerprintMatch): boolean {
  return m.tell === 'platform' && m.shared !== true && !isModelCode(m);
}

/** Independence groups among a family's deep tells. */
function deepGroups(fam: Family, db: FingerprintDb): number {
  return new Set([...fam.members.values()].flat().filter(isDeep).map((m) => groupOf(m, db))).size;
}

/**
 * The family corroborated platform evidence names best, if any: firmware, serial and protocol
 * schemes first; model codes only where no family has those. Shared tells never anchor.
 */
function platformAnchor(families: ReadonlyMap<string, Family>, db: FingerprintDb): Family | undefined {
  for (const tells of [isDeep, (m: FingerprintMatch) => m.tell === 'platform' && m.shared !== true]) {
    let best: { fam: Family; score: number } | undefined;
    for (const fam of families.values()) {
      const score = support([...fam.members.values()].flat().filter(tells), db);
      if (score > 0 && (!best || score > best.score)) best = { fam, score };
    }
    if (best) return best.fam;
  }
  return undefined;
}

/** Deep groups a platform anchor needs to read a rival with no deep tell of its own as the label. */
export const RELABEL_DEEP_GROUPS = 2;

/** Whether devices of `anchor`'s family are sold under the name `name` (vocabulary madeBy). */
function soldUnder(name: string, anchor: Family, db: FingerprintDb): boolean {
  const vendor = db.vocabulary.vendor(name);
  return vendor !== undefined && vendor.madeBy.some((link) => db.vocabulary.lineage(link.maker).includes(anchor.root) || anchor.members.has(link.maker));
}

/** Who made the device, under which label, and why (pure; bounded by MAX_EVIDENCE_ITEMS). */
export function attribute(evidence: readonly Evidence[], db: FingerprintDb): Attribution {
  const matches = matchEvidence(evidence, db);
  const vocab = db.vocabulary;
  const conflicts: string[] = [];
  const notes: string[] = [];

  // Manufacturer candidates, grouped into families (a company with its subsidiaries).
  const families = new Map<string, Family>();
  for (const m of matches) {
    const maker = m.claims.manufacturer;
    if (maker === undefined) continue;
    const lineage = vocab.lineage(maker);
    const root = lineage[lineage.length - 1] ?? maker;
    let fam = families.get(root);
    if (!fam) {
      fam = { root, members: new Map(), score: 0, corroborated: false, representative: maker };
      families.set(root, fam);
    }
    const list = fam.members.get(maker) ?? [];
    list.push(m);
    fam.members.set(maker, list);
  }
  for (const fam of families.values()) {
    const all = [...fam.members.values()].flat();
    fam.score = support(all, db);
    fam.corroborated = all.some((m) => m.shared !== true);
    fam.representative = makerOfRecord(fam, db);
  }
  // Rule 7: companies known to sell the platform maker's devices are labels, not rivals.
  const relabels = new Set<string>();
  const anchor = platformAnchor(families, db);
  const anchorDeep = anchor ? deepGroups(anchor, db) : 0;
  if (anchor) {
    for (const [root, fam] of families) {
      if (fam === anchor) continue;
      const all = [...fam.members.values()].flat();
      // Words and catalogue codes name a label; firmware, serial and protocol schemes a maker.
      const labelOnly = all.every((m) => m.tell === 'statement' || m.tell === 'registry' || m.tell === 'label' || isModelCode(m));
      const sold = [...fam.members.keys()].every((name) => soldUnder(name, anchor, db));
      // Rule 7b: without a known link, two independent deep tells of the anchor (its firmware
      // scheme and its serial scheme, say) outweigh a rival that only names and numbers the box.
      if (!labelOnly || !(sold || anchorDeep >= RELABEL_DEEP_GROUPS)) continue;
      families.delete(root);
      for (const name of fam.members.keys()) relabels.add(name);
    }
  }
  const strongestWeight = (f: Family): number => Math.max(...[...f.members.values()].flat().map((m) => m.weight));
  const ranking = [...families.values()].sort(
    (a, b) => Number(b.corroborated) - Number(a.corroborated) || b.score - a.score || strongestWeight(b) - strongestWeight(a) || a.root.localeCompare(b.root),
  );
  const winner = ranking[0];
  const runnerUp = ranking[1];
  let confidence = winner ? round(winner.score * (1 - (runnerUp?.score ?? 0))) : 0;
  if (winner && !winner.corroborated) {
    notes.push(
      `${winner.representative} rests only on tells other makers share (${describeSupport([...winner.members.values()].flat())}): it needs an exclusive tell before it counts`,
    );
  }
  for (const other of ranking.slice(1)) {
    const backing = [...other.members.values()].flat();
    conflicts.push(
      `evidence also points at ${other.representative} (support ${round(other.score)}): ${describeSupport(backing)}; confidence in ${winner!.representative} lowered`,
    );
  }

  const candidates: ManufacturerCandidate[] = [];
  for (const fam of ranking) {
    const members = [...fam.members.entries()].sort(
      ([a, ma], [b, mb]) => (a === fam.representative ? -1 : b === fam.representative ? 1 : support(mb, db) - support(ma, db) || a.localeCompare(b)),
    );
    for (const [name, ms] of members) {
      candidates.push({ manufacturer: name, score: round(support(ms, db)), fingerprints: unique(ms.map((m) => m.fingerprint)) });
    }
  }

  // A maker only shared tells support is a lead (candidates, notes), never the maker of record.
  const manufacturer = winner !== undefined && winner.corroborated ? winner.representative : null;
  if (winner !== undefined && !winner.corroborated) confidence = 0;
  const inWinner = (m: FingerprintMatch): boolean => m.claims.manufacturer === undefined || (winner !== undefined && winner.members.has(m.claims.manufacturer));
  const agreeing = matches.filter(inWinner);

  const brand = chooseBrand(matches, manufacturer, relabels, db);
  // Labels that name somebody and disagree are worth a look (weak and anonymous ones never disagree).
  const brandClaims = matches.filter((m) => m.claims.brand !== undefined && vocab.vendor(m.claims.brand)?.kind === 'brand' && vocab.vendor(m.claims.brand)?.anonymous !== true);
  const labels = unique(brandClaims.filter((m) => m.weight >= STRONG_LABEL).map((m) => m.claims.brand!));
  if (labels.length > 1) {
    conflicts.push(`labels disagree: ${labels.map((l) => `${l} (${describeSupport(brandClaims.filter((m) => m.claims.brand === l))})`).join(' vs ')}`);
  }

  const pick = <K extends 'model' | 'firmwareFamily' | 'kind'>(key: K): Claims[K] | undefined =>
    strongest(agreeing, key) ?? strongest(matches, key);
  const kind: DeviceKind | undefined = pick('kind');

  const out: Attribution = {
    manufacturer,
    brand,
    model: pick('model') ?? null,
    firmwareFamily: pick('firmwareFamily') ?? null,
    kind: kind ?? null,
    confidence,
    candidates,
    matches,
    conflicts,
    named: namedVendors(matches, db),
  };
  if (winner && !winner.corroborated) out.corroborated = false;
  if (notes.length > 0) out.notes = notes;
  return out;
}

/**
 * Every vendor the device names itself (statements and labels, including those a regex entry
 * on a maker field recognised), with the strongest field naming it: what the policy reads so
 * that a device naming a covered company is never cleared.
 */
function namedVendors(matches: readonly FingerprintMatch[], db: FingerprintDb): Array<{ vendor: string; field: string; value: string }> {
  const out = new Map<string, { vendor: string; field: string; value: string; weight: number }>();
  for (const m of matches) {
    if (m.tell !== 'statement' && m.tell !== 'label') continue;
    for (const name of [m.claims.manufacturer, m.claims.brand]) {
      if (name === undefined || db.vocabulary.vendor(name)?.anonymous === true) continue;
      const seen = out.get(name);
      if (!seen || m.weight > seen.weight) out.set(name, { vendor: name, field: m.field, value: m.value, weight: m.weight });
    }
  }
  return [...out.values()].map(({ vendor, field, value }) => ({ vendor, field, value }));
}
