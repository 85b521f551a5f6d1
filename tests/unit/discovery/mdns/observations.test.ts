import { describe, expect, it } from 'vitest';
import { MAX_EVIDENCE } from '../../../../src/domain/evidence.ts';
import type { Observation } from '../../../../src/domain/types.ts';
import { decodeMdnsResponse, mdnsToObservations } from '../../../../src/discovery/mdns/decode.ts';
import { fixture, response } from './helpers.ts';

function fields(obs: Observation | undefined): Array<[string, string]> {
  return (obs?.evidence ?? []).map((e) => [e.field, e.value]);
}

describe('mdnsToObservations: real captures', () => {
  it('Axis: types, both instances with dots kept, TXT macaddress as evidence and MAC, addresses', () => {
    const d = decodeMdnsResponse(fixture('axis.m5014.mdns-response.bin'));
    const [obs, ...rest] = mdnsToObservations(d, { ip: '192.168.1.90', iface: 'eth0' });
    expect(rest).toEqual([]);
    expect(obs).toMatchObject({ protocol: 'mdns', ip: '192.168.1.90', interface: 'eth0', mac: '00:11:22:33:44:55' });
    expect(fields(obs)).toEqual([
      ['mdns.type', '_axis-video._tcp'],
      ['mdns.instance', 'Virtual - 001122334455'],
      ['mdns.instance', 'AXIS M5014 - ACCC8E3C0419 H.264'],
      ['mdns.type', '_rtsp._tcp'],
      ['mdns.txt.macaddress', '001122334455'],
      ['mdns.address', '240.0.6.0'],
      ['mdns.address', '169.254.65.120'],
    ]);
    // `_tcp.local` (the capture's mangled owner) is not a host name
    expect(obs?.identifiers).toBeUndefined();
    expect(obs?.endpoints).toBeUndefined();
  });

  it('Google Cast: TXT md/fn/id, port, host name from SRV and A; no HTTP port (8009-style cast port is not HTTP)', () => {
    const d = decodeMdnsResponse(fixture('google-cast.google-home-virtual.mdns-response.bin'));
    const [obs] = mdnsToObservations(d, { ip: '240.0.8.0' });
    expect(obs).toMatchObject({ protocol: 'mdns', ip: '240.0.8.0', identifiers: { hostname: '123456789.local' } });
    expect(obs?.interface).toBeUndefined();
    expect(obs?.mac).toBeUndefined();
    expect(obs?.endpoints).toBeUndefined();
    const f = fields(obs);
    expect(f).toContainEqual(['mdns.type', '_googlecast._tcp']);
    expect(f).toContainEqual(['mdns.instance', 'Google-Home-Virtual']);
    expect(f).toContainEqual(['mdns.txt.md', 'Google Virtual']);
    expect(f).toContainEqual(['mdns.txt.fn', 'Google Virtual']);
    expect(f).toContainEqual(['mdns.txt.id', 'virtual']);
    expect(f).toContainEqual(['mdns.txt.rs', '']);
    expect(f).toContainEqual(['mdns.port._googlecast._tcp', '80']);
    expect(f).toContainEqual(['mdns.hostname', '123456789.local']);
    expect(f).toContainEqual(['mdns.address', '240.0.8.0']);
    expect(f.filter(([k]) => k.startsWith('mdns.txt.'))).toHaveLength(12);
  });
});

describe('mdnsToObservations: attribution', () => {
  const inst = 'AXIS P1448-LE - B8A44F000001._axis-video._tcp.local';
  const camReply = response(
    [{ type: 'PTR', name: '_axis-video._tcp.local', ttl: 120, data: inst }],
    [
      { type: 'SRV', name: inst, ttl: 120, data: { port: 80, target: 'axis-b8a44f000001.local' } },
      { type: 'TXT', name: inst, ttl: 4500, data: ['macaddress=B8A44F000001'] },
      { type: 'A', name: 'axis-b8a44f000001.local', ttl: 120, data: '10.0.0.20' },
    ],
  );

  it('uses the datagram source as the IP, whatever the A records say', () => {
    const [obs] = mdnsToObservations(decodeMdnsResponse(camReply), { ip: '10.0.0.99' });
    expect(obs?.ip).toBe('10.0.0.99');
  });

  it('gives the HTTP port, host name and MAC of the sender’s own services', () => {
    const [obs] = mdnsToObservations(decodeMdnsResponse(camReply), { ip: '10.0.0.20', iface: 'br0' });
    expect(obs).toMatchObject({
      ip: '10.0.0.20',
      interface: 'br0',
      mac: 'b8:a4:4f:00:00:01',
      identifiers: { hostname: 'axis-b8a44f000001.local' },
      endpoints: { httpPorts: [80] },
    });
    expect(fields(obs)).toContainEqual(['mdns.port._axis-video._tcp', '80']);
  });

  it('treats services whose SRV target resolves only to other addresses as foreign: mdns.address only', () => {
    // a sleep proxy at 10.0.0.5 answering for the camera at 10.0.0.20
    const [obs] = mdnsToObservations(decodeMdnsResponse(camReply), { ip: '10.0.0.5' });
    expect(fields(obs)).toEqual([['mdns.address', '10.0.0.20']]);
    expect(obs?.mac).toBeUndefined();
    expect(obs?.identifiers).toBeUndefined();
    expect(obs?.endpoints).toBeUndefined();
  });

  it('keeps the sender’s own services when the same reply also carries another host’s', () => {
    const other = 'Printer 2._ipp._tcp.local';
    const buf = response(
      [
        { type: 'PTR', name: '_http._tcp.local', ttl: 120, data: 'Cam._http._tcp.local' },
        { type: 'PTR', name: '_ipp._tcp.local', ttl: 120, data: other },
      ],
      [
        { type: 'SRV', name: 'Cam._http._tcp.local', ttl: 120, data: { port: 8080, target: 'cam.local' } },
        { type: 'SRV', name: other, ttl: 120, data: { port: 631, target: 'printer.local' } },
        { type: 'TXT', name: other, ttl: 120, data: ['usb_MFG=EPSON', 'mac=ac:18:26:84:1a:46'] },
        { type: 'A', name: 'cam.local', ttl: 120, data: '10.0.0.20' },
        { type: 'A', name: 'printer.local', ttl: 120, data: '10.0.0.30' },
      ],
    );
    const [obs] = mdnsToObservations(decodeMdnsResponse(buf), { ip: '10.0.0.20' });
    expect(fields(obs)).toEqual([
      ['mdns.type', '_http._tcp'],
      ['mdns.instance', 'Cam'],
      ['mdns.port._http._tcp', '8080'],
      ['mdns.address', '10.0.0.20'],
      ['mdns.address', '10.0.0.30'],
      ['mdns.hostname', 'cam.local'],
    ]);
    expect(obs?.endpoints).toEqual({ httpPorts: [8080] });
  });

  it('takes the host name from an A record for the sender, then from a reverse PTR, before SRV targets', () => {
    const buf = response([
      { type: 'A', name: 'Cam-Front.local', ttl: 120, data: '10.0.0.20' },
      { type: 'PTR', name: '20.0.0.10.in-addr.arpa', ttl: 120, data: 'cam-front-alias.local' },
      { type: 'SRV', name: 'x._rtsp._tcp.local', ttl: 120, data: { port: 554, target: 'other-name.local' } },
    ]);
    const [obs] = mdnsToObservations(decodeMdnsResponse(buf), { ip: '10.0.0.20' });
    expect(obs?.identifiers).toEqual({ hostname: 'cam-front.local' });
    expect(fields(obs).filter(([k]) => k === 'mdns.hostname').map(([, v]) => v)).toEqual([
      'cam-front.local',
      'cam-front-alias.local',
      'other-name.local',
    ]);
  });
});

describe('mdnsToObservations: DNS-SD names', () => {
  it('records the types of a service enumeration reply', () => {
    const buf = response([
      { type: 'PTR', name: '_services._dns-sd._udp.local', ttl: 4500, data: '_axis-video._tcp.local' },
      { type: 'PTR', name: '_services._dns-sd._udp.local', ttl: 4500, data: '_http._tcp.local' },
    ]);
    expect(fields(mdnsToObservations(decodeMdnsResponse(buf), { ip: '10.0.0.20' })[0])).toEqual([
      ['mdns.type', '_axis-video._tcp'],
      ['mdns.type', '_http._tcp'],
    ]);
  });

  it('keeps instance names with dots, and reads subtypes as their parent type', () => {
    const inst = 'Lobby v2.1 (bldg. A)._http._tcp.local';
    const buf = response([
      { type: 'PTR', name: '_printer._sub._http._tcp.local', ttl: 120, data: inst },
      { type: 'SRV', name: inst, ttl: 120, data: { port: 8080, target: 'lobby.local' } },
    ]);
    const [obs] = mdnsToObservations(decodeMdnsResponse(buf), { ip: '10.0.0.20' });
    expect(fields(obs)).toEqual([
      ['mdns.type', '_http._tcp'],
      ['mdns.instance', 'Lobby v2.1 (bldg. A)'],
      ['mdns.port._http._tcp', '8080'],
      ['mdns.hostname', 'lobby.local'],
    ]);
    expect(obs?.endpoints).toEqual({ httpPorts: [8080] });
  });

  it('cleans control characters out of evidence', () => {
    const inst = '\u001b[2JEvil\u0007 Cam._http._tcp.local';
    const buf = response([{ type: 'TXT', name: inst, ttl: 120, data: ['model=\u001b[31mX'] }]);
    const [obs] = mdnsToObservations(decodeMdnsResponse(buf), { ip: '10.0.0.20' });
    expect(fields(obs)).toEqual([
      ['mdns.type', '_http._tcp'],
      ['mdns.instance', '[2JEvil Cam'],
      ['mdns.txt.model', '\\x1b[31mX'],
    ]);
  });

  it('returns nothing for a non-response or a reply without usable records', () => {
    expect(mdnsToObservations(decodeMdnsResponse(Buffer.from('junk-junk-junk')), { ip: '10.0.0.1' })).toEqual([]);
    expect(mdnsToObservations([], { ip: '10.0.0.1' })).toEqual([]);
    const onlyHinfo = response([{ type: 'HINFO', name: 'h.local', ttl: 120, data: { cpu: 'x', os: 'y' } }]);
    expect(mdnsToObservations(decodeMdnsResponse(onlyHinfo), { ip: '10.0.0.1' })).toEqual([]);
  });

  it('keeps at most MAX_EVIDENCE items however many TXT keys one reply carries (found by tests/fuzz)', () => {
    // 20 instances x 64 distinct keys fit in one 8.8 KB datagram: 1301 items before the cap.
    const answers = Array.from({ length: 20 }, (_, i) => ({
      type: 'TXT' as const,
      name: `cam${i}._http._tcp.local`,
      ttl: 120,
      data: Array.from({ length: 64 }, (_, k) => `k${k}=${i}`),
    }));
    const [obs] = mdnsToObservations(decodeMdnsResponse(response(answers)), { ip: '10.0.0.20' });
    expect(obs?.evidence).toHaveLength(MAX_EVIDENCE);
    expect(fields(obs).slice(0, 3)).toEqual([
      ['mdns.type', '_http._tcp'],
      ['mdns.instance', 'cam0'],
      ['mdns.txt.k0', '0'],
    ]);
  });

  it('ignores an invalid MAC in TXT', () => {
    const buf = response([{ type: 'TXT', name: 'c._axis-video._tcp.local', ttl: 120, data: ['macaddress=000000000000'] }]);
    const [obs] = mdnsToObservations(decodeMdnsResponse(buf), { ip: '10.0.0.20' });
    expect(obs?.mac).toBeUndefined();
    expect(fields(obs)).toContainEqual(['mdns.txt.macaddress', '000000000000']);
  });
});
