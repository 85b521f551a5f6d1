import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../../../src/config/json-schema.ts';

const schemaText = readFileSync(CONFIG_SCHEMA_FILE, 'utf8');
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(JSON.parse(schemaText) as object);

describe('schemas/config.schema.json', () => {
  it('is up to date with the zod schema (regenerate: npx node src/config/json-schema.ts --write)', () => {
    expect(schemaText).toBe(configJsonSchemaText());
  });

  it('accepts the example configuration and refuses an unknown key or a bad listen value', () => {
    const example = parseYaml(readFileSync(new URL('../../../config/camsweep.example.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, daemon: { schedule: { interval: 60 }, colour: 'blue' } })).toBe(false);
    expect(validate({ daemon: { http: { listen: true } } })).toBe(false);
    expect(validate({ daemon: { http: { listen: false }, schedule: { cron: '*/5 * * * *', timezone: 'Europe/Paris', jitter: 30 } } })).toBe(true);
  });
});
