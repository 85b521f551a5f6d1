import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../domain/errors.ts';

/**
 * The vendor vocabulary (config/vendors.yaml): every manufacturer or brand name a fingerprint
 * may claim and a policy rule may name. Fingerprints use canonical names only; `canonical()`
 * maps the spellings devices send (aliases, any letter case) to them.
 */

/** config/vendors.yaml in the package, from src/ and from dist/ alike. */
export const DEFAULT_VENDORS_FILE = fileURLToPath(new URL('../../config/vendors.yaml', import.meta.url));

export type VendorKind = 'manufacturer' | 'brand';

export interface Vendor {
  name: string;
  /** manufacturer: makes devices; brand: a label on devices made by others. */
  kind: VendorKind;
  /** The legal entity, as restricted lists name it. */
  entity?: string;
  /** The company that owns this one (a canonical name). */
  parent?: string;
  aliases: readonly string[];
}

export interface Vocabulary {
  readonly vendors: readonly Vendor[];
  /** Every canonical name, in file order. */
  readonly names: readonly string[];
  /** The canonical name for a name or alias (case-insensitive), or undefined. */
  canonical(nameOrAlias: string): string | undefined;
  /** The vendor a name or alias stands for. */
  vendor(nameOrAlias: string): Vendor | undefined;
  /** `name`, its parent, the parent's parent... (canonical names; empty if unknown). */
  lineage(nameOrAlias: string): string[];
}

const NAME = z.string().trim().min(1).max(80);

const vendorSchema = z
  .object({
    name: NAME,
    kind: z.enum(['manufacturer', 'brand']),
    entity: z.string().min(1).max(200).optional(),
    parent: NAME.optional(),
    aliases: z.array(NAME).max(32).optional(),
  })
  .strict();

const fileSchema = z.object({ vendors: z.array(vendorSchema).min(1).max(2000) }).strict();

const key = (s: string): string => s.trim().toLowerCase();

/**
 * Validates a parsed vendors document. Returns every problem found (each naming its path),
 * and the vocabulary when there are none.
 */
export function checkVocabulary(raw: unknown, source: string): { vocabulary?: Vocabulary; problems: string[] } {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const problems: string[] = [];
  const vendors: Vendor[] = parsed.data.vendors.map((v) => {
    const out: Vendor = { name: v.name, kind: v.kind, aliases: v.aliases ?? [] };
    if (v.entity !== undefined) out.entity = v.entity;
    if (v.parent !== undefined) out.parent = v.parent;
    return out;
  });

  // Every name and alias must lead to exactly one vendor.
  const byKey = new Map<string, Vendor>();
  vendors.forEach((v, i) => {
    for (const spelling of [v.name, ...v.aliases]) {
      const owner = byKey.get(key(spelling));
      if (owner && owner !== v) {
        problems.push(`${source}: vendors.${i}: "${spelling}" already names ${owner.name}`);
      } else {
        byKey.set(key(spelling), v);
      }
    }
  });
  vendors.forEach((v, i) => {
    if (v.parent === undefined) return;
    const parent = byKey.get(key(v.parent));
    if (!parent) problems.push(`${source}: vendors.${i}.parent: unknown vendor "${v.parent}"`);
    else if (parent.name !== v.parent) problems.push(`${source}: vendors.${i}.parent: use the canonical name "${parent.name}"`);
    else if (parent.kind !== 'manufacturer') problems.push(`${source}: vendors.${i}.parent: "${v.parent}" is a brand, not a company`);
  });
  for (const v of vendors) {
    const seen = new Set<string>();
    let at: Vendor | undefined = v;
    while (at?.parent !== undefined) {
      if (seen.has(at.name)) {
        problems.push(`${source}: parent cycle through ${v.name}`);
        break;
      }
      seen.add(at.name);
      at = byKey.get(key(at.parent));
    }
  }
  if (problems.length > 0) return { problems };

  const vendorOf = (nameOrAlias: string): Vendor | undefined => byKey.get(key(nameOrAlias));
  const vocabulary: Vocabulary = Object.freeze({
    vendors: Object.freeze(vendors.map((v) => Object.freeze({ ...v, aliases: Object.freeze([...v.aliases]) }))),
    names: Object.freeze(vendors.map((v) => v.name)),
    canonical: (nameOrAlias: string) => vendorOf(nameOrAlias)?.name,
    vendor: vendorOf,
    lineage: (nameOrAlias: string) => {
      const chain: string[] = [];
      for (let v = vendorOf(nameOrAlias); v && chain.length < 16; v = v.parent === undefined ? undefined : vendorOf(v.parent)) {
        chain.push(v.name);
      }
      return chain;
    },
  });
  return { vocabulary, problems };
}

/** Parses vendors YAML text; every problem at once in one UsageError. */
export function parseVocabulary(text: string, source: string): Vocabulary {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new UsageError(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  const { vocabulary, problems } = checkVocabulary(raw, source);
  if (!vocabulary) throw new UsageError(`vendor vocabulary has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  return vocabulary;
}

/** Reads and validates the vendors file (default: the package's config/vendors.yaml). */
export function loadVocabulary(file: string = DEFAULT_VENDORS_FILE, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Vocabulary {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read vendor vocabulary ${file}: ${(err as Error).message}`);
  }
  return parseVocabulary(text, file);
}
