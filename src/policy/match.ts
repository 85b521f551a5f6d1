import type { DeviceKind } from '../domain/types.ts';
import { windowPosition, type WindowPosition } from './dates.ts';
import type { LoadedPack, Policy } from './load.ts';
import type { PolicyRelation, PolicyRule } from './schema.ts';

/**
 * How one name relates to the rules in force: the pure lookups decide() is built from.
 * Names compare case-insensitively (fingerprints give canonical names, but a custom pack's
 * aliases may be spelled as devices spell them).
 */

export type RelationKind = 'entity' | 'subsidiary' | 'affiliate' | 'brand';

export interface RuleRef {
  pack: LoadedPack;
  rule: PolicyRule;
}

export interface RelationHit extends RuleRef {
  relation: RelationKind;
  /** The subsidiary, affiliate or brand entry (absent for the entity itself and its aliases). */
  entry?: PolicyRelation;
  /** Where the date falls in the entry's since/until (always `within` for the entity). */
  position: WindowPosition;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Rules in force on `asOf` (within appliesTo.since/until), in pack order then rule order. */
export function rulesInForce(policy: Policy, asOf: Date): RuleRef[] {
  const refs: RuleRef[] = [];
  for (const pack of policy.packs) {
    for (const rule of pack.rules) if (windowPosition(rule.appliesTo, asOf) === 'within') refs.push({ pack, rule });
  }
  return refs;
}

export function appliesToKind(rule: PolicyRule, kind: DeviceKind): boolean {
  return rule.appliesTo.kinds.includes(kind);
}

/**
 * How `name`, taken as the manufacturer of record, relates to `rule`: the entity (or one of
 * its names), a subsidiary or an affiliate. Brands are not makers and never match here.
 */
export function makerRelation(ref: RuleRef, name: string, asOf: Date): RelationHit | undefined {
  const { rule } = ref;
  if (same(rule.entity, name) || same(rule.legalName, name) || rule.aliases.some((a) => same(a, name))) {
    return { ...ref, relation: 'entity', position: 'within' };
  }
  for (const [relation, entries] of [
    ['subsidiary', rule.subsidiaries],
    ['affiliate', rule.affiliates],
  ] as const) {
    const entry = entries.find((e) => same(e.name, name));
    if (entry) return { ...ref, relation, entry, position: windowPosition(entry, asOf) };
  }
  return undefined;
}

/** How a label on the device relates to `rule`: any of its names, or a listed brand. */
export function labelRelation(ref: RuleRef, label: string, asOf: Date): RelationHit | undefined {
  const maker = makerRelation(ref, label, asOf);
  if (maker) return maker;
  const entry = ref.rule.brands.find((e) => same(e.name, label));
  return entry ? { ...ref, relation: 'brand', entry, position: windowPosition(entry, asOf) } : undefined;
}

/** Every hit for `name` over `refs`, in order, by `relate`. */
export function hitsFor(
  refs: readonly RuleRef[],
  name: string,
  asOf: Date,
  relate: (ref: RuleRef, name: string, asOf: Date) => RelationHit | undefined,
): RelationHit[] {
  const hits: RelationHit[] = [];
  for (const ref of refs) {
    const hit = relate(ref, name, asOf);
    if (hit) hits.push(hit);
  }
  return hits;
}
