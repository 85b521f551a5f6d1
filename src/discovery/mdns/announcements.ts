import type { Announcement, AnnouncementResult } from '../announcement.ts';
import { decodeMdnsResponse } from './decode.ts';
import { mdnsToObservations } from './observations.ts';

/**
 * mDNS announcements (pure). A responder announces its records unprompted at start-up and
 * whenever they change (RFC 6762 §8.3), and answers other hosts' queries by multicast: either
 * way a response from a host says it is here (`alive`, with the observation a reply to our
 * own query gives). A response whose answers all carry TTL 0 is a goodbye (§10.1): a `bye`
 * naming the host name it carries, if any. A response withdrawing some records and keeping
 * others is a change, not a departure. Queries (other hosts browsing) are ignored.
 */
export function decodeMdnsAnnouncement(buf: Buffer, from: { ip: string; iface: string }): AnnouncementResult {
  const decoded = decodeMdnsResponse(buf);
  if (decoded.kind === 'invalid') return { kind: 'invalid', reason: decoded.problems.join('; ') || 'not a DNS message' };
  if (decoded.kind !== 'response') return { kind: 'ignored', reason: `an mDNS ${decoded.kind}` };
  const answers = decoded.records.filter((r) => r.section === 'answer');
  if (answers.length === 0) return { kind: 'ignored', reason: 'a response without answers' };
  const goodbye = answers.every((r) => r.ttl === 0);
  const [observation] = mdnsToObservations(decoded, { ip: from.ip, iface: from.iface });
  const hostname = observation?.identifiers?.hostname;
  const identifiers = {
    ...(hostname === undefined ? {} : { hostname }),
    ...(observation?.mac === undefined ? {} : { mac: observation.mac }),
  };
  if (goodbye) {
    return { kind: 'announcements', announcements: [{ kind: 'bye', protocol: 'mdns', ip: from.ip, interface: from.iface, identifiers }] };
  }
  if (observation === undefined) return { kind: 'ignored', reason: 'a response saying nothing of its sender' };
  const announcement: Announcement = { kind: 'alive', protocol: 'mdns', ip: from.ip, interface: from.iface, identifiers, observation };
  return { kind: 'announcements', announcements: [announcement] };
}
