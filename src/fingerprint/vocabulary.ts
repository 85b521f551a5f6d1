import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openYamlSnapshot, yaml, type YamlSnapshot } from '../util/yaml-snapshot.ts';
import { z } from 'zod';
import { UsageError } from '../domain/errors.ts';

/**
 * The vendor vocabulary (config/vendors.yaml): every manufacturer or brand name a fingerprint
 * may claim and a policy rule may name. Fingerprints use canonical names only; `canonical()`
 * maps the spellings devices send (aliases, any letter case) to them.
 */

/** config/vendors.yaml in the package, from src/ and from dist/ alike. */
export const DEFAULT_VENDORS_FILE = fileURLToPath(new URL('../../config/vendors.yaml', import.meta.url));

/**
 * manufacturer: makes devices; brand: a label on devices made by others; component: a name
 * recognised so that its words name nobody else, and never claimed as a device's maker: chip,
 * module and SDK makers whose names show inside other makers' devices (HiSilicon's streaming
 * server, a Realtek NIC) and look-alikes (a scale factory whose name holds the word Dahua).
 */
export type VendorKind = 'manufacturer' | 'brand' | 'component';

/** A label sold on devices another company made: who, when, and the public source saying so. */
export interface OemLink {
  /** The maker (canonical name, kind manufacturer). */
  maker: string;
  since?: string;
  until?: string;
  /** Where this link is documented (a URL, or a corpus file). */
  source: string;
  note?: string;
}

export interface Vendor {
  name: string;
  kind: VendorKind;
  /** The legal entity, as restricted lists name it. */
  entity?: string;
  /** Other legal spellings (the IEEE registry's, a filing's): matched like aliases. */
  legalNames: readonly string[];
  /** The company that owns this one (a canonical name). */
  parent?: string;
  aliases: readonly string[];
  /**
   * Spellings that name this vendor only as a field's whole value (after legal suffixes),
   * never as a word inside longer text: short or common words (`XM`, `Ring`, `General`).
   */
  exactAliases: readonly string[];
  /**
   * How the canonical name and aliases are found in what a device says: `token` (as whole
   * words anywhere in a statement, the default) or `whole` (only as a field's whole value,
   * for names that are common words: Canon, Ring, Nest, Apple).
   */
  match: 'token' | 'whole';
  /** Internet domains the vendor's devices name (manufacturerURL, USNs, certificate names). */
  domains: readonly string[];
  /**
   * Makers of devices sold under this name, each link with its source: every device of a
   * brand; some devices of a manufacturer that also sells others' (Honeywell, Samsung).
   */
  madeBy: readonly OemLink[];
  /** A label that names nobody (Generic, for "General"/"Private"): never a conflict, never preferred. */
  anonymous: boolean;
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

const DATE = z.string().regex(/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/u, 'a date as YYYY, YYYY-MM or YYYY-MM-DD');
const DOMAIN = z
  .string()
  .max(100)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$/u, 'a lower-case domain name such as hikvision.com');

const oemLinkSchema = z
  .object({
    maker: NAME,
    since: DATE.optional(),
    until: DATE.optional(),
    source: z.string().min(8).max(400),
    note: z.string().min(1).max(400).optional(),
  })
  .strict();

const vendorSchema = z
  .object({
    name: NAME,
    kind: z.enum(['manufacturer', 'brand', 'component']),
    entity: z.string().min(1).max(200).optional(),
    legalNames: z.array(z.string().min(1).max(200)).max(16).optional(),
    parent: NAME.optional(),
    aliases: z.array(NAME).max(32).optional(),
    exactAliases: z.array(NAME).max(16).optional(),
    match: z.enum(['token', 'whole']).optional(),
    domains: z.array(DOMAIN).max(16).optional(),
    madeBy: z.array(oemLinkSchema).max(16).optional(),
    anonymous: z.boolean().optional(),
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
    const out: Vendor = {
      name: v.name,
      kind: v.kind,
      legalNames: v.legalNames ?? [],
      aliases: v.aliases ?? [],
      exactAliases: v.exactAliases ?? [],
      match: v.match ?? 'token',
      domains: v.domains ?? [],
      madeBy: (v.madeBy ?? []).map((l) => {
        const link: OemLink = { maker: l.maker, source: l.source };
        if (l.since !== undefined) link.since = l.since;
        if (l.until !== undefined) link.until = l.until;
        if (l.note !== undefined) link.note = l.note;
        return link;
      }),
      anonymous: v.anonymous === true,
    };
    if (v.entity !== undefined) out.entity = v.entity;
    if (v.parent !== undefined) out.parent = v.parent;
    return out;
  });

  // Every name and alias must lead to exactly one vendor (legal names may repeat the entity).
  const byKey = new Map<string, Vendor>();
  const domainOwner = new Map<string, string>();
  vendors.forEach((v, i) => {
    for (const d of v.domains) {
      const owner = domainOwner.get(d);
      if (owner !== undefined) problems.push(`${source}: vendors.${i}: domain ${d} already belongs to ${owner}`);
      else domainOwner.set(d, v.name);
    }
    const spellings = new Map<string, string>();
    for (const s of [v.name, ...v.aliases, ...v.exactAliases, ...(v.entity === undefined ? [] : [v.entity]), ...v.legalNames]) {
      if (!spellings.has(key(s))) spellings.set(key(s), s);
    }
    for (const spelling of spellings.values()) {
      const owner = byKey.get(key(spelling));
      if (owner && owner !== v) {
        problems.push(`${source}: vendors.${i}: "${spelling}" already names ${owner.name}`);
      } else {
        byKey.set(key(spelling), v);
      }
    }
  });
  vendors.forEach((v, i) => {
    v.madeBy.forEach((link, j) => {
      const maker = byKey.get(key(link.maker));
      const where = `${source}: vendors.${i}.madeBy.${j}.maker`;
      if (!maker) problems.push(`${where}: unknown vendor "${link.maker}"`);
      else if (maker.name !== link.maker) problems.push(`${where}: use the canonical name "${maker.name}"`);
      else if (maker.kind !== 'manufacturer') problems.push(`${where}: "${link.maker}" is a ${maker.kind}, not a maker`);
    });
    if (v.parent === undefined) return;
    const parent = byKey.get(key(v.parent));
    if (!parent) problems.push(`${source}: vendors.${i}.parent: unknown vendor "${v.parent}"`);
    else if (parent.name !== v.parent) problems.push(`${source}: vendors.${i}.parent: use the canonical name "${parent.name}"`);
    else if (parent.kind !== 'manufacturer') problems.push(`${source}: vendors.${i}.parent: "${v.parent}" is a ${parent.kind}, not a company`);
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
    vendors: Object.freeze(
      vendors.map((v) =>
        Object.freeze({
          ...v,
          legalNames: Object.freeze([...v.legalNames]),
          aliases: Object.freeze([...v.aliases]),
          exactAliases: Object.freeze([...v.exactAliases]),
          domains: Object.freeze([...v.domains]),
          madeBy: Object.freeze(v.madeBy.map((l) => Object.freeze({ ...l }))),
        }),
      ),
    ),
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

/** How the vendors file is parsed (the key of its value in a snapshot too). */
export const VENDORS_YAML_OPTIONS = { maxAliasCount: 100 } as const;

/** The vendors file's value: from `snapshot` when it holds it (src/util/yaml-snapshot.ts), else parsed. */
export function vendorsValue(text: string, snapshot: YamlSnapshot = openYamlSnapshot(undefined)): unknown {
  return snapshot.value(text, VENDORS_YAML_OPTIONS, () => yaml().parse(text, VENDORS_YAML_OPTIONS));
}

/** Parses vendors YAML text; every problem at once in one UsageError. */
export function parseVocabulary(text: string, source: string): Vocabulary {
  let raw: unknown;
  try {
    raw = vendorsValue(text);
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
