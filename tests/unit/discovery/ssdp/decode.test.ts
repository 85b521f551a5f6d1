import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEADERS,
  MAX_VALUE_LENGTH,
  parseSsdpMessage,
  ssdpHeader,
  ssdpToObservation,
  udnFromUsn,
} from '../../../../src/discovery/ssdp/decode.ts';
import type { Observation } from '../../../../src/domain/types.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/ssdp/${name}`, import.meta.url));

const field = (obs: Observation, name: string): string[] => obs.evidence.filter((e) => e.field === name).map((e) => e.value);
const fields = (obs: Observation): string[] => obs.evidence.map((e) => e.field);

function invalid(buf: Buffer): string {
  try {
    parseSsdpMessage(buf);
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'parsed';
}

describe('parseSsdpMessage + ssdpToObservation on real captures', () => {
  it('Dahua M-SEARCH reply: SERVER, USN, ST, LOCATION, X-User-Agent; UDN from USN; HTTP port from LOCATION', () => {
    const msg = parseSsdpMessage(fixture('dahua.unknown.ssdp-response-1.txt'));
    expect(msg.kind).toBe('response');
    expect(msg.status).toBe(200);
    expect(msg.dropped).toBe(0);
    const obs = ssdpToObservation(msg, { ip: '192.168.1.20', iface: 'eth0' });
    expect(obs).toMatchObject({ protocol: 'ssdp', ip: '192.168.1.20', interface: 'eth0' });
    expect(field(obs, 'ssdp.server')).toEqual(['Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK']);
    expect(field(obs, 'ssdp.usn')).toEqual(['uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037']);
    expect(field(obs, 'ssdp.st')).toEqual(['uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037']);
    expect(field(obs, 'ssdp.location')).toEqual(['http://192.168.1.20:49152/upnp_device_desc.xml']);
    expect(field(obs, 'ssdp.header.x-user-agent')).toEqual(['redsonic']);
    // DATE, CACHE-CONTROL and EXT say nothing about the device.
    expect(fields(obs).filter((f) => /date|cache-control|\.ext$/u.test(f))).toEqual([]);
    expect(obs.identifiers).toEqual({ udn: 'uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037' });
    expect(obs.endpoints).toEqual({ location: 'http://192.168.1.20:49152/upnp_device_desc.xml', httpPorts: [49152] });
  });

  it('Dahua reply with a type suffix on the USN: the UDN is the part before ::', () => {
    const obs = ssdpToObservation(parseSsdpMessage(fixture('dahua.unknown.ssdp-response-2.txt')), { ip: '192.168.1.20' });
    expect(field(obs, 'ssdp.st')).toEqual(['urn:schemas-upnp-org:device:3.0-1L047ACPAW00037']);
    expect(obs.identifiers?.udn).toBe('uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037');
    expect(obs.interface).toBeUndefined();
  });

  it('Chromecast reply with mangled spacing (HTTP / 1.1, CACHE - CONTROL)', () => {
    const msg = parseSsdpMessage(fixture('google-cast.chromecast.ssdp-response-1.txt'));
    expect(msg.status).toBe(200);
    expect(msg.headers.map((h) => h.name)).toEqual([
      'cache-control',
      'date',
      'ext',
      'location',
      'opt',
      '01-nls',
      'server',
      'x-user-agent',
      'st',
      'usn',
      'bootid.upnp.org',
      'configid.upnp.org',
    ]);
    expect(ssdpHeader(msg, 'cache-control')).toBe('max - age = 1800');
    const obs = ssdpToObservation(msg, { ip: '192.168.5.1' });
    expect(field(obs, 'ssdp.server')).toEqual(['Linux/3.8.13, UPnP/1.0, Portable SDK for UPnP devices/1.6.18']);
    expect(field(obs, 'ssdp.header.x-user-agent')).toEqual(['redsonic']);
    expect(field(obs, 'ssdp.header.opt')).toEqual(['"http://schemas.upnp.org/upnp/1/0/"; ns=01']);
    expect(field(obs, 'ssdp.header.01-nls')).toEqual(['cb602198-1cc1-11c2-3124-a0ff531c73fa']);
    expect(field(obs, 'ssdp.header.bootid.upnp.org')).toEqual(['34']);
    expect(obs.identifiers?.udn).toBe('uuid:cb602198-1cc1-11c2-3124-a0ff531c73fa');
    expect(obs.endpoints?.httpPorts).toEqual([8008]);
  });

  it('ASUS router NOTIFY: NT is recorded as ssdp.st; HOST is not evidence', () => {
    const msg = parseSsdpMessage(fixture('asus.asuswrt-386.ssdp-notify-1.txt'));
    expect(msg.kind).toBe('notify');
    expect(msg.status).toBeUndefined();
    const obs = ssdpToObservation(msg, { ip: '192.168.1.1' });
    expect(field(obs, 'ssdp.st')).toEqual(['urn:schemas-upnp-org:service:Layer3Forwarding:1']);
    expect(field(obs, 'ssdp.server')).toEqual(['AsusWRT/386.1 UPnP/1.1 MiniUPnPd/2.2.0']);
    expect(field(obs, 'ssdp.header.nts')).toEqual(['ssdp:alive']);
    expect(field(obs, 'ssdp.header.configid.upnp.org')).toEqual(['1337']);
    expect(fields(obs)).not.toContain('ssdp.header.host');
    expect(obs.identifiers?.udn).toBe('uuid:3ddcd1d3-2380-45f5-b069-3497f66cbb20');
    expect(obs.endpoints).toEqual({ location: 'http://192.168.1.1:40415/rootDesc.xml', httpPorts: [40415] });
    const second = ssdpToObservation(parseSsdpMessage(fixture('asus.asuswrt-386.ssdp-notify-2.txt')), { ip: '192.168.1.1' });
    expect(second.identifiers?.udn).toBe('uuid:3ddcd1d3-2380-45f5-b069-3497f66cbb22');
  });

  it('Shadowserver rows: LOCATION on another host is kept as evidence but gives no HTTP port', () => {
    const rows: Array<[string, string, string, string]> = [
      ['libupnp.unknown.ssdp-response-1.txt', '192.168.0.1', 'Linux/2.6.26, UPnP/1.0, Portable SDK for UPnP devices/1.3.1', 'http://192.168.200.254:49152/description.xml'],
      ['samsung.tv.ssdp-response-1.txt', '192.168.0.2', 'Linux/9.0 UPnP/1.0 PROTOTYPE/1.0', 'http://95.160.216.14:52235/dmr/SamsungMRDesc.xml'],
      ['google-cast.android-tv.ssdp-response-1.txt', '192.168.0.3', 'Linux/3.10.79, UPnP/1.0, Portable SDK for UPnP devices/1.6.18', 'http://192.168.1.3:8008/ssdp/device-desc.xml'],
    ];
    for (const [file, ip, server, location] of rows) {
      const obs = ssdpToObservation(parseSsdpMessage(fixture(file)), { ip });
      expect(obs.ip).toBe(ip);
      expect(field(obs, 'ssdp.server')).toEqual([server]);
      expect(field(obs, 'ssdp.location')).toEqual([location]);
      expect(obs.endpoints).toEqual({ location });
      expect(field(obs, 'ssdp.st')).toEqual(['upnp:rootdevice']);
    }
    // The same Samsung reply from the host LOCATION names does give the port.
    const own = ssdpToObservation(parseSsdpMessage(fixture('samsung.tv.ssdp-response-1.txt')), { ip: '95.160.216.14' });
    expect(own.endpoints?.httpPorts).toEqual([52235]);
  });

  it('Hanwha NOTIFY as edited by its test author: lOCATION found, a 0x01 header name dropped', () => {
    const msg = parseSsdpMessage(fixture('hanwha.snh-e6440bn.ssdp-notify-1.txt'));
    expect(msg.kind).toBe('notify');
    expect(msg.dropped).toBe(1);
    const obs = ssdpToObservation(msg, { ip: '192.168.1.248' });
    expect(field(obs, 'ssdp.location')).toEqual(['http://192.168.1.248:49152/rootDesc.xml']);
    expect(field(obs, 'ssdp.server')).toEqual(['Linux 3.0.8 UPnP/1.1 MiniUPnPd/1.7']);
    expect(fields(obs).some((f) => f.includes('nls'))).toBe(false);
    // Its USN line lost its name, so there is no USN and no UDN: nothing is guessed.
    expect(field(obs, 'ssdp.usn')).toEqual([]);
    expect(obs.identifiers).toBeUndefined();
  });
});

describe('parseSsdpMessage tolerance', () => {
  const crlf = fixture('dahua.unknown.ssdp-response-1.txt').toString('latin1');

  it('decodes LF-only and CR-only replies like CRLF ones', () => {
    const want = ssdpToObservation(parseSsdpMessage(Buffer.from(crlf)), { ip: '192.168.1.20' });
    for (const eol of ['\n', '\r']) {
      const got = ssdpToObservation(parseSsdpMessage(Buffer.from(crlf.replace(/\r\n/gu, eol))), { ip: '192.168.1.20' });
      expect(got).toEqual(want);
    }
  });

  it('accepts white space around ":" and values, any header case, HTTP/1.0, blank lines before the status', () => {
    const msg = parseSsdpMessage(Buffer.from('\r\nHTTP/1.0 200 OK\r\nsT :   upnp:rootdevice   \r\nUsn:uuid:abc\r\n\r\n'));
    expect(msg.headers).toEqual([
      { name: 'st', value: 'upnp:rootdevice' },
      { name: 'usn', value: 'uuid:abc' },
    ]);
  });

  it('keeps repeated headers; the first one is the header value', () => {
    const msg = parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nSERVER: one\r\nSERVER: two\r\nSERVER: one\r\n\r\n'));
    expect(msg.headers).toHaveLength(3);
    expect(ssdpHeader(msg, 'server')).toBe('one');
    expect(field(ssdpToObservation(msg, { ip: '10.0.0.1' }), 'ssdp.server')).toEqual(['one', 'two']);
  });

  it('stops at the blank line: a body is never read as headers', () => {
    const msg = parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nST: a\r\n\r\nSERVER: not-a-header\r\n'));
    expect(msg.headers).toEqual([{ name: 'st', value: 'a' }]);
  });

  it('a LOCATION that is not an http(s) URL stays evidence and gives no endpoint', () => {
    for (const location of ['not a url', 'ftp://10.0.0.1/desc.xml', 'javascript:alert(1)']) {
      const obs = ssdpToObservation(parseSsdpMessage(Buffer.from(`HTTP/1.1 200 OK\r\nLOCATION: ${location}\r\n\r\n`)), { ip: '10.0.0.1' });
      expect(field(obs, 'ssdp.location')).toEqual([location]);
      expect(obs.endpoints).toBeUndefined();
    }
    const https = ssdpToObservation(parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nLOCATION: https://10.0.0.1:8443/d.xml\r\n\r\n')), { ip: '10.0.0.1' });
    expect(https.endpoints).toEqual({ location: 'https://10.0.0.1:8443/d.xml' });
    const port80 = ssdpToObservation(parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nLOCATION: http://10.0.0.1/d.xml\r\n\r\n')), { ip: '10.0.0.1' });
    expect(port80.endpoints?.httpPorts).toEqual([80]);
    // Port 0 is a valid URL port but no TCP port (found by tests/fuzz).
    const port0 = ssdpToObservation(parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nLOCATION: http://10.0.0.1:0/d.xml\r\n\r\n')), { ip: '10.0.0.1' });
    expect(port0.endpoints).toEqual({ location: 'http://10.0.0.1:0/d.xml' });
  });

  it('udnFromUsn takes only uuid: names', () => {
    expect(udnFromUsn('uuid:x::urn:y')).toBe('uuid:x');
    expect(udnFromUsn('UUID:ABC')).toBe('UUID:ABC');
    expect(udnFromUsn('urn:schemas-upnp-org:device:Basic:1')).toBeUndefined();
    expect(udnFromUsn('uuid:')).toBeUndefined();
  });
});

describe('parseSsdpMessage on hostile input', () => {
  it("refuses M-SEARCH requests (ours or another host's)", () => {
    expect(invalid(Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n'))).toBe('SSDP_INVALID');
    expect(invalid(Buffer.from('m-search * HTTP/1.1\nST: ssdp:all\n\n'))).toBe('SSDP_INVALID');
  });

  it('refuses binary junk, empty datagrams, other methods and header-less replies', () => {
    const junk = Buffer.alloc(512);
    let seed = 7;
    for (let i = 0; i < junk.length; i += 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      junk[i] = seed % 256;
    }
    expect(invalid(junk)).toBe('SSDP_INVALID');
    expect(invalid(Buffer.alloc(64))).toBe('SSDP_INVALID');
    expect(invalid(Buffer.alloc(0))).toBe('SSDP_INVALID');
    expect(invalid(Buffer.from([0x48, 0x54, 0x54, 0x50, 0x00, 0xff, 0xfe]))).toBe('SSDP_INVALID');
    expect(invalid(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('SSDP_INVALID');
    expect(invalid(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toBe('SSDP_INVALID');
    expect(invalid(Buffer.from('HTTP/1.1 200 OK\r\n\u0001\u0002: x\r\n\r\n'))).toBe('SSDP_INVALID');
  });

  it('strips control characters and ANSI escapes from values', () => {
    const raw = 'HTTP/1.1 200 OK\r\nSERVER: \u001b[31mEvil\u001b[0m\u0007 Cam\u0000OS\u202e\r\nST: upnp:rootdevice\r\n\r\n';
    const obs = ssdpToObservation(parseSsdpMessage(Buffer.from(raw)), { ip: '10.0.0.9' });
    const [server] = field(obs, 'ssdp.server');
    // eslint-disable-next-line no-control-regex
    expect(server).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/u);
    expect(server).toContain('Evil');
  });

  it('caps a 60 KB reply: header values are bounded, the rest of the datagram is not read', () => {
    const huge = `HTTP/1.1 200 OK\r\nSERVER: ${'A'.repeat(60 * 1024)}\r\nST: upnp:rootdevice\r\n\r\n`;
    expect(huge.length).toBeGreaterThan(60 * 1024);
    const msg = parseSsdpMessage(Buffer.from(huge));
    const server = ssdpHeader(msg, 'server')!;
    expect(server.length).toBeLessThanOrEqual(MAX_VALUE_LENGTH);
    // ST sat beyond the first 16 KiB: never read.
    expect(ssdpHeader(msg, 'st')).toBeUndefined();
    const obs = ssdpToObservation(msg, { ip: '10.0.0.9' });
    expect(JSON.stringify(obs).length).toBeLessThan(4 * 1024);
  });

  it('keeps at most MAX_HEADERS of 200 headers and counts the rest', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `X-H${i}: v${i}`);
    const msg = parseSsdpMessage(Buffer.from(`HTTP/1.1 200 OK\r\n${lines.join('\r\n')}\r\n\r\n`));
    expect(msg.headers).toHaveLength(MAX_HEADERS);
    expect(msg.dropped).toBe(200 - MAX_HEADERS);
    expect(msg.headers[0]).toEqual({ name: 'x-h0', value: 'v0' });
    expect(ssdpToObservation(msg, { ip: '10.0.0.9' }).evidence).toHaveLength(MAX_HEADERS);
  });

  it('drops header names that are not tokens or are too long, and never touches Object.prototype', () => {
    const raw = `HTTP/1.1 200 OK\r\n${'N'.repeat(100)}: x\r\nBad Name(): y\r\n__proto__: polluted\r\nconstructor: z\r\n: empty\r\nno colon at all\r\nST: ok\r\n\r\n`;
    const msg = parseSsdpMessage(Buffer.from(raw));
    expect(msg.headers.map((h) => h.name)).toEqual(['__proto__', 'constructor', 'st']);
    expect(msg.dropped).toBe(4);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const obs = ssdpToObservation(msg, { ip: '10.0.0.9' });
    expect(field(obs, 'ssdp.header.__proto__')).toEqual(['polluted']);
  });

  it('takes the source address from the caller, never from the payload', () => {
    const obs = ssdpToObservation(parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nLOCATION: http://10.9.9.9:80/d.xml\r\nX-Ip: 10.9.9.9\r\n\r\n')), { ip: '10.0.0.2' });
    expect(obs.ip).toBe('10.0.0.2');
    expect(obs.endpoints).toEqual({ location: 'http://10.9.9.9:80/d.xml' });
  });
});
