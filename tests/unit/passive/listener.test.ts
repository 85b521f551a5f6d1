import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import { createMemorySegment } from '../../../src/discovery/udp-memory.ts';
import { interfaceOf, openListener } from '../../../src/passive/listener.ts';
import { createLogger, silentLogger } from '../../../src/util/log.ts';

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

  it('an interface whose group cannot be joined costs that interface only, not the protocol', async () => {
    const segment = createMemorySegment();
    // The agent's host has eth0's address only: eth1 is gone (down since the sweep), so every join on it fails.
    const agent = segment.host({ address: eth0.address, ipv6: eth0.ipv6! });
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ level: 'warn', destination: { write: (x: string) => void lines.push(JSON.parse(x) as Record<string, unknown>) } });
    const heard: string[] = [];
    const listener = await openListener({
      interfaces: [eth0, eth1],
      protocols: ['wsd', 'ssdp'],
      udp: agent,
      log,
      heard: (h) => heard.push(`${h.protocol.protocol}@${h.iface}`),
      offSegment: () => undefined,
    });
    // Each protocol still listens, IPv4 and IPv6 (eth0 has a link-local address).
    expect(listener.sockets).toBe(4);
    const failed = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('cannot join'));
    expect(failed.map((l) => (l.passive as { interfaceAddress: string }).interfaceAddress)).toEqual(['10.67.0.2', '10.67.0.2']);
    // And hears a camera on eth0.
    const camera = segment.host({ address: '10.66.0.11' });
    const sender = await camera({ bindAddress: '0.0.0.0', bindPort: 0, onMessage: () => undefined, onError: () => undefined });
    await sender.send('NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nUSN: uuid:1::upnp:rootdevice\r\nLOCATION: http://10.66.0.11/d.xml\r\n\r\n', 1900, '239.255.255.250');
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toContain('ssdp@eth0');
    sender.close();
    listener.close();
  });
});
