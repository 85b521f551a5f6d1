import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMemorySegment } from '../../../src/discovery/udp-memory.ts';
import type { UdpFactory, UdpSocket } from '../../../src/discovery/udp.ts';

interface Ear {
  socket: UdpSocket;
  got: string[];
}

async function ear(udp: UdpFactory, bindAddress: string, bindPort: number, extra: { reuseAddr?: boolean; group?: string; on?: string; maxDatagram?: number; broadcast?: boolean } = {}): Promise<Ear> {
  const got: string[] = [];
  const socket = await udp({
    bindAddress,
    bindPort,
    ...(extra.reuseAddr === undefined ? {} : { reuseAddr: extra.reuseAddr }),
    ...(extra.broadcast === undefined ? {} : { broadcast: extra.broadcast }),
    ...(extra.maxDatagram === undefined ? {} : { maxDatagram: extra.maxDatagram }),
    ...(extra.group === undefined ? {} : { memberships: [{ group: extra.group, interfaceAddress: extra.on ?? bindAddress }] }),
    onMessage: (msg, from) => got.push(`${from.address}:${from.port} ${msg.toString()}`),
    onError: (err) => {
      throw err;
    },
  });
  return { socket, got };
}

describe('the in-memory segment', () => {
  it('delivers unicast on a later turn, from the bound address or the host address of a wildcard socket', async () => {
    const segment = createMemorySegment();
    const [a, b] = [segment.host({ address: '10.0.0.1' }), segment.host({ address: '10.0.0.2' })];
    const server = await ear(b, '0.0.0.0', 5000);
    const fromWildcard = await ear(a, '0.0.0.0', 0);
    const fromBound = await ear(a, '10.0.0.1', 0);
    await fromWildcard.socket.send('one', 5000, '10.0.0.2');
    await fromBound.socket.send('two', 5000, '10.0.0.2');
    expect(server.got).toEqual([]);
    await turn();
    expect(server.got).toEqual([`10.0.0.1:${fromWildcard.socket.port} one`, `10.0.0.1:${fromBound.socket.port} two`]);
    expect(fromWildcard.socket.port).not.toBe(fromBound.socket.port);
    await a({ bindAddress: '10.0.0.1', onMessage: () => undefined, onError: () => undefined }).then((s) => s.send('to nobody', 9, '10.0.0.99'));
    expect(segment.sent.map((d) => d.to.address)).toEqual(['10.0.0.2', '10.0.0.2', '10.0.0.99']);
  });

  it('hands a group datagram to every other host that joined it, on that port, never back to the sender', async () => {
    const segment = createMemorySegment();
    const [a, b, c, d] = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((address) => segment.host({ address }));
    const sender = await ear(a!, '10.0.0.1', 0);
    const senderOwnEar = await ear(a!, '0.0.0.0', 1900, { reuseAddr: true, group: '239.255.255.250', on: '10.0.0.1' });
    const joined = await ear(b!, '0.0.0.0', 1900, { reuseAddr: true, group: '239.255.255.250', on: '10.0.0.2' });
    const joinedTwice = await ear(b!, '0.0.0.0', 1900, { reuseAddr: true });
    const notJoined = await ear(c!, '0.0.0.0', 1900);
    const otherPort = await ear(d!, '0.0.0.0', 1901, { group: '239.255.255.250', on: '10.0.0.4' });
    await sender.socket.send('M-SEARCH', 1900, '239.255.255.250');
    await turn();
    expect([senderOwnEar, joined, joinedTwice, notJoined, otherPort].map((e) => e.got.length)).toEqual([0, 1, 1, 0, 0]);
  });

  it('broadcasts only from a socket allowed to, and only to other hosts\' wildcard sockets', async () => {
    const segment = createMemorySegment();
    const [a, b] = [segment.host({ address: '10.0.0.1' }), segment.host({ address: '10.0.0.2' })];
    const wildcard = await ear(b, '0.0.0.0', 37020, { reuseAddr: true });
    const bound = await ear(b, '10.0.0.2', 37020, { reuseAddr: true });
    const plain = await ear(a, '10.0.0.1', 0);
    await expect(plain.socket.send('x', 37020, '255.255.255.255')).rejects.toMatchObject({ code: 'EACCES' });
    const allowed = await ear(a, '10.0.0.1', 0, { broadcast: true });
    await allowed.socket.send('limited', 37020, '255.255.255.255');
    await allowed.socket.send('subnet', 37020, '10.0.0.255');
    await turn();
    expect(wildcard.got.map((g) => g.split(' ')[1])).toEqual(['limited', 'subnet']);
    expect(bound.got).toEqual([]);
  });

  it('refuses what Linux refuses at bind: a port held without SO_REUSEADDR, an address the host does not have', async () => {
    const segment = createMemorySegment();
    const a = segment.host({ address: '10.0.0.1' });
    await ear(a, '0.0.0.0', 5353);
    await expect(ear(a, '0.0.0.0', 5353, { reuseAddr: true })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(ear(a, '10.0.0.9', 0)).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    await ear(a, '0.0.0.0', 3702, { reuseAddr: true });
    await expect(ear(a, '10.0.0.1', 3702, { reuseAddr: true })).resolves.toBeDefined();
  });

  it('drops and counts datagrams over maxDatagram, audits every send, and a closed socket neither sends nor hears', async () => {
    const segment = createMemorySegment();
    const [a, b] = [segment.host({ address: '10.0.0.1' }), segment.host({ address: '10.0.0.2' })];
    const small = await ear(b, '10.0.0.2', 7000, { maxDatagram: 4 });
    const audited: string[] = [];
    const sender = await a({ bindAddress: '10.0.0.1', audit: (d) => audited.push(`${d.address}:${d.port} ${d.payload.length}`), onMessage: () => undefined, onError: () => undefined });
    await sender.send('ok', 7000, '10.0.0.2');
    await sender.send('too long', 7000, '10.0.0.2');
    await turn();
    expect(small.got.map((g) => g.split(' ')[1])).toEqual(['ok']);
    expect(small.socket.dropped).toBe(1);
    expect(audited).toEqual(['10.0.0.2:7000 2', '10.0.0.2:7000 8']);
    small.socket.close();
    await sender.send('late', 7000, '10.0.0.2');
    sender.close();
    await sender.send('after close', 7000, '10.0.0.2');
    await turn();
    expect(small.got).toHaveLength(1);
    expect(audited).toHaveLength(3);
    expect(segment.openSockets).toBe(0);
  });
});
