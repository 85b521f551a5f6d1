import { describe, expect, it } from 'vitest';
import { compareIp, compressIpv6, isLoopbackHost, macFromEui64, onSubnet, parseListenAddress, urlHost, urlNamesHost, withoutZone } from '../../../src/util/ip.ts';

describe('compareIp', () => {
  it('orders IPv4 numerically and anything else lexically', () => {
    expect(['10.0.0.20', '9.1.1.1', '10.0.0.3', 'fe80::1'].sort(compareIp)).toEqual(['9.1.1.1', '10.0.0.3', '10.0.0.20', 'fe80::1']);
  });

  it('orders IPv4 before IPv6', () => {
    expect(['fe80::1%eth0', '10.0.0.2', '1::1', '9.0.0.1'].sort(compareIp)).toEqual(['9.0.0.1', '10.0.0.2', '1::1', 'fe80::1%eth0']);
  });
});

describe('compressIpv6', () => {
  it('compresses /proc/net/if_inet6 groups to the form os.networkInterfaces() uses', () => {
    expect(compressIpv6('fe80:0:0:0:4619:b6ff:fe21:420b')).toBe('fe80::4619:b6ff:fe21:420b');
    expect(compressIpv6('fe80:0:0:0:66:ff:fe00:2')).toBe('fe80::66:ff:fe00:2');
    expect(compressIpv6('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(compressIpv6('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6');
  });
});

describe('address helpers', () => {
  it('drops a zone', () => {
    expect(withoutZone('fe80::1%eth0')).toBe('fe80::1');
    expect(withoutZone('10.0.0.1')).toBe('10.0.0.1');
  });

  it('reads a URL host without the brackets of an IPv6 literal, and compares it with an address', () => {
    expect(urlHost(new URL('http://[fe80::1]:80/x'))).toBe('fe80::1');
    expect(urlNamesHost('http://10.0.0.5:8080/onvif', '10.0.0.5')).toBe(true);
    expect(urlNamesHost('http://10.0.0.6/onvif', '10.0.0.5')).toBe(false);
    expect(urlNamesHost('not a url', '10.0.0.5')).toBe(false);
  });

  it('tells whether an address is on an interface subnet', () => {
    const eth0 = { address: '10.66.0.2', prefix: 24 };
    expect(onSubnet(eth0, '10.66.0.200')).toBe(true);
    expect(onSubnet(eth0, '10.66.1.2')).toBe(false);
    expect(onSubnet(eth0, 'fe80::1')).toBe(false);
  });

  it('knows loopback hosts', () => {
    expect(['localhost', '::1', '127.0.0.1', '127.9.9.9'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', 'example.org', '::2'].map(isLoopbackHost)).toEqual([false, false, false]);
  });
});

describe('parseListenAddress', () => {
  it('reads HOST:PORT and [v6]:PORT with IP literals or localhost only', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListenAddress('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    for (const bad of ['9464', 'example.org:80', '::1:80', '[127.0.0.1]:80', '127.0.0.1:65536', '127.0.0.1:', ':80']) {
      expect(parseListenAddress(bad)).toBeUndefined();
    }
  });

  it('takes `:PORT` only when given a host for it', () => {
    expect(parseListenAddress(':9000', { emptyHost: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 9000 });
  });
});

describe('macFromEui64', () => {
  it('reads the MAC back from a modified EUI-64 interface identifier', () => {
    expect(macFromEui64('fe80::4619:b6ff:fe21:420b%eth0')).toBe('44:19:b6:21:42:0b');
    expect(macFromEui64('fe80:0:0:0:4e11:bfff:fe22:280c')).toBe('4c:11:bf:22:28:0c');
    expect(macFromEui64('fe80::aecc:8eff:fe20:360d')).toBe('ac:cc:8e:20:36:0d');
    // Random (RFC 4941) and stable-privacy (RFC 7217) identifiers carry no MAC.
    expect(macFromEui64('fe80::1c2d:3e4f:5a6b:7c8d')).toBeUndefined();
    expect(macFromEui64('10.66.0.11')).toBeUndefined();
    expect(macFromEui64('fe80::zzzz')).toBeUndefined();
  });
});
