import type { Entry } from '../types.ts';
import { CAMERA_ENTRIES } from './cameras.ts';
import { NEGATIVE_ENTRIES } from './negatives.ts';
import { RESTRICTED_ENTRIES } from './restricted.ts';

/** Every file of ../shared/corpus (INDEX.md), in corpus path order. */
export const MANIFEST: readonly Entry[] = [...RESTRICTED_ENTRIES, ...CAMERA_ENTRIES, ...NEGATIVE_ENTRIES].sort((a, b) => a.corpus.localeCompare(b.corpus));

/**
 * Makers whose devices the default policy (us-ndaa-889 + uk-2022-sensitive-sites) restricts:
 * the rules' entities with their subsidiaries and affiliates, as shipped in config/policy.
 * tests/corpus/manifest.test.ts checks this list against the loaded packs.
 */
export const RESTRICTED_MAKERS: readonly string[] = [
  'Dahua',
  'EZVIZ',
  'HeroSpeed',
  'Hikrobot',
  'Hikvision',
  'Huawei',
  'Hytera',
  'Imou',
  'Lorex',
  'Prama Hikvision',
  'Tiandy',
  'Uniview',
  'XiongMai',
  'ZTE',
];
