import { describe, expect, it } from 'vitest';
import { crowdDevices, crowdLines, ipPlus, MAX_CROWD } from './crowd-plan.ts';
import { dhipNotify, mdnsProfileOf, probeMatches, sadpProbeMatch, searchTargets, searchResponse, upnpDescription } from './crowd-messages.ts';
import { decodeSadp, sadpToObservation } from '../../../src/discovery/sadp/index.ts';
import { decodeDahua, dhipToObservation } from '../../../src/discovery/dhip/index.ts';
import { decodeMdnsResponse, mdnsToObservations } from '../../../src/discovery/mdns/index.ts';
import { answersFor } from '../simulator/mdns-answers.ts';
import dnsPacket from 'dns-packet';
import { readRusage, RUSAGE_MARK } from './rusage.ts';
import { decodeProbeMatches } from '../../../src/discovery/wsd/decode.ts';
import { parseSsdpMessage, ssdpHeader } from '../../../src/discovery/ssdp/decode.ts';
import { parseXml } from '../../../src/util/xml.ts';

describe('crowd plan', () => {
  it('gives every device its own address and MAC, vendors rotating', () => {
    const devices = crowdDevices(MAX_CROWD, '10.70.0.10');
    expect(new Set(devices.map((d) => d.ip)).size).toBe(MAX_CROWD);
    expect(new Set(devices.map((d) => d.mac)).size).toBe(MAX_CROWD);
    expect(devices.at(-1)?.ip).toBe('10.70.3.241');
    expect(devices.slice(0, 3).map((d) => [d.vendor, d.mac])).toEqual([
      ['hikvision', '44:19:b6:7c:00:00'],
      ['dahua', '4c:11:bf:7c:00:01'],
      ['axis', 'ac:cc:8e:7c:00:02'],
    ]);
    expect(() => crowdDevices(MAX_CROWD + 1, '10.70.0.10')).toThrow(/size/u);
  });

  it('adds across octets', () => {
    expect(ipPlus('10.70.0.250', 10)).toBe('10.70.1.4');
    expect(ipPlus('10.70.255.255', 1)).toBe('10.71.0.0');
  });

  it('builds one macvlan per device and the multicast route on the first', () => {
    const lines = crowdLines(crowdDevices(2, '10.70.0.10'), 22);
    expect(lines).toContain('link add mv1 link eth0 address 4c:11:bf:7c:00:01 type macvlan mode bridge');
    expect(lines).toContain('addr add 10.70.0.11/22 dev mv1');
    expect(lines.at(-1)).toBe('route add 224.0.0.0/4 dev mv0');
    expect(lines.some((l) => l.startsWith('neigh'))).toBe(false);
  });

  it('gives each device a permanent entry for the agent, so the shared neighbour table holds only the agent\'s', () => {
    const lines = crowdLines(crowdDevices(2, '10.70.0.10'), 22, { ip: '10.70.0.2', mac: '02:00:00:00:00:02' });
    expect(lines.filter((l) => l.startsWith('neigh replace 10.70.0.2 lladdr 02:00:00:00:00:02 dev mv'))).toHaveLength(2);
    expect(lines.every((l) => !l.startsWith('neigh') || l.endsWith('nud permanent'))).toBe(true);
  });
});

describe('crowd messages, read by camsweep decoders', () => {
  const [hik, dahua] = crowdDevices(2, '10.70.0.10');

  it('answers a probe with a ProbeMatches camsweep decodes', () => {
    const decoded = decodeProbeMatches(probeMatches(hik!, 'urn:uuid:probe-1', 'urn:uuid:reply-1'));
    expect(decoded.kind).toBe('ProbeMatches');
    expect(decoded.relatesTo).toBe('urn:uuid:probe-1');
    expect(decoded.matches).toHaveLength(1);
    expect(decoded.matches[0]?.xaddrs).toEqual(['http://10.70.0.10/onvif/device_service']);
    expect(decoded.matches[0]?.scopes).toContain('onvif://www.onvif.org/MAC/44:19:b6:7c:00:00');
  });

  it('answers M-SEARCH with a LOCATION on the device address', () => {
    const uuid = 'uuid:crowd-dahua-4c11bf7c0001';
    expect(searchTargets(dahua!, 'ssdp:all')).toEqual(['upnp:rootdevice', uuid, 'urn:schemas-upnp-org:device:Basic:1']);
    expect(searchTargets(dahua!, 'upnp:rootdevice')).toEqual(['upnp:rootdevice']);
    expect(searchTargets(dahua!, 'urn:dial-multiscreen-org:service:dial:1')).toEqual([]);
    const msg = parseSsdpMessage(Buffer.from(searchResponse(dahua!, 'upnp:rootdevice', new Date(0))));
    expect(ssdpHeader(msg, 'location')).toBe('http://10.70.0.11:80/upnp_device_desc.xml');
    expect(ssdpHeader(msg, 'st')).toBe('upnp:rootdevice');
    expect(ssdpHeader(msg, 'usn')).toBe(`${uuid}::upnp:rootdevice`);
    expect(ssdpHeader(parseSsdpMessage(Buffer.from(searchResponse(dahua!, uuid, new Date(0)))), 'usn')).toBe(uuid);
    expect(upnpDescription(dahua!)).toContain('<manufacturer>Dahua</manufacturer>');
    expect(() => parseXml(upnpDescription(dahua!), 64 * 1024)).not.toThrow();
  });
});

describe('crowd vendor-protocol answers, read by camsweep decoders', () => {
  const [hik, dahua] = crowdDevices(2, '10.70.0.10');

  it('a Hikvision device answers SADP with its model, serial, MAC and address', () => {
    const decoded = decodeSadp(Buffer.from(sadpProbeMatch(hik!, 'A1B2C3D4-0000-4000-8000-000000000001', '255.255.252.0')));
    expect(decoded.kind).toBe('match');
    if (decoded.kind !== 'match') return;
    expect(decoded.match).toMatchObject({ uuid: 'A1B2C3D4-0000-4000-8000-000000000001', ipv4: '10.70.0.10', mac: '44:19:b6:7c:00:00' });
    const fields = sadpToObservation(decoded.match, { ip: '10.70.0.10' }).evidence.map((e) => [e.field, e.value]);
    expect(fields).toEqual(expect.arrayContaining([['sadp.model', 'DS-2CD2142FWD-I'], ['sadp.serial', 'DS-2CD2142FWD-I20170418AAWR0000004419B67C0000']]));
  });

  it('a Dahua device answers DHIP with its model, serial and vendor', () => {
    const decoded = decodeDahua(dhipNotify(dahua!, '255.255.252.0'));
    expect(decoded.kind).toBe('dhip');
    if (decoded.kind !== 'dhip') return;
    const fields = dhipToObservation(decoded.info, { ip: '10.70.0.11' }).evidence.map((e) => [e.field, e.value]);
    expect(fields).toEqual(expect.arrayContaining([['dhip.model', 'IPC-HFW2228M-I1-V2'], ['dhip.vendor', 'Dahua'], ['dhip.mac', '4c:11:bf:7c:00:01'], ['dhip.serial', '0000014C11BF7C0001']]));
  });
});

describe('crowd mDNS answers, read by camsweep decoders', () => {
  it('an Axis device answers a browse for its video service with the instance, host, port and MAC', () => {
    const axis = crowdDevices(3, '10.70.0.10')[2]!;
    const records = answersFor([{ name: '_axis-video._tcp.local', type: 'PTR', qu: false }], mdnsProfileOf(axis), axis.ip);
    const reply = dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: records.answers, additionals: records.additionals });
    const decoded = decodeMdnsResponse(reply);
    expect(decoded.kind).toBe('response');
    if (decoded.kind !== 'response') return;
    const fields = mdnsToObservations(decoded, { ip: axis.ip }).flatMap((o) => o.evidence.map((e) => [e.field, e.value]));
    expect(fields).toEqual(
      expect.arrayContaining([
        ['mdns.type', '_axis-video._tcp'],
        ['mdns.instance', 'AXIS M2036-LE - ACCC8E7C0002'],
        ['mdns.txt.macaddress', 'ACCC8E7C0002'],
        ['mdns.port._axis-video._tcp', '80'],
      ]),
    );
  });
});

describe('rusage line', () => {
  it('reads the last line and rejects malformed ones', () => {
    const line = `${RUSAGE_MARK}${JSON.stringify({ userMs: 1200.5, systemMs: 300, maxRssKb: 175_000 })}`;
    expect(readRusage(`noise\n${line}\n`)).toEqual({ userMs: 1200.5, systemMs: 300, maxRssKb: 175_000 });
    expect(readRusage(`${RUSAGE_MARK}{"userMs":"1"}\n`)).toBeUndefined();
    expect(readRusage('nothing here')).toBeUndefined();
  });
});
