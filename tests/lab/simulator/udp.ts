import dgram from 'node:dgram';
import os from 'node:os';

/**
 * A device's listening socket for one multicast protocol: bound to 0.0.0.0:<port> (so the
 * group, broadcasts and unicast to the device's address arrive), the group joined on the
 * device's interface, multicast egress pinned to it. Without a group: a plain listener (a
 * broadcast protocol such as Dahua v1).
 */
export interface MulticastListener {
  /** `onError` replaces the listener's own for this datagram (an announcement's best-effort IPv6 copy). */
  send(payload: Buffer | string, port: number, address: string, onError?: (err: Error) => void): void;
  close(): Promise<void>;
}

export interface MulticastListenerOptions {
  port: number;
  group?: string;
  /** IPv6 group also joined (on the interface holding `interfaceAddress`, when it has a link-local address). */
  group6?: string;
  interfaceAddress: string;
  ttl?: number;
  onMessage: (msg: Buffer, from: { address: string; port: number }) => void;
  onError: (err: Error) => void;
}

export async function openMulticastListener(options: MulticastListenerOptions): Promise<MulticastListener> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '0.0.0.0', port: options.port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  if (options.group !== undefined) socket.addMembership(options.group, options.interfaceAddress);
  socket.setMulticastInterface(options.interfaceAddress);
  socket.setMulticastTTL(options.ttl ?? 1);
  socket.setMulticastLoopback(false);
  socket.on('error', options.onError);
  socket.on('message', (msg, rinfo) => {
    try {
      options.onMessage(msg, { address: rinfo.address, port: rinfo.port });
    } catch (err) {
      options.onError(err as Error);
    }
  });
  const socket6 = options.group6 === undefined ? undefined : await openIpv6(options, options.group6);
  let closed = false;
  return {
    send(payload, port, address, onError = options.onError) {
      if (closed) return;
      const via = address.includes(':') ? socket6 : socket;
      via?.send(payload, port, address, (err) => {
        if (err) onError(err);
      });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      const done = (s: dgram.Socket | undefined): Promise<void> => new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
      return Promise.all([done(socket), done(socket6)]).then(() => undefined);
    },
  };
}

/** The name of the interface holding `address`, when it also has an IPv6 link-local address. */
function linkLocalInterface(address: string): string | undefined {
  for (const [name, infos] of Object.entries(os.networkInterfaces())) {
    const list = infos ?? [];
    if (list.some((i) => i.address === address) && list.some((i) => i.family === 'IPv6' && /^fe80:/iu.test(i.address))) return name;
  }
  return undefined;
}

/** The IPv6 side of a listener: [::]:<port>, the group joined on the device's interface. */
async function openIpv6(options: MulticastListenerOptions, group: string): Promise<dgram.Socket | undefined> {
  const name = linkLocalInterface(options.interfaceAddress);
  if (name === undefined) return undefined;
  const socket = dgram.createSocket({ type: 'udp6', reuseAddr: true, ipv6Only: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '::', port: options.port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.addMembership(group, `::%${name}`);
  socket.setMulticastInterface(`::%${name}`);
  socket.setMulticastTTL(options.ttl ?? 1);
  socket.setMulticastLoopback(false);
  socket.on('error', options.onError);
  socket.on('message', (msg, rinfo) => {
    try {
      options.onMessage(msg, { address: rinfo.address, port: rinfo.port });
    } catch (err) {
      options.onError(err as Error);
    }
  });
  return socket;
}
