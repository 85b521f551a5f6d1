import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as payloads from '../../../../src/discovery/dhip/payloads.ts';
import { buildDahuaV1Probe, buildDhipSearch, DAHUA_V1_PORT, DHIP_BROADCAST, DHIP_GROUP, DHIP_PORT } from '../../../../src/discovery/dhip/payloads.ts';

const corpusReply = readFileSync(new URL('../../../fixtures/dhip/dahua.virtual.notifyDevInfo.bin', import.meta.url));

describe('buildDhipSearch', () => {
  const search = buildDhipSearch();

  it('is the 32-byte DHIP header and the DHDiscover.search body, byte for byte', () => {
    const body = '{"method":"DHDiscover.search","params":{"mac":"","uni":1}}\n';
    expect(search.length).toBe(32 + body.length);
    expect(search.subarray(0, 32).toString('hex')).toBe(
      ['20000000', Buffer.from('DHIP').toString('hex'), '00000000', '00000000', '3b000000', '00000000', '3b000000', '00000000'].join(''),
    );
    expect(search.subarray(32).toString('utf8')).toBe(body);
    expect(JSON.parse(search.subarray(32).toString('utf8'))).toEqual({ method: 'DHDiscover.search', params: { mac: '', uni: 1 } });
  });

  it('frames its body exactly as the real device framed its reply (corpus dhip-notifyDevInfo-1.bin)', () => {
    // Same fixed bytes: header length 0x20, 'DHIP', zeros; same length at +16 and +24; zeros at +20 and +28.
    expect(search.subarray(0, 16)).toEqual(corpusReply.subarray(0, 16));
    for (const frame of [search, corpusReply]) {
      const length = frame.length - 32;
      expect(frame.readUInt32LE(16)).toBe(length);
      expect(frame.readUInt32LE(24)).toBe(length);
      expect(frame.readUInt32LE(20)).toBe(0);
      expect(frame.readUInt32LE(28)).toBe(0);
      expect(frame[frame.length - 1]).toBe(0x0a); // the body ends with a newline
      expect(frame[32]).toBe(0x7b); // and starts right after the header
    }
  });

  it('is a new buffer each time (a caller cannot alter the next search)', () => {
    const a = buildDhipSearch();
    a.fill(0);
    expect(buildDhipSearch()).toEqual(search);
  });
});

describe('buildDahuaV1Probe', () => {
  it('is the 32-byte v1 search: a3 01 00 01, zeros, 0x02 at offset 0x10 (UniversalScanner Dahua1.cs)', () => {
    const probe = buildDahuaV1Probe();
    expect(probe.toString('hex')).toBe(`a3010001${'00'.repeat(12)}02${'00'.repeat(15)}`);
  });
});

describe('Dahua payloads', () => {
  it('target the DHIP group, the limited broadcast, 37810 and 5050', () => {
    expect([DHIP_GROUP, DHIP_BROADCAST, DHIP_PORT, DAHUA_V1_PORT]).toEqual(['239.255.255.251', '255.255.255.255', 37810, 5050]);
  });

  it('can build nothing but the two searches: no builder takes an input', () => {
    const builders = Object.entries(payloads).filter(([, v]) => typeof v === 'function');
    expect(builders.map(([k]) => k).sort()).toEqual(['buildDahuaV1Probe', 'buildDhipSearch']);
    for (const [, fn] of builders) expect((fn as () => Buffer).length).toBe(0);
    const loose = buildDhipSearch as unknown as (...args: unknown[]) => Buffer;
    expect(loose('{"method":"magicBox.reboot"}')).toEqual(buildDhipSearch());
    expect(payloads.DHIP_SEARCH_METHOD).toBe('DHDiscover.search');
  });
});
