import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMs } from '../../../helpers/cpu-time.ts';
import { CamsweepError } from '../../../../src/domain/errors.ts';
import { decodeProbeMatches, macFromUuid, probeMatchToObservation, WSD_LIMITS, type ProbeMatch } from '../../../../src/discovery/wsd/decode.ts';
import { xmlNamespaces } from '../../../../src/util/xml.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/wsd/${name}`, import.meta.url), 'utf8');

function decodeOne(name: string): ProbeMatch {
  const decoded = decodeProbeMatches(fixture(name));
  expect(decoded.matches).toHaveLength(1);
  return decoded.matches[0]!;
}

function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CamsweepError);
  expect((thrown as CamsweepError).code).toBe(code);
}

/** A ProbeMatches envelope in the Dahua style (s:/a:/d: prefixes). */
function envelope(body: string, relatesTo = 'urn:uuid:6b0b7e52-4f3e-4d2c-9d0e-5a1c2b3d4e5f'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">' +
    `<s:Header><a:MessageID>uuid:0f0e0d0c-0b0a-0908-0706-050403020100</a:MessageID><a:RelatesTo>${relatesTo}</a:RelatesTo>` +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>' +
    `<s:Body><d:ProbeMatches>${body}</d:ProbeMatches></s:Body></s:Envelope>`
  );
}

function probeMatch(parts: { epr: string; types?: string; scopes?: string; xaddrs?: string }): string {
  return (
    `<d:ProbeMatch><a:EndpointReference><a:Address>${parts.epr}</a:Address></a:EndpointReference>` +
    (parts.types === undefined ? '' : `<d:Types>${parts.types}</d:Types>`) +
    (parts.scopes === undefined ? '' : `<d:Scopes>${parts.scopes}</d:Scopes>`) +
    (parts.xaddrs === undefined ? '' : `<d:XAddrs>${parts.xaddrs}</d:XAddrs>`) +
    '<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>'
  );
}

describe('decodeProbeMatches on real captures', () => {
  it('Axis M2036-LE: Scopes and XAddrs wrapped over lines, tds:Device listed first', () => {
    const d = decodeProbeMatches(fixture('axis.m2036-le.ProbeMatches.xml'));
    expect(d.kind).toBe('ProbeMatches');
    expect(d.relatesTo).toBe('uuid:bd64d03b-c701-4b50-a4bc-18c4048971c3');
    expect(d.action).toBe('http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches');
    expect(d.truncated).toBe(false);
    expect(d.matches).toEqual([
      {
        epr: 'urn:uuid:e83a0086-3fdc-4d87-b8c4-83c0a16ad9f4',
        types: ['tds:Device', 'dn:NetworkVideoTransmitter'],
        scopes: [
          'onvif://www.onvif.org/Profile/Streaming',
          'onvif://www.onvif.org/Profile/G',
          'onvif://www.onvif.org/hardware/M2036-LE',
          'onvif://www.onvif.org/name/AXIS%20M2036-LE',
          'onvif://www.onvif.org/Profile/M',
          'onvif://www.onvif.org/Profile/T',
          'onvif://www.onvif.org/location/',
        ],
        xaddrs: [
          'http://192.168.0.90/onvif/device_service',
          'https://192.168.0.90/onvif/device_service',
          'http://169.254.209.66/onvif/device_service',
          'https://169.254.209.66/onvif/device_service',
        ],
        metadataVersion: '1',
      },
    ]);
  });

  const dahuaMatch: ProbeMatch = {
    epr: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464',
    types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
    scopes: [
      'onvif://www.onvif.org/location/country/china',
      'onvif://www.onvif.org/name/Dahua',
      'onvif://www.onvif.org/hardware/IPC-HFW2228M-I1-V2',
      'onvif://www.onvif.org/Profile/Streaming',
      'onvif://www.onvif.org/type/Network_Video_Transmitter',
      'onvif://www.onvif.org/extension/unique_identifier',
    ],
    xaddrs: ['http://192.168.1.45/onvif/device_service'],
    metadataVersion: '1',
  };

  it('Dahua IPC-HFW2228M-I1-V2 ProbeMatches', () => {
    const d = decodeProbeMatches(fixture('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml'));
    expect(d.relatesTo).toBe('uuid:572ecdc4-b723-11e8-99d8-53d34f41f286');
    expect(d.messageId).toBe('uuid:c46d7c79-6375-447a-b283-89eb2485271a');
    expect(d.matches).toEqual([dahuaMatch]);
  });

  it('Dahua Hello decodes to the same fields, without RelatesTo', () => {
    const d = decodeProbeMatches(fixture('dahua.ipc-hfw2228m-i1-v2.Hello.xml'));
    expect(d.kind).toBe('Hello');
    expect(d.relatesTo).toBeUndefined();
    expect(d.action).toBe('http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello');
    expect(d.matches).toEqual([dahuaMatch]);
  });

  it('Epson printer: printer Types, no Scopes', () => {
    expect(decodeOne('epson.xp-410.ProbeMatches.xml')).toEqual({
      epr: 'urn:uuid:cfe92100-67c4-11d4-a45f-ac1826841a46',
      types: ['wsdp:Device', 'wscn:ScanDeviceType', 'wprt:PrintDeviceType'],
      scopes: [],
      xaddrs: ['http://192.168.1.245:80/WSD/DEVICE'],
      metadataVersion: '207',
    });
  });

  it('white-label 631GA: no Types element at all, capitalised Model/ and Name/ scopes', () => {
    expect(decodeOne('generic-whitelabel.631ga.ProbeMatches.xml')).toEqual({
      epr: 'urn:uuid:2419d68a-2dd2-21b2-a205-78A5DD0F9593',
      types: [],
      scopes: [
        'onvif://www.onvif.org/Profile/Streaming',
        'onvif://www.onvif.org/Model/631GA',
        'onvif://www.onvif.org/Name/IPCAM',
        'onvif://www.onvif.org/location/country/china',
      ],
      xaddrs: ['http://192.168.1.104:80/onvif/device_service'],
      metadataVersion: '1',
    });
  });

  it('TI IPNC template: placeholder XAddrs kept as text', () => {
    const d = decodeProbeMatches(fixture('other-ipnc.predator.ProbeMatches.xml'));
    expect(d.relatesTo).toBe('RELATES_TO');
    expect(d.matches).toEqual([
      {
        epr: 'uuid:c9790c3a-701b-464d-a189-0060351c8ada',
        types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
        scopes: [
          'onvif://www.onvif.org/Profile/Streaming',
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/type/audio_encoder',
          'onvif://www.onvif.org/type/ptz',
          'onvif://www.onvif.org/hardware/HD_PREDATOR',
          'onvif://www.onvif.org/name/PREDATOR',
          'onvif://www.onvif.org/location/',
        ],
        xaddrs: ['SERVICE_URI'],
        metadataVersion: '1',
      },
    ]);
  });

  it('Hikvision DS-2CD3955FWD-IWS: leading spaces before the declaration, Scopes over lines, IPv6 XAddr', () => {
    const d = decodeProbeMatches(fixture('hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml'));
    expect(d.relatesTo).toBe('uuid:bfe8bb88-03a2-4e1a-904a-59a7d2882649');
    expect(d.matches).toEqual([
      {
        epr: 'urn:uuid:18ec6401-3aa0-11b5-83f6-b4a3820fd92d',
        types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
        scopes: [
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/Profile/Streaming',
          'onvif://www.onvif.org/Profile/G',
          'onvif://www.onvif.org/type/audio_encoder',
          'onvif://www.onvif.org/type/ptz',
          'onvif://www.onvif.org/hardware/DS-2CD3955FWD-IWS',
          'onvif://www.onvif.org/name/HIKVISION%20DS-2CD3955FWD-IWS',
          'onvif://www.onvif.org/location/city/hangzhou',
        ],
        xaddrs: ['http://192.168.0.218/onvif/device_service', 'http://[fe80::b6a3:82ff:fe0f:d92d]/onvif/device_service'],
        metadataVersion: '10',
      },
    ]);
  });

  it('Hikvision DS-2CD2385G1-I body-only fragment (tab indented) still decodes', () => {
    const d = decodeProbeMatches(fixture('hikvision.ds-2cd2385g1-i.ProbeMatches-body.xml'));
    expect(d.relatesTo).toBeUndefined();
    expect(d.matches).toEqual([
      {
        epr: 'urn:uuid:aa85c000-6324-11b3-819e-5850ed1fe385',
        types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
        scopes: [
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/Profile/Streaming',
          'onvif://www.onvif.org/Profile/G',
          'onvif://www.onvif.org/Profile/T',
          'onvif://www.onvif.org/MAC/58:50:ed:1f:e3:85',
          'onvif://www.onvif.org/hardware/DS-2CD2385G1-I',
          'onvif://www.onvif.org/name/HIKVISION%20DS-2CD2385G1-I',
          'onvif://www.onvif.org/location/city/hangzhou',
        ],
        xaddrs: ['http://192.168.124.40/onvif/device_service', 'http://[fe80::5a50:edff:fe1f:e385]/onvif/device_service'],
        metadataVersion: '10',
      },
    ]);
  });

  it('TP-Link fragment cut inside Scopes: keeps the whole scopes, drops the cut one, flags truncation', () => {
    const d = decodeProbeMatches(fixture('tp-link.tl-sc3130g.ProbeMatches-fragment.xml'));
    expect(d.truncated).toBe(true);
    expect(d.relatesTo).toBe('uuid:00493664-80b2-4b4f-9b56-745333c153ca');
    expect(d.matches).toEqual([
      {
        epr: 'uuid:B926EB6A-CB4B-54DB-3130-0023CDE05FA7',
        types: ['dn:NetworkVideoTransmitter'],
        // the double space before location/global is one separator; `onvif://www.on` was cut
        scopes: [
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/type/audio_encoder',
          'onvif://www.onvif.org/type/video_analytic',
          'onvif://www.onvif.org/location/global',
        ],
        xaddrs: [],
      },
    ]);
  });

  it('Hanwha fragment cut inside a closing tag: a clean WSD_INVALID, not a crash', () => {
    expectCode(() => decodeProbeMatches(fixture('hanwha.unknown.ProbeMatches-fragment.xml')), 'WSD_INVALID');
  });
});

describe('decodeProbeMatches on hostile input', () => {
  it('non-XML text and binary junk are WSD_INVALID', () => {
    expectCode(() => decodeProbeMatches('HTTP/1.1 200 OK\r\n\r\nhello'), 'WSD_INVALID');
    expectCode(() => decodeProbeMatches(''), 'WSD_INVALID');
    expectCode(() => decodeProbeMatches(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x3c, 0x80]).toString('utf8')), 'WSD_INVALID');
  });

  it('a billion-laughs entity bomb is refused at once (SOAP forbids DOCTYPE)', () => {
    const lol = (n: number): string => `&lol${n};`.repeat(10);
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i += 1) dtd += `<!ENTITY lol${i} "${lol(i - 1)}">`;
    const bomb = `<?xml version="1.0"?><!DOCTYPE s:Envelope [${dtd}]>${envelope(probeMatch({ epr: 'urn:uuid:x', scopes: '&lol9;' }))}`;
    const { ms } = cpuMs(() => expectCode(() => decodeProbeMatches(bomb), 'WSD_INVALID'));
    expect(ms).toBeLessThan(100);
  });

  it('keeps both ProbeMatch elements of one message', () => {
    const d = decodeProbeMatches(
      envelope(
        probeMatch({ epr: 'urn:uuid:a1', types: 'dn:NetworkVideoTransmitter', xaddrs: 'http://10.0.0.5/onvif/device_service' }) +
          probeMatch({ epr: 'urn:uuid:b2', types: 'dn:NetworkVideoTransmitter', xaddrs: 'http://10.0.0.5:8080/onvif/device_service' }),
      ),
    );
    expect(d.matches.map((m) => [m.epr, m.xaddrs])).toEqual([
      ['urn:uuid:a1', ['http://10.0.0.5/onvif/device_service']],
      ['urn:uuid:b2', ['http://10.0.0.5:8080/onvif/device_service']],
    ]);
  });

  it(`caps the ProbeMatch elements of one message at ${WSD_LIMITS.maxMatches}`, () => {
    const many = Array.from({ length: 40 }, (_, i) => probeMatch({ epr: `urn:uuid:${i}` })).join('');
    const d = decodeProbeMatches(envelope(many));
    expect(d.matches).toHaveLength(WSD_LIMITS.maxMatches);
    expect(d.matches[0]!.epr).toBe('urn:uuid:0');
  });

  it('splits Types, Scopes and XAddrs on tabs, newlines and runs of spaces', () => {
    const d = decodeProbeMatches(
      envelope(
        probeMatch({
          epr: 'urn:uuid:ws',
          types: '\n\tdn:NetworkVideoTransmitter\t\ttds:Device  ',
          scopes: 'onvif://www.onvif.org/name/A\r\n\r\n   onvif://www.onvif.org/hardware/B\tonvif://www.onvif.org/type/ptz',
          xaddrs: 'http://10.0.0.5/onvif/device_service\t\thttp://10.0.0.5:8899/onvif/device_service\n  \n   http://[fe80::1]/onvif/device_service   ',
        }),
      ),
    );
    expect(d.matches[0]).toEqual({
      epr: 'urn:uuid:ws',
      types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
      scopes: ['onvif://www.onvif.org/name/A', 'onvif://www.onvif.org/hardware/B', 'onvif://www.onvif.org/type/ptz'],
      xaddrs: ['http://10.0.0.5/onvif/device_service', 'http://10.0.0.5:8899/onvif/device_service', 'http://[fe80::1]/onvif/device_service'],
      metadataVersion: '1',
    });
  });

  it('keeps a device with no XAddrs and no Types', () => {
    const d = decodeProbeMatches(envelope(probeMatch({ epr: 'urn:uuid:bare', scopes: 'onvif://www.onvif.org/name/NVT' })));
    expect(d.matches).toEqual([{ epr: 'urn:uuid:bare', types: [], scopes: ['onvif://www.onvif.org/name/NVT'], xaddrs: [], metadataVersion: '1' }]);
  });

  it('a 60 KB reply decodes within the caps: 64 scopes, each at most 512 characters', () => {
    const scopes = Array.from({ length: 480 }, (_, i) => `onvif://www.onvif.org/location/${'x'.repeat(80)}${i}`).join(' ');
    const huge = `onvif://www.onvif.org/name/${'A'.repeat(5000)}`;
    const text = envelope(probeMatch({ epr: 'urn:uuid:big', scopes: `${huge} ${scopes}`, xaddrs: 'http://10.0.0.5/onvif/device_service' }));
    expect(Buffer.byteLength(text)).toBeGreaterThan(60_000);
    expect(Buffer.byteLength(text)).toBeLessThan(WSD_LIMITS.maxBytes);
    const d = decodeProbeMatches(text);
    expect(d.matches[0]!.scopes).toHaveLength(WSD_LIMITS.maxScopes);
    expect(d.matches[0]!.scopes[0]).toHaveLength(512);
    expect(d.matches[0]!.xaddrs).toEqual(['http://10.0.0.5/onvif/device_service']);
  });

  it('a reply larger than a UDP datagram can carry is WSD_INVALID', () => {
    const text = envelope(probeMatch({ epr: 'urn:uuid:x', scopes: 'onvif://www.onvif.org/name/a '.repeat(3000) }));
    expect(Buffer.byteLength(text)).toBeGreaterThan(WSD_LIMITS.maxBytes);
    expectCode(() => decodeProbeMatches(text), 'WSD_INVALID');
  });

  it('stays linear on a long NUL run inside a datagram (found by tests/fuzz: 1.1 s for 60 KB before)', () => {
    const text = envelope(probeMatch({ epr: 'urn:uuid:x', types: `${'\0'.repeat(60_000)}dn:NetworkVideoTransmitter` }));
    const { ms, value: decoded } = cpuMs(() => decodeProbeMatches(text));
    expect(ms).toBeLessThan(100);
    expect(decoded.truncated).toBe(false);
    expect(decoded.matches).toHaveLength(1);
  });

  it('a parse error quotes no raw device bytes in its message (found by tests/fuzz)', () => {
    let message = '';
    try {
      decodeProbeMatches('<?xml version="1.0"?>\n<s:Envelope>\u001b[2J\u009b31m\n<s:Body');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^not a WS-Discovery message: malformed XML/u);
    // eslint-disable-next-line no-control-regex -- the point: no control character in the message
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/u);
  });

  it('control characters in scopes never reach the values', () => {
    const d = decodeProbeMatches(
      envelope(
        probeMatch({
          epr: 'urn:uuid:ctl\u0007',
          scopes: 'onvif://www.onvif.org/name/Evil\u001b[31mRed onvif://www.onvif.org/hardware/A\u0000B onvif://www.onvif.org/location/\u202eredro',
        }),
      ),
    );
    const m = d.matches[0]!;
    expect(m.epr).toBe('urn:uuid:ctl');
    expect(m.scopes).toEqual([
      'onvif://www.onvif.org/name/Evil [31mRed',
      'onvif://www.onvif.org/hardware/A B',
      'onvif://www.onvif.org/location/ redro',
    ]);
    // eslint-disable-next-line no-control-regex
    for (const s of m.scopes) expect(s).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/u);
  });

  it('a well-formed SOAP message that is not a reply decodes as kind other, with no matches', () => {
    const d = decodeProbeMatches('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x/></s:Body></s:Envelope>');
    expect(d).toEqual({ kind: 'other', matches: [], truncated: false });
  });

  it('drops a ProbeMatch that carries nothing at all', () => {
    const d = decodeProbeMatches(envelope('<d:ProbeMatch><d:Unknown>1</d:Unknown></d:ProbeMatch>'));
    expect(d.kind).toBe('ProbeMatches');
    expect(d.matches).toEqual([]);
  });
});

describe('probeMatchToObservation', () => {
  const hikText = fixture('hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml');
  const hik = decodeProbeMatches(hikText).matches[0]!;

  it('maps a Hikvision match: scope keys, decoded name, namespaces, source ip only', () => {
    const obs = probeMatchToObservation(hik, { ip: '192.168.0.218', iface: 'eth0' }, xmlNamespaces(hikText));
    expect(obs.protocol).toBe('wsd');
    expect(obs.ip).toBe('192.168.0.218');
    expect(obs.interface).toBe('eth0');
    expect(obs.identifiers).toEqual({ epr: 'urn:uuid:18ec6401-3aa0-11b5-83f6-b4a3820fd92d' });
    expect(obs.endpoints).toEqual({
      xaddrs: ['http://192.168.0.218/onvif/device_service', 'http://[fe80::b6a3:82ff:fe0f:d92d]/onvif/device_service'],
      httpPorts: [80],
    });
    const values = (field: string): string[] => obs.evidence.filter((e) => e.field === field).map((e) => e.value);
    expect(obs.evidence.every((e) => e.protocol === 'wsd')).toBe(true);
    expect(values('wsd.epr')).toEqual(['urn:uuid:18ec6401-3aa0-11b5-83f6-b4a3820fd92d']);
    expect(values('wsd.type')).toEqual(['dn:NetworkVideoTransmitter', 'tds:Device']);
    expect(values('wsd.scope')).toEqual(hik.scopes);
    expect(values('onvif.scope.name')).toEqual(['HIKVISION DS-2CD3955FWD-IWS']);
    expect(values('onvif.scope.hardware')).toEqual(['DS-2CD3955FWD-IWS']);
    expect(values('onvif.scope.location')).toEqual(['city/hangzhou']);
    expect(values('onvif.scope.type')).toEqual(['video_encoder', 'audio_encoder', 'ptz']);
    expect(values('onvif.scope.profile')).toEqual(['Streaming', 'G']);
    expect(values('wsd.xaddr')).toEqual(hik.xaddrs);
    expect(values('wsd.metadataVersion')).toEqual(['10']);
    expect(values('wsd.namespace')).toContain('tnshik=http://www.hikvision.com/2011/event/topics');
    expect(values('wsd.namespace')).toContain('hikwsd=http://www.onvifext.com/onvif/ext/ver10/wsdl');
    // No MAC scope, but the EPR is a version-1 uuid: its node field is the MAC (B4:A3:82 is Hikvision's).
    expect(obs.mac).toBe('b4:a3:82:0f:d9:2d');
    expect(values('wsd.epr.mac')).toEqual(['b4:a3:82:0f:d9:2d']);
  });

  it('takes the MAC from a MAC/ scope (Hikvision DS-2CD2385G1-I)', () => {
    const m = decodeProbeMatches(fixture('hikvision.ds-2cd2385g1-i.ProbeMatches-body.xml')).matches[0]!;
    const obs = probeMatchToObservation(m, { ip: '192.168.124.40' });
    expect(obs.mac).toBe('58:50:ed:1f:e3:85');
    expect(obs.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.mac', value: '58:50:ed:1f:e3:85' });
    expect(obs.interface).toBeUndefined();
  });

  it('lowercases capitalised keys (white-label Model/ and Name/); no wsd.type without Types', () => {
    const m = decodeProbeMatches(fixture('generic-whitelabel.631ga.ProbeMatches.xml')).matches[0]!;
    const obs = probeMatchToObservation(m, { ip: '192.168.1.104' });
    expect(obs.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.model', value: '631GA' });
    expect(obs.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.name', value: 'IPCAM' });
    expect(obs.evidence.some((e) => e.field === 'wsd.type')).toBe(false);
    expect(obs.endpoints).toEqual({ xaddrs: ['http://192.168.1.104:80/onvif/device_service'], httpPorts: [80] });
  });

  it('never takes the ip, or HTTP ports, from another host named in the payload', () => {
    const m = decodeProbeMatches(fixture('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml')).matches[0]!;
    const obs = probeMatchToObservation(m, { ip: '10.66.0.12' });
    expect(obs.ip).toBe('10.66.0.12');
    expect(obs.endpoints).toEqual({ xaddrs: ['http://192.168.1.45/onvif/device_service'] });
  });

  it('learns no HTTP port 0 from an XAddr (found by tests/fuzz)', () => {
    const obs = probeMatchToObservation({ epr: 'urn:uuid:x', types: [], scopes: [], xaddrs: ['http://10.0.0.9:0/onvif/device_service'] }, { ip: '10.0.0.9' });
    expect(obs.endpoints).toEqual({ xaddrs: ['http://10.0.0.9:0/onvif/device_service'] });
  });

  it('skips empty scope values (`location/`) and keeps no endpoints when there are no XAddrs', () => {
    const obs = probeMatchToObservation({ epr: '', types: [], scopes: ['onvif://www.onvif.org/location/'], xaddrs: [] }, { ip: '10.0.0.9' });
    expect(obs.evidence).toEqual([{ protocol: 'wsd', field: 'wsd.scope', value: 'onvif://www.onvif.org/location/' }]);
    expect(obs.identifiers).toBeUndefined();
    expect(obs.endpoints).toBeUndefined();
  });

  it('reads the scopes of 8 real devices (mixed-vendors capture): manufacturer, mfr, UTF-8 names, encoded slashes', () => {
    const raw = fixture('mixed-vendors.various.Scopes.json').replace(/^\uFEFF/u, '');
    const devices = (JSON.parse(raw) as { Devices: Array<{ Scopes: string[] }> }).Devices;
    const obs = devices.map((d) => probeMatchToObservation({ epr: 'urn:uuid:x', types: [], scopes: d.Scopes, xaddrs: [] }, { ip: '10.0.0.1' }));
    const values = (i: number, field: string): string[] => obs[i]!.evidence.filter((e) => e.field === field).map((e) => e.value);
    expect(values(0, 'onvif.scope.hardware')).toEqual(['MSTAR_IPNC']);
    expect(values(0, 'onvif.scope.location')).toEqual(['China', 'Shenzhen']);
    expect(values(1, 'onvif.scope.manufacturer')).toEqual(['FLIR Systems', 'DVTel']);
    expect(values(1, 'onvif.scope.location')).toEqual(['country/America']); // listed twice, kept once
    expect(values(1, 'onvif.scope.acc')).toContain('mfr/FLIR Systems');
    expect(values(4, 'onvif.scope.name')).toEqual(['acc/Xuất cảnh 4']);
    expect(values(5, 'onvif.scope.hardware')).toEqual(['TC-C32TS SPEC:I8/A/E/Y/M/H/2.7-13.5mm']);
    expect(values(5, 'onvif.scope.mfr')).toEqual(['ipcamera']);
    expect(values(5, 'onvif.scope.mac')).toEqual([]); // `mac` scope with no value
    expect(obs[5]!.mac).toBeUndefined();
    // non-onvif scopes are kept raw and not mapped
    expect(values(1, 'wsd.scope')).toContain('dvtel://www.dvtel.com/quasar/gen2/quadhd');
  });
});

describe('macFromUuid', () => {
  it.each([
    ['urn:uuid:4b1d2a00-3aa0-11b5-8142-4419b621420b', '44:19:b6:21:42:0b'], // lab Hikvision, version 1
    ['uuid:0af48d00-a033-11b2-b522-ac1826841a46', 'ac:18:26:84:1a:46'], // corpus Epson XP-410
    ['urn:uuid:B926EB6A-CB4B-54DB-3130-0023CDE05FA7', undefined], // version 5: not a defined MAC
    ['urn:uuid:503b687a-7a6e-4b3c-9a1c-7a6f1f2e3d4c', undefined], // version 4: random
    ['urn:uuid:4b1d2a00-3aa0-11b5-8142-4519b621420b', undefined], // multicast bit: random node
    ['not a uuid', undefined],
  ])('%s -> %s', (epr, mac) => {
    expect(macFromUuid(epr)).toBe(mac);
  });
});
