import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/**
 * A strict JSON Schema (2020-12) validator, with the standard formats, for one of the
 * project's published schemas: a file name under schemas/, or the file's URL.
 */
export function schemaValidator(schema: string | URL): ValidateFunction {
  const file = typeof schema === 'string' ? new URL(`../../schemas/${schema}`, import.meta.url) : schema;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
}
