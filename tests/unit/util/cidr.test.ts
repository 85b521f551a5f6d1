import { describe, expect, it } from 'vitest';
import { cpuMs } from '../../helpers/cpu-time.ts';
import { cidrBounds, cidrContains, cidrOverlaps, expandRanges, hostBounds, intToIpv4, parseCidr, type Cidr } from '../../../src/util/cidr.ts';
import { parseCidr as parseCidrFromConfig } from '../../../src/config/load.ts';

const c = (text: string): Cidr => {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`bad test CIDR ${text}`);
  return cidr;
};

describe('parseCidr / cidrContains', () => {
  it.each([
    ['10.68.0.0/24', 24],
    [' 10.68.0.7 ', 32],
    ['0.0.0.0/0', 0],
    ['10.68.0.5/24', 24],
  ])('%s has prefix %s', (text, prefix) => expect(parseCidr(text)?.prefix).toBe(prefix));

  it.each(['10.0.0.0/33', '10.0.0/8', '10.0.0.0/', '10.0.0.0/8/1', '300.1.1.1', '10.0.0.0/-1', '::1', ''])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('is still what the configuration loader exports', () => {
    expect(parseCidrFromConfig).toBe(parseCidr);
  });

  it('masks host bits when testing membership', () => {
    const r = c('10.68.0.77/24');
    expect(cidrContains(r, '10.68.0.0')).toBe(true);
    expect(cidrContains(r, '10.68.0.255')).toBe(true);
    expect(cidrContains(r, '10.68.1.0')).toBe(false);
    expect(cidrContains(r, 'not an ip')).toBe(false);
    expect(cidrContains(c('0.0.0.0/0'), '255.255.255.255')).toBe(true);
  });
});

describe('bounds and overlap', () => {
  it('drops network and broadcast for /30 and larger, keeps both addresses of a /31 (RFC 3021) and the one of a /32', () => {
    expect(hostBounds(c('10.68.0.0/24'))).toEqual({ first: c('10.68.0.1').base, last: c('10.68.0.254').base });
    expect(hostBounds(c('10.68.0.4/30'))).toEqual({ first: c('10.68.0.5').base, last: c('10.68.0.6').base });
    expect(hostBounds(c('10.68.0.4/31'))).toEqual({ first: c('10.68.0.4').base, last: c('10.68.0.5').base });
    expect(hostBounds(c('10.68.0.9'))).toEqual({ first: c('10.68.0.9').base, last: c('10.68.0.9').base });
    expect(cidrBounds(c('0.0.0.0/0'))).toEqual({ first: 0, last: 0xffffffff });
  });

  it('tells overlapping ranges', () => {
    expect(cidrOverlaps(c('10.0.0.0/8'), c('10.68.0.0/24'))).toBe(true);
    expect(cidrOverlaps(c('127.0.0.0/8'), c('126.255.255.255/32'))).toBe(false);
    expect(cidrOverlaps(c('0.0.0.0/0'), c('224.0.0.0/4'))).toBe(true);
  });

  it('prints integers back as dotted quads', () => {
    expect(intToIpv4(c('255.1.2.3').base)).toBe('255.1.2.3');
    expect(intToIpv4(0)).toBe('0.0.0.0');
  });
});

describe('expandRanges', () => {
  it('expands a /24 to its 254 hosts, ascending', () => {
    const out = expandRanges([c('10.68.0.0/24')], [], 1000);
    expect(out).toHaveLength(254);
    expect(out[0]).toBe('10.68.0.1');
    expect(out.at(-1)).toBe('10.68.0.254');
  });

  it('removes excluded addresses and ranges, whatever their own network/broadcast', () => {
    const out = expandRanges([c('10.68.0.0/28')], [c('10.68.0.13/32'), c('10.68.0.4/30')], 100);
    expect(out).toEqual(['10.68.0.1', '10.68.0.2', '10.68.0.3', '10.68.0.8', '10.68.0.9', '10.68.0.10', '10.68.0.11', '10.68.0.12', '10.68.0.14']);
  });

  it('merges overlapping targets and lists each address once', () => {
    const out = expandRanges([c('10.68.0.0/30'), c('10.68.0.0/29'), c('10.68.0.2')], [], 100);
    expect(out).toEqual(['10.68.0.1', '10.68.0.2', '10.68.0.3', '10.68.0.4', '10.68.0.5', '10.68.0.6']);
  });

  it('an exclusion covering everything leaves nothing', () => {
    expect(expandRanges([c('10.68.0.0/24')], [c('10.0.0.0/8')], 10)).toEqual([]);
  });

  it('checks the cap on the count before expanding: a /16 fits 65,536, a /15 does not, /0 is refused at once', () => {
    expect(expandRanges([c('10.68.0.0/16')], [], 65_536)).toHaveLength(65_534);
    expect(() => expandRanges([c('10.68.0.0/15')], [], 65_536)).toThrow(new RangeError('131070 addresses, more than the limit of 65536'));
    const { ms } = cpuMs(() => expect(() => expandRanges([c('0.0.0.0/0')], [], 65_536)).toThrow(RangeError));
    expect(ms).toBeLessThan(50);
  });

  it('counts after exclusion: a /15 minus one /16 fits', () => {
    expect(expandRanges([c('10.68.0.0/15')], [c('10.69.0.0/16')], 65_536)).toHaveLength(65_535);
  });
});
