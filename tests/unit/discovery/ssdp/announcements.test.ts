import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSsdpAnnouncement, maxAgeOf } from '../../../../src/discovery/ssdp/announcements.ts';
import { buildMSearch } from '../../../../src/discovery/ssdp/payloads.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/ssdp/${name}`, import.meta.url));

describe('decodeSsdpAnnouncement', () => {
  it('reads a real ssdp:alive as alive, with its description hint (LOCATION, BOOTID, CONFIGID, max-age)', () => {
    const out = decodeSsdpAnnouncement(fixture('freebsd.miniupnpd-2.0.ssdp-notify-1.txt'), { ip: '10.1.2.254', iface: 'eth0' });
    expect(out.kind).toBe('announcements');
    if (out.kind !== 'announcements') return;
    const [a] = out.announcements;
    expect(a).toMatchObject({
      kind: 'alive',
      protocol: 'ssdp',
      ip: '10.1.2.254',
      identifiers: { udn: 'uuid:6c1adccc-3538-979d-397a-4135f32611d' },
      description: { location: 'http://10.1.2.254:2189/rootDesc.xml', bootId: '1560803590', configId: '1337', maxAgeS: 60 },
    });
    expect(a!.observation!.endpoints).toEqual({ location: 'http://10.1.2.254:2189/rootDesc.xml', httpPorts: [2189] });
    expect(a!.observation!.evidence.map((e) => e.field)).toEqual(expect.arrayContaining(['ssdp.server', 'ssdp.usn', 'ssdp.st', 'ssdp.header.bootid.upnp.org']));
  });

  it('reads a real ssdp:byebye as bye, naming the UDN of its USN', () => {
    const out = decodeSsdpAnnouncement(fixture('axis.m1014.ssdp-notify-byebye-1.txt'), { ip: '192.168.1.102', iface: 'eth0' });
    expect(out).toEqual({
      kind: 'announcements',
      announcements: [{ kind: 'bye', protocol: 'ssdp', ip: '192.168.1.102', interface: 'eth0', identifiers: { udn: 'uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8' } }],
    });
  });

  it('takes the BOOTID an ssdp:update moves to', () => {
    const update = fixture('freebsd.miniupnpd-2.0.ssdp-notify-1.txt').toString('latin1').replace('NTS: ssdp:alive', 'NTS: ssdp:update\r\nNEXTBOOTID.UPNP.ORG: 1560803591');
    const out = decodeSsdpAnnouncement(Buffer.from(update, 'latin1'), { ip: '10.1.2.254', iface: 'eth0' });
    expect(out).toMatchObject({ kind: 'announcements', announcements: [{ kind: 'alive', description: { bootId: '1560803591' } }] });
  });

  it('ignores searches and search replies, and calls junk or an unknown NTS invalid', () => {
    const from = { ip: '10.66.0.9', iface: 'eth0' };
    expect(decodeSsdpAnnouncement(Buffer.from(buildMSearch({ st: 'ssdp:all', mx: 1 })), from)).toMatchObject({ kind: 'ignored' });
    expect(decodeSsdpAnnouncement(fixture('dahua.unknown.ssdp-response-1.txt'), from)).toMatchObject({ kind: 'ignored' });
    expect(decodeSsdpAnnouncement(Buffer.from([0, 1, 2, 3, 4]), from)).toMatchObject({ kind: 'invalid' });
    expect(decodeSsdpAnnouncement(Buffer.from('NOTIFY * HTTP/1.1\r\nNTS: ssdp:propchange\r\nUSN: uuid:x\r\n\r\n'), from)).toMatchObject({ kind: 'invalid' });
  });

  it('reads max-age within a second and a day', () => {
    expect(maxAgeOf('max-age=1800')).toBe(1800);
    expect(maxAgeOf('max-age = 1800')).toBe(1800);
    expect(maxAgeOf('no-cache="Ext", max-age = 5000')).toBe(5000);
    expect(maxAgeOf('max-age=99999999')).toBe(86_400);
    expect(maxAgeOf('max-age=0')).toBeUndefined();
    expect(maxAgeOf('private')).toBeUndefined();
    expect(maxAgeOf(undefined)).toBeUndefined();
  });
});
