import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { DeviceKind } from '../../../src/domain/types.ts';
import type { Attribution, ManufacturerCandidate } from '../../../src/domain/verdict.ts';
import { decide } from '../../../src/policy/decide.ts';
import { loadPolicy, type Policy } from '../../../src/policy/load.ts';

const defaults = loadPolicy();
const ndaa = loadPolicy({ packs: ['us-ndaa-889'] });
const NOW = new Date('2026-06-01T00:00:00Z');

function attribution(over: Partial<Attribution> = {}): Attribution {
  const manufacturer = over.manufacturer ?? null;
  const confidence = over.confidence ?? 0;
  const candidates: ManufacturerCandidate[] =
    over.candidates ?? (manufacturer === null ? [] : [{ manufacturer, score: confidence, fingerprints: [`${manufacturer.toLowerCase()}.test`] }]);
  return { manufacturer, brand: null, model: null, firmwareFamily: null, kind: null, confidence, candidates, matches: [], conflicts: [], ...over };
}

const made = (manufacturer: string, confidence: number, over: Partial<Attribution> = {}) => attribution({ manufacturer, confidence, ...over });

function run(kind: DeviceKind, a: Attribution, policy: Policy = defaults, options: { threshold?: number; asOf?: Date } = {}) {
  return decide({ kind, attribution: Object.freeze(a) }, policy, { threshold: options.threshold ?? 0.6, asOf: options.asOf ?? NOW });
}

describe('decide: restricted', () => {
  it.each<[string, DeviceKind, Attribution, string, string, RegExp]>([
    ['the entity', 'camera', made('Hikvision', 0.93), 'us-ndaa-889', 'hikvision', /^made by Hikvision \(confidence 0\.93 from 1 fingerprint\), covered by us-ndaa-889 rule hikvision/u],
    ['a subsidiary (EZVIZ)', 'camera', made('EZVIZ', 0.8), 'us-ndaa-889', 'hikvision', /EZVIZ .*, a subsidiary of Hikvision, covered by/u],
    ['an affiliate (Prama Hikvision)', 'recorder', made('Prama Hikvision', 0.7), 'us-ndaa-889', 'hikvision', /an affiliate of Hikvision/u],
    ['an alias, case-insensitively', 'camera', made('HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.', 0.9), 'us-ndaa-889', 'hikvision', /covered by us-ndaa-889 rule hikvision/u],
    ['a Dahua intercom', 'intercom', made('Dahua', 0.9), 'us-ndaa-889', 'dahua', /made by Dahua/u],
    ['Uniview, named by the UK pack only', 'camera', made('Uniview', 0.9), 'uk-2022-sensitive-sites', 'uniview', /covered by uk-2022-sensitive-sites rule uniview/u],
    ['Tiandy, named by the UK pack only', 'recorder', made('Tiandy', 0.75), 'uk-2022-sensitive-sites', 'tiandy', /rule tiandy/u],
    ['a Huawei router (all telecom equipment)', 'network', made('Huawei', 0.9), 'us-ndaa-889', 'huawei', /rule huawei/u],
    ['a ZTE computer (all telecom equipment)', 'computer', made('ZTE', 0.9), 'us-ndaa-889', 'zte', /rule zte/u],
    ['a Hikvision switch (telecommunications equipment under 889)', 'network', made('Hikvision', 0.9), 'us-ndaa-889', 'hikvision', /^made by Hikvision[^;]*$/u],
    ['a Hytera device of unknown kind', 'other', made('Hytera', 0.9), 'us-ndaa-889', 'hytera', /rule hytera/u],
    ['Dahua hardware under the Amcrest label: the maker counts', 'camera', made('Dahua', 0.85, { brand: 'Amcrest' }), 'us-ndaa-889', 'dahua', /made by Dahua/u],
  ])('%s', (_what, kind, a, pack, rule, reason) => {
    const v = run(kind, a);
    expect(v.status).toBe('restricted');
    expect(v.pack).toBe(pack);
    expect(v.rule).toBe(rule);
    expect(v.reason).toMatch(reason);
    expect(v.source?.url).toMatch(/^https:\/\//u);
    expect(v.scope).toBeTruthy();
  });

  it('names the first pack in order, lists the other rules, and carries the rule source and scope', () => {
    const v = run('camera', made('Hikvision', 0.9));
    expect(v).toMatchObject({
      status: 'restricted',
      pack: 'us-ndaa-889',
      rule: 'hikvision',
      entity: 'Hikvision',
      source: { document: 'Public Law 115-232, section 889', date: '2018-08-13', url: 'https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf' },
    });
    expect(v.scope).toMatch(/video surveillance and telecommunications equipment produced by/u);
    expect(v.reason).toMatch(/; also uk-2022-sensitive-sites rule hikvision$/u);
    const reversed = loadPolicy({ packs: ['uk-2022-sensitive-sites', 'us-ndaa-889'] });
    expect(run('camera', made('Hikvision', 0.9), reversed)).toMatchObject({ pack: 'uk-2022-sensitive-sites', rule: 'hikvision' });
  });

  it('a confidence exactly at the threshold establishes the maker; the threshold is an option', () => {
    expect(run('camera', made('Hikvision', 0.6)).status).toBe('restricted');
    expect(run('camera', made('Hikvision', 0.5)).status).toBe('review');
    expect(run('camera', made('Hikvision', 0.5), defaults, { threshold: 0.4 }).status).toBe('restricted');
    expect(run('camera', made('Hikvision', 0.9), defaults, { threshold: 0.95 }).status).toBe('review');
  });
});

describe('decide: device kinds outside a rule', () => {
  it('a Hikvision printer is outside every default rule: clear, saying why', () => {
    const v = run('printer', made('Hikvision', 0.9));
    expect(v.status).toBe('clear');
    expect(v.reason).toBe(
      'made by Hikvision (confidence 0.90 from 1 fingerprint), but a printer is outside what us-ndaa-889 rule hikvision covers (camera, recorder, intercom, network, other), and no rule in us-ndaa-889, uk-2022-sensitive-sites covers it',
    );
    expect(v.pack).toBeUndefined();
  });

  it('a Huawei printer is covered (section 889 covers all Huawei telecommunications equipment)', () => {
    expect(run('printer', made('Huawei', 0.9))).toMatchObject({ status: 'restricted', rule: 'huawei' });
  });

  it('a Uniview media player is outside the UK pack (visual surveillance only)', () => {
    expect(run('media', made('Uniview', 0.9)).status).toBe('clear');
  });

  it('a Uniview device of unknown kind is not outside the UK pack: it may be a camera, so review naming the rule', () => {
    const v = run('other', made('Uniview', 0.95));
    expect(v).toMatchObject({ status: 'review', pack: 'uk-2022-sensitive-sites', rule: 'uniview' });
    expect(v.reason).toContain('what kind of device this is is not known');
  });

  it('a covered label on a device of unknown kind is held for review, not restricted or cleared', () => {
    const v = run('other', attribution({ brand: 'Uniview', named: [{ vendor: 'Uniview', field: 'http.title', value: 'Uniview' }] }));
    expect(v).toMatchObject({ status: 'review', rule: 'uniview' });
  });
});

describe('decide: review', () => {
  it('below the threshold, a covered maker gives review naming its rule', () => {
    const v = run('camera', made('Hikvision', 0.45));
    expect(v).toMatchObject({ status: 'review', pack: 'us-ndaa-889', rule: 'hikvision', entity: 'Hikvision' });
    expect(v.reason).toBe(
      'the maker is not established (Hikvision at confidence 0.45, below the threshold 0.60); Hikvision is covered by us-ndaa-889 rule hikvision',
    );
  });

  it('below the threshold, a camera of an uncovered maker gives review without a rule', () => {
    const v = run('camera', made('Axis', 0.4));
    expect(v.status).toBe('review');
    expect(v.pack).toBeUndefined();
    expect(v.reason).toBe('a camera whose maker is not established: the maker is not established (Axis at confidence 0.40, below the threshold 0.60)');
  });

  it('a camera, recorder or intercom with no maker at all gives review; a printer does not', () => {
    for (const kind of ['camera', 'recorder', 'intercom'] as const) {
      const v = run(kind, attribution());
      expect(v.status).toBe('review');
      expect(v.reason).toContain('no evidence establishes who made it');
    }
    expect(run('printer', attribution()).status).toBe('clear');
    expect(run('other', attribution()).status).toBe('clear');
  });

  it('a weak covered candidate behind an unestablished maker is found', () => {
    const a = attribution({
      manufacturer: 'Axis',
      confidence: 0.35,
      candidates: [
        { manufacturer: 'Axis', score: 0.35, fingerprints: ['axis.http'] },
        { manufacturer: 'Dahua', score: 0.3, fingerprints: ['dahua.mac'] },
      ],
    });
    const v = run('camera', a);
    expect(v).toMatchObject({ status: 'review', rule: 'dahua' });
    expect(v.reason).toContain('the evidence also points to Dahua (score 0.30), covered by us-ndaa-889 rule dahua');
  });

  it('conflicting evidence with a covered candidate gives review naming the rule, even when the maker is established', () => {
    const a = made('Axis', 0.7, {
      candidates: [
        { manufacturer: 'Axis', score: 0.7, fingerprints: ['axis.onvif'] },
        { manufacturer: 'Hikvision', score: 0.3, fingerprints: ['hikvision.oui'] },
      ],
      conflicts: ['ONVIF names Axis but the MAC prefix is registered to Hikvision'],
    });
    const v = run('camera', a);
    expect(v).toMatchObject({ status: 'review', rule: 'hikvision' });
    expect(v.reason).toBe(
      'conflicting evidence: Axis (confidence 0.70 from 1 fingerprint) is the likeliest maker, but the evidence also points to Hikvision (score 0.30), covered by us-ndaa-889 rule hikvision (ONVIF names Axis but the MAC prefix is registered to Hikvision)',
    );
  });

  it('covered either way: two covered makers, each strongly and exclusively supported, give restricted naming both', () => {
    const m = (fingerprint: string, manufacturer: string, shared?: boolean) => ({
      fingerprint,
      protocol: 'wsd' as const,
      field: 'onvif.scope.name',
      value: manufacturer,
      weight: 0.9,
      claims: { manufacturer },
      ...(shared === undefined ? {} : { shared }),
    });
    const both = (over: Partial<Attribution> = {}): Attribution =>
      made('Dahua', 0.02, {
        candidates: [
          { manufacturer: 'Dahua', score: 0.97, fingerprints: ['dahua.scope.name'] },
          { manufacturer: 'Hikvision', score: 0.98, fingerprints: ['hikvision.scope.name'] },
        ],
        matches: [m('dahua.scope.name', 'Dahua'), m('hikvision.scope.name', 'Hikvision')],
        conflicts: ['evidence also points at Hikvision (support 0.98)'],
        ...over,
      });
    const v = run('camera', both());
    expect(v).toMatchObject({ status: 'restricted', pack: 'us-ndaa-889', rule: 'dahua' });
    expect(v.reason).toMatch(/^the evidence names Dahua \(us-ndaa-889 rule dahua\) and Hikvision \(us-ndaa-889 rule hikvision\) as maker, each strongly and each covered: whichever made it, it is covered/u);
    // Not when one of them is uncovered, weak, or rests only on shared tells; nor with a third maker of real support.
    const axis = both({
      candidates: [
        { manufacturer: 'Dahua', score: 0.97, fingerprints: ['dahua.scope.name'] },
        { manufacturer: 'Axis', score: 0.98, fingerprints: ['axis.scope.name'] },
      ],
      matches: [m('dahua.scope.name', 'Dahua'), m('axis.scope.name', 'Axis')],
    });
    expect(run('camera', axis)).toMatchObject({ status: 'review', rule: 'dahua' });
    const weak = both({
      candidates: [
        { manufacturer: 'Dahua', score: 0.97, fingerprints: ['dahua.scope.name'] },
        { manufacturer: 'Hikvision', score: 0.4, fingerprints: ['hikvision.scope.name'] },
      ],
    });
    expect(run('camera', weak).status).toBe('review');
    const shared = both({ matches: [m('dahua.scope.name', 'Dahua'), m('hikvision.namespace', 'Hikvision', true)] });
    expect(run('camera', shared).status).toBe('review');
    const third = both({
      candidates: [
        { manufacturer: 'Dahua', score: 0.97, fingerprints: ['dahua.scope.name'] },
        { manufacturer: 'Hikvision', score: 0.98, fingerprints: ['hikvision.scope.name'] },
        { manufacturer: 'Axis', score: 0.5, fingerprints: ['axis.oui'] },
      ],
      matches: [m('dahua.scope.name', 'Dahua'), m('hikvision.scope.name', 'Hikvision'), m('axis.oui', 'Axis')],
    });
    expect(run('camera', third).status).toBe('review');
    // A maker resting only on shared tells is not established, and not covered either way.
    expect(run('camera', both({ corroborated: false })).status).toBe('review');
  });

  it('conflicting evidence between uncovered makers gives review for a camera, clear for a printer', () => {
    const a = made('Axis', 0.7, {
      candidates: [
        { manufacturer: 'Axis', score: 0.7, fingerprints: ['axis.onvif'] },
        { manufacturer: 'Bosch', score: 0.3, fingerprints: ['bosch.http'] },
      ],
      conflicts: ['HTTP banner names Bosch'],
    });
    const cam = run('camera', a);
    expect(cam.status).toBe('review');
    expect(cam.reason).toBe('a camera with conflicting evidence about its maker (likeliest Axis (confidence 0.70 from 1 fingerprint)): HTTP banner names Bosch');
    expect(cam.pack).toBeUndefined();
    expect(run('printer', a).status).toBe('clear');
  });

  it.each([
    ['Amcrest', 'a brand us-ndaa-889 rule dahua lists for Dahua (OEM reseller of Dahua-made hardware; no ownership)'],
    ['EZ-IP', "a brand us-ndaa-889 rule dahua lists for Dahua (Dahua's own value brand)"],
    ['Lorex', 'a name us-ndaa-889 rule dahua covers, a subsidiary of Dahua (since 2018)'],
    ['HiLook', "a brand us-ndaa-889 rule hikvision lists for Hikvision (Hikvision's own value brand)"],
    ['EZVIZ', 'a name us-ndaa-889 rule hikvision covers, a subsidiary of Hikvision'],
    ['Hikvision', 'a name us-ndaa-889 rule hikvision covers'],
  ])('a %s label without an established maker gives restricted naming the rule: the label decides', (brand, listed) => {
    const v = run('camera', attribution({ brand, named: [{ vendor: brand, field: 'onvif.manufacturer', value: brand }] }));
    expect(v.status).toBe('restricted');
    expect(v.pack).toBe('us-ndaa-889');
    expect(v.reason).toBe(`labelled ${brand}, ${listed}; no evidence establishes who made it, and the label it states is covered`);
  });

  it('a brand only inferred from the maker (nothing states it) decides nothing', () => {
    expect(run('camera', attribution({ brand: 'Hikvision' }))).toMatchObject({ status: 'review' });
    expect(run('camera', made('Hikvision', 0.5, { brand: 'Hikvision' })).reason).toMatch(/^the maker is not established/u);
  });

  it('a covered label with a maker resting only on shared tells is still restricted by the label', () => {
    const v = run('camera', made('Hikvision', 0.45, { brand: 'Annke', corroborated: false, named: [{ vendor: 'Annke', field: 'http.title', value: 'ANNKE' }] }));
    expect(v).toMatchObject({ status: 'restricted', rule: 'hikvision' });
    expect(v.reason).toContain('rests only on tells other makers share');
  });

  it('a maker resting only on shared tells is a lead, never established, whatever the threshold', () => {
    const lead = made('Hikvision', 0.45, { corroborated: false });
    expect(run('camera', lead, defaults, { threshold: 0.1 })).toMatchObject({ status: 'review', rule: 'hikvision' });
    expect(run('camera', lead, defaults, { threshold: 0.1 }).reason).toMatch(/rests only on tells other makers share/u);
  });

  it('a device that names a covered company anywhere is never clear', () => {
    const v = run('camera', made('Axis', 0.93, { named: [{ vendor: 'Hikvision', field: 'http.title', value: 'Hikvision compatible' }] }));
    expect(v).toMatchObject({ status: 'review', rule: 'hikvision' });
    expect(v.reason).toBe(
      'the device names Hikvision, a name us-ndaa-889 rule hikvision covers (http.title "Hikvision compatible"); the evidence names Axis (confidence 0.93 from 1 fingerprint) as maker: check who made it',
    );
    // A printer that names a covered company is not cleared either, when the rule covers printers (Huawei).
    expect(run('printer', made('HP', 0.9, { named: [{ vendor: 'Huawei', field: 'upnp.friendlyName', value: 'HUAWEI-1234' }] })).status).toBe('review');
  });

  it('a covered brand on a device whose evidence names an uncovered maker gives review, not clear', () => {
    const v = run('camera', made('Axis', 0.9, { brand: 'Amcrest', named: [{ vendor: 'Amcrest', field: 'onvif.manufacturer', value: 'Amcrest' }] }));
    expect(v).toMatchObject({ status: 'review', rule: 'dahua' });
    expect(v.reason).toContain('the evidence names Axis (confidence 0.90 from 1 fingerprint) as maker, which contradicts the label');
  });

  it('a brand gives no review for a kind its rule does not cover', () => {
    expect(run('printer', attribution({ brand: 'Amcrest', named: [{ vendor: 'Amcrest', field: 'upnp.manufacturer', value: 'Amcrest' }] })).status).toBe('clear');
  });
});

describe('decide: clear', () => {
  it('an Axis camera names what it was checked against', () => {
    const v = run('camera', made('Axis', 0.93));
    expect(v).toEqual({ status: 'clear', reason: 'made by Axis (confidence 0.93 from 1 fingerprint), not covered by us-ndaa-889, uk-2022-sensitive-sites' });
  });

  it('a printer of unknown make', () => {
    expect(run('printer', attribution()).reason).toBe(
      'a printer; no evidence establishes who made it, and no evidence ties it to an entity covered by us-ndaa-889, uk-2022-sensitive-sites',
    );
  });

  it('device text in the reason is cleaned of control characters', () => {
    const v = run('camera', made('Axis\u001b[31m\u0000', 0.9));
    expect(v.status).toBe('clear');
    // The assertion is about control characters, so the pattern must name them.
    // eslint-disable-next-line no-control-regex
    expect(v.reason).not.toMatch(/[\u0000-\u001f]/u);
  });
});

describe('decide: dates', () => {
  const at = (iso: string) => ({ asOf: new Date(iso) });

  it('Imou stays covered after the announced sale of Dahua’s stake: no completed sale is cited', () => {
    expect(run('camera', made('Imou', 0.9), ndaa, at('2025-03-03T23:00:00Z'))).toMatchObject({ status: 'restricted', rule: 'dahua' });
    expect(run('camera', made('Imou', 0.9), ndaa, at('2026-06-01T00:00:00Z'))).toMatchObject({ status: 'restricted', rule: 'dahua' });
  });

  it('Lorex is covered from Dahua’s purchase (2018) on: the board approval of its sale is not a completed sale', () => {
    expect(run('camera', made('Lorex', 0.9), ndaa, at('2017-12-31T12:00:00Z')).status).not.toBe('restricted');
    expect(run('camera', made('Lorex', 0.9), ndaa, at('2020-01-01T00:00:00Z')).status).toBe('restricted');
    expect(run('camera', made('Lorex', 0.9), ndaa, at('2026-06-01T00:00:00Z')).status).toBe('restricted');
  });

  it('a rule is not in force before its date', () => {
    expect(run('camera', made('Hikvision', 0.9), ndaa, at('2019-08-12T12:00:00Z')).status).toBe('clear');
    expect(run('camera', made('Hikvision', 0.9), ndaa, at('2019-08-13T00:00:00Z')).status).toBe('restricted');
  });

  describe('an ownership that had not begun', () => {
    const dir = mkdtempSync(join(tmpdir(), 'camsweep-decide-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const source = { document: 'Test', date: '2010', url: 'https://example.org/' };
    const file = join(dir, 'old.yaml');
    writeFileSync(
      file,
      stringify({
        id: 'old',
        version: '2010-01-01',
        title: 'Old rule',
        jurisdiction: 'Testland',
        published: '2010',
        source,
        summary: 'No start date on the rule itself.',
        rules: [
          {
            id: 'dahua',
            entity: 'Dahua',
            legalName: 'Dahua',
            subsidiaries: [{ name: 'Lorex', since: '2018', until: '2022-11-23', untilSource: source }],
            appliesTo: { kinds: ['camera'] },
            scope: { text: 'Dahua cameras.', form: 'paraphrased' },
            source,
          },
        ],
      }),
    );
    const old = loadPolicy({ packs: [], customFiles: [file] });

    it('does not cover a device seen before it began', () => {
      expect(run('camera', made('Lorex', 0.9), old, at('2017-12-31T23:00:00Z'))).toEqual({
        status: 'clear',
        reason: 'made by Lorex (confidence 0.90 from 1 fingerprint), not covered by old',
      });
      expect(run('camera', made('Lorex', 0.9), old, at('2018-01-01T00:00:00Z')).status).toBe('restricted');
    });
  });
});
