import { describe, expect, it } from 'vitest';
import { buildMSearch, clampMx } from '../../../../src/discovery/ssdp/payloads.ts';
import { parseSsdpMessage } from '../../../../src/discovery/ssdp/decode.ts';
import { CamsweepError } from '../../../../src/domain/errors.ts';

describe('buildMSearch', () => {
  it('writes a CRLF M-SEARCH with HOST, MAN, MX, ST and USER-AGENT, ending in a blank line', () => {
    const text = buildMSearch({ st: 'ssdp:all', mx: 2 });
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(text.replace(/\r\n/gu, '')).not.toContain('\n');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('M-SEARCH * HTTP/1.1');
    expect(lines).toContain('HOST: 239.255.255.250:1900');
    expect(lines).toContain('MAN: "ssdp:discover"');
    expect(lines).toContain('MX: 2');
    expect(lines).toContain('ST: ssdp:all');
    expect(lines.some((l) => /^USER-AGENT: \S+\/\S+ UPnP\/1\.1 camsweep\/\S+$/u.test(l))).toBe(true);
  });

  it('uses the given HOST for a unicast search', () => {
    expect(buildMSearch({ st: 'upnp:rootdevice', mx: 1, host: '10.0.0.5:1900' })).toContain('HOST: 10.0.0.5:1900\r\n');
  });

  it('clamps MX to 1..5', () => {
    expect(buildMSearch({ st: 'ssdp:all', mx: 0 })).toContain('MX: 1\r\n');
    expect(buildMSearch({ st: 'ssdp:all', mx: 9 })).toContain('MX: 5\r\n');
    expect(clampMx(3.7)).toBe(3);
    expect(clampMx(Number.NaN)).toBe(2);
  });

  it('refuses a search target that would inject a header line', () => {
    expect(() => buildMSearch({ st: 'ssdp:all\r\nX-Evil: 1', mx: 2 })).toThrow(CamsweepError);
    expect(() => buildMSearch({ st: '', mx: 2 })).toThrow(/ST must be/u);
  });

  it('is what our own decoder refuses as a reply (a looped-back probe is never a device)', () => {
    expect(() => parseSsdpMessage(Buffer.from(buildMSearch({ st: 'ssdp:all', mx: 2 })))).toThrow(/M-SEARCH/u);
  });
});
