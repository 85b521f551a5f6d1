import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as payloads from '../../../../src/discovery/sadp/payloads.ts';
import { buildSadpInquiry, newSadpUuid, SADP_BROADCAST, SADP_GROUP, SADP_PORT } from '../../../../src/discovery/sadp/payloads.ts';
import { children, parseXml, textAt } from '../../../../src/util/xml.ts';

const UUID = '8282F1DB-2FA6-4709-B261-3C6B6A48CA17';

describe('buildSadpInquiry', () => {
  it('is byte for byte the inquiry of Hikvision\'s SADP tool (UniversalScanner Hikvision.cs format string)', () => {
    expect(buildSadpInquiry(UUID)).toBe(
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${UUID}</Uuid><Types>inquiry</Types></Probe>`,
    );
    const probe = children(parseXml(buildSadpInquiry(UUID)), 'Probe')[0];
    expect(textAt(probe, 'Uuid')).toBe(UUID);
    expect(textAt(probe, 'Types')).toBe('inquiry');
  });

  it('targets the SADP group, the limited broadcast and port 37020', () => {
    expect([SADP_GROUP, SADP_BROADCAST, SADP_PORT]).toEqual(['239.255.255.250', '255.255.255.255', 37020]);
  });

  it('makes fresh upper-case Uuids it accepts', () => {
    const ids = Array.from({ length: 50 }, () => newSadpUuid());
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/u);
      expect(() => buildSadpInquiry(id)).not.toThrow();
    }
  });

  it('refuses any Uuid that is not a bare upper-case UUID, so no markup can reach the message', () => {
    for (const bad of [
      '',
      UUID.toLowerCase(),
      `${UUID} `,
      `${UUID}</Uuid><Types>activate</Types><Uuid>`,
      '</Uuid><Types>update</Types><Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17',
      `${UUID}\n`,
    ]) {
      expect(() => buildSadpInquiry(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'SADP_BAD_PAYLOAD' }));
    }
  });

  it('can never build another message type: one input, one Types value, whatever is passed', () => {
    // The module builds exactly one message, and its only input is the Uuid.
    expect(Object.keys(payloads).sort()).toEqual(['SADP_BROADCAST', 'SADP_GROUP', 'SADP_INQUIRY', 'SADP_PORT', 'buildSadpInquiry', 'newSadpUuid']);
    expect(payloads.SADP_INQUIRY).toBe('inquiry');
    expect(buildSadpInquiry.length).toBe(1);
    const loose = buildSadpInquiry as unknown as (...args: unknown[]) => string;
    expect(loose(UUID, 'activate', { types: 'setPassword' })).toBe(buildSadpInquiry(UUID));
    // Any string at all: either refused, or an inquiry whose only Types is `inquiry`.
    let built = 0;
    for (let i = 0; i < 2000; i += 1) {
      const candidate = i % 2 === 0 ? randomBytes(18).toString('latin1') : newSadpUuid();
      let text: string;
      try {
        text = buildSadpInquiry(candidate);
      } catch {
        continue;
      }
      built += 1;
      expect(text.match(/<Types>[^<]*<\/Types>/gu)).toEqual(['<Types>inquiry</Types>']);
      expect(text.match(/<[A-Za-z]+>/gu)).toEqual(['<Probe>', '<Uuid>', '<Types>']);
    }
    expect(built).toBe(1000);
  });
});
