import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIo } from '../../helpers/cli.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('camsweep fingerprints verify', () => {
  it('passes on the packaged database: exit 0, stats per vendor and fields', async () => {
    const s = captureIo();
    expect(await main(['fingerprints', 'verify'], s)).toBe(0);
    expect(s.out).toMatch(/fingerprint database .*: \d+ files, \d+ fingerprints, \d+ examples/u);
    expect(s.out).toMatch(/^ {2}hikvision +\d+ fingerprints +\d+ examples/mu);
    expect(s.out).toMatch(/fields read \(\d+\):\n {2}.*mac\.oui \(\d+\)/u);
    expect(s.out).toMatch(/^OK: /mu);
  });

  it('prints JSON with --format json', async () => {
    const s = captureIo();
    expect(await main(['fingerprints', 'verify', '--format', 'json'], s)).toBe(0);
    const doc = JSON.parse(s.out) as { ok: boolean; problems: string[]; stats: { fingerprints: number; perFile: Record<string, unknown> } };
    expect(doc.ok).toBe(true);
    expect(doc.problems).toEqual([]);
    expect(doc.stats.fingerprints).toBeGreaterThan(100);
    expect(Object.keys(doc.stats.perFile)).toContain('dahua');
  });

  it('prints every problem and exits 1 for a broken database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camsweep-fpcli-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'hikvision.yaml'),
      `fingerprints:
  - id: hikvision.onvif.manufacturer
    field: onvif.manufacturer
    pattern: '^(?:HIK\\w+)+$'
    claims: { manufacturer: Hikvison }
    weight: 0.9
    description: broken on purpose
    examples:
      - { value: HIKVISION, claims: { manufacturer: Hikvision }, source: corpus hikvision/onvif-GetDeviceInformation-parsed-1.txt }
`,
    );
    writeFileSync(join(dir, 'dahua.yaml'), 'fingerprints: []\n');
    const vendorsDir = mkdtempSync(join(tmpdir(), 'camsweep-fpcli-vendors-'));
    dirs.push(vendorsDir);
    const vendors = join(vendorsDir, 'vendors.yaml');
    writeFileSync(vendors, 'vendors:\n  - { name: Hikvision, kind: manufacturer }\n');
    const s = captureIo();
    expect(await main(['fingerprints', 'verify', '--dir', dir, '--vendors', vendors], s)).toBe(1);
    expect(s.out).toMatch(/4 problem\(s\):/u);
    expect(s.out).toContain('repeated group contains a quantifier');
    expect(s.out).toContain('unknown manufacturer "Hikvison"');
    expect(s.out).toMatch(/dahua\.yaml: fingerprints/u);
    // The broken entry is left out, so nothing claims Hikvision.
    expect(s.out).toContain('vendor Hikvision (config/vendors.yaml) has no fingerprint');
    expect(s.out).toMatch(/^FAILED: 4 problem\(s\)/mu);
  });

  it('lists verify under fingerprints --help', async () => {
    const s = captureIo();
    expect(await main(['fingerprints', '--help'], s)).toBe(0);
    expect(s.out).toContain('verify');
    const v = captureIo();
    expect(await main(['fingerprints', 'verify', '--help'], v)).toBe(0);
    for (const flag of ['--dir', '--vendors', '--format']) expect(v.out).toContain(flag);
  });
});
