import { describe, expect, it } from 'vitest';
import { decodeDahua } from '../../src/discovery/dhip/decode.ts';
import { decodeMdnsResponse } from '../../src/discovery/mdns/decode.ts';
import { parseTxt } from '../../src/discovery/mdns/txt.ts';
import { parseOnvifScope } from '../../src/discovery/wsd/scopes.ts';
import { bannerEvidence } from '../../src/enrich/banner.ts';
import { decodeSoapReply, parseDeviceInformation } from '../../src/enrich/onvif.ts';
import { parseUpnpDescription } from '../../src/enrich/upnp.ts';
import { csvRow, parseCsv } from './convert/csv.ts';
import {
  devinfoFromMagicBox,
  devinfoFromRpcConsole,
  dhipBodyFromCsvRow,
  dhipBodyFromDevinfo,
  dhipBodyFromPrintable,
  dhipBodyFromRubyPp,
  frameDhip,
} from './convert/dahua.ts';
import { httpFromCsvRow, portFromCsvRow } from './convert/http.ts';
import { mdnsFromShadowserverRow, mdnsFromTxtPlaceholders, txtPlaceholderStrings } from './convert/mdns.ts';
import { deviceInformationResponse, elixirQuoted, fromEdgexYaml, fromGb28181, fromPythonOnvif, fromReolinkApi } from './convert/onvif.ts';
import { parseRecogExtract, recogHttpResponse } from './convert/recog.ts';
import { decodeCString, parseNmapUpnp, parseNoddosSsdp, ssdpFromCsvRow, ssdpFromJsonl } from './convert/ssdp.ts';
import { mapFields, NMAP_FIELDS, NODDOS_FIELDS, upnpDescription } from './convert/upnp.ts';
import { nmapWsdd, probeMatchesEnvelope, scopesFromJson, zmonvifProbe } from './convert/wsd.ts';
import { observe, readFixture } from './observe.ts';

/**
 * The converters that rebuild what a device sends from captures a source parsed or
 * summarised. Where another engineer already rebuilt the same capture (tests/fixtures/ssdp,
 * tests/fixtures/dhip, tests/fixtures/onvif), the converter must reproduce that file exactly.
 */

const text = (fixture: string): string => readFixture(fixture).toString('utf8');
const latin1 = (fixture: string): string => readFixture(fixture).toString('latin1');

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and backslash-escaped quotes', () => {
    expect(parseCsv('a,b,c\n"x, y","say ""hi""","\\"q\\""\n1,,3\n')).toEqual([
      { a: 'x, y', b: 'say "hi"', c: '"q"' },
      { a: '1', b: '', c: '3' },
    ]);
  });

  it('refuses a row that is not there', () => {
    expect(() => csvRow('a\n1\n', 1)).toThrow(/1 rows, no row 1/u);
  });
});

describe('SSDP rebuilt from parsed headers', () => {
  it('reproduces the rebuilt Dahua search replies byte for byte (Home Assistant JSONL)', () => {
    expect(ssdpFromJsonl(text('corpus/dahua.unknown.ssdp-msearch-response.jsonl'))).toEqual([
      latin1('ssdp/dahua.unknown.ssdp-response-1.txt'),
      latin1('ssdp/dahua.unknown.ssdp-response-2.txt'),
    ]);
  });

  it('reproduces the rebuilt ASUS NOTIFYs byte for byte', () => {
    expect(ssdpFromJsonl(text('corpus/asus.asuswrt-386.ssdp-notify.jsonl'))).toEqual([
      latin1('ssdp/asus.asuswrt-386.ssdp-notify-1.txt'),
      latin1('ssdp/asus.asuswrt-386.ssdp-notify-2.txt'),
    ]);
  });

  it('reproduces the three rows of the Shadowserver SSDP CSV byte for byte', () => {
    const csv = text('corpus/mixed-negatives.various.ssdp-msearch-parsed.csv');
    expect([0, 1, 2].map((row) => ssdpFromCsvRow(csv, row))).toEqual([
      latin1('ssdp/libupnp.unknown.ssdp-response-1.txt'),
      latin1('ssdp/samsung.tv.ssdp-response-1.txt'),
      latin1('ssdp/google-cast.android-tv.ssdp-response-1.txt'),
    ]);
  });

  it('decodes noddos\' NOTIFY C string as the rebuilt fixture has it, and its asserted description fields', () => {
    const { notify, fields } = parseNoddosSsdp(latin1('corpus/hanwha.snh-e6440bn.ssdp-notify-and-desc-fields.txt'));
    expect(notify).toBe(latin1('ssdp/hanwha.snh-e6440bn.ssdp-notify-1.txt'));
    expect(fields).toEqual({
      FriendlyName: 'SAMSUNG-SNH-E6440BN-BC66411075FD',
      Manufacturer: 'SAMSUNG-SNH-E6440BN-BC66411075FD',
      ManufacturerUrl: 'http://www.samsungtechwin.com/',
      ModelName: 'SNH-E6440BN',
      ModelUrl: 'http://www.samsungtechwin.com/',
      SerialNumber: 'KJ2J69MFB010NKP',
    });
  });

  it('decodes C escapes, octal included', () => {
    expect(decodeCString('a\\r\\nb\\01c\\"d\\\\')).toBe('a\r\nb\u0001c"d\\');
  });

  it('reads nmap broadcast-upnp-info hosts', () => {
    const hosts = parseNmapUpnp(text('corpus/mixed-negatives.various.upnp-nmap-output.txt'));
    expect(hosts).toEqual([
      {
        ip: '1.2.3.50',
        server: 'Debian/4.0 DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.0',
        location: 'http://1.2.3.50:8200/rootDesc.xml',
        fields: {
          Webserver: 'Debian/4.0 DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.0',
          Name: 'BUBBA|TWO DLNA Server',
          Manufacturer: 'Justin Maggard',
          'Model Descr': 'MiniDLNA on Debian',
          'Model Name': 'Windows Media Connect compatible (MiniDLNA)',
          'Model Version': '1',
        },
      },
      {
        ip: '1.2.3.114',
        server: 'Linux/2.6 UPnP/1.0 KDL-32EX701/1.7',
        location: 'http://1.2.3.114:52323/dmr.xml',
        fields: { Webserver: 'Linux/2.6 UPnP/1.0 KDL-32EX701/1.7', Name: 'BRAVIA KDL-32EX701', Manufacturer: 'Sony Corporation', 'Model Name': 'KDL-32EX701' },
      },
    ]);
  });
});

describe('UPnP description rebuilt from fields', () => {
  it('holds exactly the given fields, escaped, and parses back through parseUpnpDescription', () => {
    const xml = upnpDescription([
      ['friendlyName', 'A & B <1>'],
      ['manufacturer', 'Sony Corporation'],
    ]);
    const { evidence } = parseUpnpDescription(xml);
    expect(evidence.filter((e) => e.field !== 'upnp.namespace')).toEqual([
      { protocol: 'upnp', field: 'upnp.friendlyName', value: 'A & B <1>' },
      { protocol: 'upnp', field: 'upnp.manufacturer', value: 'Sony Corporation' },
    ]);
  });

  it('maps noddos\' and nmap\'s labels, leaving out what has no certain element', () => {
    expect(mapFields({ ModelName: 'SNH-E6440BN', ModelUrl: 'u', Other: 'x' }, NODDOS_FIELDS)).toEqual([
      ['modelName', 'SNH-E6440BN'],
      ['modelURL', 'u'],
    ]);
    expect(mapFields({ Webserver: 'w', 'Model Version': '1', Name: 'n' }, NMAP_FIELDS)).toEqual([['friendlyName', 'n']]);
  });
});

describe('ONVIF device information rebuilt from values', () => {
  it('round-trips through the real SOAP decoder, escaping markup', () => {
    const values = { Manufacturer: 'A&B', Model: '<M>', FirmwareVersion: '1.0', SerialNumber: 'S', HardwareId: 'H' };
    const reply = decodeSoapReply(deviceInformationResponse(values), 64 * 1024);
    expect(parseDeviceInformation(reply.body)).toEqual({ manufacturer: 'A&B', model: '<M>', firmware: '1.0', serial: 'S', hardware: 'H' });
  });

  it('reads python-onvif\'s printed dict', () => {
    expect(fromPythonOnvif(text('corpus/hikvision.ds-2df7286-a.GetDeviceInformation-parsed.txt'))).toEqual({
      Manufacturer: 'HIKVISION',
      Model: 'DS-2DF7286-A',
      FirmwareVersion: 'V5.1.8 build 140616',
      SerialNumber: 'DS-2DF7286-A20140705CCWR471699220B',
      HardwareId: '88',
    });
  });

  it('reads the EdgeX objectValue map, unquoting YAML strings', () => {
    expect(fromEdgexYaml(text('corpus/tp-link.c200.GetDeviceInformation-parsed.yaml'))).toEqual({
      Manufacturer: 'TP-Link',
      Model: 'C200',
      FirmwareVersion: '1.1.16 Build 211209 Rel.37726n(4555)',
      SerialNumber: '00c20000',
      HardwareId: '1.0',
    });
  });

  it('reads a GB28181 catalog item, with Owner as firmware only when asked', () => {
    expect(fromGb28181(text('corpus/uniview.hic6622-ir.gb28181-catalog-item.txt'), true)).toEqual({
      Manufacturer: 'UNIVIEW',
      Model: 'HIC6622-IR@X33-VF',
      FirmwareVersion: 'IPC-B2202.7.11.230222',
    });
    expect(fromGb28181(text('corpus/dahua.ipc-hfw4150d-v2.gb28181-catalog.xml'), false)).toEqual({ Manufacturer: 'General', Model: 'IPC-HFW4150D-V2' });
  });

  it('reads Reolink\'s GetDevInfo element, which names no manufacturer', () => {
    expect(fromReolinkApi(text('corpus/reolink.rlc-410-5mp.http-api-GetDevInfo.json'))).toEqual({
      Model: 'RLC-410-5MP',
      FirmwareVersion: 'v3.0.0.136_20121100',
      SerialNumber: '00000000065536',
      HardwareId: 'IPC_51516M5M',
    });
  });

  it('runs the python-onvif case as its source did: refused without credentials, answered with a WS-UsernameToken', async () => {
    const obs = await observe(
      { kind: 'onvif-converted', from: 'python-onvif', unauthorizedBody: 'corpus/hikvision.ds-2df7286-a.http-401-body.txt' },
      readFixture('corpus/hikvision.ds-2df7286-a.GetDeviceInformation-parsed.txt'),
      '192.0.2.10',
    );
    const fields = obs.flatMap((o) => o.evidence.map((e) => `${e.field}=${e.value}`));
    // onvif.auth=wsse: the enricher was refused first (the device's real 401) and retried with the token.
    expect(fields).toEqual(expect.arrayContaining(['onvif.manufacturer=HIKVISION', 'onvif.model=DS-2DF7286-A', 'onvif.auth=wsse']));
  });

  it('decodes the Elixir-quoted 401 body exactly as the onvif fixture has it', () => {
    expect(elixirQuoted(text('corpus/hikvision.ds-2df7286-a.http-401-body.txt'))).toBe(text('onvif/hikvision.ds-2df7286-a.http-401.html'));
  });
});

describe('Dahua replies rebuilt', () => {
  it('frames a body exactly as the real anonymised DHIP datagram is framed', () => {
    const real = readFixture('dhip/dahua.virtual.notifyDevInfo.bin');
    expect(frameDhip(real.subarray(32).toString('utf8')).equals(real)).toBe(true);
  });

  it('takes the JSON body out of the printable rendering, identical to the body fixture', () => {
    expect(dhipBodyFromPrintable(text('corpus/dahua.ipc-hdw5421s.dhip-notifyDevInfo-printable.txt'))).toBe(text('dhip/dahua.ipc-hdw5421s.notifyDevInfo.json'));
  });

  it('turns the Ruby pp into the same JSON as the rebuilt Lorex fixture', () => {
    expect(JSON.parse(dhipBodyFromRubyPp(text('corpus/lorex.w461asc.dhip-notifyDevInfo-pp.txt')))).toEqual(JSON.parse(text('dhip/lorex.w461asc.notifyDevInfo-rebuilt.json')));
  });

  it('turns each Shadowserver CSV row into the same JSON as the rebuilt fixtures', () => {
    const csv = text('dhip/dahua.various.dhip-parsed.csv');
    const rebuilt = ['dhip/bcs.bcs-tip3401ir-e-v.notifyDevInfo-rebuilt.json', 'dhip/dahua.hcvr.notifyDevInfo-rebuilt.json', 'dhip/bcs.bcs-xvr0401-iv.notifyDevInfo-rebuilt.json'];
    rebuilt.forEach((file, row) => expect(JSON.parse(dhipBodyFromCsvRow(csv, row)), file).toEqual(JSON.parse(text(file))));
  });

  it('reads magicBox getSystemInfo as DeviceType and SerialNo only', () => {
    expect(devinfoFromMagicBox(text('corpus/amcrest.ip4m-1041b.magicbox-getSystemInfo.txt'))).toEqual({ DeviceType: 'IP4M-1041B', SerialNo: '12345' });
  });

  it('reads the Dahua JSON Debug Console\'s first System block and remote device', () => {
    expect(devinfoFromRpcConsole(text('corpus/ez-ip.ipc-d2b20-zs.dahua-rpc-system-info.txt'))).toEqual({ Vendor: 'EZIP', Version: '2.622.0000000.4.R', DeviceType: 'IPC-D2B20-ZS' });
    expect(devinfoFromRpcConsole(text('corpus/imou.ipc-a22e.dahua-rpc-banner.txt'))).toEqual({ DeviceType: 'IPC-A22E', DeviceClass: 'IPC' });
  });

  it('builds a notifyDevInfo body the real decoder reads', () => {
    const d = decodeDahua(frameDhip(dhipBodyFromDevinfo({ Vendor: 'EZIP', DeviceType: 'IPC-D2B20-ZS' })));
    expect(d).toMatchObject({ kind: 'dhip', info: { vendor: 'EZIP', model: 'IPC-D2B20-ZS' }, wellFormed: true });
  });

  it('drops the protocol-answer facts from a converted record, and keeps the rest', async () => {
    const obs = await observe({ kind: 'dahua-devinfo-converted', from: 'rpc-console' }, readFixture('corpus/imou.ipc-a22e.dahua-rpc-banner.txt'), '192.0.2.10');
    expect(obs).toHaveLength(1);
    expect(obs[0]!.evidence).toEqual([
      { protocol: 'dhip', field: 'dhip.model', value: 'IPC-A22E' },
      { protocol: 'dhip', field: 'dhip.deviceClass', value: 'IPC' },
    ]);
  });
});

describe('WS-Discovery rebuilt from summaries', () => {
  it('reads the Scopes JSON (with its BOM): eight devices', () => {
    const json = text('wsd/mixed-vendors.various.Scopes.json');
    expect(scopesFromJson(json, 5)).toContain('onvif://www.onvif.org/location/city/tianjin');
    expect(() => scopesFromJson(json, 8)).toThrow(/no Scopes for device 8/u);
  });

  it('rebuilds zmonvif lines as scopes that decode back to the printed key and value', () => {
    const out = text('corpus/generic-whitelabel.various.zmonvif-probe.txt');
    const heroSpeed = zmonvifProbe(out, 2);
    expect(heroSpeed.xaddrs).toEqual(['http://192.168.1.84:8999/onvif/device_service']);
    expect(heroSpeed.scopes?.map((s) => parseOnvifScope(s))).toEqual([
      { key: 'type', value: 'NetworkVideoTransmitter' },
      { key: 'type', value: 'video_encoder' },
      { key: 'type', value: 'audio_encoder' },
      { key: 'location', value: 'city/guangzhou' },
      { key: 'hardware', value: 'IPCamera' },
      { key: 'name', value: 'IPCamera' },
      { key: 'manufacturer', value: 'HeroSpeed' },
    ]);
    expect(zmonvifProbe(out, 3).xaddrs).toEqual(['http://192.168.1.82:8999/onvif/device_service']);
    expect(() => zmonvifProbe(out, 4)).toThrow(/4 devices/u);
  });

  it('groups nmap broadcast-wsdd-discover replies by host, WCF services included', () => {
    const out = text('corpus/mixed-negatives.various.wsdd-nmap-output.txt');
    expect(nmapWsdd(out, '1.2.3.116')).toEqual([
      { messageId: 'urn:uuid:9ea97e41-e874-faa7-fe28-deadbeefceb3', xaddrs: ['http://1.2.3.116:50000'], types: ['Device', 'wprt:PrintDeviceType'] },
    ]);
    expect(nmapWsdd(out, '1.2.3.131')).toEqual([
      { messageId: 'urn:uuid:4d971368-291c-1218-30f1-deadbeefceb3', xaddrs: ['http://1.2.3.131:5357/deadbeef-ea5c-4b9a-a68d-deadbeefceb3/'], types: ['Device', 'pub:Computer'] },
      { messageId: 'urn:uuid:c1767df8-43e5-4440-9e26--deadbeefceb3', xaddrs: ['http://win-7:8090/discovery/scenarios/service2/deadbeef-3382-4668-86e7-deadbeefb935/'] },
    ]);
  });

  it('writes an envelope with only the parts given (no Types when none were captured)', () => {
    const xml = probeMatchesEnvelope({ scopes: ['onvif://www.onvif.org/name/A&B'], xaddrs: ['http://192.0.2.1/onvif/device_service'] });
    expect(xml).not.toMatch(/Types/u);
    expect(xml).toContain('name/A&amp;B');
  });
});

describe('mDNS rebuilt from record contents', () => {
  it('splits noddos\' TXT at its placeholders into the 17 strings the TXT test decodes', () => {
    const strings = txtPlaceholderStrings(latin1('mdns/epson.xp-410.mdns-txt.txt'));
    expect(strings).toHaveLength(17);
    expect(parseTxt(strings.map((s) => Buffer.from(s, 'latin1'))).slice(0, 4)).toEqual([
      { key: 'txtvers', value: '1' },
      { key: 'priority', value: '30' },
      { key: 'ty', value: 'EPSON XP-410 Series' },
      { key: 'usb_mfg', value: 'EPSON' },
    ]);
    const decoded = decodeMdnsResponse(mdnsFromTxtPlaceholders(latin1('mdns/epson.xp-410.mdns-txt.txt'), 'EPSON XP-410 Series', '_ipp._tcp'));
    expect(decoded.kind).toBe('response');
    expect(decoded.records.map((r) => [r.type, r.name])).toEqual([
      ['PTR', '_ipp._tcp.local'],
      ['TXT', 'EPSON XP-410 Series._ipp._tcp.local'],
    ]);
  });

  it('rebuilds a Shadowserver mDNS row: service enumeration, then the _http._tcp instance on the given address', () => {
    const decoded = decodeMdnsResponse(mdnsFromShadowserverRow(text('corpus/mixed-negatives.various.mdns-parsed.csv'), 2, '192.0.2.10'));
    const txt = decoded.records.find((r) => r.type === 'TXT');
    expect(txt?.type === 'TXT' ? parseTxt(txt.data).map((e) => `${e.key}=${e.value}`) : []).toEqual([
      'vendor=Synology',
      'model=DS218+',
      'serial=17A0PCN482002',
      'version_major=6',
      'version_minor=2',
      'version_build=25556',
      'admin_port=5000',
      'secure_admin_port=5001',
      'mac_address=00:11:32:80:fd:b5',
    ]);
    expect(decoded.records.filter((r) => r.type === 'PTR' && r.name === '_services._dns-sd._udp.local')).toHaveLength(7);
    expect(decoded.records.find((r) => r.type === 'A')).toMatchObject({ name: 'snmeijer.local', data: '192.0.2.10' });
    expect(decoded.records.find((r) => r.type === 'SRV')).toMatchObject({ data: { target: 'snmeijer.local', port: 5000 } });
  });
});

describe('HTTP responses rebuilt from banner values', () => {
  it('parses Recog extracts: databases, descriptions, unescaped examples', () => {
    const axis = parseRecogExtract(text('corpus/axis.various.recog-banners.xml'));
    expect(axis.map((f) => [f.database, f.examples.length])).toEqual([
      ['http_servers', 1],
      ['html_title', 1],
      ['x509_subjects', 1],
      ['dhcp_vendor_class', 3],
      ['dhcp_vendor_class', 1],
      ['dhcp_vendor_class', 1],
      ['dhcp_vendor_class', 1],
    ]);
    const lorex = parseRecogExtract(text('corpus/lorex.various.recog-banners.xml'));
    expect(lorex).toEqual([
      { database: 'http_wwwauth', description: 'Lorex NR900 Series DVR', examples: ['Digest realm="Login to ND011811000000", nonce="ec3682ef24b2cd9cedefe5cc26110000"'] },
    ]);
  });

  it('puts each HTTP example where the banner reads it, and nothing for what a banner never sees', () => {
    const evidence = (database: string, example: string): Array<[string, string]> =>
      bannerEvidence(recogHttpResponse(database, example)!, 80)
        .filter((e) => !['http.port', 'http.status'].includes(e.field))
        .map((e) => [e.field, e.value]);
    expect(evidence('http_servers', 'DNVRS-Webs')).toEqual([['http.server', 'DNVRS-Webs']]);
    expect(evidence('http_wwwauth', 'Digest realm="Login to ND011811000000", nonce="ec36"')).toEqual([
      ['http.authScheme', 'Digest'],
      ['http.realm', 'Login to ND011811000000'],
    ]);
    expect(evidence('html_title', 'airVision: [NVR] - Software Portal & <more>')).toEqual([['http.title', 'airVision: [NVR] - Software Portal & <more>']]);
    for (const database of ['x509_subjects', 'telnet_banners', 'rtsp_servers', 'dhcp_vendor_class', 'favicons']) expect(recogHttpResponse(database, 'x')).toBeUndefined();
  });

  it('refuses a manifest example that is not the fixture\'s', async () => {
    await expect(observe({ kind: 'http-recog', fingerprint: 0, example: 0, value: 'Not MWS' }, readFixture('corpus/annke.various.recog-banners.xml'), '192.0.2.10')).rejects.toThrow(/not "Not MWS"/u);
  });

  it('rebuilds a Shadowserver HTTP row with its status, headers and port', () => {
    const csv = text('corpus/hikvision.various.http-server-header-parsed.csv');
    expect(httpFromCsvRow(csv, 0)).toEqual({
      status: 200,
      headers: { 'content-type': 'text/html', connection: 'keep-alive', server: 'DNVRS-Webs', 'content-length': '5678', date: 'Wed, 04 Sep 2019 07:42:37 GMT' },
      body: Buffer.alloc(0),
      truncated: false,
    });
    expect(portFromCsvRow(csv, 0)).toBe(30005);
    expect(httpFromCsvRow(csv, 1)).toMatchObject({ status: 404, headers: { server: 'RomPager/4.07 UPnP/1.0', 'transfer-encoding': 'chunked' } });
  });
});
