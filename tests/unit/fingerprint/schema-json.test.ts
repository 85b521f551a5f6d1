import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_FINGERPRINT_DIR } from '../../../src/fingerprint/db.ts';
import { fingerprintFileSchema } from '../../../src/fingerprint/schema.ts';

/**
 * schemas/fingerprints.schema.json documents for authors and editors what
 * src/fingerprint/schema.ts enforces. Both must accept every packaged file and reject the
 * same broken ones.
 */

const jsonSchema: unknown = JSON.parse(readFileSync(new URL('../../../schemas/fingerprints.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(jsonSchema as object);

const files = readdirSync(DEFAULT_FINGERPRINT_DIR).filter((n) => n.endsWith('.yaml'));

const entry = {
  id: 'hikvision.onvif.manufacturer',
  field: 'onvif.manufacturer',
  pattern: '^HIKVISION$',
  claims: { manufacturer: 'Hikvision' },
  weight: 0.9,
  description: 'names Hikvision',
  examples: [{ value: 'HIKVISION', claims: { manufacturer: 'Hikvision' }, source: 'corpus hikvision/onvif-GetDeviceInformation-parsed-1.txt' }],
};

describe('fingerprint file schema (JSON Schema and zod agree)', () => {
  it.each(files)('%s is valid under both', (name) => {
    const doc: unknown = parseYaml(readFileSync(join(DEFAULT_FINGERPRINT_DIR, name), 'utf8'));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(fingerprintFileSchema.safeParse(doc).success).toBe(true);
  });

  const broken: Array<[string, unknown]> = [
    ['no examples', { fingerprints: [{ ...entry, examples: [] }] }],
    ['unknown key', { fingerprints: [{ ...entry, colour: 'red' }] }],
    ['weight above 1', { fingerprints: [{ ...entry, weight: 1.2 }] }],
    ['bad id', { fingerprints: [{ ...entry, id: 'Hikvision' }] }],
    ['bad field', { fingerprints: [{ ...entry, field: 'Onvif manufacturer' }] }],
    ['prefix field in an example', { fingerprints: [{ ...entry, examples: [{ ...entry.examples[0], field: 'mdns.txt.*' }] }] }],
    ['empty claims', { fingerprints: [{ ...entry, claims: {} }] }],
    ['unknown kind', { fingerprints: [{ ...entry, claims: { kind: 'toaster' } }] }],
    ['flags other than i', { fingerprints: [{ ...entry, flags: 'g' }] }],
    ['numeric example value', { fingerprints: [{ ...entry, examples: [{ ...entry.examples[0], value: 100 }] }] }],
    ['example without source', { fingerprints: [{ ...entry, examples: [{ value: 'HIKVISION', claims: { manufacturer: 'Hikvision' } }] }] }],
    ['no fingerprints', { fingerprints: [] }],
    ['pattern too long', { fingerprints: [{ ...entry, pattern: 'a'.repeat(301) }] }],
  ];
  it.each(broken)('both reject: %s', (_label, doc) => {
    expect(validate(doc)).toBe(false);
    expect(fingerprintFileSchema.safeParse(doc).success).toBe(false);
  });

  it('both accept a minimal entry, with a field list and requires', () => {
    const doc = { fingerprints: [entry, { ...entry, id: 'hikvision.onvif.other', field: ['onvif.model', 'mdns.txt.*'], requires: [{ field: 'onvif.scope.location', pattern: '^city/x$' }] }] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(fingerprintFileSchema.safeParse(doc).success).toBe(true);
  });
});
