import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../../src/domain/errors.ts';
import { loadPolicy, MAX_PACK_BYTES } from '../../../src/policy/load.ts';

const VENDORS = ['Hikvision', 'EZVIZ', 'Dahua', 'Lorex', 'Amcrest', 'Axis'];

const source = { document: 'Test measure', date: '2024-01-15', url: 'https://example.org/measure' };

function rule(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'hikvision',
    entity: 'Hikvision',
    legalName: 'Hangzhou Hikvision Digital Technology Co., Ltd.',
    subsidiaries: [{ name: 'EZVIZ' }],
    appliesTo: { kinds: ['camera'], since: '2024-01-15' },
    scope: { text: 'Cameras made by Hikvision.', form: 'paraphrased' },
    source,
    ...over,
  };
}

function pack(id: string, rules: unknown[], over: Record<string, unknown> = {}): string {
  return stringify({ id, version: '1.0.0', title: `Pack ${id}`, jurisdiction: 'Testland', published: '2024-01-15', source, summary: 'A test pack.', rules, ...over });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'camsweep-policy-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('loadPolicy', () => {
  it('loads packs from a directory and custom files after them, in order', () => {
    write('a.yaml', pack('a', [rule()]));
    const custom = write('mine.yml', pack('mine', [rule({ id: 'dahua', entity: 'Dahua', subsidiaries: [] })]));
    const policy = loadPolicy({ dir, packs: ['a'], customFiles: [custom], vendors: VENDORS });
    expect(policy.packs.map((p) => [p.id, p.custom])).toEqual([
      ['a', false],
      ['mine', true],
    ]);
    expect(policy.packs[0]?.rules[0]?.aliases).toEqual([]);
    expect(policy.packs[1]?.file).toBe(custom);
  });

  it('an unknown pack id lists the available ones', () => {
    write('a.yaml', pack('a', [rule()]));
    write('b.yaml', pack('b', [rule()]));
    const msg = problemsOf(() => loadPolicy({ dir, packs: ['a', 'nope'], vendors: VENDORS }));
    expect(msg).toContain('unknown policy pack "nope" (available: a, b)');
  });

  it('reports every problem in every pack at once', () => {
    write(
      'broken.yaml',
      pack('broken', [
        rule({ entity: 'Hikvisoin' }),
        rule({ subsidiaries: [{ name: 'EZVIZ', since: '2023-02-30' }] }),
        rule({ id: 'dahua', entity: 'Dahua', subsidiaries: [{ name: 'Lorex', since: '2023', until: '2019' }], brands: [{ name: 'amcrest' }] }),
        rule({ id: 'axis', entity: 'Axis', subsidiaries: [], source: undefined }),
      ]),
    );
    write('second.yaml', pack('second', [rule({ appliesTo: { kinds: ['camera', 'toaster'], since: 2018 } })]));
    const msg = problemsOf(() => loadPolicy({ dir, packs: ['broken', 'second'], vendors: VENDORS }));
    // Schema problems (missing source, bad date, unknown kind, bare year) for each pack...
    expect(msg).toContain('broken.yaml: rules.1.subsidiaries.0.since: not a calendar date');
    expect(msg).toContain('broken.yaml: rules.3.source');
    expect(msg).toMatch(/second\.yaml: rules\.0\.appliesTo\.kinds\.1: /u);
    expect(msg).toMatch(/second\.yaml: rules\.0\.appliesTo\.since: expected a date as YYYY-MM-DD, YYYY-MM or YYYY \(quote a bare year/u);
    // ...and, in the same pass, the vocabulary, duplicate-id and date-order problems.
    expect(msg).toContain('broken.yaml: rules.0.entity: unknown vendor "Hikvisoin"');
    expect(msg).toContain('broken.yaml: rules.1.id: duplicate rule id "hikvision" (also rules.0)');
    expect(msg).toContain('broken.yaml: rules.2.subsidiaries.0: since 2023 is after until 2019');
    expect(msg).toContain('broken.yaml: rules.2.brands.0.name: "amcrest" is not the canonical vendor name: use "Amcrest"');
    expect(msg).toMatch(/policy: \d+ problems:/u);
  });

  it('reports vocabulary, duplicate and date-order problems together', () => {
    write(
      'p.yaml',
      pack('p', [
        rule({ entity: 'Hikvisoin' }),
        rule({ entity: 'Hikvision', subsidiaries: [] }),
        rule({ id: 'dahua', entity: 'Dahua', subsidiaries: [{ name: 'Lorex', since: '2023', until: '2019' }], brands: [{ name: 'amcrest' }] }),
        rule({ id: 'ezviz', entity: 'EZVIZ', subsidiaries: [] }),
      ]),
    );
    const msg = problemsOf(() => loadPolicy({ dir, packs: ['p'], vendors: VENDORS }));
    expect(msg).toContain('rules.0.entity: unknown vendor "Hikvisoin"');
    expect(msg).toContain('rules.1.id: duplicate rule id "hikvision" (also rules.0)');
    expect(msg).toContain('rules.2.subsidiaries.0: since 2023 is after until 2019');
    expect(msg).toContain('rules.2.brands.0.name: "amcrest" is not the canonical vendor name: use "Amcrest"');
    expect(msg).toContain('rules.3.entity: "EZVIZ" is already covered by rule "hikvision" of this pack');
    // An until without the source of a completed sale (an announcement does not end a tie).
    expect(msg).toContain('rules.2.subsidiaries.0.until: a tie ends only on a recorded completion: add untilSource');
  });

  it('accepts an until that cites the completed sale', () => {
    const done = { document: 'Closing announcement', date: '2023-01-31', url: 'https://example.org/closing' };
    write('ok.yaml', pack('ok', [rule({ id: 'dahua', entity: 'Dahua', subsidiaries: [{ name: 'Lorex', since: '2018', until: '2023-01-31', untilSource: done }] })]));
    const policy = loadPolicy({ dir, packs: ['ok'], vendors: VENDORS });
    expect(policy.packs[0]?.rules[0]?.subsidiaries[0]).toMatchObject({ until: '2023-01-31', untilSource: done });
  });

  it('suggests the canonical name for an alias from config/vendors.yaml', () => {
    write('p.yaml', pack('p', [rule({ entity: 'HIKVISION' })]));
    expect(problemsOf(() => loadPolicy({ dir, packs: ['p'] }))).toContain('"HIKVISION" is not the canonical vendor name: use "Hikvision"');
  });

  it('validates custom packs the same way, and refuses a second pack with the same id', () => {
    write('a.yaml', pack('a', [rule()]));
    const same = write('same.yaml', pack('a', [rule()]));
    const bad = write('bad.yaml', pack('bad', [rule({ entity: 'Nobody' })], { published: '2024-13-01' }));
    const msg = problemsOf(() => loadPolicy({ dir, packs: ['a'], customFiles: [same, bad, join(dir, 'missing.yaml')], vendors: VENDORS }));
    expect(msg).toContain(`${same}: pack id "a" is already in force`);
    expect(msg).toContain(`${bad}: published: expected a date as YYYY-MM-DD`);
    expect(msg).not.toContain('not a calendar date');
    expect(msg).toContain(`${bad}: rules.0.entity: unknown vendor "Nobody"`);
    expect(msg).toContain('missing.yaml: cannot read');
  });

  it('a shipped pack must carry the id of its file name', () => {
    write('a.yaml', pack('b', [rule()]));
    expect(problemsOf(() => loadPolicy({ dir, packs: ['a'], vendors: VENDORS }))).toContain('id "b" does not match the file name (a.yaml)');
  });

  it('refuses invalid YAML, alias bombs, unknown keys and oversized files', () => {
    write('syntax.yaml', 'id: [unclosed\n');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i += 1) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`);
    write('bomb.yaml', `${bomb.join('\n')}\n`);
    write('extra.yaml', pack('extra', [rule({ colour: 'red' })]));
    write('huge.yaml', `# ${'x'.repeat(MAX_PACK_BYTES)}\n`);
    const msg = problemsOf(() => loadPolicy({ dir, packs: ['syntax', 'bomb', 'extra', 'huge'], vendors: VENDORS }));
    expect(msg).toContain('syntax.yaml: not valid YAML');
    expect(msg).toContain('bomb.yaml: not valid YAML');
    expect(msg).toMatch(/extra\.yaml: rules\.0: Unrecognized key: "colour"/u);
    expect(msg).toContain('huge.yaml: not a regular file of at most');
  });

  it('selecting no pack at all is an error, not a policy that clears everything', () => {
    expect(problemsOf(() => loadPolicy({ dir, packs: [], vendors: VENDORS }))).toContain('no policy pack selected');
  });

  it('a pack selected twice is reported', () => {
    write('a.yaml', pack('a', [rule()]));
    expect(problemsOf(() => loadPolicy({ dir, packs: ['a', 'a'], vendors: VENDORS }))).toContain('policy pack "a" is selected twice');
  });
});
