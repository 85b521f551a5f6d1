import { isIPv4, isIPv6 } from 'node:net';
import { withoutZone } from '../util/ip.ts';
import { joinGroups, type UdpFactory, type UdpSocket, type UdpSocketOptions } from './udp.ts';

/**
 * An in-memory Ethernet segment for the UDP factory (after matter.js's simulated network):
 * hosts with an IPv4 address (and optionally an IPv6 link-local one) open sockets through
 * their own factory, and datagrams go between them as the kernel would hand them over, one
 * event-loop turn later:
 *
 * - unicast to the socket bound to the destination port, on the destination address or the
 *   wildcard (the exact address first, then the socket bound last, as Linux does without
 *   SO_REUSEPORT);
 * - multicast (224.0.0.0/4, ff00::/8) to every socket of every other host bound to that port
 *   (wildcard or the group address) on a host that joined the group: membership is per host,
 *   as the kernel hands a group's datagrams to every listener of the port. Never back to the
 *   sender's own host (our sockets turn multicast loopback off);
 * - broadcast (255.255.255.255 or the subnet's broadcast address), only from a socket with
 *   `broadcast` set (else EACCES), to every other host's wildcard-bound sockets on that port.
 *
 * The source of a datagram is the sending socket's bound address, or the host's address for a
 * wildcard socket. Binding checks what Linux checks: the address is the host's own or the
 * wildcard, and a port is shared only by sockets that all set SO_REUSEADDR (EADDRINUSE
 * otherwise). Datagrams over a socket's `maxDatagram` are dropped and counted, as openUdpSocket
 * does. Nothing here touches a real network: discoverers, responders and reply rules run
 * together in a unit test without namespaces.
 */

export interface MemoryHostOptions {
  /** IPv4 address on the segment. */
  address: string;
  /** Prefix length of the segment (default 24): sets the subnet broadcast address. */
  prefix?: number;
  /** IPv6 link-local address and its zone (interface name), for udp6 sockets. */
  ipv6?: { address: string; scopeId: string };
}

export interface MemoryDatagram {
  from: { address: string; port: number };
  to: { address: string; port: number };
  payload: Buffer;
}

export interface MemorySegment {
  /** A host on the segment; its factory opens sockets bound on that host. */
  host(options: MemoryHostOptions): UdpFactory;
  /** Every datagram sent on the segment, in order (delivered or not). */
  readonly sent: readonly MemoryDatagram[];
  /** Sockets still open, on every host. */
  readonly openSockets: number;
}

interface MemorySocket {
  host: Host;
  family: 4 | 6;
  /** '0.0.0.0' / '::' for the wildcard. */
  address: string;
  port: number;
  reuse: boolean;
  broadcast: boolean;
  maxDatagram: number;
  closed: boolean;
  dropped: number;
  order: number;
  options: UdpSocketOptions;
}

interface Host {
  options: MemoryHostOptions;
  sockets: MemorySocket[];
  groups: Set<string>;
  nextPort: number;
}

const WILDCARD4 = '0.0.0.0';
const WILDCARD6 = '::';

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(`${message} ${code}`), { code });
}

function isMulticast(address: string): boolean {
  if (isIPv6(address)) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

function broadcastOf(host: MemoryHostOptions): string {
  const prefix = host.prefix ?? 24;
  const parts = host.address.split('.').map(Number);
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const b = (n | (prefix === 32 ? 0 : 2 ** (32 - prefix) - 1)) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
}

interface SegmentState {
  hosts: Host[];
  sent: MemoryDatagram[];
  order: number;
}

export function createMemorySegment(): MemorySegment {
  const state: SegmentState = { hosts: [], sent: [], order: 0 };
  return {
    host(options) {
      if (!isIPv4(options.address)) throw new Error(`not an IPv4 address: ${options.address}`);
      if (state.hosts.some((h) => h.options.address === options.address)) throw new Error(`${options.address} is on the segment already`);
      const host: Host = { options, sockets: [], groups: new Set(), nextPort: 49152 };
      state.hosts.push(host);
      return (socketOptions) => {
        try {
          return Promise.resolve(bind(state, host, socketOptions));
        } catch (err) {
          return Promise.reject(err as Error);
        }
      };
    },
    get sent() {
      return state.sent;
    },
    get openSockets() {
      return state.hosts.reduce((n, h) => n + h.sockets.length, 0);
    },
  };
}

const ownAddress = (host: Host, family: 4 | 6): string | undefined => (family === 4 ? host.options.address : host.options.ipv6?.address);

/** A socket on `host`, bound as Linux would bind it (or an error with the errno Linux gives). */
function bind(state: SegmentState, host: Host, options: UdpSocketOptions): UdpSocket {
  const family = options.family ?? 4;
  const wildcard = family === 4 ? WILDCARD4 : WILDCARD6;
  const bound = withoutZone(options.bindAddress).toLowerCase();
  if (bound !== wildcard && bound !== ownAddress(host, family)?.toLowerCase() && !(isMulticast(bound) && family === 4)) {
    throw systemError('EADDRNOTAVAIL', `bind ${options.bindAddress}`);
  }
  if (family === 4 && !isIPv4(bound)) throw systemError('EINVAL', `bind ${options.bindAddress}`);
  const reuse = options.reuseAddr ?? false;
  const port = options.bindPort === undefined || options.bindPort === 0 ? ephemeralPort(host, family) : options.bindPort;
  const clash = host.sockets.find(
    (s) => !s.closed && s.family === family && s.port === port && (s.address === wildcard || bound === wildcard || s.address === bound) && !(s.reuse && reuse),
  );
  if (clash !== undefined) throw systemError('EADDRINUSE', `bind ${options.bindAddress}:${port}`);
  joinGroups(options, (m) => {
    const on = withoutZone(m.interfaceAddress).toLowerCase();
    if (on !== host.options.address && on !== host.options.ipv6?.address.toLowerCase()) throw systemError('EADDRNOTAVAIL', `addMembership ${m.group} on ${m.interfaceAddress}`);
    host.groups.add(m.group.toLowerCase());
  });
  const socket: MemorySocket = {
    host,
    family,
    address: bound,
    port,
    reuse,
    broadcast: options.broadcast ?? false,
    maxDatagram: options.maxDatagram ?? 65_535,
    closed: false,
    dropped: 0,
    order: (state.order += 1),
    options,
  };
  host.sockets.push(socket);
  const requested = options.recvBufferBytes ?? 1024 * 1024;
  return {
    get port() {
      return socket.port;
    },
    get dropped() {
      return socket.dropped;
    },
    get recvBufferBytes() {
      return socket.closed ? 0 : 2 * requested;
    },
    send: (payload, toPort, toAddress) => send(state, socket, typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload), toPort, toAddress),
    close() {
      if (socket.closed) return;
      socket.closed = true;
      host.sockets = host.sockets.filter((s) => s !== socket);
    },
  };
}

function ephemeralPort(host: Host, family: 4 | 6): number {
  let port: number;
  do {
    port = host.nextPort;
    host.nextPort += 1;
  } while (host.sockets.some((s) => !s.closed && s.family === family && s.port === port));
  return port;
}

function send(state: SegmentState, socket: MemorySocket, payload: Buffer, toPort: number, toAddress: string): Promise<void> {
  if (socket.closed) return Promise.resolve();
  const { family, host } = socket;
  const wildcard = family === 4 ? WILDCARD4 : WILDCARD6;
  const bare = withoutZone(toAddress).toLowerCase();
  if (family === 4 && !isIPv4(bare)) return Promise.reject(systemError('EINVAL', `send ${toAddress}`));
  if (family === 4 && !socket.broadcast && (bare === '255.255.255.255' || bare === broadcastOf(host.options))) {
    return Promise.reject(systemError('EACCES', `send ${toAddress}:${toPort}`));
  }
  const from = { address: socket.address === wildcard ? (ownAddress(host, family) ?? wildcard) : socket.address, port: socket.port };
  state.sent.push({ from, to: { address: toAddress, port: toPort }, payload });
  socket.options.audit?.({ address: toAddress, port: toPort, payload });
  for (const r of receivers(state.hosts, socket, bare, toPort)) deliver(r, payload, from);
  return Promise.resolve();
}

/** Who gets a datagram sent to `address` (zone removed, lower case) and `port`. */
function receivers(hosts: readonly Host[], sender: MemorySocket, address: string, port: number): MemorySocket[] {
  const { family } = sender;
  const wildcard = family === 4 ? WILDCARD4 : WILDCARD6;
  const open = (h: Host): MemorySocket[] => h.sockets.filter((s) => !s.closed && s.family === family && s.port === port);
  if (isMulticast(address)) {
    return hosts.filter((h) => h !== sender.host && h.groups.has(address)).flatMap((h) => open(h).filter((s) => s.address === wildcard || s.address === address));
  }
  if (family === 4 && (address === '255.255.255.255' || address === broadcastOf(sender.host.options))) {
    return hosts.filter((h) => h !== sender.host).flatMap((h) => open(h).filter((s) => s.address === wildcard));
  }
  const target = hosts.find((h) => ownAddress(h, family)?.toLowerCase() === address);
  if (target === undefined) return [];
  // The socket bound to the address itself before a wildcard one, then the one bound last.
  const candidates = open(target).filter((s) => s.address === wildcard || s.address.toLowerCase() === address);
  candidates.sort((a, b) => Number(b.address !== wildcard) - Number(a.address !== wildcard) || b.order - a.order);
  return candidates.slice(0, 1);
}

/** Hands the datagram over one event-loop turn later, as a socket would. */
function deliver(to: MemorySocket, payload: Buffer, source: { address: string; port: number }): void {
  // Node names an IPv6 link-local source with the zone of the interface it arrived on.
  const scope = to.family === 6 ? to.host.options.ipv6?.scopeId : undefined;
  const from = scope === undefined ? source : { address: `${source.address}%${scope}`, port: source.port };
  setImmediate(() => {
    if (to.closed) return;
    if (payload.length > to.maxDatagram) {
      to.dropped += 1;
      return;
    }
    try {
      to.options.onMessage(Buffer.from(payload), { ...from });
    } catch (err) {
      to.options.onError(err as Error);
    }
  });
}
