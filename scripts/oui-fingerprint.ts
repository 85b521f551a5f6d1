/**
 * For fingerprint authors: prints a `<slug>.oui.ieee` entry for a vendor of config/vendors.yaml
 * from the IEEE registry the agent reads (the oui-data package): every registered organisation
 * whose name is the vendor's entity or one of its legalNames (legal suffixes aside), verbatim,
 * with one real example each and the registry as source. Review it, then paste it into
 * config/fingerprints/<slug>.yaml and run `camsweep fingerprints verify`.
 *
 *   node scripts/oui-fingerprint.ts "Axis" [--weight 0.6]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadVocabulary } from '../src/fingerprint/vocabulary.ts';
import { nameTokens, withoutLegalSuffix } from '../src/fingerprint/names.ts';

const name = process.argv[2];
const weightArg = process.argv.indexOf('--weight');
const weight = weightArg > 0 ? Number(process.argv[weightArg + 1]) : 0.6;
const vocab = loadVocabulary();
const vendor = name === undefined ? undefined : vocab.vendor(name);
if (vendor === undefined) {
  process.stderr.write(`usage: node scripts/oui-fingerprint.ts <vendor from config/vendors.yaml>\n`);
  process.exit(2);
}
const indexPath = createRequire(import.meta.url).resolve('oui-data');
const packageJson = JSON.parse(readFileSync(join(dirname(indexPath), 'package.json'), 'utf8')) as { version: string };
const registry = JSON.parse(readFileSync(indexPath, 'utf8')) as Record<string, string>;
const key = (s: string): string => withoutLegalSuffix(nameTokens(s)).join(' ');
const wanted = new Set([vendor.entity, ...vendor.legalNames].filter((x): x is string => x !== undefined).map(key));
const orgs = new Map<string, string[]>();
for (const [prefix, value] of Object.entries(registry)) {
  const org = value.split('\n')[0]!.trim();
  if (!wanted.has(key(org))) continue;
  orgs.set(org, [...(orgs.get(org) ?? []), prefix]);
}
if (orgs.size === 0) {
  process.stderr.write(`${vendor.name}: no registered organisation named ${[...wanted].join(' / ')}\n`);
  process.exit(1);
}
const slug = vendor.name.normalize('NFD').replace(/[\u0300-\u036f]/gu, '').toLowerCase().replace(/[^a-z0-9]+/gu, '-').replace(/^-|-$/gu, '');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
const colons = (p: string): string => p.match(/.{1,2}/gu)!.join(':');
const claims = vendor.kind === 'manufacturer' ? `{ manufacturer: ${JSON.stringify(vendor.name)} }` : `{ brand: ${JSON.stringify(vendor.name)} }`;
const lines = [
  `  - id: ${slug}.oui.ieee`,
  `    field: mac.oui`,
  `    pattern: '^(?:${[...orgs.keys()].map(escape).join('|').replace(/'/gu, "''")})$'`,
  `    claims: ${claims}`,
  `    weight: ${weight}`,
  `    description: 'IEEE registrant of ${vendor.name} MAC address blocks (${[...orgs.values()].flat().length} assignments): names the owner of the block.'`,
  `    examples:`,
  ...[...orgs.entries()].map(([org, prefixes]) =>
    [`      - value: ${JSON.stringify(org)}`, `        claims: ${claims}`, `        source: 'IEEE registry (oui-data ${packageJson.version}): ${prefixes.slice(0, 3).map(colons).join(', ')}${prefixes.length > 3 ? ` and ${prefixes.length - 3} more` : ''}'`].join('\n'),
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
