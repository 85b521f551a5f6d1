import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIo } from '../../helpers/cli.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import { formatPolicyTable, type PolicyListing } from '../../../src/policy/format.ts';

const dir = mkdtempSync(join(tmpdir(), 'camsweep-policy-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('camsweep policy list', () => {
  it('prints the default packs as a table naming every rule, entity, relation with dates, kinds and source', async () => {
    const s = captureIo();
    expect(await main(['policy', 'list'], s)).toBe(0);
    expect(s.out).toMatch(/^Policy packs in force, in order: us-ndaa-889, uk-2022-sensitive-sites\n/u);
    for (const entity of ['Hikvision', 'Dahua', 'Huawei', 'ZTE', 'Hytera', 'Uniview', 'Tiandy']) expect(s.out).toContain(`: ${entity} (`);
    expect(s.out).toContain('subsidiaries: Imou; Lorex (since 2018)');
    expect(s.out).toContain('affiliates:   Prama Hikvision');
    expect(s.out).toContain('brands:       HiLook; HiWatch; LTS; Annke');
    expect(s.out).toContain('applies to:   camera, recorder, intercom, network, other; since 2019-08-13');
    expect(s.out).toContain('https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf');
    expect(s.out).toContain('source note:  The statement reference (HCWS386)');
    expect(s.err).toBe('');
  });

  it('--format json is parseable and carries every pack and rule', async () => {
    const s = captureIo();
    expect(await main(['policy', 'list', '--pack', 'us-fcc-covered-list', '--pack', 'au-2023', '--format', 'json'], s)).toBe(0);
    const doc = JSON.parse(s.out) as PolicyListing;
    expect(doc.schema).toBe('camsweep.policy/v1');
    expect(doc.packs.map((p) => p.id)).toEqual(['us-fcc-covered-list', 'au-2023']);
    expect(doc.packs[1]?.rules.map((r) => r.entity)).toEqual(['Hikvision', 'Dahua']);
    expect(doc.packs[0]?.custom).toBe(false);
  });

  it('--policy-file adds a custom pack after the shipped ones', async () => {
    const file = join(dir, 'site.yaml');
    writeFileSync(
      file,
      [
        'id: site-extra',
        'version: "2026-01-01"',
        'title: Site policy',
        'jurisdiction: Our campus',
        'published: "2026-01"',
        'source: { document: Site security memo, date: "2026-01", url: "https://intranet.example.org/memo" }',
        'summary: Also flag XiongMai recorders.',
        'rules:',
        '  - id: xiongmai',
        '    entity: XiongMai',
        '    legalName: Hangzhou Xiongmai Technology Co., Ltd.',
        '    appliesTo: { kinds: [recorder] }',
        '    scope: { text: "No XiongMai recorders.", form: quoted }',
        '    source: { document: Site security memo, date: "2026-01", url: "https://intranet.example.org/memo" }',
      ].join('\n'),
    );
    const s = captureIo();
    expect(await main(['policy', 'list', '--policy-file', file], s)).toBe(0);
    expect(s.out).toContain(`site-extra 2026-01-01 (custom: ${file})`);
    expect(s.out).toContain('xiongmai: XiongMai (Hangzhou Xiongmai Technology Co., Ltd.)');
    expect(s.out).toContain('scope:        "No XiongMai recorders." (quoted)');
  });

  it('an unknown pack or a broken file is a usage error (exit 2) listing every problem', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'id: Broken Pack\n');
    const s = captureIo();
    expect(await main(['policy', 'list', '--pack', 'eu-2030', '--policy-file', broken], s)).toBe(2);
    expect(s.err).toContain('unknown policy pack "eu-2030" (available: au-2023, uk-2022-sensitive-sites, us-fcc-covered-list, us-ndaa-889)');
    expect(s.err).toContain('broken.yaml: id: ids are lowercase');
    expect(s.err).toContain('broken.yaml: rules:');
    expect(s.out).toBe('');
  });

  it('--format accepts table and json only', async () => {
    const s = captureIo();
    expect(await main(['policy', 'list', '--format', 'csv'], s)).toBe(2);
  });

  it('the table shows the threshold when given, and strips control characters from pack text', () => {
    const file = join(dir, 'escapes.yaml');
    writeFileSync(
      file,
      [
        'id: escapes',
        'version: "1.0.0"',
        'title: "Clear screen\\e[2J here"',
        'jurisdiction: "Bell\\a and backspace\\b"',
        'published: "2026"',
        'source: { document: "Memo\\e]0;pwned\\a", date: "2026", url: "https://example.org/" }',
        'summary: "Line\\rbreak"',
        'rules:',
        '  - id: axis',
        '    entity: Axis',
        '    legalName: "Axis\\u202e reversed"',
        '    appliesTo: { kinds: [camera] }',
        '    scope: { text: "x", form: quoted }',
        '    source: { document: Memo, date: "2026", url: "https://example.org/" }',
      ].join('\n'),
    );
    const policy = loadPolicy({ packs: [], customFiles: [file] });
    expect(policy.packs[0]?.title).toContain('\u001b');
    const text = formatPolicyTable(policy, 0.6);
    expect(text).toContain('A maker is established from confidence 0.60.');
    expect(text).toContain('Clear screen [2J here');
    expect(text).not.toContain('\u202e');
    // Control characters other than the newline: the pattern must name them.
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/u);
  });
});
