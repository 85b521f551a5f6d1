import type { DeviceKind } from '../domain/types.ts';
import { VIDEO_KINDS } from '../domain/kinds.ts';
import type { Attribution, PolicyVerdict } from '../domain/verdict.ts';
import { cleanText } from '../util/text.ts';
import type { Policy } from './load.ts';
import { appliesToKind, hitsFor, labelRelation, makerRelation, rulesInForce, type RelationHit } from './match.ts';

/**
 * The policy decision, pure: an attribution (who made the device, under which label, how
 * sure, which companies it names) plus the packs in force give `restricted`, `review` or
 * `clear`, with the pack, rule and source behind it and one sentence saying why.
 * docs/policy.md explains each step.
 *
 * 1. restricted: the manufacturer of record, established (confidence >= threshold, and
 *    corroborated: not resting on tells other makers share), is a rule's entity (or alias),
 *    or a subsidiary/affiliate within its since/until on `asOf`, and the device kind is one
 *    the rule applies to. The first hit in pack order, then rule order, is named; the others
 *    are listed in the reason.
 * 1b. restricted: covered either way (coveredEitherWay): the maker is not established only because
 *    two or more makers are each strongly and exclusively supported, and each is covered.
 * 2. review, naming a rule: the established maker's tie to a covered entity has ended (the
 *    device may predate the end).
 * 3. restricted, naming a rule: the label the device states (its brand) is a covered entity,
 *    subsidiary, affiliate or listed brand, in force, and no established maker contradicts it.
 *    With a contradicting maker, or a tie that ended: review.
 * 4. review, naming a rule: the maker is not established (or the evidence conflicts) and a
 *    candidate maker is covered; or the device names a covered company anywhere. A device
 *    that names a covered entity, subsidiary or brand is never clear.
 *    A device of unknown kind (`other`) is never outside a rule's kinds: where steps 1 and 3
 *    would restrict it under a rule that lists only other kinds, it is held for review.
 * 5. review: a camera, recorder or intercom whose maker is not established, or whose evidence
 *    conflicts.
 * 6. clear: anything else, saying what it was checked against.
 */

export interface DecideInput {
  kind: DeviceKind;
  attribution: Attribution;
}

export interface DecideOptions {
  /** Confidence from which attribution.manufacturer counts as the manufacturer of record. */
  threshold: number;
  /** The day the verdict is for (rules and ownerships have dates). */
  asOf: Date;
}

/** Device kinds that need a known maker to be cleared: the video kinds. */
export const REVIEW_KINDS: readonly DeviceKind[] = VIDEO_KINDS;

const fmt = (n: number) => n.toFixed(2);
const name = (s: string) => cleanText(s, 100);

export function decide(input: DecideInput, policy: Policy, options: DecideOptions): PolicyVerdict {
  const { kind, attribution: a } = input;
  const { threshold, asOf } = options;
  const refs = rulesInForce(policy, asOf);
  const inForce = policy.packs.map((p) => p.id).join(', ') || 'no pack';
  const maker = a.manufacturer === null ? '' : name(a.manufacturer);
  const corroborated = a.corroborated !== false;
  const established = maker !== '' && a.confidence >= threshold && corroborated;
  const evidence = maker === '' ? '' : `${maker} (${strength(a, maker)})`;
  const unestablished =
    maker === ''
      ? 'no evidence establishes who made it'
      : !corroborated
        ? `the maker is not established (${maker} rests only on tells other makers share)`
        : `the maker is not established (${maker} at confidence ${fmt(a.confidence)}, below the threshold ${fmt(threshold)})`;
  const conflicts = a.conflicts.map((c) => cleanText(c, 200)).filter((c) => c !== '');
  const conflictText = conflicts.slice(0, 3).join('; ') + (conflicts.length > 3 ? `; and ${conflicts.length - 3} more` : '');
  // A device of unknown kind may be one a rule covers: such a rule still holds it for review.
  const kindUnknown = (h: RelationHit) => kind === 'other' && !appliesToKind(h.rule, kind);
  const usable = (h: RelationHit) => h.position !== 'before' && (appliesToKind(h.rule, kind) || kindUnknown(h));

  // 1. and 2: the established maker.
  const makerHits = established ? hitsFor(refs, maker, asOf, makerRelation) : [];
  // A rule in force on `asOf` that covers this kind of device.
  const covers = (h: RelationHit): boolean => h.position === 'within' && appliesToKind(h.rule, kind);
  const covering = makerHits.filter(covers);
  const [first, ...others] = covering;
  if (first) {
    const also = others.length > 0 ? `; also ${others.map(ruleName).join(', ')}` : '';
    return verdict('restricted', `made by ${evidence}${tie(first)}, covered by ${ruleName(first)} (${first.rule.legalName})${also}`, first);
  }
  const ended = makerHits.find((h) => h.position === 'after' && appliesToKind(h.rule, kind));
  if (ended) {
    return verdict(
      'review',
      `made by ${evidence}${tie(ended)}, per ${ruleName(ended)}: covered if made before the tie ended, and the manufacture date is unknown`,
      ended,
    );
  }

  // 1b. Covered either way: the maker is not established only because the evidence names two or
  // more makers at once (a box answering for itself and a device behind it, a relabel no link
  // explains), each on its own strong (support >= the threshold) and corroborated (not resting
  // on tells other makers share), and each covered; no other maker has real support. Whichever
  // made it, it is covered.
  const either = established ? undefined : coveredEitherWay(a, maker, corroborated, threshold, (m) => hitsFor(refs, m, asOf, makerRelation).find(covers));
  if (either !== undefined) {
    const [top] = either;
    const names = either.map((e) => `${e.maker} (${ruleName(e.hit)})`);
    return verdict(
      'restricted',
      `the evidence names ${names.slice(0, -1).join(', ')} and ${names.at(-1)} as maker, each strongly and each covered: whichever made it, it is covered (${top!.hit.rule.legalName}); ${conflictText}`,
      top!.hit,
    );
  }

  const unknownScope = makerHits.find((h) => h.position === 'within' && kindUnknown(h));
  if (unknownScope) {
    return verdict(
      'review',
      `made by ${evidence}${tie(unknownScope)}, covered by ${ruleName(unknownScope)} (${unknownScope.rule.legalName}) for ${unknownScope.rule.appliesTo.kinds.join(', ')}; what kind of device this is is not known: check it`,
      unknownScope,
    );
  }

  // 3. the label the device states (a brand only inferred from the maker is no label).
  const label = a.brand === null ? '' : name(a.brand);
  const stated = label !== '' && (a.named ?? []).some((n) => name(n.vendor).toLowerCase() === label.toLowerCase());
  if (stated) {
    const hit = hitsFor(refs, label, asOf, labelRelation).find(usable);
    if (hit) {
      const listed = labelListing(hit, label);
      // An established maker outside the label's rule contradicts the label (a covered maker inside it was step 1).
      if (hit.position === 'within' && !established && !kindUnknown(hit)) {
        return verdict('restricted', `labelled ${listed}; ${unestablished}, and the label it states is covered`, hit);
      }
      const why =
        hit.position === 'after'
          ? `the tie ended (${hit.entry?.until ?? 'date not given'}), and the device may predate it`
          : !established && kindUnknown(hit)
            ? `${unestablished}, and what kind of device this is (${ruleName(hit)} covers ${hit.rule.appliesTo.kinds.join(', ')}) is not known: check it`
            : `the evidence names ${evidence} as maker, which contradicts the label: check who made it`;
      return verdict('review', `labelled ${listed}; ${why}`, hit);
    }
  }

  // 4a. a covered candidate, when the maker is not established or the evidence conflicts.
  if (!established || conflicts.length > 0) {
    const candidates: Array<[string, number]> = [];
    if (maker !== '' && !established) candidates.push([maker, a.confidence]);
    for (const c of a.candidates) {
      const n = name(c.manufacturer);
      if (n !== '' && !(established && n.toLowerCase() === maker.toLowerCase())) candidates.push([n, c.score]);
    }
    for (const [candidate, score] of candidates) {
      const hit = hitsFor(refs, candidate, asOf, makerRelation).find(usable);
      if (!hit) continue;
      const covered = `${tie(hit)}, covered by ${ruleName(hit)}`;
      const why = established
        ? `conflicting evidence: ${evidence} is the likeliest maker, but the evidence also points to ${candidate} (score ${fmt(score)})${covered}`
        : candidate === maker
          ? `${unestablished}; ${candidate}${tie(hit)} is covered by ${ruleName(hit)}`
          : `${unestablished}; the evidence also points to ${candidate} (score ${fmt(score)})${covered}`;
      const detail = conflicts.length > 0 ? ` (${conflictText})` : '';
      return verdict('review', `${why}${detail}`, hit);
    }
  }

  // 4b. a covered company the device names anywhere: never clear.
  for (const n of a.named ?? []) {
    const named = name(n.vendor);
    if (named === '' || named.toLowerCase() === label.toLowerCase()) continue;
    const hit = hitsFor(refs, named, asOf, labelRelation).find(usable);
    if (!hit) continue;
    const where = `${cleanText(n.field, 60)} "${cleanText(n.value, 80)}"`;
    const makerPart = established ? `the evidence names ${evidence} as maker` : unestablished;
    return verdict('review', `the device names ${labelListing(hit, named)} (${where}); ${makerPart}: check who made it`, hit);
  }

  // 5. cameras, recorders and intercoms need an established, uncontested maker.
  if (REVIEW_KINDS.includes(kind)) {
    if (!established) return { status: 'review', reason: `${article(kind)} whose maker is not established: ${unestablished}` };
    if (conflicts.length > 0) return { status: 'review', reason: `${article(kind)} with conflicting evidence about its maker (likeliest ${evidence}): ${conflictText}` };
  }

  // 6. clear.
  if (established) {
    const outside = makerHits.find((h) => h.position === 'within');
    if (outside) {
      return {
        status: 'clear',
        reason: `made by ${evidence}${tie(outside)}, but ${article(kind)} is outside what ${ruleName(outside)} covers (${outside.rule.appliesTo.kinds.join(', ')}), and no rule in ${inForce} covers it`,
      };
    }
    return { status: 'clear', reason: `made by ${evidence}, not covered by ${inForce}` };
  }
  return { status: 'clear', reason: `${article(kind)}; ${unestablished}, and no evidence ties it to an entity covered by ${inForce}` };
}

/** "a camera", "an intercom", "an other device". */
function article(kind: DeviceKind): string {
  if (kind === 'other') return 'a device of unknown kind';
  return `${/^[aeiou]/u.test(kind) ? 'an' : 'a'} ${kind}`;
}

/** "Annke, a brand us-ndaa-889 rule hikvision lists for Hikvision (...)" and the like. */
function labelListing(hit: RelationHit, label: string): string {
  if (hit.relation === 'brand') {
    return `${label}, a brand ${ruleName(hit)} lists for ${hit.rule.entity}${hit.entry?.note ? ` (${hit.entry.note.replace(/\.$/u, '')})` : ''}`;
  }
  return `${label}, a name ${ruleName(hit)} covers${tie(hit)}`;
}

function ruleName(hit: RelationHit): string {
  return `${hit.pack.id} rule ${hit.rule.id}`;
}

/** ", a subsidiary of Dahua (since 2018)" and the like; "" for the entity itself. */
function tie(hit: RelationHit): string {
  if (hit.relation === 'entity' || !hit.entry) return '';
  const { since, until } = hit.entry;
  const dates = since && until ? ` (${since} to ${until})` : since ? ` (since ${since})` : until ? ` (until ${until})` : '';
  const what = hit.relation === 'subsidiary' ? 'a subsidiary of' : hit.relation === 'affiliate' ? 'an affiliate of' : 'a brand of';
  return `, ${what} ${hit.rule.entity}${dates}`;
}

/** "confidence 0.93 from 4 fingerprints": how strong the evidence for the maker is. */
function strength(a: Attribution, maker: string): string {
  const candidate = a.candidates.find((c) => c.manufacturer.toLowerCase() === maker.toLowerCase());
  const n = candidate?.fingerprints.length ?? 0;
  return `confidence ${fmt(a.confidence)}${n > 0 ? ` from ${n} fingerprint${n === 1 ? '' : 's'}` : ''}`;
}

function verdict(status: PolicyVerdict['status'], reason: string, hit: RelationHit): PolicyVerdict {
  const { document, date, url } = hit.rule.source;
  return {
    status,
    reason,
    pack: hit.pack.id,
    rule: hit.rule.id,
    entity: hit.rule.entity,
    source: { document, date, url },
    scope: hit.rule.scope.text,
  };
}

/** Support below which a rival maker is noise, not a maker the device may be made by. */
const RIVAL_FLOOR = 0.3;

/**
 * Step 1b's test: the candidates, strongest first, when the maker of record is missing only
 * because two or more covered makers are each strongly and exclusively supported (and no other
 * maker has support above RIVAL_FLOOR); undefined otherwise.
 */
function coveredEitherWay(
  a: Attribution,
  maker: string,
  corroborated: boolean,
  threshold: number,
  covered: (maker: string) => RelationHit | undefined,
): Array<{ maker: string; hit: RelationHit }> | undefined {
  if (maker === '' || !corroborated) return undefined;
  const exclusive = (m: string): boolean => a.matches.some((x) => x.claims.manufacturer === m && x.shared !== true);
  const rivals = a.candidates.filter((c) => c.score >= RIVAL_FLOOR && exclusive(c.manufacturer));
  const strong = rivals.filter((c) => c.score >= threshold);
  if (strong.length < 2 || strong.length !== rivals.length || strong[0]!.manufacturer !== a.manufacturer) return undefined;
  const out: Array<{ maker: string; hit: RelationHit }> = [];
  for (const c of strong) {
    const hit = covered(name(c.manufacturer));
    if (hit === undefined) return undefined;
    out.push({ maker: name(c.manufacturer), hit });
  }
  return out;
}
