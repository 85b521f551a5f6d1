import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advertisedTargets, buildSearchResponse, locationOf, parseMSearch, targetsFor } from './ssdp-messages.ts';
import { loadProfileFile, parseProfile } from './profile.ts';
import { deviceVars, fillTemplate } from './template.ts';
import type { Profile } from './profile.ts';

function load(id: string, ip: string, mac: string): Profile {
  const raw = JSON.parse(readFileSync(new URL(`../profiles/${id}.json`, import.meta.url), 'utf8')) as unknown;
  return parseProfile(fillTemplate(raw, deviceVars(ip, mac)), id);
}

const dahua = load('dahua-ipc-hfw2228m', '10.66.0.12', '4c:11:bf:22:28:0c');
const ssdp = dahua.ssdp;
if (ssdp === undefined) throw new Error('dahua profile has no ssdp');
const now = new Date('2021-02-24T02:58:42Z');

describe('parseMSearch', () => {
  it('reads ST and MX from CRLF and LF searches, header names in any case', () => {
    expect(parseMSearch('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 3\r\nST: ssdp:all\r\n\r\n')).toEqual({
      st: 'ssdp:all',
      mx: 3,
      man: '"ssdp:discover"',
    });
    expect(parseMSearch('M-SEARCH * HTTP/1.1\nHost:239.255.255.250:1900\nst:upnp:rootdevice\nMan:"ssdp:discover"\nmx:1\n\n')?.st).toBe('upnp:rootdevice');
  });

  it('ignores NOTIFY, responses, a missing ST and binary junk', () => {
    expect(parseMSearch('NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n')).toBeUndefined();
    expect(parseMSearch('HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n')).toBeUndefined();
    expect(parseMSearch('M-SEARCH * HTTP/1.1\r\nMX: 2\r\n\r\n')).toBeUndefined();
    expect(parseMSearch(Buffer.from([0xff, 0x00, 0x13]))).toBeUndefined();
  });
});

describe('search targets', () => {
  it('answers ssdp:all with every target and a specific ST with that one only', () => {
    expect(advertisedTargets(ssdp).map((t) => t.st)).toEqual([
      'upnp:rootdevice',
      'uuid:www.dahuatech.com.device_3_0-6G0C8E1PAZ4A2F7',
      'urn:schemas-upnp-org:device:3.0-6G0C8E1PAZ4A2F7',
    ]);
    expect(targetsFor({ st: 'ssdp:all', mx: 1, man: undefined }, ssdp)).toHaveLength(3);
    expect(targetsFor({ st: 'upnp:rootdevice', mx: 1, man: undefined }, ssdp)).toEqual([
      { st: 'upnp:rootdevice', usn: 'uuid:www.dahuatech.com.device_3_0-6G0C8E1PAZ4A2F7::upnp:rootdevice' },
    ]);
    expect(targetsFor({ st: 'urn:schemas-upnp-org:device:MediaRenderer:1', mx: 1, man: undefined }, ssdp)).toEqual([]);
  });

  it('builds LOCATION from the UPnP description port and path', () => {
    expect(locationOf(ssdp, dahua.upnp, '10.66.0.12')).toBe('http://10.66.0.12:49152/upnp_device_desc.xml');
  });
});

describe('buildSearchResponse', () => {
  it('reproduces the Dahua header names, order and values of the real capture', () => {
    const line = readFileSync(new URL('../fixtures/dahua.device.ssdp-search-response.jsonl', import.meta.url), 'utf8').split('\n')[0] ?? '';
    const real = JSON.parse(line) as Record<string, string>;
    const realHeaders = Object.keys(real).filter((k) => !k.startsWith('_'));
    const text = buildSearchResponse(ssdp, { st: 'uuid:x', usn: 'uuid:x' }, 'http://10.66.0.12:49152/upnp_device_desc.xml', now);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(lines.slice(1).filter((l) => l !== '').map((l) => l.split(':')[0])).toEqual(realHeaders);
    expect(text).toContain(`SERVER: ${real.SERVER}\r\n`);
    expect(text).toContain('X-User-Agent: redsonic\r\n');
    expect(text).toContain('EXT:\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('reproduces the Chromecast header order of the real capture', () => {
    const cast = load('chromecast', '10.66.0.15', '54:60:09:15:ca:57').ssdp;
    if (cast === undefined) throw new Error('no ssdp');
    const real = readFileSync(new URL('../fixtures/google.chromecast.ssdp-search-response.txt', import.meta.url), 'utf8');
    // The capture's author mangled spacing ('CACHE - CONTROL'); compare names without spaces.
    const names = (text: string): string[] =>
      text.split(/\r?\n/u).slice(1).filter((l) => l.includes(':')).map((l) => (l.split(':')[0] ?? '').replaceAll(' ', ''));
    const built = buildSearchResponse(cast, { st: 'upnp:rootdevice', usn: 'uuid:x::upnp:rootdevice' }, 'http://10.66.0.15:8008/ssdp/device-desc.xml', now);
    expect(names(real).length).toBe(12);
    expect(names(built)).toEqual(names(real));
    expect(built).toContain('X-User-Agent: redsonic\r\n');
  });

  it('writes LF-only line endings when the profile asks', () => {
    const lf = loadProfileFile('hostile-lf-ssdp').ssdp;
    if (lf === undefined) throw new Error('no ssdp');
    const text = buildSearchResponse(lf, { st: 'upnp:rootdevice', usn: 'uuid:a::upnp:rootdevice' }, 'http://h/', now);
    expect(text).not.toContain('\r');
    expect(text).toMatch(/^HTTP\/1.1 200 OK\nCACHE-CONTROL: max-age=60\nDATE: .*\nEXT:\nLOCATION: http:\/\/h\/\n/u);
  });
});
