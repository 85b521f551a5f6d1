import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES_DIR, parseProfile } from './profile.ts';
import { deviceVars, fillTemplate } from './template.ts';
import { STANDARD_DEVICES } from '../standard-lab.ts';

const files = readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.json'));

describe('device profiles', () => {
  it('has the required profiles', () => {
    expect(files.map((f) => f.replace(/\.json$/u, '')).sort()).toEqual(
      [
        'amcrest-ip5m-t1277ew-ai',
        'annke-c800-i91bm',
        'annke-nc400-onvif',
        'axis-m2036-le',
        'chromecast',
        'dahua-ipc-hfw2228m',
        'epson-xp-410',
        'hikvision-ds-2cd2142fwd',
        'hostile-60k',
        'hostile-endless-http',
        'hostile-foreign-location',
        'hostile-lf-ssdp',
        'hostile-not-xml',
        'hostile-two-matches',
        'hostile-xml-bomb',
        'imou-ipc-a22e',
        'lorex-w461asc',
        'trap-dahua-scale-mac',
        'trap-generic-hangzhou',
        'trap-panasonic-wv-v1330lk',
        'trap-ti-ipnc-tnsaxis',
        'trap-wifi-module-mac',
        'trap-windows-pc',
      ].sort(),
    );
  });

  it.each(files)('%s validates once filled, its id is its file name, and it says where its values come from', (file) => {
    const raw = JSON.parse(readFileSync(path.join(PROFILES_DIR, file), 'utf8')) as unknown;
    const filled = fillTemplate(fillTemplate(raw, { 'peer:hikvision-ds-2cd2142fwd': '10.66.0.11' }, true), deviceVars('10.66.0.50', '02:00:00:00:00:50'));
    const profile = parseProfile(filled, file);
    expect(`${profile.id}.json`).toBe(file);
    expect(profile.notes.length).toBeGreaterThan(0);
  });

  it('gives every standard device its maker\'s OUI (or a locally administered MAC)', () => {
    const oui: Record<string, string[]> = {
      hikvision: ['44:19:b6', '28:57:be'],
      dahua: ['4c:11:bf', '3c:ef:8c'],
      axis: ['ac:cc:8e', '00:40:8c'],
      epson: ['ac:18:26'],
      chromecast: ['54:60:09'],
      'lf-ssdp': ['00:09:18'],
    };
    for (const d of STANDARD_DEVICES) {
      const expected = oui[d.name];
      if (expected !== undefined) expect(expected).toContain(d.mac.slice(0, 8));
      else expect(Number.parseInt(d.mac.slice(0, 2), 16) & 0x02).toBe(2);
      expect(files).toContain(`${d.profile}.json`);
    }
  });
});
