import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMs } from '../../../helpers/cpu-time.ts';
import { decodeSadp, SADP_LIMITS, sadpToObservation, scanElements, type SadpDecoded } from '../../../../src/discovery/sadp/decode.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/sadp/${name}`, import.meta.url), 'utf8');
const decode = (text: string | Buffer): SadpDecoded => decodeSadp(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
const VIRTUAL = fixture('hikvision.virtual.ProbeMatch.xml');

function matchOf(d: SadpDecoded): Extract<SadpDecoded, { kind: 'match' }> {
  if (d.kind !== 'match') throw new Error(`expected a match, got ${JSON.stringify(d)}`);
  return d;
}

describe('decodeSadp on real replies', () => {
  it('reads the complete (anonymised) ProbeMatch with the strict parser', () => {
    expect(decode(VIRTUAL)).toEqual({
      kind: 'match',
      wellFormed: true,
      match: {
        uuid: '11223344-5566-7788-9900-112233445566',
        types: 'inquiry',
        deviceType: '123456',
        model: 'Virtual',
        serial: 'Virtual-123456789',
        mac: '00:11:22:33:44:55',
        ipv4: '240.0.5.0',
        firmware: 'V1.0build 200101',
        dspVersion: 'V1.0build 200101',
        activated: 'true',
        commandPort: '8000',
        httpPort: '80',
        analogChannels: '0',
        digitalChannels: '1',
      },
    });
  });

  it('reads a real DVR reply cut mid-element element by element, comment and Encrypt/Salt included', () => {
    const d = matchOf(decode(fixture('hikvision.ds-7804hqh-k1.ProbeMatch-cut.xml')));
    expect(d.wellFormed).toBe(false);
    expect(d.match).toEqual({
      uuid: '8282F1DB-2FA6-4709-B261-3C6B6A48CA17',
      types: 'inquiry',
      deviceType: '44322',
      model: 'DS-7804HQH-K1',
      serial: 'DS-7804HQH-K10420190822CCCHD53257168WCVU',
      mac: '68:6d:bc:ee:f8:f0',
      ipv4: '192.168.1.227',
      firmware: 'V3.5.38build 191215',
      dspVersion: 'V5.0, build 191213',
      activated: 'true',
      oemInfo: 'N/A',
      commandPort: '8000',
      httpPort: '80',
      analogChannels: '4',
      digitalChannels: '5',
    });
  });

  it('keeps what precedes the cut of a real camera reply and nothing half-read', () => {
    const d = matchOf(decode(fixture('hikvision.ds-2cd5a26fwd-iz.ProbeMatch-cut.xml')));
    expect(d.wellFormed).toBe(false);
    expect(d.match).toEqual({
      uuid: 'AB2CC373-2332-4F7B-AA18-838E08E748AE',
      types: 'inquiry',
      deviceType: '140063',
      model: 'DS-2CD5A26FWD-IZ',
      serial: 'DS-2CD5A26FWD-IZ20160518AACH604074182',
      mac: 'bc:ad:28:53:85:e8',
      ipv4: '172.16.16.191',
      commandPort: '8000',
      httpPort: '80',
    });
  });
});

describe('decodeSadp leniency', () => {
  it('reads the firmware typo `flase` as false, and keeps any other odd Activated value as it is', () => {
    expect(matchOf(decode(VIRTUAL.replace('<Activated>true', '<Activated>flase'))).match.activated).toBe('false');
    expect(matchOf(decode(VIRTUAL.replace('<Activated>true', '<Activated> FALSE '))).match.activated).toBe('false');
    expect(matchOf(decode(VIRTUAL.replace('<Activated>true', '<Activated>maybe'))).match.activated).toBe('maybe');
  });

  it('takes a reply with most fields missing, and drops values that are not what they claim', () => {
    const d = matchOf(
      decode(
        '<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><DeviceSN>SN1</DeviceSN><MAC>zz-11</MAC><IPv4Address>999.1.1.1</IPv4Address>' +
          '<HttpPort>99999</HttpPort><CommandPort>0x1f40</CommandPort><DigitalChannelNum>-1</DigitalChannelNum></ProbeMatch>',
      ),
    );
    expect(d).toEqual({ kind: 'match', wellFormed: true, match: { serial: 'SN1' } });
  });

  it('decodes entities on both paths, and cleans control characters out of every value', () => {
    const strict = matchOf(decode(VIRTUAL.replace('<DeviceDescription>Virtual', '<DeviceDescription>A&amp;B&lt;\u0007\u001b[31m')));
    expect(strict.wellFormed).toBe(true);
    expect(strict.match.model).toBe('A&B< [31m');
    const cut = matchOf(decode(VIRTUAL.replace('<DeviceDescription>Virtual', '<DeviceDescription>A&amp;B&#65;\u0000').slice(0, 400)));
    expect(cut.wellFormed).toBe(false);
    expect(cut.match.model).toBe('A&BA');
  });

  it('ignores NUL padding, a BOM and surrounding white space', () => {
    const padded = Buffer.concat([Buffer.from(`\ufeff${VIRTUAL}\r\n`, 'utf8'), Buffer.alloc(64)]);
    expect(matchOf(decode(padded)).wellFormed).toBe(true);
  });

  it('reads a broken (not just cut) document element by element', () => {
    const broken = VIRTUAL.replace('<DHCP>false</DHCP>', '<DHCP>false</DCHP><Oops>');
    const d = matchOf(decode(broken));
    expect(d.wellFormed).toBe(false);
    expect(d.match.serial).toBe('Virtual-123456789');
    expect(d.match.activated).toBe('true');
  });

  it('recognises an inquiry (ours coming back by broadcast, or another tool\'s) as not an answer', () => {
    expect(decode('<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>AB</Uuid><Types>inquiry</Types></Probe>')).toEqual({ kind: 'probe' });
    expect(decode('<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>AB</Uuid><Types>inqu')).toEqual({ kind: 'probe' });
  });
});

describe('decodeSadp on hostile input', () => {
  it('refuses an entity bomb without expanding it', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><ProbeMatch><DeviceSN>&lol3;</DeviceSN></ProbeMatch>';
    expect(decode(bomb)).toEqual({ kind: 'invalid', reason: 'DOCTYPE refused (SADP never declares one)' });
  });

  it('refuses binary junk, empty datagrams, other XML and a ProbeMatch without device fields', () => {
    expect(decode(Buffer.from([0xff, 0xfe, 0, 1, 2, 3])).kind).toBe('invalid');
    expect(decode(Buffer.alloc(0)).kind).toBe('invalid');
    expect(decode('M-SEARCH * HTTP/1.1\r\n\r\n').kind).toBe('invalid');
    expect(decode('<Envelope><Body/></Envelope>').kind).toBe('invalid');
    expect(decode('<ProbeMatch><Uuid>X</Uuid><Types>inquiry</Types></ProbeMatch>')).toEqual({ kind: 'invalid', reason: 'ProbeMatch without device fields' });
    expect(decode('<ProbeMatch><Uuid>X</Uuid><DeviceS').kind).toBe('invalid');
  });

  it('caps every value and reads only the first 16 KB of a datagram', () => {
    const long = matchOf(decode(VIRTUAL.replace('<DeviceSN>Virtual-123456789', `<DeviceSN>${'S'.repeat(10_000)}`)));
    expect(long.match.serial?.length).toBe(SADP_LIMITS.maxValue);
    const huge = Buffer.from(`${VIRTUAL.replace('</ProbeMatch>', '')}<Pad>${'x'.repeat(60_000)}</Pad></ProbeMatch>`);
    const d = matchOf(decode(huge));
    expect(d.wellFormed).toBe(false);
    expect(d.match.serial).toBe('Virtual-123456789');
  });

  it('stays linear on pathological markup (a 16 KB datagram of tags decodes in milliseconds)', () => {
    const cases = ['<'.repeat(65_000), '<a>'.repeat(20_000), `<ProbeMatch>${'<DeviceSN>'.repeat(6000)}`, `<ProbeMatch>${'<x>'.repeat(5000)}<DeviceSN>S</DeviceSN></ProbeMatch>`];
    for (const text of cases) {
      expect(cpuMs(() => decode(text)).ms).toBeLessThan(50);
    }
    // A long run of white space before the end (found by tests/fuzz: 80 ms for 16 KB before).
    const spaces = `<ProbeMatch><DeviceSN>${' '.repeat(16_000)}S</DeviceSN></ProbeMatch>`;
    const { ms, value } = cpuMs(() => decode(spaces));
    expect(value.kind).toBe('match');
    expect(ms).toBeLessThan(50);
    // The element scan stops after SADP_LIMITS.maxElements elements.
    expect(scanElements(`${'<x>y</x>'.repeat(600)}<DeviceSN>S</DeviceSN>`).has('DeviceSN')).toBe(false);
    expect(scanElements(`${'<x>y</x>'.repeat(100)}<DeviceSN>S</DeviceSN>`).get('DeviceSN')).toBe('S');
  });
});

describe('sadpToObservation', () => {
  it('turns a ProbeMatch into sadp evidence, the MAC, the serial and the HTTP port, at the datagram source', () => {
    const obs = sadpToObservation(matchOf(decode(fixture('hikvision.ds-7804hqh-k1.ProbeMatch-cut.xml'))).match, { ip: '10.0.0.9', iface: 'eth0' });
    expect(obs).toEqual({
      protocol: 'sadp',
      ip: '10.0.0.9',
      interface: 'eth0',
      mac: '68:6d:bc:ee:f8:f0',
      identifiers: { serial: 'DS-7804HQH-K10420190822CCCHD53257168WCVU' },
      endpoints: { httpPorts: [80] },
      evidence: [
        ['sadp.reply', 'true'],
        ['sadp.deviceType', '44322'],
        ['sadp.model', 'DS-7804HQH-K1'],
        ['sadp.serial', 'DS-7804HQH-K10420190822CCCHD53257168WCVU'],
        ['sadp.mac', '68:6d:bc:ee:f8:f0'],
        ['sadp.ipv4', '192.168.1.227'],
        ['sadp.firmware', 'V3.5.38build 191215'],
        ['sadp.dspVersion', 'V5.0, build 191213'],
        ['sadp.activated', 'true'],
        ['sadp.oemInfo', 'N/A'],
        ['sadp.commandPort', '8000'],
        ['sadp.httpPort', '80'],
        ['sadp.analogChannels', '4'],
        ['sadp.digitalChannels', '5'],
      ].map(([field, value]) => ({ protocol: 'sadp', field, value })),
    });
  });

  it('still says the host answered SADP when the reply carried almost nothing', () => {
    const obs = sadpToObservation({ model: 'DS-2CD2142FWD-I' }, { ip: '10.0.0.7' });
    expect(obs).toEqual({
      protocol: 'sadp',
      ip: '10.0.0.7',
      evidence: [
        { protocol: 'sadp', field: 'sadp.reply', value: 'true' },
        { protocol: 'sadp', field: 'sadp.model', value: 'DS-2CD2142FWD-I' },
      ],
    });
  });
});
