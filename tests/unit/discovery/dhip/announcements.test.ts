import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeDhipAnnouncement } from '../../../../src/discovery/dhip/announcements.ts';
import { buildDahuaV1Probe, buildDhipSearch } from '../../../../src/discovery/dhip/payloads.ts';

const NOTIFY = readFileSync(new URL('../../../fixtures/dhip/dahua.virtual.notifyDevInfo.bin', import.meta.url));
const from = { ip: '10.66.0.12', iface: 'eth0' };

describe('decodeDhipAnnouncement', () => {
  it('reads a notifyDevInfo heard on the group as alive', () => {
    const out = decodeDhipAnnouncement(NOTIFY, from);
    expect(out).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'alive', protocol: 'dhip', ip: from.ip, identifiers: { mac: '00:11:22:33:44:55' } }] });
  });

  it('ignores searches and calls junk invalid', () => {
    expect(decodeDhipAnnouncement(buildDhipSearch(), from)).toMatchObject({ kind: 'ignored', reason: 'a DHIP search' });
    expect(decodeDhipAnnouncement(buildDahuaV1Probe(), from).kind).not.toBe('announcements');
    expect(decodeDhipAnnouncement(Buffer.from('DHIP junk that is not a frame'), from)).toMatchObject({ kind: 'invalid' });
  });
});
