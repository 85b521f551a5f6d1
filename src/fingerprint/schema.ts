import { z } from 'zod';
import type { DeviceKind } from '../domain/types.ts';

/**
 * The schema of one fingerprint file (config/fingerprints/<vendor>.yaml). The same rules are
 * published for authors and editors as JSON Schema in schemas/fingerprints.schema.json; a
 * test keeps the two in step. Everything here is about shape: names, regexes and examples
 * are checked against the vocabulary and each other in compile.ts and selfcheck.ts.
 */

export const DEVICE_KINDS: readonly DeviceKind[] = ['camera', 'recorder', 'intercom', 'printer', 'media', 'network', 'computer', 'other'];

/** Longest pattern accepted: fingerprints are short, anchored expressions. */
export const MAX_PATTERN_LENGTH = 300;
/** Longest example or counter-example value (evidence values are capped at 512 characters). */
export const MAX_VALUE_LENGTH = 512;

/** An exact evidence field (`onvif.manufacturer`) or a prefix (`mdns.txt.*`). */
export const FIELD_PATTERN = /^[a-z][a-z0-9]*(?:\.[A-Za-z0-9_-]+)*(?:\.\*)?$/u;
/** `vendor.topic.detail`: lower case, at least three dot-separated parts. */
export const ID_PATTERN = /^[a-z0-9-]+(?:\.[a-z0-9-]+){2,5}$/u;

const field = z.string().max(120).regex(FIELD_PATTERN, 'must be a dotted evidence field such as onvif.manufacturer, or a prefix such as mdns.txt.*');
const exactField = z.string().max(120).regex(FIELD_PATTERN, 'must be a dotted evidence field').refine((f) => !f.endsWith('.*'), 'must be an exact field');
const text = (max: number) => z.string().min(1).max(max);

/** Claims with optional `$<group>` references in model and firmwareFamily. */
export const claimsSchema = z
  .object({
    manufacturer: text(80).optional(),
    brand: text(80).optional(),
    model: text(120).optional(),
    firmwareFamily: text(120).optional(),
    kind: z.enum(DEVICE_KINDS as [DeviceKind, ...DeviceKind[]]).optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must claim at least one of manufacturer, brand, model, firmwareFamily, kind');

const evidenceItem = z.object({ field: exactField, value: text(MAX_VALUE_LENGTH) }).strict();

const exampleSchema = z
  .object({
    /** The real value, verbatim. */
    value: text(MAX_VALUE_LENGTH),
    /** Which of the entry's fields it was seen in (default: the first). */
    field: exactField.optional(),
    /** What the entry must extract from it, exactly. */
    claims: claimsSchema,
    /** Other evidence of the same device, for entries with `requires`. */
    context: z.array(evidenceItem).max(8).optional(),
    /** The corpus file or public source the value comes from. */
    source: text(400),
  })
  .strict();

const counterExampleSchema = z
  .object({
    /** A real value this entry (and any entry claiming the same maker) must not match. */
    value: text(MAX_VALUE_LENGTH),
    field: exactField.optional(),
    source: text(400),
    /** Why it is a trap. */
    note: text(400).optional(),
  })
  .strict();

const requirementSchema = z
  .object({
    field: exactField,
    pattern: text(MAX_PATTERN_LENGTH),
    flags: z.enum(['i']).optional(),
  })
  .strict();

/**
 * What kind of tell an entry is (docs/fingerprints.md, "Tells"): `platform` (firmware, serial
 * and model-code schemes, the vendor's discovery protocol, SDK strings, vendor namespaces:
 * who made the device), `statement` (the device names a company in a field meant for it),
 * `registry` (the IEEE registrant of its MAC: who owns the block), `label` (the brand only).
 */
export const TELLS = ['platform', 'statement', 'registry', 'label'] as const;
export type Tell = (typeof TELLS)[number];

export const fingerprintSchema = z
  .object({
    id: z.string().regex(ID_PATTERN, 'must look like vendor.topic.detail (lower case, dot separated)'),
    /** Default: label for brand-only claims, registry for mac.* fields, statement for maker fields, else platform. */
    tell: z.enum(TELLS).optional(),
    /** Tells in one group are not independent of each other (default: the id's topic, e.g. `namespace`). */
    group: z.string().regex(/^[a-z0-9-]{1,40}$/u, 'a short lower-case name').optional(),
    /**
     * Other makers' devices show this too (an OEM SDK's namespace, a module's OUI, a shared
     * stack): it can support a maker, never establish one alone. `sharedBecause` says why.
     */
    shared: z.boolean().optional(),
    sharedBecause: text(400).optional(),
    field: z.union([field, z.array(field).min(1).max(12)]),
    pattern: text(MAX_PATTERN_LENGTH),
    flags: z.enum(['i']).optional(),
    claims: claimsSchema,
    weight: z.number().min(0).max(1),
    description: text(400),
    /** Other evidence the device must also show for this entry to apply. */
    requires: z.array(requirementSchema).min(1).max(4).optional(),
    examples: z.array(exampleSchema).min(1).max(32),
    counterExamples: z.array(counterExampleSchema).max(32).optional(),
  })
  .strict();

export const fingerprintFileSchema = z
  .object({
    /** What this file covers, for people. */
    description: text(400).optional(),
    fingerprints: z.array(fingerprintSchema).min(1).max(500),
  })
  .strict();

export type FingerprintEntry = z.infer<typeof fingerprintSchema>;
export type FingerprintFile = z.infer<typeof fingerprintFileSchema>;
export type ClaimTemplate = z.infer<typeof claimsSchema>;
