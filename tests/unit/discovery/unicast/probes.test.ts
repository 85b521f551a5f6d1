import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { createProbeIds, mdnsQueries, unicastMdnsQuestions, unicastProbes } from '../../../../src/discovery/unicast/probes.ts';
import { describeDatagram } from '../../../../src/sweep/describe.ts';
import { parseProbe } from '../../../lab/simulator/wsd-probe.ts';
import { parseMSearch } from '../../../lab/simulator/ssdp-messages.ts';
import { parseSadpRequest } from '../../../lab/simulator/sadp-messages.ts';
import { parseDhipRequest } from '../../../lab/simulator/dhip-messages.ts';

const ids = createProbeIds(Buffer.from('a fixed test secret'));

describe('unicastProbes', () => {
  const probes = unicastProbes('10.68.0.12', ids);

  it('sends six datagrams per address: two WS-Discovery probes, SSDP, SADP, DHIP and one mDNS query, each to its port', () => {
    expect(probes.map((p) => `${p.protocol}:${p.port}`)).toEqual(['wsd:3702', 'wsd:3702', 'ssdp:1900', 'sadp:37020', 'dhip:37810', 'mdns:5353']);
    expect(probes.map((p) => describeDatagram(p.protocol, p.payload))).toEqual([
      'Probe dn:NetworkVideoTransmitter',
      'Probe (no Types)',
      'M-SEARCH ssdp:all',
      'SADP inquiry',
      'DHIP DHDiscover.search',
      'mDNS query _services._dns-sd._udp.local _axis-video._tcp.local _rtsp._tcp.local _http._tcp.local _onvif._tcp.local _arec._tcp.local _device-info._tcp.local _hap._tcp.local',
    ]);
  });

  it('builds what a responder reads as the read-only searches, with the ids derived for this address', () => {
    const [typed, untyped] = ids.wsd('10.68.0.12');
    expect(parseProbe(probes[0]!.payload)).toMatchObject({ version: '2005/04', messageId: typed });
    expect(parseProbe(probes[0]!.payload)?.types.map((t) => t.local)).toEqual(['NetworkVideoTransmitter']);
    expect(parseProbe(probes[1]!.payload)).toMatchObject({ messageId: untyped, types: [] });
    expect(parseMSearch(probes[2]!.payload)).toEqual({ st: 'ssdp:all', mx: 1, man: '"ssdp:discover"' });
    expect(probes[2]!.payload.toString('latin1')).toContain('HOST: 10.68.0.12:1900\r\n');
    expect(parseSadpRequest(probes[3]!.payload)).toEqual({ kind: 'inquiry', uuid: ids.sadp('10.68.0.12') });
    expect(parseDhipRequest(probes[4]!.payload)).toEqual({ kind: 'DHDiscover.search' });
    const query = dnsPacket.decode(probes[5]!.payload);
    expect(query.type).toBe('query');
    expect(query.id).toBe(ids.mdns('10.68.0.12'));
    // Legacy unicast: no QU bit (the reply comes back to our ephemeral port anyway).
    expect(query.questions?.map((q) => `${q.type} ${q.class} ${q.name}`)).toEqual(
      unicastMdnsQuestions().map((q) => `${q.type} IN ${q.labels.join('.')}`),
    );
  });

  it('sends only the protocols asked for, and never the Dahua v1 broadcast search', () => {
    expect(unicastProbes('10.68.0.12', ids, ['sadp', 'dhip']).map((p) => p.protocol)).toEqual(['sadp', 'dhip']);
    for (const p of probes) expect(p.payload[0]).not.toBe(0xa3);
  });
});

describe('createProbeIds', () => {
  it('derives stable ids per address and secret, different between addresses and sweeps', () => {
    const again = createProbeIds(Buffer.from('a fixed test secret'));
    const other = createProbeIds();
    expect(again.wsd('10.68.0.12')).toEqual(ids.wsd('10.68.0.12'));
    expect(ids.wsd('10.68.0.12')[0]).not.toBe(ids.wsd('10.68.0.12')[1]);
    expect(ids.wsd('10.68.0.11')[0]).not.toBe(ids.wsd('10.68.0.12')[0]);
    expect(other.sadp('10.68.0.12')).not.toBe(ids.sadp('10.68.0.12'));
    expect(ids.wsd('10.68.0.12')[0]).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
    expect(ids.sadp('10.68.0.12')).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/u);
    for (let i = 0; i < 500; i += 1) {
      const id = other.mdns(`10.68.${i >> 8}.${i & 255}`);
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(65_535);
    }
  });

  it('mdnsQueries keeps the id on follow-ups', () => {
    const [packet] = mdnsQueries([{ labels: ['AXIS M2036-LE - ACCC8E20360E', '_axis-video', '_tcp', 'local'], type: 'TXT' }], 4242);
    expect(dnsPacket.decode(packet!).id).toBe(4242);
  });
});
