import type { NetInterface } from '../../src/discovery/interfaces.ts';
import type { UdpFactory, UdpSocket } from '../../src/discovery/udp.ts';

/**
 * Devices on an in-memory segment (src/discovery/udp-memory.ts): the agent's interface and a
 * one-socket responder, for unit tests of the discoverers' reply rules without namespaces.
 */

/** The agent's interface on the simulated segment. */
export const ETH0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };

export interface Responder {
  socket: UdpSocket;
  /** Every datagram it received, as text, with its source. */
  heard: Array<{ text: string; from: { address: string; port: number } }>;
}

/**
 * A device's socket bound to 0.0.0.0:`port` (SO_REUSEADDR), joined to `group` when given;
 * `answer` is called with each datagram and a `send` for replies from this socket.
 */
export async function responder(
  udp: UdpFactory,
  host: string,
  options: { port: number; group?: string },
  answer: (text: string, from: { address: string; port: number }, send: (payload: Buffer | string, port: number, address: string) => void) => void,
): Promise<Responder> {
  const heard: Responder['heard'] = [];
  const holder: { socket?: UdpSocket } = {};
  const socket = await udp({
    bindAddress: '0.0.0.0',
    bindPort: options.port,
    reuseAddr: true,
    broadcast: true,
    ...(options.group === undefined ? {} : { memberships: [{ group: options.group, interfaceAddress: host }] }),
    onMessage: (msg, from) => {
      const text = msg.toString('utf8');
      heard.push({ text, from });
      answer(text, from, (payload, port, address) => void holder.socket?.send(payload, port, address));
    },
    onError: (err) => {
      throw err;
    },
  });
  holder.socket = socket;
  return { socket, heard };
}
