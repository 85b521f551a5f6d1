import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from './schema.ts';

/**
 * schemas/config.schema.json, for editors (YAML language servers read the
 * `# yaml-language-server: $schema=...` line of config/camsweep.example.yaml), is generated
 * from the zod schema so the two cannot drift (a unit test compares them). Regenerate after
 * changing a section's schema:
 *
 *   npx node src/config/json-schema.ts --write
 */
export const CONFIG_SCHEMA_FILE = new URL('../../schemas/config.schema.json', import.meta.url);

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://camsweep.dev/schemas/config.schema.json',
    title: 'camsweep configuration file',
    description: 'The YAML configuration of camsweep (config/camsweep.example.yaml documents every key). Durations are seconds. CAMSWEEP_<SECTION>_<KEY> environment variables override the file (docs/deploy.md).',
    ...rest,
    $comment:
      'Generated from src/config/schema.ts (npx node src/config/json-schema.ts --write). The loader also checks what JSON Schema cannot: credential CIDRs, that secret files are readable, cron expressions and time zones, the report endpoint URL.',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (import.meta.main && process.argv.includes('--write')) {
  writeFileSync(CONFIG_SCHEMA_FILE, configJsonSchemaText());
}
