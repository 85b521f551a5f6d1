import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadFingerprintDb } from '../../src/fingerprint/index.ts';
import { loadCatalogues } from './models.ts';
import { loadProjectCases, readCaseFile } from './project/cases.ts';
import { sharedSourceKeys } from './score.ts';
import { sourceKeyOf, splitOf } from './split.ts';

/**
 * The split that keeps part of the corpus unseen (corpus/README.md) and the rule that goes
 * with it: fingerprints are written from fitting cases only. Every fingerprint example names
 * its source; an example whose source is a held-out corpus source makes the out-of-sample
 * figure worthless, and fails here.
 */

const shared = sharedSourceKeys();
const project = loadProjectCases();
/** Capture file (`<group>/<file>`) -> source key, for project cases. */
const projectFiles = new Map(project.cases.flatMap((c) => c.files.map((f) => [f.path, c.source.key] as const)));
/** Held-out sources: corpus cases', and the model catalogues' (corpus/models: thingino, the Reolink archive, rroller/dahua). */
const heldOutKeys = new Set(
  [...shared.values(), ...project.cases.map((c) => c.source.key), ...loadCatalogues().map((c) => c.sourceKey)].filter((k) => splitOf(k) === 'held-out'),
);

/** The corpus source key an example's `source` text cites, if it cites one. */
export function exampleSourceKey(source: string): string | undefined {
  const corpusFile = /\bcorpus (?:captures\/)?([\w.-]+\/[\w.@-]+)/u.exec(source)?.[1];
  if (corpusFile !== undefined) return shared.get(corpusFile) ?? projectFiles.get(corpusFile) ?? sourceKeyOf(source);
  // A catalogue citation names its repository anywhere in the text: 'corpus/models/x.yaml (github:owner/repo ...)'.
  return sourceKeyOf(source) ?? /\bgithub:([\w.-]+\/[\w.-]+)/u.exec(source)?.[0];
}

describe('the fitting / held-out split', () => {
  it('is a fixed rule on the source key (about 30 % held out)', () => {
    expect(splitOf('github:rapid7/recog')).toBe('fitting');
    expect(splitOf('github:Tapanila/SharpCaster')).toBe('held-out');
    expect(splitOf('  github:Tapanila/SharpCaster ')).toBe('held-out');
    const keys = [...new Set([...shared.values(), ...project.cases.map((c) => c.source.key)])];
    const held = keys.filter((k) => splitOf(k) === 'held-out').length;
    if (keys.length >= 50) expect(held / keys.length).toBeGreaterThan(0.15);
  });

  it('holds out the model catalogues of held-out sources, and reads a catalogue citation anywhere in the text', () => {
    expect(heldOutKeys.has('github:themactep/thingino-firmware')).toBe(true);
    expect(heldOutKeys.has('github:rroller/dahua')).toBe(true);
    expect(exampleSourceKey('corpus/models/acti.yaml (github:Achelics/mutil_device_recongition model.json)')).toBe('github:Achelics/mutil_device_recongition');
    expect(exampleSourceKey('github:themactep/thingino-firmware (corpus/models/ezviz.yaml)')).toBe('github:themactep/thingino-firmware');
  });

  it('reads the split key of every source form', () => {
    expect(sourceKeyOf('github rapid7/recog xml/*.xml @14fa1a7211e7fb5707c7a1b421a07d6c2cf4eec5')).toBe('github:rapid7/recog');
    expect(sourceKeyOf('https://github.com/home-assistant/core/issues/46822 (comment by Salvora, 2021-02-26)')).toBe('https://github.com/home-assistant/core/issues/46822');
    expect(sourceKeyOf('https://github.com/scottlamb/retina/blob/4a8b8f2f/src/client/testdata/h264dvr_describe.txt')).toBe('github:scottlamb/retina');
    expect(sourceKeyOf('public GitHub Go test file (package onvif), code-index id 65874079156; repo not resolved')).toBe('code-index:65874079156');
    expect(sourceKeyOf('https://www.mhzhuji.com/zhuji_info_958/ (...), via pages corpus')).toBe('https://www.mhzhuji.com/zhuji_info_958/');
  });

  it('every project case is valid and names files that exist', () => {
    expect(project.problems).toEqual([]);
    const ids = project.cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('one device is one case: no two cases of a source hold the same captures', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const c of project.cases) {
      const digest = createHash('sha256');
      for (const f of [...c.files].sort((a, b) => a.path.localeCompare(b.path))) digest.update(readCaseFile(c, f.path)).update('\u0000');
      const key = `${c.source.key}\u0000${digest.digest('hex')}`;
      const first = seen.get(key);
      if (first !== undefined) twice.push(`${c.id} repeats ${first}`);
      else seen.set(key, c.id);
    }
    expect(twice).toEqual([]);
  });

  it('no fingerprint example comes from a held-out source', () => {
    const db = loadFingerprintDb();
    const offending: string[] = [];
    for (const fp of db.fingerprints) {
      for (const ex of fp.examples) {
        const key = exampleSourceKey(ex.source);
        if (key !== undefined && heldOutKeys.has(key)) offending.push(`${fp.id}: "${ex.value}" from ${ex.source} (held out: ${key})`);
      }
    }
    expect(offending).toEqual([]);
  });
});
