import dgram from 'node:dgram';
import type { DatagramAudit } from '../domain/audit.ts';

/**
 * A UDP socket for one protocol on one interface. Bound to the interface's own address (so
 * replies are attributed to that interface and probes leave through it), with multicast
 * egress pinned to the interface. Datagrams over `maxDatagram` bytes are dropped and counted.
 */
export interface UdpSocketOptions {
  /** 6 for a udp6 socket (bind to `fe80::...%eth0`, multicast interface `::%eth0`). Default 4. */
  family?: 4 | 6;
  /** Local address to bind ('0.0.0.0' to receive multicast sent to a group). */
  bindAddress: string;
  /** 0 for an ephemeral port. */
  bindPort?: number;
  reuseAddr?: boolean;
  /**
   * A udp6 socket that takes IPv6 only (IPV6_V6ONLY): without it a socket bound to `::`
   * also receives the port's IPv4 datagrams, as v4-mapped addresses.
   */
  ipv6Only?: boolean;
  /** Interface address for multicast egress. */
  multicastInterface?: string;
  multicastTtl?: number;
  /** Groups to join, each on the given interface address. */
  memberships?: Array<{ group: string; interfaceAddress: string }>;
  /**
   * Told of a group that could not be joined on one interface (an interface down or gone):
   * with it, the socket keeps the memberships that worked and fails only when none did;
   * without it, any failed join fails the socket.
   */
  onMembershipError?: (membership: { group: string; interfaceAddress: string }, err: Error) => void;
  broadcast?: boolean;
  maxDatagram?: number;
  /** SO_RCVBUF asked for (default RECV_BUFFER_BYTES); the kernel caps it at net.core.rmem_max. */
  recvBufferBytes?: number;
  /** Told about every datagram sent (the sweep's audit record). */
  audit?: DatagramAudit | undefined;
  onMessage: (msg: Buffer, from: { address: string; port: number }) => void;
  onError: (err: Error) => void;
}

export interface UdpSocket {
  send(payload: Buffer | string, port: number, address: string): Promise<void>;
  close(): void;
  readonly port: number;
  /** Datagrams dropped for size. */
  readonly dropped: number;
  /** The receive buffer the kernel granted (bytes, as getsockopt reports it: twice the request on Linux). */
  readonly recvBufferBytes: number;
}

/**
 * A thousand devices answering a multicast search within MX seconds arrive faster than one
 * event-loop turn drains them: with Linux's default 208 KB buffer the bench lost ~15 % of the
 * replies of 1,000 devices to RcvbufErrors (the repeats recovered them). 1 MiB holds a burst of
 * ~2,000 typical replies. The kernel caps it at net.core.rmem_max (208 KB on many hosts:
 * docs/deploy.md says when to raise it).
 */
export const RECV_BUFFER_BYTES = 1024 * 1024;

/**
 * Opens a socket: what discovery gets in its context (`DiscoveryContext.udp`), so the same
 * protocol code runs on the host's sockets (openUdpSocket) or on a simulated segment in unit
 * tests (udp-memory.ts).
 */
export type UdpFactory = (options: UdpSocketOptions) => Promise<UdpSocket>;

/** The host's own sockets (node:dgram). */
export async function openUdpSocket(options: UdpSocketOptions): Promise<UdpSocket> {
  const socket = dgram.createSocket({
    type: options.family === 6 ? 'udp6' : 'udp4',
    reuseAddr: options.reuseAddr ?? false,
    ...(options.family === 6 && options.ipv6Only === true ? { ipv6Only: true } : {}),
  });
  const maxDatagram = options.maxDatagram ?? 65_535;
  let dropped = 0;
  let closed = false;

  await new Promise<void>((resolve, reject) => {
    const onBindError = (err: Error): void => reject(err);
    socket.once('error', onBindError);
    socket.bind({ address: options.bindAddress, port: options.bindPort ?? 0, exclusive: !options.reuseAddr }, () => {
      socket.off('error', onBindError);
      resolve();
    });
  });

  socket.on('error', (err) => options.onError(err));
  socket.on('message', (msg, rinfo) => {
    if (msg.length > maxDatagram) {
      dropped += 1;
      return;
    }
    try {
      options.onMessage(msg, { address: rinfo.address, port: rinfo.port });
    } catch (err) {
      options.onError(err as Error);
    }
  });

  try {
    if (options.multicastInterface) socket.setMulticastInterface(options.multicastInterface);
    socket.setMulticastTTL(options.multicastTtl ?? 1);
    socket.setMulticastLoopback(false);
    if (options.broadcast) socket.setBroadcast(true);
    joinGroups(options, (m) => socket.addMembership(m.group, m.interfaceAddress));
  } catch (err) {
    socket.close();
    throw err;
  }
  try {
    socket.setRecvBufferSize(options.recvBufferBytes ?? RECV_BUFFER_BYTES);
  } catch {
    // Refused (never on Linux, which caps instead): the default buffer still works, only smaller.
  }

  return {
    get port() {
      return socket.address().port;
    },
    get dropped() {
      return dropped;
    },
    get recvBufferBytes() {
      try {
        return socket.getRecvBufferSize();
      } catch {
        return 0;
      }
    },
    send(payload, port, address) {
      return new Promise((resolve, reject) => {
        if (closed) {
          resolve();
          return;
        }
        socket.send(payload, port, address, (err) => {
          if (err) {
            reject(err);
            return;
          }
          options.audit?.({ address, port, payload: typeof payload === 'string' ? Buffer.from(payload) : payload });
          resolve();
        });
      });
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        socket.close();
      } catch {
        // already closed by an error: nothing left to release
      }
    },
  };
}

/** Bind and multicast-egress addresses of a udp6 socket on an interface's link-local address. */
export function linkLocalSocket(ipv6: { address: string; scopeId: string }): { bindAddress: string; multicastInterface: string } {
  return { bindAddress: `${ipv6.address}%${ipv6.scopeId}`, multicastInterface: `::%${ipv6.scopeId}` };
}

/**
 * Joins each of `options.memberships` with `join`: a failure fails the whole unless the caller
 * takes failures one by one (`onMembershipError`), in which case only every join failing does.
 * Shared by the host's sockets and the in-memory segment's.
 */
export function joinGroups(options: Pick<UdpSocketOptions, 'memberships' | 'onMembershipError'>, join: (m: { group: string; interfaceAddress: string }) => void): void {
  const memberships = options.memberships ?? [];
  let last: unknown;
  let joined = 0;
  for (const m of memberships) {
    try {
      join(m);
      joined += 1;
    } catch (err) {
      if (options.onMembershipError === undefined) throw err;
      options.onMembershipError(m, err as Error);
      last = err;
    }
  }
  if (memberships.length > 0 && joined === 0) throw last;
}
