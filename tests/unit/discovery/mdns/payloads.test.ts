import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import {
  buildBrowseQueries,
  buildTypeQueries,
  CAMERA_SERVICE_TYPES,
  CLASSIFY_SERVICE_TYPES,
  hostQuestions,
  instanceQuestions,
  MAX_QUERY_BYTES,
  packQueries,
  typeQuestions,
} from '../../../../src/discovery/mdns/payloads.ts';
import { readQuestions } from './helpers.ts';

const PTR = 12;
const SRV = 33;
const TXT = 16;
const A = 1;

describe('browse queries', () => {
  it('ask PTR for the enumeration name, every camera type and every classification type', () => {
    const packets = buildBrowseQueries({ qu: false });
    const names = packets.flatMap((p) => dnsPacket.decode(p).questions ?? []).map((q) => `${q.name}/${q.type}`);
    expect(names).toEqual([
      '_services._dns-sd._udp.local/PTR',
      '_axis-video._tcp.local/PTR',
      '_rtsp._tcp.local/PTR',
      '_http._tcp.local/PTR',
      '_onvif._tcp.local/PTR',
      '_arec._tcp.local/PTR',
      '_device-info._tcp.local/PTR',
      '_hap._tcp.local/PTR',
      '_ipp._tcp.local/PTR',
      '_printer._tcp.local/PTR',
      '_googlecast._tcp.local/PTR',
      '_airplay._tcp.local/PTR',
      '_sonos._tcp.local/PTR',
    ]);
    expect(CAMERA_SERVICE_TYPES.length + CLASSIFY_SERVICE_TYPES.length + 1).toBe(names.length);
  });

  it('are standard queries with ID 0, one question per packet by default, each well under 1400 bytes', () => {
    for (const p of buildBrowseQueries()) {
      const d = dnsPacket.decode(p);
      expect(d.type).toBe('query');
      expect(d.id).toBe(0);
      expect(d.flags).toBe(0);
      expect(d.questions).toHaveLength(1);
      expect(d.answers).toHaveLength(0);
      expect(p.length).toBeLessThan(MAX_QUERY_BYTES);
    }
  });

  it('set the QU bit only when asked', () => {
    for (const q of buildBrowseQueries({ qu: true }).flatMap(readQuestions)) expect(q.klass).toBe(0x8001);
    for (const q of buildBrowseQueries({ qu: false }).flatMap(readQuestions)) expect(q.klass).toBe(0x0001);
  });

  it('can be packed into one packet when asked', () => {
    const packets = buildBrowseQueries({ perPacket: 100 });
    expect(packets).toHaveLength(1);
    expect(readQuestions(packets[0]!)).toHaveLength(13);
  });
});

describe('packQueries', () => {
  it('splits at maxBytes and never emits an oversized packet', () => {
    const many = typeQuestions(Array.from({ length: 200 }, (_, i) => `_service-number-${i}._tcp`));
    const packets = packQueries(many);
    expect(packets.length).toBeGreaterThan(1);
    for (const p of packets) expect(p.length).toBeLessThanOrEqual(MAX_QUERY_BYTES);
    expect(packets.flatMap(readQuestions)).toHaveLength(200);
  });

  it('drops names it cannot encode (label over 63 bytes, name over 255 bytes, empty label)', () => {
    const packets = packQueries([
      { labels: ['x'.repeat(64), '_http', '_tcp', 'local'], type: 'SRV' },
      { labels: [...Array.from({ length: 9 }, () => 'y'.repeat(30)), 'local'], type: 'A' },
      { labels: ['', 'local'], type: 'A' },
      { labels: ['ok', 'local'], type: 'A' },
    ]);
    expect(packets.flatMap(readQuestions)).toEqual([{ labels: ['ok', 'local'], type: A, klass: 1 }]);
  });

  it('returns no packet for no question', () => {
    expect(packQueries([])).toEqual([]);
  });
});

describe('follow-up queries', () => {
  it('keep a dotted instance name as ONE label for SRV and TXT', () => {
    const packets = packQueries(instanceQuestions([{ instance: 'AXIS M5014 - ACCC8E3C0419 H.264', type: '_axis-video._tcp' }]));
    const labels = ['AXIS M5014 - ACCC8E3C0419 H.264', '_axis-video', '_tcp', 'local'];
    expect(packets.flatMap(readQuestions)).toEqual([
      { labels, type: SRV, klass: 1 },
      { labels, type: TXT, klass: 1 },
    ]);
    // dns-packet reads it back as the same dotted text
    expect(dnsPacket.decode(packets[0]!).questions?.[0]?.name).toBe('AXIS M5014 - ACCC8E3C0419 H.264._axis-video._tcp.local');
  });

  it('ask A for host names and PTR for learned types', () => {
    expect(packQueries(hostQuestions(['axis-accc8e3c0419.local.'])).flatMap(readQuestions)).toEqual([
      { labels: ['axis-accc8e3c0419', 'local'], type: A, klass: 1 },
    ]);
    expect(buildTypeQueries(['_smb._tcp', '_ssh._tcp']).flatMap(readQuestions)).toEqual([
      { labels: ['_smb', '_tcp', 'local'], type: PTR, klass: 1 },
      { labels: ['_ssh', '_tcp', 'local'], type: PTR, klass: 1 },
    ]);
  });

  it('encode UTF-8 instance names by bytes', () => {
    const [p] = packQueries(instanceQuestions([{ instance: 'Caméra entrée', type: '_http._tcp' }]));
    expect(readQuestions(p!)[0]?.labels[0]).toBe('Caméra entrée');
  });
});
