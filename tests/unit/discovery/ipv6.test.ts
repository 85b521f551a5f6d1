import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { linkLocalByName, listInterfaces } from '../../../src/discovery/interfaces.ts';
import { linkLocalSocket } from '../../../src/discovery/udp.ts';
import { buildMSearch, SSDP_HOST6 } from '../../../src/discovery/ssdp/payloads.ts';

const info = (address: string, family: 'IPv4' | 'IPv6', extra: Partial<os.NetworkInterfaceInfo> = {}): os.NetworkInterfaceInfo =>
  ({ address, family, netmask: family === 'IPv4' ? '255.255.255.0' : 'ffff:ffff:ffff:ffff::', mac: '44:19:b6:21:42:0b', internal: false, cidr: family === 'IPv4' ? `${address}/24` : `${address}/64`, scopeid: 2, ...extra }) as os.NetworkInterfaceInfo;

describe('IPv6 link-local interface addresses', () => {
  it('keeps the first usable fe80 address of an interface, skipping tentative ones and global ones', () => {
    const source = {
      eth0: [info('10.66.0.2', 'IPv4'), info('2001:db8::2', 'IPv6'), info('fe80::1', 'IPv6'), info('FE80::66:ff:fe00:2', 'IPv6')],
      lo: [info('127.0.0.1', 'IPv4', { internal: true }), info('::1', 'IPv6', { internal: true })],
    };
    const flags = new Map([['fe80::1%eth0', 0x40]]);
    expect([...linkLocalByName(source, flags)]).toEqual([['eth0', { address: 'fe80::66:ff:fe00:2', scopeId: 'eth0' }]]);
  });

  it('adds ipv6 to the interface only when it has a link-local address', () => {
    const source = { eth0: [info('10.66.0.2', 'IPv4'), info('fe80::66:ff:fe00:2', 'IPv6')], eth1: [info('10.67.0.2', 'IPv4')] };
    const list = listInterfaces(source, () => 0x1, new Map());
    expect(list.map((i) => [i.name, i.ipv6])).toEqual([
      ['eth0', { address: 'fe80::66:ff:fe00:2', scopeId: 'eth0' }],
      ['eth1', undefined],
    ]);
    expect('ipv6' in list[1]!).toBe(false);
  });

  it('binds a udp6 socket to the zoned link-local address and pins multicast to the zone', () => {
    expect(linkLocalSocket({ address: 'fe80::66:ff:fe00:2', scopeId: 'eth0' })).toEqual({
      bindAddress: 'fe80::66:ff:fe00:2%eth0',
      multicastInterface: '::%eth0',
    });
  });

  it('writes the IPv6 SSDP HOST header', () => {
    expect(buildMSearch({ st: 'ssdp:all', mx: 2, host: SSDP_HOST6 })).toContain('\r\nHOST: [FF02::C]:1900\r\n');
  });
});
