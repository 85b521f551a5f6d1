import { z } from 'zod';
import type { DeviceKind } from '../domain/types.ts';
import { POLICY_DATE_PATTERN, isPolicyDate } from './dates.ts';

/**
 * The policy pack format (config/policy/<id>.yaml and custom packs), validated once on load.
 * schemas/policy-pack.schema.json is generated from this schema (src/policy/json-schema.ts);
 * the checks JSON Schema cannot express (vendor vocabulary, duplicate ids, date order) live in
 * validate.ts.
 */

const ALL_KINDS: Record<DeviceKind, true> = {
  camera: true,
  recorder: true,
  intercom: true,
  printer: true,
  media: true,
  network: true,
  computer: true,
  other: true,
};
/** Every DeviceKind, in declaration order (the record above makes the list exhaustive). */
export const DEVICE_KINDS = Object.keys(ALL_KINDS) as [DeviceKind, ...DeviceKind[]];

const DATE_HELP = 'expected a date as YYYY-MM-DD, YYYY-MM or YYYY (quote a bare year: "2018")';

const text = (max: number) => z.string({ error: 'expected text' }).min(1, { error: 'must not be empty' }).max(max);

const id = z
  .string({ error: 'expected an id' })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/u, { error: 'ids are lowercase letters, digits and hyphens (at most 63), e.g. us-ndaa-889' });

export const policyDateSchema = z
  .string({ error: DATE_HELP })
  .regex(POLICY_DATE_PATTERN, { error: DATE_HELP, abort: true })
  .refine(isPolicyDate, { error: 'not a calendar date' })
  .meta({ description: 'YYYY-MM-DD, YYYY-MM or YYYY: as precise as the source. A since starts at the first day of its period, an until ends at the last.' });

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/u;

const VERSION_HELP = 'version is a semantic version (1.2.0) or a date (2025-03-03), quoted';
const versionSchema = z
  .string({ error: VERSION_HELP })
  .regex(new RegExp(`(?:${SEMVER.source})|(?:${POLICY_DATE_PATTERN.source})`, 'u'), { error: VERSION_HELP, abort: true })
  .refine((v) => SEMVER.test(v) || isPolicyDate(v), { error: VERSION_HELP })
  .meta({ description: 'Pack version: a semantic version (1.2.0) or a date (2025-03-03). Quote it in YAML.' });

export const sourceSchema = z
  .object({
    document: text(300).meta({ description: 'The document, as its publisher names it.' }),
    date: policyDateSchema,
    url: z
      .url({ protocol: /^https?$/u, error: 'expected an http(s) address' })
      .regex(/^https?:\/\//u, { error: 'expected an http(s) address' })
      .max(500),
    note: text(1000).optional().meta({ description: 'Anything a reader should know about this source (e.g. an address not verified).' }),
  })
  .strict()
  .meta({ description: 'Where a pack or rule comes from.' });

const relationSchema = z
  .object({
    name: text(100).meta({ description: 'Canonical vendor name from config/vendors.yaml.' }),
    since: policyDateSchema.optional(),
    until: policyDateSchema.optional().meta({
      description: 'The day the tie ended: only with untilSource, the completed sale or separation. An announced sale does not end a tie.',
    }),
    untilSource: sourceSchema
      .optional()
      .meta({ description: 'Where the end of the tie is recorded as done (a completed sale, a closing, a filing): required with until.' }),
    note: text(1000).optional(),
  })
  .strict();

const appliesToSchema = z
  .object({
    kinds: z.array(z.enum(DEVICE_KINDS)).min(1).meta({ description: 'Device kinds the rule covers. List every kind to cover all of them.' }),
    since: policyDateSchema.optional().meta({ description: 'The rule is in force from this date.' }),
    until: policyDateSchema.optional().meta({ description: 'The rule is in force up to this date.' }),
    note: text(1000).optional().meta({ description: 'Why these kinds and dates.' }),
  })
  .strict();

const scopeSchema = z
  .object({
    text: text(2000).meta({ description: "The rule's wording." }),
    form: z.enum(['quoted', 'paraphrased']).meta({ description: 'quoted: verbatim from the source; paraphrased: the pack author’s words.' }),
    note: text(1000).optional(),
  })
  .strict();

export const ruleSchema = z
  .object({
    id,
    entity: text(100).meta({ description: 'Canonical vendor name (config/vendors.yaml) of the covered entity.' }),
    legalName: text(300).meta({ description: 'The entity as the source names it.' }),
    aliases: z.array(text(300)).default([]).meta({ description: 'Other names of the entity (legal names, former names); matched case-insensitively.' }),
    subsidiaries: z.array(relationSchema).default([]).meta({ description: 'Companies the entity owns or controls, with the dates of that control.' }),
    affiliates: z.array(relationSchema).default([]).meta({ description: 'Joint ventures and other affiliates, with dates.' }),
    brands: z
      .array(relationSchema)
      .default([])
      .meta({
        description:
          'Labels on devices the entity made (own brands, OEM resellers). A device stating such a label is restricted unless other evidence names another maker (then review).',
      }),
    appliesTo: appliesToSchema,
    scope: scopeSchema,
    source: sourceSchema,
    note: text(2000).optional(),
  })
  .strict();

export const policyPackSchema = z
  .object({
    id,
    version: versionSchema,
    title: text(300),
    jurisdiction: text(100).meta({ description: 'Where the pack applies, e.g. "United States (federal)".' }),
    published: policyDateSchema.meta({ description: 'When the underlying measure was published.' }),
    source: sourceSchema,
    summary: text(4000),
    rules: z.array(ruleSchema).min(1, { error: 'a pack has at least one rule' }),
    note: text(4000).optional(),
  })
  .strict()
  .meta({
    title: 'camsweep policy pack',
    description: 'A restricted-vendor policy pack: which makers are covered, for which device kinds, since when, and on what authority.',
  });

export type PolicyPackData = z.output<typeof policyPackSchema>;
export type PolicyRule = PolicyPackData['rules'][number];
export type PolicyRelation = PolicyRule['subsidiaries'][number];
export type PolicyPackSource = PolicyPackData['source'];
