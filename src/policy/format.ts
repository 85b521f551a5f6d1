import { cleanText } from '../util/text.ts';
import type { LoadedPack, Policy } from './load.ts';
import type { PolicyPackSource, PolicyRelation, PolicyRule } from './schema.ts';

/** What `camsweep policy list` prints: the packs in force, rule by rule, as text or JSON. */

export interface PolicyListing {
  schema: 'camsweep.policy/v1';
  /** Confidence from which a manufacturer is established, when known to the caller. */
  threshold?: number;
  packs: LoadedPack[];
}

export function policyListing(policy: Policy, threshold?: number): PolicyListing {
  return { schema: 'camsweep.policy/v1', ...(threshold === undefined ? {} : { threshold }), packs: [...policy.packs] };
}

export function formatPolicyJson(policy: Policy, threshold?: number): string {
  return `${JSON.stringify(policyListing(policy, threshold), null, 2)}\n`;
}

// Custom packs are user files: everything printed goes through cleanText.
const t = (value: string) => cleanText(value, 4000);

function dates(entry: { since?: string | undefined; until?: string | undefined }): string {
  const { since, until } = entry;
  if (since !== undefined && until !== undefined) return `${since} to ${until}`;
  if (since !== undefined) return `since ${since}`;
  if (until !== undefined) return `until ${until}`;
  return '';
}

function relations(entries: readonly PolicyRelation[]): string {
  return entries.map((e) => (dates(e) === '' ? t(e.name) : `${t(e.name)} (${dates(e)})`)).join('; ');
}

function source(s: PolicyPackSource): string {
  return `${t(s.document)} (${s.date}) ${t(s.url)}`;
}

function ruleLines(rule: PolicyRule): string[] {
  const lines = [`    ${t(rule.id)}: ${t(rule.entity)} (${t(rule.legalName)})`];
  const field = (label: string, value: string) => {
    if (value !== '') lines.push(`      ${`${label}:`.padEnd(14)}${value}`);
  };
  const when = dates(rule.appliesTo);
  field('applies to', `${rule.appliesTo.kinds.join(', ')}${when === '' ? '' : `; ${when}`}`);
  field('aliases', rule.aliases.map(t).join('; '));
  field('subsidiaries', relations(rule.subsidiaries));
  field('affiliates', relations(rule.affiliates));
  field('brands', relations(rule.brands));
  field('scope', `${rule.scope.form === 'quoted' ? `"${t(rule.scope.text)}"` : t(rule.scope.text)} (${rule.scope.form})`);
  field('source', source(rule.source));
  if (rule.source.note !== undefined) field('source note', t(rule.source.note));
  return lines;
}

export function formatPolicyTable(policy: Policy, threshold?: number): string {
  const lines = [`Policy packs in force, in order: ${policy.packs.map((p) => t(p.id)).join(', ')}`];
  if (threshold !== undefined) lines.push(`A maker is established from confidence ${threshold.toFixed(2)}.`);
  for (const pack of policy.packs) {
    lines.push('', `${t(pack.id)} ${t(pack.version)}${pack.custom ? ` (custom: ${t(pack.file)})` : ''}`);
    lines.push(`  ${t(pack.title)}`);
    lines.push(`  jurisdiction: ${t(pack.jurisdiction)}`);
    lines.push(`  published:    ${pack.published}`);
    lines.push(`  source:       ${source(pack.source)}`);
    if (pack.source.note !== undefined) lines.push(`  source note:  ${t(pack.source.note)}`);
    lines.push(`  summary:      ${t(pack.summary)}`);
    if (pack.note !== undefined) lines.push(`  note:         ${t(pack.note)}`);
    lines.push(`  rules (${pack.rules.length}):`);
    for (const rule of pack.rules) lines.push(...ruleLines(rule));
  }
  return `${lines.join('\n')}\n`;
}
