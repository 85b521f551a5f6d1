import { describe, expect, it } from 'vitest';
import { DEFAULT_PACKS, DEFAULT_THRESHOLD, policyConfigSchema } from '../../../src/policy/config.ts';

describe('policyConfigSchema', () => {
  it('defaults to the NDAA and UK packs, no files, threshold 0.6, also when the section is absent', () => {
    expect(policyConfigSchema.parse(undefined)).toEqual({ packs: ['us-ndaa-889', 'uk-2022-sensitive-sites'], files: [], threshold: 0.6 });
    expect(policyConfigSchema.parse({})).toEqual({ packs: [...DEFAULT_PACKS], files: [], threshold: DEFAULT_THRESHOLD });
  });

  it('takes packs, files and a threshold', () => {
    expect(policyConfigSchema.parse({ packs: ['au-2023'], files: ['/etc/camsweep/site.yaml'], threshold: 0.8 })).toEqual({
      packs: ['au-2023'],
      files: ['/etc/camsweep/site.yaml'],
      threshold: 0.8,
    });
  });

  it('reports every bad key with its path', () => {
    const r = policyConfigSchema.safeParse({ packs: 'us-ndaa-889', threshold: 1.5, colour: 'red' });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.') || i.code);
    expect(paths).toEqual(expect.arrayContaining(['packs', 'threshold', 'unrecognized_keys']));
    expect(policyConfigSchema.safeParse({ threshold: 0 }).success).toBe(false);
  });
});
