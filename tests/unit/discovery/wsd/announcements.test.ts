import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWsdAnnouncement } from '../../../../src/discovery/wsd/announcements.ts';
import { buildProbe } from '../../../../src/discovery/wsd/payloads.ts';

const HELLO = readFileSync(new URL('../../../fixtures/wsd/dahua.ipc-hfw2228m-i1-v2.Hello.xml', import.meta.url));
const PROBE_MATCHES = readFileSync(new URL('../../../fixtures/wsd/dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', import.meta.url));
const from = { ip: '192.168.1.45', iface: 'eth0' };

/** The same device's Bye, as WS-Discovery 2005/04 §4.2 shapes it: the Hello's envelope, Bye action and body, the EPR only. */
const BYE = Buffer.from(
  HELLO.toString('utf8')
    .replace('/discovery/Hello</a:Action>', '/discovery/Bye</a:Action>')
    .replace(/<d:Hello>[\s\S]*?<\/a:EndpointReference>[\s\S]*?<\/d:Hello>/u, '<d:Bye><a:EndpointReference><a:Address>uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464</a:Address></a:EndpointReference></d:Bye>'),
);

describe('decodeWsdAnnouncement', () => {
  it('reads a real Hello as alive, with the observation a ProbeMatch gives', () => {
    const out = decodeWsdAnnouncement(HELLO, from);
    expect(out.kind).toBe('announcements');
    if (out.kind !== 'announcements') return;
    const [a] = out.announcements;
    expect(a).toMatchObject({ kind: 'alive', protocol: 'wsd', ip: from.ip, interface: 'eth0', identifiers: { epr: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' } });
    const fields = a!.observation!.evidence.map((e) => `${e.field}=${e.value}`);
    expect(fields).toEqual(expect.arrayContaining(['onvif.scope.name=Dahua', 'onvif.scope.hardware=IPC-HFW2228M-I1-V2', 'wsd.metadataVersion=1', 'wsd.xaddr=http://192.168.1.45/onvif/device_service']));
    expect(a!.observation!.endpoints).toEqual({ xaddrs: ['http://192.168.1.45/onvif/device_service'], httpPorts: [80] });
  });

  it('reads a Bye as bye, naming its EndpointReference', () => {
    const out = decodeWsdAnnouncement(BYE, from);
    expect(out).toEqual({ kind: 'announcements', announcements: [{ kind: 'bye', protocol: 'wsd', ip: from.ip, interface: 'eth0', identifiers: { epr: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' } }] });
  });

  it('ignores probes and ProbeMatches, and calls junk invalid', () => {
    expect(decodeWsdAnnouncement(Buffer.from(buildProbe({ messageId: 'urn:uuid:1' })), from)).toMatchObject({ kind: 'ignored' });
    expect(decodeWsdAnnouncement(PROBE_MATCHES, from)).toMatchObject({ kind: 'ignored', reason: 'WS-Discovery ProbeMatches' });
    expect(decodeWsdAnnouncement(Buffer.from('\u0000\u0001 not xml <<<'), from)).toMatchObject({ kind: 'invalid' });
    expect(decodeWsdAnnouncement(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), from)).toMatchObject({ kind: 'invalid' });
  });
});
