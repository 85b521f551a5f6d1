import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { availablePacks, loadPolicy, PACK_DIR } from '../../../src/policy/load.ts';
import { DEFAULT_PACKS } from '../../../src/policy/config.ts';
import { policyPackJsonSchemaText, POLICY_PACK_SCHEMA_FILE } from '../../../src/policy/json-schema.ts';
import { readVocabulary, vocabularyFromNames, vocabularyProblem } from '../../../src/policy/vocabulary.ts';
import { schemaValidator } from '../../helpers/json-schema.ts';


const SHIPPED = ['au-2023', 'uk-2022-sensitive-sites', 'us-fcc-covered-list', 'us-ndaa-889'];

describe('shipped policy packs', () => {
  it('are the four documented packs', () => {
    expect(availablePacks()).toEqual(SHIPPED);
  });

  it('each loads and validates against the vendor vocabulary', () => {
    for (const id of SHIPPED) {
      const policy = loadPolicy({ packs: [id] });
      expect(policy.packs.map((p) => p.id)).toEqual([id]);
      expect(policy.packs[0]?.rules.length).toBeGreaterThan(0);
    }
  });

  it('all load together, in the order asked, and the result is frozen', () => {
    const policy = loadPolicy({ packs: [...SHIPPED].reverse() });
    expect(policy.packs.map((p) => p.id)).toEqual([...SHIPPED].reverse());
    expect(Object.isFrozen(policy.packs)).toBe(true);
    expect(Object.isFrozen(policy.packs[0]?.rules[0]?.appliesTo.kinds)).toBe(true);
  });

  it('each validates against schemas/policy-pack.schema.json too', () => {
    const validate = schemaValidator(POLICY_PACK_SCHEMA_FILE);
    for (const id of SHIPPED) {
      const doc: unknown = parseYaml(readFileSync(`${PACK_DIR}/${id}.yaml`, 'utf8'));
      expect(validate(doc), `${id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ id: 'x' })).toBe(false);
  });

  it('the JSON Schema file is the one generated from the zod schema (regenerate: npx node src/policy/json-schema.ts --write)', () => {
    expect(readFileSync(POLICY_PACK_SCHEMA_FILE, 'utf8')).toBe(policyPackJsonSchemaText());
  });

  it('the defaults cover Hikvision, Dahua, Huawei, ZTE, Hytera, Uniview and Tiandy, with their brands', () => {
    const policy = loadPolicy();
    expect(policy.packs.map((p) => p.id)).toEqual([...DEFAULT_PACKS]);
    const entities = new Set(policy.packs.flatMap((p) => p.rules.map((r) => r.entity)));
    for (const e of ['Hikvision', 'Dahua', 'Huawei', 'ZTE', 'Hytera', 'Uniview', 'Tiandy']) expect(entities.has(e), e).toBe(true);
    const related = new Set(policy.packs.flatMap((p) => p.rules.flatMap((r) => [...r.subsidiaries, ...r.affiliates, ...r.brands].map((x) => x.name))));
    for (const b of ['EZVIZ', 'Hikrobot', 'Prama Hikvision', 'HiLook', 'HiWatch', 'Imou', 'Lorex', 'EZ-IP', 'Amcrest']) expect(related.has(b), b).toBe(true);
  });

  it('records the affiliation dates from the public record', () => {
    const ndaa = loadPolicy({ packs: ['us-ndaa-889'] }).packs[0];
    const dahua = ndaa?.rules.find((r) => r.id === 'dahua');
    // Announced sales (Imou 2025-03-03, Lorex approved 2022-11-23) do not end a tie: no until without a completion source.
    expect(dahua?.subsidiaries.find((s) => s.name === 'Imou')?.until).toBeUndefined();
    expect(dahua?.subsidiaries.find((s) => s.name === 'Lorex')).toMatchObject({ since: '2018' });
    expect(dahua?.subsidiaries.find((s) => s.name === 'Lorex')?.until).toBeUndefined();
    for (const pack of loadPolicy().packs) {
      for (const r of pack.rules) for (const x of [...r.subsidiaries, ...r.affiliates, ...r.brands]) if (x.until !== undefined) expect(x.untilSource, `${pack.id} ${x.name}`).toBeDefined();
    }
    expect(ndaa?.published).toBe('2018-08-13');
    expect(ndaa?.rules.every((r) => r.appliesTo.since === '2019-08-13')).toBe(true);
  });

  it('every rule names its source with an https address, and every name in it is canonical', () => {
    const vocabulary = readVocabulary();
    for (const pack of loadPolicy({ packs: SHIPPED }).packs) {
      expect(pack.source.url).toMatch(/^https:\/\//u);
      for (const rule of pack.rules) {
        expect(rule.source.url, `${pack.id}/${rule.id}`).toMatch(/^https:\/\//u);
        expect(vocabulary.names.has(rule.entity)).toBe(true);
      }
    }
  });

  it('reads the vocabulary through the fingerprint loader: aliases point to the canonical name, a broken file is refused', () => {
    const vocabulary = readVocabulary();
    expect(vocabularyProblem(vocabulary, 'Hikvision')).toBeUndefined();
    expect(vocabularyProblem(vocabulary, 'Hikvision Digital Technology')).toBe('"Hikvision Digital Technology" is not the canonical vendor name: use "Hikvision"');
    expect(vocabularyProblem(vocabulary, 'ZheJiang Dahua Technology CO.,LTD.')).toMatch(/use "Dahua"$/u);
    expect(vocabularyProblem(vocabulary, 'Hikvisoin')).toMatch(/^unknown vendor "Hikvisoin"/u);
    expect(vocabularyProblem(vocabularyFromNames(['Axis']), ' axis ')).toBe('" axis " is not the canonical vendor name: use "Axis"');
    expect(() => readVocabulary('/nonexistent/vendors.yaml')).toThrow(/cannot read vendor vocabulary/u);
  });

  it('the UK pack says plainly that its list is the pack author’s reading of a criterion', () => {
    const uk = loadPolicy({ packs: ['uk-2022-sensitive-sites'] }).packs[0];
    expect(uk?.note).toMatch(/names no company/u);
    expect(uk?.note).toMatch(/pack author's reading/u);
    expect(uk?.rules.every((r) => r.scope.form === 'paraphrased')).toBe(true);
  });

  it('brands sold by OEM resellers say there is no ownership', () => {
    for (const pack of loadPolicy({ packs: SHIPPED }).packs) {
      for (const brand of pack.rules.flatMap((r) => r.brands).filter((b) => ['Amcrest', 'BCS', 'LTS', 'Annke'].includes(b.name))) {
        expect(brand.note, `${pack.id} ${brand.name}`).toMatch(/no ownership/u);
      }
    }
  });
});
