import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

const SCHEMAS = new URL('../../schemas/', import.meta.url);

/**
 * A strict JSON Schema (2020-12) validator, with the standard formats, for one of the
 * project's published schemas: a file name under schemas/, or the file's URL. The other
 * *.v1 schemas are loaded beside it, so one may refer to another by its $id.
 */
export function schemaValidator(schema: string | URL): ValidateFunction {
  const file = typeof schema === 'string' ? new URL(schema, SCHEMAS) : schema;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const main = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
  for (const name of readdirSync(SCHEMAS).filter((n) => /\.v1\.schema\.json$/u.test(n))) {
    const other = JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as { $id?: string };
    if (other.$id !== main.$id) ajv.addSchema(other);
  }
  return ajv.compile(main);
}
