import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import { createMemorySegment } from '../../../src/discovery/udp-memory.ts';
import { interfaceOf, openListener } from '../../../src/passive/listener.ts';
import { silentLogger } from '../../../src/util/log.ts';

const eth0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null, ipv6: { address: 'fe80::2', scopeId: 'eth0' } };
const eth1: NetInterface = { name: 'eth1', address: '10.67.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };

describe('the passive listener', () => {
  it('attributes a source to the swept interface whose subnet or zone it is on, and refuses our own and strangers', () => {
    expect(interfaceOf([eth0, eth1], '10.66.0.11')?.name).toBe('eth0');
    expect(interfaceOf([eth0, eth1], '10.67.0.11')?.name).toBe('eth1');
    expect(interfaceOf([eth0, eth1], 'fe80::4619:b6ff:fe21:420b%eth0')?.name).toBe('eth0');
    expect(interfaceOf([eth0, eth1], 'fe80::1%eth1')).toBeUndefined();
    expect(interfaceOf([eth0, eth1], 'fe80::1')).toBeUndefined();
    expect(interfaceOf([eth0, eth1], '10.68.0.11')).toBeUndefined();
    expect(interfaceOf([eth0, eth1], '10.66.0.2')).toBeUndefined();
    expect(interfaceOf([eth0, eth1], 'fe80::2%eth0')).toBeUndefined();
  });

  it('joins each protocol\'s group on every interface (IPv4, and IPv6 link-local where there is one) on shared ports, and sends nothing', async () => {
    const segment = createMemorySegment();
    const agent = segment.host({ address: eth0.address, ipv6: eth0.ipv6! });
    const opened: Array<{ family: number; port: number; reuse: boolean; groups: string[] }> = [];
    const listener = await openListener({
      interfaces: [eth0],
      protocols: ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'],
      udp: (o) => {
        opened.push({ family: o.family ?? 4, port: o.bindPort ?? 0, reuse: o.reuseAddr === true, groups: (o.memberships ?? []).map((m) => `${m.group}@${m.interfaceAddress}`) });
        return agent(o);
      },
      log: silentLogger(),
      heard: () => undefined,
      offSegment: () => undefined,
    });
    expect(opened).toEqual([
      { family: 4, port: 3702, reuse: true, groups: ['239.255.255.250@10.66.0.2'] },
      { family: 6, port: 3702, reuse: true, groups: ['ff02::c@fe80::2%eth0'] },
      { family: 4, port: 1900, reuse: true, groups: ['239.255.255.250@10.66.0.2'] },
      { family: 6, port: 1900, reuse: true, groups: ['ff02::c@fe80::2%eth0'] },
      { family: 4, port: 5353, reuse: true, groups: ['224.0.0.251@10.66.0.2'] },
      { family: 6, port: 5353, reuse: true, groups: ['ff02::fb@fe80::2%eth0'] },
      { family: 4, port: 37020, reuse: true, groups: ['239.255.255.250@10.66.0.2'] },
      { family: 4, port: 37810, reuse: true, groups: ['239.255.255.251@10.66.0.2'] },
    ]);
    // A sweep's own listener shares the port (SO_REUSEADDR on both).
    const sweepSocket = await agent({ bindAddress: '0.0.0.0', bindPort: 5353, reuseAddr: true, onMessage: () => undefined, onError: () => undefined });
    sweepSocket.close();
    expect(listener.sockets).toBe(8);
    listener.close();
    expect(segment.openSockets).toBe(0);
    expect(segment.sent).toEqual([]);
  });
});
