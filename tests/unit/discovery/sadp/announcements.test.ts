import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSadpAnnouncement } from '../../../../src/discovery/sadp/announcements.ts';
import { buildSadpInquiry } from '../../../../src/discovery/sadp/payloads.ts';

const MATCH = readFileSync(new URL('../../../fixtures/sadp/hikvision.virtual.ProbeMatch.xml', import.meta.url));
const from = { ip: '10.66.0.11', iface: 'eth0' };

describe('decodeSadpAnnouncement', () => {
  it('reads a ProbeMatch heard on the group as alive, with its serial and MAC', () => {
    const out = decodeSadpAnnouncement(MATCH, from);
    expect(out.kind).toBe('announcements');
    if (out.kind !== 'announcements') return;
    const [a] = out.announcements;
    expect(a).toMatchObject({ kind: 'alive', protocol: 'sadp', ip: from.ip });
    expect(a!.identifiers.serial).toBeDefined();
    expect(a!.observation!.evidence.map((e) => e.field)).toEqual(expect.arrayContaining(['sadp.reply', 'sadp.firmware']));
  });

  it('ignores inquiries and calls junk invalid', () => {
    expect(decodeSadpAnnouncement(Buffer.from(buildSadpInquiry('1B2C3D4E-0000-4000-8000-000000000001')), from)).toMatchObject({ kind: 'ignored' });
    expect(decodeSadpAnnouncement(Buffer.from('<!DOCTYPE x><ProbeMatch/>'), from)).toMatchObject({ kind: 'invalid' });
  });
});
