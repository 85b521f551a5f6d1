import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOuiLookup, loadOuiData, loadOuiNames, lookupOui, macEvidence, macHex, parseOuiNames, withMacEvidence } from '../../../src/fingerprint/oui.ts';

/** Prefixes from corpus _facts/oui-prefixes-1.txt (nmap-mac-prefixes, IEEE-derived). */
describe('lookupOui (oui-data, the IEEE registry)', () => {
  it('MA-L: 24-bit blocks, the organisation exactly as registered', () => {
    expect(lookupOui('4c:bd:8f:01:02:03')).toEqual({ prefix: '4CBD8F', registry: 'MA-L', organisation: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' });
    expect(lookupOui('3C:EF:8C:18:A5:07')).toEqual({ prefix: '3CEF8C', registry: 'MA-L', organisation: 'Zhejiang Dahua Technology Co., Ltd.' });
    expect(lookupOui('00:1f:54:a9:2e:58')).toMatchObject({ organisation: 'Lorex Technology Inc.' });
    expect(lookupOui('a8:ca:87:00:00:01')).toMatchObject({ organisation: 'ZHEJIANG DAHUA ZHILIAN CO.,LTD' });
    expect(lookupOui('6c:f1:7e:00:00:01')).toMatchObject({ organisation: 'Zhejiang Uniview Technologies Co.,Ltd.' });
  });

  it('MA-M: the 28-bit assignment wins over its 24-bit parent block', () => {
    expect(lookupOui('34:46:63:2a:bb:cc')).toEqual({ prefix: '3446632', registry: 'MA-M', organisation: 'Amcrest Technologies' });
    // 'Shanghai Dahua Scale Factory' is a scale maker, not Zhejiang Dahua Technology.
    expect(lookupOui('40:2c:76:1a:bb:cc')).toEqual({ prefix: '402C761', registry: 'MA-M', organisation: 'Shanghai Dahua Scale Factory' });
    expect(lookupOui('b0:b3:53:60:00:01')).toMatchObject({ registry: 'MA-M', organisation: 'Hangzhou Hikrobot Technology Co., Ltd.' });
  });

  it('MA-S: the 36-bit assignment wins', () => {
    expect(lookupOui('8c:1f:64:f4:b1:23')).toEqual({ prefix: '8C1F64F4B', registry: 'MA-S', organisation: 'JOREX LOREX INDIA PRIVATE LIMITED' });
    expect(lookupOui('8c:1f:64:9e:51:23')).toMatchObject({ registry: 'MA-S', organisation: 'Schunk Sonosystems GmbH' });
  });

  it('a split block with no registered sub-block has no registrant (never "IEEE Registration Authority")', () => {
    expect(lookupOui('40:2c:76:f0:00:01')).toBeUndefined();
    expect(lookupOui('8c:1f:64:00:20:01')).toBeUndefined();
  });

  it('accepts the common notations', () => {
    const want = { prefix: '4CBD8F', registry: 'MA-L', organisation: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' };
    for (const mac of ['4C-BD-8F-01-02-03', '4cbd.8f01.0203', '4cbd8f010203', ' 4c:bd:8f:01:02:03 ']) expect(lookupOui(mac)).toEqual(want);
  });

  it('recognises locally administered addresses and never looks them up', () => {
    expect(lookupOui('02:00:00:00:00:01')).toEqual({ local: true });
    expect(lookupOui('da:a1:19:00:00:01')).toEqual({ local: true });
    // 4e:bd:8f... would be a Hikvision block without the local bit: it is not reported as one
    expect(lookupOui('4e:bd:8f:01:02:03')).toEqual({ local: true });
  });

  it('gives nothing for group (multicast/broadcast) addresses and bad input', () => {
    for (const mac of ['01:00:5e:00:00:fb', 'ff:ff:ff:ff:ff:ff', '33:33:00:00:00:01', '00:00:00:00:00:00', '', 'zz:zz:zz:zz:zz:zz', '4c:bd:8f:01:02', '4c:bd:8f:01:02:03:04', 'x'.repeat(10_000)]) {
      expect(lookupOui(mac), mac.slice(0, 20)).toBeUndefined();
    }
    expect(macHex(42 as unknown as string)).toBeUndefined();
  });
});

describe('macEvidence / withMacEvidence', () => {
  it('turns a MAC into mac.oui, mac.oui.prefix and mac.oui.registry', () => {
    expect(macEvidence('bc:ad:28:53:85:e8')).toEqual([
      { protocol: 'mac', field: 'mac.oui', value: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' },
      { protocol: 'mac', field: 'mac.oui.prefix', value: 'BCAD28' },
      { protocol: 'mac', field: 'mac.oui.registry', value: 'MA-L' },
    ]);
    expect(macEvidence('06:11:22:33:44:55')).toEqual([{ protocol: 'mac', field: 'mac.local', value: 'true' }]);
    expect(macEvidence('01:00:5e:00:00:fb')).toEqual([]);
  });

  it('adds MAC evidence once, keeping what is there', () => {
    const base = [{ protocol: 'wsd' as const, field: 'onvif.scope.name', value: 'Dahua' }];
    const once = withMacEvidence(base, '4c:11:bf:c2:0b:9d');
    expect(once).toHaveLength(4);
    expect(withMacEvidence(once, '4c:11:bf:c2:0b:9d')).toEqual(once);
    expect(withMacEvidence(base, null)).toEqual(base);
    expect(base).toHaveLength(1);
  });
});

describe('createOuiLookup', () => {
  it('loads its table lazily, once, and keeps only the first line', () => {
    let loads = 0;
    const lookup = createOuiLookup(() => {
      loads += 1;
      return { A8BBCC: 'Example Org\n1 Street\nTown', A8BBCC1: 'Sub Org\nElsewhere', A8BBCC1D2: 'Tiny Org' };
    });
    expect(lookup.lookup('aa:bb:cc:00:00:00')).toEqual({ local: true });
    expect(lookup.lookup('a9:bb:cc:00:00:00')).toBeUndefined(); // group address
    expect(lookup.lookup('not a mac')).toBeUndefined();
    expect(loads).toBe(0); // none of these needs the table
    expect(lookup.lookup('a8:bb:cc:00:00:00')).toEqual({ prefix: 'A8BBCC', registry: 'MA-L', organisation: 'Example Org' });
    expect(lookup.lookup('a8:bb:cc:1f:00:00')).toEqual({ prefix: 'A8BBCC1', registry: 'MA-M', organisation: 'Sub Org' });
    expect(lookup.lookup('a8:bb:cc:1d:20:00')).toEqual({ prefix: 'A8BBCC1D2', registry: 'MA-S', organisation: 'Tiny Org' });
    expect(lookup.lookup('a0:00:00:00:00:00')).toBeUndefined();
    expect(loads).toBe(1);
  });
});

describe('parseOuiNames', () => {
  it('reads every entry of the installed oui-data exactly as the whole JSON.parse does', () => {
    const table = loadOuiData();
    const names = parseOuiNames(readFileSync(createRequire(import.meta.url).resolve('oui-data'), 'utf8'));
    const expected = new Map(Object.entries(table).map(([prefix, text]) => [prefix.toUpperCase(), text.split('\n')[0]!.trim()]));
    expect(names.size).toBe(expected.size);
    expect(names.size).toBeGreaterThan(50_000);
    for (const [prefix, name] of expected) if (names.get(prefix) !== name) expect({ prefix, name: names.get(prefix) }).toEqual({ prefix, name });
  });

  it('decodes escapes, stops at the first line, and is not fooled by escaped quotes inside a value', () => {
    const text = '{\n "A8BBCC": "Caf\\u00e9 \\"Org\\"\\nStreet \\"001122\\": \\"Fake\\"",\n "A8BBCD": "Back\\\\nslash",\n "A8BBCE": "  Padded  "}';
    expect([...parseOuiNames(text)]).toEqual([
      ['A8BBCC', 'Café "Org"'],
      ['A8BBCD', 'Back\\nslash'],
      ['A8BBCE', 'Padded'],
    ]);
    expect(parseOuiNames('not json at all').size).toBe(0);
  });

  it('keeps the names it scanned in a snapshot keyed by the text, and gives the same names back from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'camsweep-oui-'));
    try {
      const file = join(dir, 'oui.tsv');
      const scanned = loadOuiNames(false) as Map<string, string>;
      const first = loadOuiNames(file) as Map<string, string>;
      const second = loadOuiNames(file) as Map<string, string>;
      expect([...first]).toEqual([...scanned]);
      expect([...second]).toEqual([...scanned]);
      const kept = readFileSync(file, 'utf8').split('\n');
      expect(kept[0]).toMatch(/^camsweep-oui-names 1 [0-9a-f]{40}$/u);
      expect(kept.filter((l) => l.includes('\t'))).toHaveLength(scanned.size);
      // Names kept for other bytes are never used: the registry is scanned again.
      writeFileSync(file, 'camsweep-oui-names 1 0000000000000000000000000000000000000000\n4CBD8F\tNot Hikvision\n');
      expect((loadOuiNames(file) as Map<string, string>).get('4CBD8F')).toBe('Hangzhou Hikvision Digital Technology Co.,Ltd.');
      writeFileSync(file, `${kept[0]!}\nbroken line\n`);
      expect((loadOuiNames(file) as Map<string, string>).size).toBe(scanned.size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every prefix of a registrant its name, on one line or several', () => {
    const names = parseOuiNames('{"A8BBCC": "Same Org\\nA", "A8BBCD": "Same Org\\nB"}');
    expect(createOuiLookup(() => names).lookup('a8:bb:cd:00:00:01')).toEqual({ prefix: 'A8BBCD', registry: 'MA-L', organisation: 'Same Org' });
  });
});
