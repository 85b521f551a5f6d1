import { z } from 'zod';

/**
 * The `policy:` section of the configuration file, for src/config/schema.ts to plug in:
 *
 *   policy:
 *     packs: [us-ndaa-889, uk-2022-sensitive-sites]   # shipped packs, in order
 *     files: []                                       # custom pack files, after the packs
 *     threshold: 0.6                                  # confidence that establishes a maker
 */
export const DEFAULT_PACKS: readonly string[] = ['us-ndaa-889', 'uk-2022-sensitive-sites'];
export const DEFAULT_THRESHOLD = 0.6;

export const policyConfigSchema = z
  .object({
    packs: z.array(z.string().min(1)).default([...DEFAULT_PACKS]),
    files: z.array(z.string().min(1)).default([]),
    threshold: z.number().gt(0).max(1).default(DEFAULT_THRESHOLD),
  })
  .strict()
  .prefault({});

export type PolicyConfig = z.output<typeof policyConfigSchema>;
