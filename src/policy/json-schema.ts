import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { policyPackSchema } from './schema.ts';

/**
 * schemas/policy-pack.schema.json is generated from the zod schema, so the two cannot drift
 * (a unit test compares them). Regenerate after changing schema.ts:
 *
 *   npx node src/policy/json-schema.ts --write
 */
export const POLICY_PACK_SCHEMA_FILE = new URL('../../schemas/policy-pack.schema.json', import.meta.url);

export function policyPackJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(policyPackSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://camsweep.dev/schemas/policy-pack.schema.json',
    ...rest,
    $comment:
      'Generated from src/policy/schema.ts (npx node src/policy/json-schema.ts --write). The loader also checks what JSON Schema cannot: vendor names from config/vendors.yaml, unique rule ids, one rule per maker in a pack, calendar dates, since before until.',
  };
}

export function policyPackJsonSchemaText(): string {
  return `${JSON.stringify(policyPackJsonSchema(), null, 2)}\n`;
}

if (import.meta.main && process.argv.includes('--write')) {
  writeFileSync(POLICY_PACK_SCHEMA_FILE, policyPackJsonSchemaText());
}
