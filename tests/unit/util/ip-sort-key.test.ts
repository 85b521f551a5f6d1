import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipSortKey } from '../../../src/util/ip-sort-key.ts';

/** Sorts as the indexes do: by key (bytewise), then the address as written. */
const sorted = (ips: string[]): string[] =>
  [...ips].sort((a, b) => {
    const ka = ipSortKey(a);
    const kb = ipSortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });

describe('ipSortKey', () => {
  it('IPv4: the 32-bit value, fixed width', () => {
    expect(ipSortKey('10.20.8.2')).toBe('40a140802');
    expect(ipSortKey('0.0.0.0')).toBe('400000000');
    expect(ipSortKey('255.255.255.255')).toBe('4ffffffff');
    expect(ipSortKey('10.20.8.12') > ipSortKey('10.20.8.2')).toBe(true);
    expect(ipSortKey('10.20.9.1') > ipSortKey('10.20.8.255')).toBe(true);
    expect(ipSortKey('9.255.255.255') < ipSortKey('10.0.0.0')).toBe(true);
  });

  it('orders IPv4 numerically, then IPv6, then anything else as text', () => {
    const ips = ['fe80::1%eth1', 'garbage', '10.20.8.12', '2001:db8::1', '10.20.9.1', '', 'fe80::1', '10.20.8.2', '::1', 'fe80::1%eth0', '192.168.1.1', '2.0.0.1', 'zz'];
    expect(sorted(ips)).toEqual(['2.0.0.1', '10.20.8.2', '10.20.8.12', '10.20.9.1', '192.168.1.1', '::1', '2001:db8::1', 'fe80::1', 'fe80::1%eth0', 'fe80::1%eth1', '', 'garbage', 'zz']);
  });

  it('IPv6: compressed, expanded and mixed-case forms of one address have one key', () => {
    const key = ipSortKey('2001:db8::8:800:200c:417a');
    expect(key).toBe('620010db80000000000080800200c417a');
    for (const form of ['2001:0db8:0000:0000:0008:0800:200c:417a', '2001:DB8:0:0:8:800:200C:417A', '2001:db8:0::8:800:200c:417a']) expect(ipSortKey(form)).toBe(key);
    expect(ipSortKey('::')).toBe(`6${'0'.repeat(32)}`);
    expect(ipSortKey('::1')).toBe(`6${'0'.repeat(31)}1`);
    expect(ipSortKey('1::')).toBe(`60001${'0'.repeat(28)}`);
    expect(ipSortKey('1:2:3:4:5:6:7::')).toBe(ipSortKey('1:2:3:4:5:6:7:0'));
  });

  it('IPv6 with an embedded dotted quad (IPv4-mapped): the 128-bit value, sorted with IPv6', () => {
    expect(ipSortKey('::ffff:10.0.0.1')).toBe(ipSortKey('::ffff:a00:1'));
    expect(ipSortKey('::ffff:10.0.0.1').startsWith('6')).toBe(true);
    expect(ipSortKey('64:ff9b::192.0.2.33')).toBe(ipSortKey('64:ff9b::c000:221'));
  });

  it('a zone breaks ties after the address without one', () => {
    expect(ipSortKey('fe80::1%eth0')).toBe(`${ipSortKey('fe80::1')}%eth0`);
    expect(ipSortKey('fe80::1') < ipSortKey('fe80::1%eth0')).toBe(true);
    expect(ipSortKey('fe80::1%eth0') < ipSortKey('fe80::2')).toBe(true);
    expect(ipSortKey('FE80:0:0:0:0:0:0:1%eth0')).toBe(ipSortKey('fe80::1%eth0'));
  });

  it('anything unparsable is "9" (the address as written orders those)', () => {
    for (const bad of ['', 'garbage', '10.20.8', '10.20.8.256', '10.20.8.2.1', '1.2.3.-4', ' 10.0.0.1', '10.0.0.1/24', ':::', '1:::2', '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', 'g::1', '::1%', '::1%a%b', '::1.2.3.4:5', '1.2.3.4::', '[::1]', 'fe80::1%eth 0']) {
      expect(ipSortKey(bad), bad).toBe('9');
    }
  });

  it('accepts every IPv6 form node:net accepts among these, and only those', () => {
    const forms = ['::', '::1', '1::', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::8', '1:2:3:4:5:6::1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', ':::', '1:2::3::4', 'abcd:ef01::', 'abcde::'];
    for (const f of forms) expect(ipSortKey(f).startsWith('6'), f).toBe(isIPv6(f));
  });
});
