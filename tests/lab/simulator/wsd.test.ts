import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { deviceTypes, parseProbe, probeMatches } from './wsd-probe.ts';
import { buildNotXml, buildProbeMatches, buildXmlBomb } from './wsd-reply.ts';
import type { WsdMatch } from './profile.ts';
import { xmlShape } from './xml-shape.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

function probe(types: string, extraNs = '', scopes = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
    `xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ${extraNs}>` +
    `<s:Header><a:MessageID>uuid:0a6dc791-2be6-4991-9af1-454778a1917a</a:MessageID>` +
    `<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    `<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>` +
    `<s:Body><d:Probe>${types === '' ? '' : `<d:Types>${types}</d:Types>`}${scopes}</d:Probe></s:Body></s:Envelope>`
  );
}

const camera = deviceTypes('dn:NetworkVideoTransmitter tds:Device');
const printer = deviceTypes('wsdp:Device wscn:ScanDeviceType wprt:PrintDeviceType');
const cameraScopes = ['onvif://www.onvif.org/name/Dahua', 'onvif://www.onvif.org/location/country/china'];

describe('parseProbe / probeMatches', () => {
  it('reads MessageID and matches a probe without Types for every device', () => {
    const p = parseProbe(probe(''));
    expect(p?.messageId).toBe('uuid:0a6dc791-2be6-4991-9af1-454778a1917a');
    expect(p?.version).toBe('2005/04');
    expect(p !== undefined && probeMatches(p, camera, cameraScopes)).toBe(true);
    expect(p !== undefined && probeMatches(p, printer, [])).toBe(true);
  });

  it('resolves Types QNames through the probe namespace declarations, not the prefix text', () => {
    const nvt = parseProbe(probe('x:NetworkVideoTransmitter', 'xmlns:x="http://www.onvif.org/ver10/network/wsdl"'));
    expect(nvt !== undefined && probeMatches(nvt, camera, [])).toBe(true);
    expect(nvt !== undefined && probeMatches(nvt, printer, [])).toBe(false);
    const wrongNs = parseProbe(probe('dn:NetworkVideoTransmitter', 'xmlns:dn="urn:example:not-onvif"'));
    expect(wrongNs !== undefined && probeMatches(wrongNs, camera, [])).toBe(false);
  });

  it('lets a printer answer only its own types', () => {
    const wsdp = parseProbe(probe('wsdp:Device', 'xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof"'));
    expect(wsdp !== undefined && probeMatches(wsdp, printer, [])).toBe(true);
    expect(wsdp !== undefined && probeMatches(wsdp, camera, [])).toBe(false);
  });

  it('matches Scopes by RFC 3986 path segments', () => {
    const s = (scope: string): string => `<d:Scopes>${scope}</d:Scopes>`;
    const yes = parseProbe(probe('', '', s('onvif://www.onvif.org/location')));
    const partial = parseProbe(probe('', '', s('onvif://www.onvif.org/locat')));
    expect(yes !== undefined && probeMatches(yes, camera, cameraScopes)).toBe(true);
    expect(partial !== undefined && probeMatches(partial, camera, cameraScopes)).toBe(false);
  });

  it('never answers WS-Discovery 1.1 (2009/01) probes', () => {
    const text = probe('').replace('http://schemas.xmlsoap.org/ws/2005/04/discovery"', 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01"');
    const p = parseProbe(text);
    expect(p?.version).toBe('2009/01');
    expect(p !== undefined && probeMatches(p, camera, [])).toBe(false);
  });

  it('ignores junk, truncated XML, DOCTYPEs and non-SOAP documents', () => {
    expect(parseProbe(Buffer.from([0, 1, 2, 255, 254]))).toBeUndefined();
    expect(parseProbe(probe('').slice(0, 200))).toBeUndefined();
    expect(parseProbe(`<!DOCTYPE x [<!ENTITY a "b">]>${probe('')}`)).toBeUndefined();
    expect(parseProbe('<Envelope><Body><Probe/></Body></Envelope>')).toBeUndefined();
    expect(parseProbe('M-SEARCH * HTTP/1.1\r\n\r\n')).toBeUndefined();
  });
});

const match: WsdMatch = {
  endpoint: 'uuid:8f2c61d4-0a7e-4b93-b5c1-2e9d7a4f6c03',
  types: 'dn:NetworkVideoTransmitter tds:Device',
  scopes: cameraScopes,
  xaddrs: ['http://10.66.0.12/onvif/device_service'],
  metadataVersion: 1,
};
const base = { relatesTo: 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427', matches: [match], instanceId: 1, messageNumber: 1 };
const xmlParser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false });

describe('buildProbeMatches', () => {
  it.each([
    ['dahua', 'dahua.ipc-hfw2228m-i1-v2.probe-matches.xml'],
    ['gsoap', 'axis.m2036-le.probe-matches.xml'],
    ['printer', 'epson.xp-410.probe-matches.xml'],
    ['hikvision', 'hikvision.ds-2cd3955fwd-iws.probe-matches.xml'],
  ] as const)('%s style has the element layout of the real capture %s', (style, file) => {
    const real = fixture(file);
    const printerMatch: WsdMatch = { endpoint: 'urn:uuid:x', types: 'wsdp:Device', xaddrs: ['http://h/'], metadataVersion: 1 };
    const built = buildProbeMatches({ ...base, style, matches: [style === 'printer' ? printerMatch : match] });
    expect(XMLValidator.validate(built)).toBe(true);
    expect(xmlShape(real).length).toBeGreaterThan(12);
    expect(xmlShape(built)).toEqual(xmlShape(real));
  });

  it('echoes the probe MessageID in RelatesTo and carries the match data', () => {
    const doc = xmlParser.parse(buildProbeMatches({ ...base, style: 'dahua' })) as {
      Envelope: { Header: { RelatesTo: string }; Body: { ProbeMatches: { ProbeMatch: { Scopes: string; XAddrs: string } } } };
    };
    expect(doc.Envelope.Header.RelatesTo).toBe(base.relatesTo);
    expect(doc.Envelope.Body.ProbeMatches.ProbeMatch.Scopes.split(' ')).toEqual(cameraScopes);
    expect(doc.Envelope.Body.ProbeMatches.ProbeMatch.XAddrs).toBe('http://10.66.0.12/onvif/device_service');
  });

  it('keeps the Dahua declaration and the Hikvision habit of MessageID = endpoint', () => {
    expect(buildProbeMatches({ ...base, style: 'dahua' })).toMatch(/^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>/u);
    expect(buildProbeMatches({ ...base, style: 'hikvision' })).toContain(`<wsadis:MessageID>${match.endpoint}</wsadis:MessageID>`);
  });

  it('pads to about 60 KB and still fits one UDP datagram', () => {
    const big = buildProbeMatches({ ...base, style: 'hikvision', padToBytes: 60_000 });
    expect(Buffer.byteLength(big)).toBeGreaterThanOrEqual(60_000);
    expect(Buffer.byteLength(big)).toBeLessThan(65_507);
    expect(XMLValidator.validate(big)).toBe(true);
  });

  it('puts several ProbeMatch elements in one message', () => {
    const two = buildProbeMatches({ ...base, style: 'gsoap', matches: [match, { ...match, endpoint: 'urn:uuid:other' }] });
    expect(two.match(/<d:ProbeMatch>/gu)).toHaveLength(2);
  });

  it('builds a billion-laughs bomb and a reply that is not XML', () => {
    const bomb = buildXmlBomb({ ...base, style: 'gsoap' });
    expect(bomb).toContain('<!ENTITY lol9 "&lol8;');
    expect(bomb).toContain('&lol9;</d:Scopes>');
    expect(bomb.length).toBeLessThan(4096);
    expect(XMLValidator.validate(buildNotXml().toString('latin1'))).not.toBe(true);
  });
});

describe('ProbeMatches without Types, and the Windows host dialect', () => {
  const untyped: WsdMatch = {
    endpoint: 'urn:uuid:2419d68a-2dd2-21b2-a205-3C7AAA0F9593',
    scopes: ['onvif://www.onvif.org/Profile/Streaming', 'onvif://www.onvif.org/Model/631GA', 'onvif://www.onvif.org/Name/IPCAM'],
    xaddrs: ['http://10.66.0.35:80/onvif/device_service'],
    metadataVersion: 1,
  };

  it('omits the Types element when the device has none, and answers only probes that ask for no type', () => {
    const built = buildProbeMatches({ ...base, style: 'gsoap', matches: [untyped] });
    expect(XMLValidator.validate(built)).toBe(true);
    expect(built).not.toContain('Types');
    expect(built).toContain('onvif://www.onvif.org/Model/631GA');
    const offered = deviceTypes('');
    const untypedProbe = parseProbe(probe(''));
    const nvtProbe = parseProbe(probe('dn:NetworkVideoTransmitter', 'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"'));
    expect(untypedProbe !== undefined && probeMatches(untypedProbe, offered, untyped.scopes ?? [])).toBe(true);
    expect(nvtProbe !== undefined && probeMatches(nvtProbe, offered, untyped.scopes ?? [])).toBe(false);
  });

  it('writes a Windows host announcement on one line: soap/wsa/wsd/wsdp/pub, To/Action/MessageID/RelatesTo/AppSequence, no Scopes', () => {
    const pc: WsdMatch = {
      endpoint: 'urn:uuid:d2f5a4c8-7e31-4b9a-a68d-5c0e9b12f7a3',
      types: 'wsdp:Device pub:Computer',
      xaddrs: ['http://10.66.0.36:5357/d2f5a4c8-7e31-4b9a-a68d-5c0e9b12f7a3/'],
      metadataVersion: 1,
    };
    const built = buildProbeMatches({ ...base, style: 'windows', matches: [pc] });
    expect(XMLValidator.validate(built)).toBe(true);
    expect(built).not.toContain('\n');
    expect([...built.matchAll(/xmlns:(\w+)=/gu)].map((m) => m[1])).toEqual(['soap', 'wsa', 'wsd', 'wsdp', 'pub']);
    expect(xmlShape(built).slice(0, 8)).toEqual([
      'soap:Envelope',
      'soap:Header',
      'wsa:To',
      'wsa:Action',
      'wsa:MessageID',
      'wsa:RelatesTo',
      'wsd:AppSequence[InstanceId,MessageNumber]',
      'soap:Body',
    ]);
    expect(built).not.toContain('Scopes');
    expect(built).toContain('<wsd:Types>wsdp:Device pub:Computer</wsd:Types>');
    expect(built).toMatch(/<wsa:MessageID>urn:uuid:[0-9a-f-]{36}<\/wsa:MessageID>/u);
  });
});
