import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CamsweepError, type ErrorCode } from '../../../src/domain/errors.ts';
import { MAX_DEVICES, enrichUpnp, parseUpnpDescription } from '../../../src/enrich/upnp.ts';
import { boundedRequest, type HttpClient } from '../../../src/util/http.ts';
import { pumpEndlessly } from '../../helpers/endless-body.ts';
import { enrichContext, evidenceValues, fakeHttp, httpOk } from '../../helpers/enrich.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/upnp/${name}`, import.meta.url), 'utf8');

describe('enrichUpnp on real descriptions', () => {
  it('Chromecast: reads the fields, the UDN and the default namespace; GETs only the LOCATION', async () => {
    const client = fakeHttp(() => httpOk(fixture('google-cast.chromecast.upnp-description-1.xml')));
    const signal = new AbortController().signal;
    const location = 'http://192.168.5.1:8008/ssdp/device-desc.xml';
    const result = await enrichUpnp({ ip: '192.168.5.1', location }, enrichContext(client, { signal }));

    expect(result.errors).toEqual([]);
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]).toMatchObject({ url: location, method: 'GET', timeoutMs: 1500, maxBytes: 64 * 1024, signal });
    expect(client.calls[0]!.headers?.['authorization']).toBeUndefined();

    const [obs] = result.observations;
    expect(obs).toMatchObject({ protocol: 'upnp', ip: '192.168.5.1' });
    expect(obs!.evidence).toEqual([
      { protocol: 'upnp', field: 'upnp.deviceType', value: 'urn:dial-multiscreen-org:device:dial:1' },
      { protocol: 'upnp', field: 'upnp.friendlyName', value: 'Chromecast' },
      { protocol: 'upnp', field: 'upnp.manufacturer', value: 'Google Inc.' },
      { protocol: 'upnp', field: 'upnp.modelName', value: 'Eureka Dongle' },
      { protocol: 'upnp', field: 'upnp.UDN', value: 'uuid:cb602198-1cc1-11c2-3124-a0ff531c73fa' },
      { protocol: 'upnp', field: 'upnp.namespace', value: 'xmlns=urn:schemas-upnp-org:device-1-0' },
    ]);
    expect(obs!.identifiers).toEqual({ udn: 'uuid:cb602198-1cc1-11c2-3124-a0ff531c73fa' });
  });

  it('Sonos: model number and description', async () => {
    const result = await enrichUpnp(
      { ip: '192.168.1.39', location: 'http://192.168.1.39:1400/xml/device_description.xml' },
      enrichContext(fakeHttp(() => httpOk(fixture('sonos.era-300.upnp-description-1.xml')))),
    );
    const [obs] = result.observations;
    expect(evidenceValues(obs, 'upnp.manufacturer')).toEqual(['Sonos, Inc.']);
    expect(evidenceValues(obs, 'upnp.modelName')).toEqual(['Sonos Era 300']);
    expect(evidenceValues(obs, 'upnp.modelNumber')).toEqual(['S41']);
    expect(evidenceValues(obs, 'upnp.modelDescription')).toEqual(['Sonos Era 300']);
    expect(evidenceValues(obs, 'upnp.friendlyName')).toEqual(['192.168.1.39 - Sonos Era 300 - RINCON_F0F6C1CBE8C201400']);
    expect(evidenceValues(obs, 'upnp.deviceType')).toEqual(['urn:schemas-upnp-org:device:ZonePlayer:1']);
  });

  it('Yamaha: serial, manufacturer URL, presentation URL and the vendor namespaces', async () => {
    const result = await enrichUpnp(
      { ip: '192.168.1.50', location: 'http://192.168.1.50:8080/MediaRenderer/desc.xml' },
      enrichContext(fakeHttp(() => httpOk(fixture('yamaha.rx-v481.upnp-description-1.xml')))),
    );
    const [obs] = result.observations;
    expect(evidenceValues(obs, 'upnp.manufacturer')).toEqual(['Yamaha Corporation']);
    expect(evidenceValues(obs, 'upnp.manufacturerURL')).toEqual(['http://www.yamaha.com/']);
    expect(evidenceValues(obs, 'upnp.modelName')).toEqual(['RX-V481']);
    expect(evidenceValues(obs, 'upnp.modelNumber')).toEqual(['V481']);
    expect(evidenceValues(obs, 'upnp.serialNumber')).toEqual(['XXXXXXXX']);
    expect(evidenceValues(obs, 'upnp.presentationURL')).toEqual(['http://192.168.XXX.XXX/']);
    expect(evidenceValues(obs, 'upnp.namespace')).toEqual([
      'xmlns=urn:schemas-upnp-org:device-1-0',
      'yamaha=urn:schemas-yamaha-com:device-1-0',
      'dlna=urn:schemas-dlna-org:device-1-0',
    ]);
    expect(obs!.identifiers).toEqual({ udn: 'uuid:XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX', serial: 'XXXXXXXX' });
  });
});

describe('enrichUpnp never contacts another host', () => {
  it.each([
    ['http://10.0.0.99:49152/desc.xml', '10.0.0.5'],
    ['http://10.0.0.5@10.0.0.99/desc.xml', '10.0.0.5'],
    ['http://10.0.0.5.nip.io/desc.xml', '10.0.0.5'],
    ['http://[::1]:80/desc.xml', '127.0.0.1'],
    ['not a url', '10.0.0.5'],
  ])('LOCATION %s from %s is not fetched', async (location, ip) => {
    const client = fakeHttp(() => httpOk('<root/>'));
    const result = await enrichUpnp({ ip, location }, enrichContext(client));
    expect(client.calls).toEqual([]);
    expect(result).toEqual({
      observations: [],
      errors: [{ code: 'UPNP_LOCATION_FOREIGN_HOST', message: expect.any(String), protocol: 'upnp', ip }],
    });
  });
});

describe('enrichUpnp failures become codes, never throws', () => {
  const target = { ip: '10.0.0.5', location: 'http://10.0.0.5:49152/desc.xml' };
  const codeFor = async (client: HttpClient, maxBodyBytes = 64 * 1024): Promise<string[]> => {
    const result = await enrichUpnp(target, enrichContext(client, { maxBodyBytes }));
    expect(result.observations).toEqual([]);
    for (const e of result.errors) expect(e).toMatchObject({ protocol: 'upnp', ip: '10.0.0.5' });
    return result.errors.map((e) => e.code);
  };

  it('maps transport failures', async () => {
    const fail = (code: string): HttpClient => async () => {
      throw new CamsweepError(code as ErrorCode, 'x');
    };
    expect(await codeFor(fail('HTTP_TIMEOUT'))).toEqual(['UPNP_TIMEOUT']);
    expect(await codeFor(fail('HTTP_ABORTED'))).toEqual(['UPNP_ABORTED']);
    expect(await codeFor(fail('HTTP_UNSUPPORTED_SCHEME'))).toEqual(['UPNP_BAD_LOCATION']);
    expect(await codeFor(fail('HTTP_ECONNREFUSED'))).toEqual(['UPNP_FETCH_FAILED']);
    expect(
      await codeFor(async () => {
        throw 'not even an Error';
      }),
    ).toEqual(['UPNP_FETCH_FAILED']);
  });

  it('maps HTTP statuses, including an unfollowed redirect', async () => {
    expect(await codeFor(fakeHttp(() => httpOk('', 404)))).toEqual(['UPNP_HTTP_404']);
    expect(await codeFor(fakeHttp(() => httpOk('', 500)))).toEqual(['UPNP_HTTP_500']);
    expect(await codeFor(fakeHttp(() => ({ ...httpOk('', 302), headers: { location: 'http://10.9.9.9/' } })))).toEqual(['UPNP_HTTP_302']);
  });

  it('a body cut at the cap is UPNP_TOO_LARGE; one cut short by the peer is UPNP_TRUNCATED', async () => {
    expect(await codeFor(fakeHttp(() => ({ ...httpOk('x'.repeat(1000)), truncated: true })), 1000)).toEqual(['UPNP_TOO_LARGE']);
    expect(await codeFor(fakeHttp(() => ({ ...httpOk('<root><device>'), truncated: true })), 1000)).toEqual(['UPNP_TRUNCATED']);
  });

  it('refuses non-XML, a description without a root device, and a document cut short', async () => {
    expect(await codeFor(fakeHttp(() => httpOk('{"json": true}')))).toEqual(['UPNP_INVALID']);
    expect(await codeFor(fakeHttp(() => httpOk('<root><specVersion/></root>')))).toEqual(['UPNP_INVALID']);
    expect(await codeFor(fakeHttp(() => httpOk('<html><body>401</body></html>')))).toEqual(['UPNP_INVALID']);
    const cut = fixture('yamaha.rx-v481.upnp-description-1.xml').slice(0, 400);
    expect(await codeFor(fakeHttp(() => httpOk(cut)))).toEqual(['UPNP_INVALID']);
  });

  it('reads a printed fragment when asked (camsweep identify), keeping only the elements it shows whole', () => {
    const full = fixture('yamaha.rx-v481.upnp-description-1.xml');
    const end = full.indexOf('</manufacturer>') + '</manufacturer>'.length;
    const cut = `${full.slice(0, end)}\n<modelNa`;
    expect(() => parseUpnpDescription(cut)).toThrow(/not a complete <root> document/u);
    const { evidence } = parseUpnpDescription(cut, undefined, { partial: true });
    expect(evidence.find((e) => e.field === 'upnp.manufacturer')?.value).toBe('Yamaha Corporation');
    expect(evidence.some((e) => e.field === 'upnp.modelName')).toBe(false);
  });

  it('does not expand an entity bomb (synthetic document)', async () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE root [<!ENTITY lol0 "lol">${lol}]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName><manufacturer>Acme</manufacturer></device></root>`;
    const result = await enrichUpnp(target, enrichContext(fakeHttp(() => httpOk(bomb))));
    expect(result.errors).toEqual([]);
    const [obs] = result.observations;
    expect(evidenceValues(obs, 'upnp.manufacturer')).toEqual(['Acme']);
    expect(evidenceValues(obs, 'upnp.friendlyName')).toEqual(['&lol9;']);
    expect(JSON.stringify(result).length).toBeLessThan(4096);
  });

  it('refuses a description that declares an external entity (synthetic document)', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE root [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<root><device><friendlyName>&xxe;</friendlyName></device></root>`;
    expect(await codeFor(fakeHttp(() => httpOk(xxe)))).toEqual(['UPNP_INVALID']);
  });
});

describe('parseUpnpDescription embedded devices (synthetic documents)', () => {
  const device = (name: string, inner = ''): string =>
    `<device><deviceType>urn:x:device:${name}:1</deviceType><friendlyName>${name}</friendlyName><manufacturer>M-${name}</manufacturer><UDN>uuid:${name}</UDN><serialNumber>S-${name}</serialNumber>${inner}</device>`;
  const list = (...devices: string[]): string => `<deviceList>${devices.join('')}</deviceList>`;
  const doc = (root: string): string => `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">${root}</root>`;

  it('reads the root device first, then embedded devices breadth-first; identifiers from the root', () => {
    const text = doc(device('nvr', list(device('cam1', list(device('sensor'))), device('cam2'))));
    const { evidence, identifiers } = parseUpnpDescription(text);
    expect(evidence.filter((e) => e.field === 'upnp.friendlyName').map((e) => e.value)).toEqual(['nvr', 'cam1', 'cam2', 'sensor']);
    expect(identifiers).toEqual({ udn: 'uuid:nvr', serial: 'S-nvr' });
  });

  it('follows embedded devices at most 4 levels deep', () => {
    let nested = device('d10');
    for (let i = 9; i >= 0; i -= 1) nested = device(`d${i}`, list(nested));
    const names = parseUpnpDescription(doc(nested)).evidence.filter((e) => e.field === 'upnp.friendlyName').map((e) => e.value);
    expect(names).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
  });

  it('reads at most MAX_DEVICES devices, however many are listed', () => {
    const many = Array.from({ length: 200 }, (_, i) => device(`c${i}`));
    const names = parseUpnpDescription(doc(device('root', list(...many)))).evidence.filter((e) => e.field === 'upnp.friendlyName');
    expect(names).toHaveLength(MAX_DEVICES);
  });

  it('matches field names case-insensitively and cleans control characters', () => {
    const text = doc('<device><FriendlyName>Cam\u001b[2J\u0007 1</FriendlyName><udn>uuid:lower</udn></device>');
    const { evidence, identifiers } = parseUpnpDescription(text);
    expect(evidence).toContainEqual({ protocol: 'upnp', field: 'upnp.friendlyName', value: 'Cam [2J 1' });
    expect(identifiers.udn).toBe('uuid:lower');
  });

  it('accepts NUL padding after the document and a BOM before it', () => {
    const { evidence } = parseUpnpDescription(`\ufeff${doc(device('x'))}\u0000\u0000\r\n`);
    expect(evidence.some((e) => e.field === 'upnp.friendlyName' && e.value === 'x')).toBe(true);
  });
});

describe('enrichUpnp with boundedRequest against a loopback server', () => {
  async function serve(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('fetches and parses a description', async () => {
    const srv = await serve((_req, res) => res.end(fixture('google-cast.chromecast.upnp-description-1.xml')));
    try {
      const result = await enrichUpnp({ ip: '127.0.0.1', location: `http://127.0.0.1:${srv.port}/ssdp/device-desc.xml` }, enrichContext(boundedRequest));
      expect(result.errors).toEqual([]);
      expect(evidenceValues(result.observations[0], 'upnp.modelName')).toEqual(['Eureka Dongle']);
    } finally {
      await srv.close();
    }
  });

  it('an endless description ends as UPNP_TOO_LARGE, promptly', async () => {
    const srv = await serve((_req, res) => {
      res.write('<?xml version="1.0"?><root><device><friendlyName>');
      pumpEndlessly(res, 'A'.repeat(8192));
    });
    try {
      const started = Date.now();
      const result = await enrichUpnp({ ip: '127.0.0.1', location: `http://127.0.0.1:${srv.port}/d.xml` }, enrichContext(boundedRequest, { requestTimeoutMs: 5000 }));
      expect(result.errors.map((e) => e.code)).toEqual(['UPNP_TOO_LARGE']);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await srv.close();
    }
  });
});
