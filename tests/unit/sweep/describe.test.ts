import { describe, expect, it } from 'vitest';
import { describeDatagram } from '../../../src/sweep/describe.ts';
import { buildProbe } from '../../../src/discovery/wsd/payloads.ts';
import { buildMSearch } from '../../../src/discovery/ssdp/payloads.ts';
import { buildBrowseQueries } from '../../../src/discovery/mdns/payloads.ts';

describe('describeDatagram', () => {
  it('names our own probes', () => {
    expect(describeDatagram('wsd', Buffer.from(buildProbe({ messageId: 'urn:uuid:1', types: 'dn:NetworkVideoTransmitter' })))).toBe('Probe dn:NetworkVideoTransmitter');
    expect(describeDatagram('wsd', Buffer.from(buildProbe({ messageId: 'urn:uuid:1' })))).toBe('Probe (no Types)');
    expect(describeDatagram('ssdp', Buffer.from(buildMSearch({ st: 'ssdp:all', mx: 2 })))).toBe('M-SEARCH ssdp:all');
    expect(describeDatagram('sadp', Buffer.from('<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>A</Uuid><Types>inquiry</Types></Probe>'))).toBe('SADP inquiry');
    expect(describeDatagram('dhip', Buffer.concat([Buffer.alloc(32), Buffer.from('{"method":"DHDiscover.search","params":{"mac":"","uni":1}}\n')]))).toBe('DHIP DHDiscover.search');
    const [first] = buildBrowseQueries();
    expect(describeDatagram('mdns', first!)).toMatch(/^mDNS query _[\w.-]+\.local$/u);
  });

  it('is bounded on anything', () => {
    expect(describeDatagram('mdns', Buffer.alloc(3))).toBe('mDNS query');
    expect(describeDatagram('mdns', Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 63]))).toMatch(/^mDNS query/u);
    expect(describeDatagram('http', Buffer.alloc(100_000, 0x41)).length).toBeLessThanOrEqual(120);
  });
});
