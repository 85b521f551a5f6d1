import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/domain/errors.ts';
import { loadFingerprintDb, verifyFingerprintDb } from '../../../src/fingerprint/db.ts';
import { attribute } from '../../../src/fingerprint/match.ts';
import { selfCheck } from '../../../src/fingerprint/selfcheck.ts';

/**
 * Loader and verify over small databases written to temp dirs. The values in these synthetic
 * databases are real where a real one fits (the Hikvision and Dahua strings), and marked
 * when invented to provoke a problem.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const VENDORS = `vendors:
  - { name: Hikvision, kind: manufacturer, aliases: [HIKVISION] }
  - { name: EZVIZ, kind: manufacturer, parent: Hikvision }
  - { name: Dahua, kind: manufacturer }
  - { name: Lorex, kind: brand }
`;

/** A vocabulary of Hikvision alone, for databases that cover nothing else. */
const HIK_ONLY = `vendors:
  - { name: Hikvision, kind: manufacturer, aliases: [HIKVISION] }
`;

/** Writes `files` (name -> YAML) into a fresh dir with a vendors file; returns the options for it. */
function database(files: Record<string, string>, vendors = VENDORS): { dir: string; vendorsFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'camsweep-fp-'));
  dirs.push(root);
  const dir = join(root, 'fingerprints');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const vendorsFile = join(root, 'vendors.yaml');
  writeFileSync(vendorsFile, vendors);
  return { dir, vendorsFile };
}

const GOOD_HIK = `fingerprints:
  - id: hikvision.onvif.manufacturer
    field: onvif.manufacturer
    pattern: '^HIKVISION$'
    flags: i
    claims: { manufacturer: Hikvision, brand: Hikvision }
    weight: 0.9
    description: names Hikvision
    examples:
      - { value: HIKVISION, claims: { manufacturer: Hikvision, brand: Hikvision }, source: corpus hikvision/onvif-GetDeviceInformation-parsed-1.txt }
`;

describe('loadFingerprintDb', () => {
  it('loads the packaged database, indexed by field', () => {
    const db = loadFingerprintDb();
    expect(db.candidatesFor('onvif.manufacturer').map((f) => f.id)).toContain('hikvision.onvif.manufacturer');
    expect(db.candidatesFor('no.such.field')).toEqual([]);
    expect(db.fingerprints.every((f) => f.regex.flags.includes('u'))).toBe(true);
  });

  it('loads a clean custom database', () => {
    const db = loadFingerprintDb(database({ 'hikvision.yaml': GOOD_HIK }));
    expect(db.fingerprints.map((f) => f.id)).toEqual(['hikvision.onvif.manufacturer']);
    expect(db.vocabulary.canonical('hikvision')).toBe('Hikvision');
  });

  it('throws one UsageError listing every problem', () => {
    const opts = database({
      'hikvision.yaml': GOOD_HIK.replace("pattern: '^HIKVISION$'", () => "pattern: '^(HIK+)+$'").replace('weight: 0.9', () => 'weight: 1.5'),
      'dahua.yaml': GOOD_HIK.replace('hikvision.onvif', () => 'dahua.onvif').replace('Hikvision, brand', () => 'Dahuaa, brand'),
    });
    let err: unknown;
    try {
      loadFingerprintDb(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/2 problem\(s\)/u);
    expect(msg).toContain('weight');
    expect(msg).toContain('unknown manufacturer "Dahuaa"');
  });

  it('reports a missing directory, an empty one, and a broken vendors file', () => {
    expect(() => loadFingerprintDb({ dir: '/nonexistent/fp' })).toThrow(/cannot read fingerprint directory/u);
    expect(() => loadFingerprintDb(database({}))).toThrow(/no fingerprint files/u);
    expect(() => loadFingerprintDb(database({ 'hikvision.yaml': GOOD_HIK }, 'vendors: [{ name: X }]'))).toThrow(/vendors\.0\.kind/u);
  });
});

describe('verifyFingerprintDb', () => {
  it('finds nothing wrong with the packaged database and counts it', () => {
    const { problems, stats } = verifyFingerprintDb();
    expect(problems).toEqual([]);
    expect(stats.fingerprints).toBeGreaterThan(100);
    expect(stats.perFile['hikvision']!.examples).toBeGreaterThan(20);
    expect(stats.fields['mac.oui']).toBeGreaterThan(20);
  });

  /** One broken database per problem kind: each must be reported, by file and entry. */
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['schema: missing examples and an unknown key', { 'hikvision.yaml': GOOD_HIK.replace(/ {4}examples:[\s\S]*$/u, '    colour: red\n') }, /^(?=[\s\S]*hikvision\.onvif\.manufacturer \(examples\))(?=[\s\S]*colour)/u],
    ['YAML syntax', { 'hikvision.yaml': 'fingerprints: [' }, /hikvision\.yaml: not valid YAML/u],
    ['a value YAML reads as a number', { 'hikvision.yaml': GOOD_HIK.replace('value: HIKVISION', () => 'value: 0100') }, /examples\.0\.value/u],
    ['unknown vendor name', { 'hikvision.yaml': GOOD_HIK.replace('brand: Hikvision }', () => 'brand: Hikvison }') }, /unknown brand "Hikvison"/u],
    ['alias instead of canonical name', { 'hikvision.yaml': GOOD_HIK.replace('manufacturer: Hikvision, brand: Hikvision }\n    weight', () => 'manufacturer: HIKVISION, brand: Hikvision }\n    weight') }, /write the canonical name "Hikvision", not "HIKVISION"/u],
    ['a brand claimed as manufacturer', { 'hikvision.yaml': GOOD_HIK.replace('manufacturer: Hikvision, brand: Hikvision }\n    weight', () => 'manufacturer: Lorex }\n    weight') }, /"Lorex" is a brand/u],
    ['duplicate id', { 'hikvision.yaml': GOOD_HIK + GOOD_HIK.replace('fingerprints:\n', () => '').replace("'^HIKVISION$'", () => "'^HIK$'") }, /hikvision\.onvif\.manufacturer: duplicate id/u],
    ['duplicate field and pattern', { 'hikvision.yaml': GOOD_HIK + GOOD_HIK.replace('fingerprints:\n', () => '').replace('id: hikvision.onvif.manufacturer', () => 'id: hikvision.onvif.again') }, /hikvision\.onvif\.again: same field and pattern as hikvision\.onvif\.manufacturer/u],
    ['id not prefixed by the file name', { 'hikvision.yaml': GOOD_HIK.replace('id: hikvision.onvif', () => 'id: hik.onvif') }, /id must start with "hikvision\."/u],
    ['bad file name', { 'Hik Vision.yaml': GOOD_HIK }, /file name must be lower-case/u],
    ['field outside any protocol', { 'hikvision.yaml': GOOD_HIK.replace('field: onvif.manufacturer', () => 'field: onvf.manufacturer') }, /field onvf\.manufacturer does not start with a protocol/u],
    ['pattern that does not compile', { 'hikvision.yaml': GOOD_HIK.replace("'^HIKVISION$'", () => "'^(HIKVISION$'") }, /pattern does not compile/u],
    ['nested quantifier', { 'hikvision.yaml': GOOD_HIK.replace("'^HIKVISION$'", () => "'^(?:HIK\\w+)+$'") }, /repeated group contains a quantifier/u],
    ['backreference', { 'hikvision.yaml': GOOD_HIK.replace("'^HIKVISION$'", () => "'^(HIK)VISION\\1?$'") }, /backreferences are not allowed/u],
    ['over-long pattern', { 'hikvision.yaml': GOOD_HIK.replace("'^HIKVISION$'", () => `'^HIKVISION${'(?:x)?'.repeat(60)}$'`) }, /pattern\)?: .*300/u],
    ['pattern matching the empty string', { 'hikvision.yaml': GOOD_HIK.replace("'^HIKVISION$'", () => "'HIKVISION|'") }, /matches the empty string/u],
    ['unknown group in a template', { 'hikvision.yaml': GOOD_HIK.replace('brand: Hikvision }\n    weight', () => 'brand: Hikvision, model: $<model> }\n    weight') }, /uses \$<model> but the pattern has no group named model/u],
    ['example that does not match', { 'hikvision.yaml': GOOD_HIK.replace('value: HIKVISION,', () => 'value: HIKVISIO,') }, /examples\.0 \(onvif\.manufacturer "HIKVISIO"\): matches no entry/u],
    ['example with other claims', { 'hikvision.yaml': GOOD_HIK.replace('{ value: HIKVISION, claims: { manufacturer: Hikvision, brand: Hikvision }', () => '{ value: HIKVISION, claims: { manufacturer: Hikvision }') }, /extracts \{"manufacturer":"Hikvision","brand":"Hikvision"\} but the example declares \{"manufacturer":"Hikvision"\}/u],
    ['example from a field the entry does not read', { 'hikvision.yaml': GOOD_HIK.replace('{ value: HIKVISION,', () => '{ value: HIKVISION, field: upnp.manufacturer,') }, /field upnp\.manufacturer is not one the entry reads/u],
  ];
  it.each(cases)('reports %s', (_label, files, expected) => {
    const { problems } = verifyFingerprintDb(database(files));
    expect(problems.join('\n')).toMatch(expected);
  });

  it('reports an example matched first by an earlier entry (database order: files by name, entries in order)', () => {
    const earlier = `fingerprints:
  - id: dahua.any.manufacturer
    field: onvif.manufacturer
    pattern: '^[A-Z]+$'
    claims: { manufacturer: Dahua }
    weight: 0.1
    description: too broad (synthetic)
    examples:
      - { value: DAHUA, claims: { manufacturer: Dahua }, source: synthetic test value }
`;
    const { problems } = verifyFingerprintDb(database({ 'hikvision.yaml': GOOD_HIK, 'dahua.yaml': earlier }));
    expect(problems).toContain(
      'hikvision.onvif.manufacturer: examples.0 (onvif.manufacturer "HIKVISION"): matched first by dahua.any.manufacturer, so this entry never applies to it',
    );
  });

  it('reports a counter-example that fires, on its own entry or another claiming the same maker', () => {
    const withTrap = GOOD_HIK.replace(
      '    examples:',
      `    counterExamples:
      - { value: hikvision, source: synthetic, note: case-insensitive entry matches it }
      - { field: onvif.scope.name, value: HIKVISION DS-2CD2385G1-I, source: corpus hikvision/ws-discovery-ProbeMatches-2.xml }
    examples:`,
    );
    const other = `fingerprints:
  - id: hikvisionscope.scope.name
    field: onvif.scope.name
    pattern: '^HIKVISION '
    claims: { manufacturer: Hikvision }
    weight: 0.8
    description: scope name
    examples:
      - { value: HIKVISION DS-2CD2385G1-I, claims: { manufacturer: Hikvision }, source: corpus hikvision/ws-discovery-ProbeMatches-2.xml }
`;
    const { problems } = verifyFingerprintDb(database({ 'hikvision.yaml': withTrap, 'hikvisionscope.yaml': other }, HIK_ONLY));
    expect(problems).toEqual([
      'hikvision.onvif.manufacturer: counterExamples.0 (onvif.manufacturer "hikvision") is matched by hikvision.onvif.manufacturer, which claim Hikvision',
      'hikvision.onvif.manufacturer: counterExamples.1 (onvif.scope.name "HIKVISION DS-2CD2385G1-I") is matched by hikvisionscope.scope.name, which claim Hikvision',
    ]);
  });

  it('reports a slow pattern (timed against long adversarial strings)', () => {
    let t = 0;
    const clock = (): number => (t += 100); // every measured run "takes" 100 ms
    const db = loadFingerprintDb(database({ 'hikvision.yaml': GOOD_HIK }));
    expect(selfCheck(db, { now: clock }).join('\n')).toMatch(/hikvision\.onvif\.manufacturer: pattern took 100 ms on a 512-character string/u);
  });

  it('keeps reporting the other files when one is broken', () => {
    const { problems, stats } = verifyFingerprintDb(database({ 'hikvision.yaml': GOOD_HIK, 'dahua.yaml': 'fingerprints: 7' }, HIK_ONLY));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/dahua\.yaml: fingerprints/u);
    expect(stats.perFile['hikvision']!.fingerprints).toBe(1);
  });

  it('reports every vendor of the vocabulary that no fingerprint claims (anonymous labels need none)', () => {
    const vendors = `${VENDORS}  - { name: Generic, kind: brand, anonymous: true, exactAliases: [General] }
`;
    const { problems } = verifyFingerprintDb(database({ 'hikvision.yaml': GOOD_HIK }, vendors));
    expect(problems.map((p) => p.replace(/ \(config.*$/u, ''))).toEqual(['vendor EZVIZ', 'vendor Dahua', 'vendor Lorex']);
    expect(problems[0]).toMatch(/has no fingerprint: add one with a real example/u);
  });
});

describe('field prefixes and requires', () => {
  const files = {
    'hikvision.yaml': `fingerprints:
  - id: hikvision.mdns.exact
    field: mdns.txt.vendor
    pattern: '^HIKVISION$'
    claims: { manufacturer: Hikvision }
    weight: 0.9
    description: exact field (synthetic TXT key)
    examples:
      - { value: HIKVISION, claims: { manufacturer: Hikvision }, source: synthetic test value }
  - id: hikvision.mdns.any-txt
    field: mdns.txt.*
    pattern: '^HIK'
    claims: { manufacturer: Hikvision, brand: Hikvision }
    weight: 0.5
    description: any TXT key (synthetic)
    examples:
      - { value: HIKVISION, field: mdns.txt.model, claims: { manufacturer: Hikvision, brand: Hikvision }, source: synthetic test value }
  - id: hikvision.scope.with-location
    field: onvif.scope.name
    pattern: '^(?<model>DS-\\w{2,10})$'
    claims: { manufacturer: Hikvision, model: '$<model>' }
    weight: 0.5
    description: needs a location scope too
    requires:
      - { field: onvif.scope.location, pattern: '^city/hangzhou$' }
    examples:
      - value: DS-2CD2385
        claims: { manufacturer: Hikvision, model: DS-2CD2385 }
        context: [{ field: onvif.scope.location, value: city/hangzhou }]
        source: synthetic test value
`,
  };

  it('tries exact-field entries before prefix entries, each in database order', () => {
    const db = loadFingerprintDb(database(files, HIK_ONLY));
    expect(db.candidatesFor('mdns.txt.vendor').map((f) => f.id)).toEqual(['hikvision.mdns.exact', 'hikvision.mdns.any-txt']);
    expect(db.candidatesFor('mdns.txt.model').map((f) => f.id)).toEqual(['hikvision.mdns.any-txt']);
    expect(db.candidatesFor('mdns.txt').map((f) => f.id)).toEqual([]);
    expect(selfCheck(db)).toEqual([]);
    const a = attribute([{ protocol: 'mdns', field: 'mdns.txt.vendor', value: 'HIKVISION' }], db);
    expect(a.matches.map((m) => m.fingerprint)).toEqual(['hikvision.mdns.exact']);
  });

  it('applies an entry with requires only when the device shows the required evidence', () => {
    const db = loadFingerprintDb(database(files));
    const name = { protocol: 'wsd' as const, field: 'onvif.scope.name', value: 'DS-2CD2385' };
    expect(attribute([name], db).manufacturer).toBeNull();
    expect(attribute([name, { protocol: 'wsd', field: 'onvif.scope.location', value: 'city/hangzhou' }], db)).toMatchObject({
      manufacturer: 'Hikvision',
      model: 'DS-2CD2385',
    });
  });
});
