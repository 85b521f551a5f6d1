import dgram from 'node:dgram';

/**
 * A device's listening socket for one multicast protocol: bound to 0.0.0.0:<port> (so the
 * group, broadcasts and unicast to the device's address arrive), the group joined on the
 * device's interface, multicast egress pinned to it. Without a group: a plain listener (a
 * broadcast protocol such as Dahua v1).
 */
export interface MulticastListener {
  send(payload: Buffer | string, port: number, address: string): void;
  close(): Promise<void>;
}

export interface MulticastListenerOptions {
  port: number;
  group?: string;
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
  let closed = false;
  return {
    send(payload, port, address) {
      if (closed) return;
      socket.send(payload, port, address, (err) => {
        if (err) options.onError(err);
      });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
