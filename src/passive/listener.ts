import { errorCode, errorMessage } from '../domain/errors.ts';
import type { AnnouncementDecoder, AnnouncementProtocol } from '../discovery/announcement.ts';
import { decodeDhipAnnouncement } from '../discovery/dhip/announcements.ts';
import { DHIP_GROUP, DHIP_PORT } from '../discovery/dhip/payloads.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import { decodeMdnsAnnouncement } from '../discovery/mdns/announcements.ts';
import { MAX_MDNS_DATAGRAM } from '../discovery/mdns/session.ts';
import { MDNS_GROUP, MDNS_GROUP6, MDNS_PORT } from '../discovery/mdns/payloads.ts';
import { decodeSadpAnnouncement } from '../discovery/sadp/announcements.ts';
import { SADP_GROUP, SADP_PORT } from '../discovery/sadp/payloads.ts';
import { decodeSsdpAnnouncement } from '../discovery/ssdp/announcements.ts';
import { MAX_MESSAGE_BYTES } from '../discovery/ssdp/decode.ts';
import { SSDP_GROUP, SSDP_GROUP6, SSDP_PORT } from '../discovery/ssdp/payloads.ts';
import type { UdpFactory, UdpSocket } from '../discovery/udp.ts';
import { decodeWsdAnnouncement } from '../discovery/wsd/announcements.ts';
import { WSD_LIMITS } from '../discovery/wsd/decode.ts';
import { WSD_GROUP, WSD_GROUP6, WSD_PORT } from '../discovery/wsd/payloads.ts';
import { onSubnet, withoutZone } from '../util/ip.ts';
import type { Logger } from '../util/log.ts';

/**
 * The sockets that hear announcements between sweeps. Per protocol, one IPv4 socket bound to
 * 0.0.0.0:<port> (SO_REUSEADDR, so a sweep's own listeners share the port) joined to the
 * protocol's group on every swept interface, and one IPv6 socket bound to [::]:<port>
 * (IPv6 only) joined to the link-local group on every swept interface that has a link-local
 * address. Nothing is ever sent from them: no send path exists here, and no membership makes
 * the kernel answer anything (IGMP/MLD reports are the kernel's, not datagrams of ours).
 *
 * Each datagram is attributed to the interface whose subnet holds its IPv4 source, or whose
 * zone its IPv6 link-local source carries; anything else (an address on no swept segment, one
 * of our own) is dropped before it is read. What is left goes to `heard` with the protocol's
 * decoder, for the caller's gate to decide whether to decode it.
 */
export interface ListenedProtocol {
  protocol: AnnouncementProtocol;
  port: number;
  group: string;
  group6: string | undefined;
  maxDatagram: number;
  decode: AnnouncementDecoder;
}

export const LISTENED: readonly ListenedProtocol[] = [
  { protocol: 'wsd', port: WSD_PORT, group: WSD_GROUP, group6: WSD_GROUP6, maxDatagram: WSD_LIMITS.maxBytes, decode: decodeWsdAnnouncement },
  { protocol: 'ssdp', port: SSDP_PORT, group: SSDP_GROUP, group6: SSDP_GROUP6, maxDatagram: MAX_MESSAGE_BYTES, decode: decodeSsdpAnnouncement },
  { protocol: 'mdns', port: MDNS_PORT, group: MDNS_GROUP, group6: MDNS_GROUP6, maxDatagram: MAX_MDNS_DATAGRAM, decode: decodeMdnsAnnouncement },
  { protocol: 'sadp', port: SADP_PORT, group: SADP_GROUP, group6: undefined, maxDatagram: 16 * 1024, decode: decodeSadpAnnouncement },
  { protocol: 'dhip', port: DHIP_PORT, group: DHIP_GROUP, group6: undefined, maxDatagram: 16 * 1024, decode: decodeDhipAnnouncement },
];

export interface Heard {
  protocol: ListenedProtocol;
  msg: Buffer;
  /** The source, its zone removed. */
  ip: string;
  iface: string;
}

export interface ListenerOptions {
  interfaces: readonly NetInterface[];
  protocols: readonly AnnouncementProtocol[];
  udp: UdpFactory;
  log: Logger;
  heard(h: Heard): void;
  /** A datagram dropped before reading: its source is on no swept segment, or it is ours. */
  offSegment(protocol: AnnouncementProtocol): void;
}

export interface Listener {
  /** Sockets open (a protocol whose port could not be bound has none: logged). */
  readonly sockets: number;
  close(): void;
}

/** Which swept interface a source belongs to, or undefined. */
export function interfaceOf(interfaces: readonly NetInterface[], source: string): NetInterface | undefined {
  const zone = source.indexOf('%');
  const ip = withoutZone(source);
  if (interfaces.some((i) => i.address === ip || i.ipv6?.address === ip.toLowerCase())) return undefined;
  if (ip.includes(':')) return zone < 0 ? undefined : interfaces.find((i) => i.ipv6 !== undefined && i.name === source.slice(zone + 1));
  return interfaces.find((i) => onSubnet(i, ip));
}

export async function openListener(options: ListenerOptions): Promise<Listener> {
  const log = options.log.child({ module: 'passive' });
  const sockets: UdpSocket[] = [];
  const v6 = options.interfaces.filter((i) => i.ipv6 !== undefined);
  for (const p of LISTENED.filter((x) => options.protocols.includes(x.protocol))) {
    const onMessage = (msg: Buffer, from: { address: string }): void => {
      const iface = interfaceOf(options.interfaces, from.address);
      if (iface === undefined) {
        options.offSegment(p.protocol);
        return;
      }
      options.heard({ protocol: p, msg, ip: withoutZone(from.address), iface: iface.name });
    };
    const onError = (err: Error): void => log.warn({ passive: { protocol: p.protocol }, error: { code: errorCode(err), message: errorMessage(err) } }, 'listening socket error');
    // A group that cannot be joined on one interface (down, or gone since the sweep) costs that
    // interface only: the protocol is still heard on the others.
    const onMembershipError = (m: { group: string; interfaceAddress: string }, err: Error): void =>
      log.warn({ passive: { protocol: p.protocol, group: m.group, interfaceAddress: m.interfaceAddress }, error: { code: errorCode(err), message: errorMessage(err) } }, `cannot join ${m.group} on ${m.interfaceAddress}: not listening for ${p.protocol} there`);
    try {
      sockets.push(
        await options.udp({
          bindAddress: '0.0.0.0',
          bindPort: p.port,
          reuseAddr: true,
          memberships: options.interfaces.map((i) => ({ group: p.group, interfaceAddress: i.address })),
          maxDatagram: p.maxDatagram,
          onMessage,
          onError,
          onMembershipError,
        }),
      );
    } catch (err) {
      log.warn({ passive: { protocol: p.protocol, port: p.port }, error: { code: errorCode(err), message: errorMessage(err) } }, `cannot listen for ${p.protocol} announcements on ${p.group}:${p.port}`);
    }
    if (p.group6 === undefined || v6.length === 0) continue;
    try {
      sockets.push(
        await options.udp({
          family: 6,
          bindAddress: '::',
          bindPort: p.port,
          reuseAddr: true,
          ipv6Only: true,
          memberships: v6.map((i) => ({ group: p.group6!, interfaceAddress: `${i.ipv6!.address}%${i.ipv6!.scopeId}` })),
          maxDatagram: p.maxDatagram,
          onMessage,
          onError,
          onMembershipError,
        }),
      );
    } catch (err) {
      log.warn({ passive: { protocol: p.protocol, port: p.port }, error: { code: errorCode(err), message: errorMessage(err) } }, `cannot listen for ${p.protocol} announcements on [${p.group6}]:${p.port}`);
    }
  }
  return {
    sockets: sockets.length,
    close() {
      for (const s of sockets.splice(0)) s.close();
    },
  };
}
