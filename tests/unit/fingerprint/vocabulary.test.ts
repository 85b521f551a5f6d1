import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/domain/errors.ts';
import { checkVocabulary, loadVocabulary, parseVocabulary } from '../../../src/fingerprint/vocabulary.ts';

describe('vendor vocabulary', () => {
  const vocab = loadVocabulary();

  it('loads config/vendors.yaml with the canonical names the issue lists', () => {
    for (const name of ['Hikvision', 'Dahua', 'Uniview', 'Tiandy', 'Huawei', 'ZTE', 'Hytera', 'Axis', 'Bosch', 'Hanwha', 'Vivotek', 'Panasonic', 'Sony', 'Reolink', 'TP-Link', 'Ubiquiti', 'Epson', 'Google', 'Sonos']) {
      expect(vocab.names).toContain(name);
    }
    expect(Object.isFrozen(vocab.names)).toBe(true);
  });

  it('maps names and aliases to the canonical name, in any case', () => {
    expect(vocab.canonical('HIKVISION')).toBe('Hikvision');
    expect(vocab.canonical('hikvision')).toBe('Hikvision');
    expect(vocab.canonical('ZheJiang Dahua Technology CO.,LTD.')).toBe('Dahua');
    expect(vocab.canonical('samsung techwin')).toBe('Hanwha');
    expect(vocab.canonical('EZIP')).toBe('EZ-IP');
    expect(vocab.canonical('Private')).toBe('Generic');
    // The look-alike has its own entry, so its words never name Dahua Technology.
    expect(vocab.canonical('Shanghai Dahua Scale Factory')).toBe('Dahua Scale');
    expect(vocab.canonical('Dahua Scale Factory')).toBeUndefined();
  });

  it('knows kinds and parents', () => {
    expect(vocab.vendor('Lorex')?.kind).toBe('brand');
    expect(vocab.vendor('Dahua')?.kind).toBe('manufacturer');
    expect(vocab.lineage('EZVIZ')).toEqual(['EZVIZ', 'Hikvision']);
    expect(vocab.lineage('lechange')).toEqual(['Imou', 'Dahua']);
    expect(vocab.lineage('nobody')).toEqual([]);
  });

  it('reports every problem at once', () => {
    const { vocabulary, problems } = checkVocabulary(
      {
        vendors: [
          { name: 'Acme', kind: 'manufacturer', aliases: ['ACME Corp'] },
          { name: 'acme', kind: 'brand' },
          { name: 'Other', kind: 'manufacturer', aliases: ['ACME CORP'] },
          { name: 'Sub', kind: 'manufacturer', parent: 'Nobody' },
          { name: 'Label', kind: 'brand' },
          { name: 'Child', kind: 'manufacturer', parent: 'Label' },
          { name: 'Kid', kind: 'manufacturer', parent: 'other' },
        ],
      },
      'v.yaml',
    );
    expect(vocabulary).toBeUndefined();
    expect(problems).toEqual([
      'v.yaml: vendors.1: "acme" already names Acme',
      'v.yaml: vendors.2: "ACME CORP" already names Acme',
      'v.yaml: vendors.3.parent: unknown vendor "Nobody"',
      'v.yaml: vendors.5.parent: "Label" is a brand, not a company',
      'v.yaml: vendors.6.parent: use the canonical name "Other"',
    ]);
  });

  it('reports schema problems with their paths, and parent cycles', () => {
    const schema = checkVocabulary({ vendors: [{ name: '', kind: 'maker' }, { kind: 'brand', colour: 'red' }] }, 'v.yaml');
    expect(schema.problems.join('\n')).toMatch(/vendors\.0\.name[\s\S]*vendors\.0\.kind[\s\S]*vendors\.1\.name[\s\S]*colour/u);
    const cycle = checkVocabulary(
      {
        vendors: [
          { name: 'A', kind: 'manufacturer', parent: 'B' },
          { name: 'B', kind: 'manufacturer', parent: 'A' },
        ],
      },
      'v.yaml',
    );
    expect(cycle.problems).toContain('v.yaml: parent cycle through A');
  });

  it('parseVocabulary throws one UsageError for bad YAML or bad content', () => {
    expect(() => parseVocabulary('vendors: [', 'v.yaml')).toThrow(UsageError);
    expect(() => parseVocabulary('vendors: []', 'v.yaml')).toThrow(/vendors/u);
    expect(() => loadVocabulary('/nonexistent/vendors.yaml')).toThrow(/cannot read vendor vocabulary/u);
  });
});
