import type { Announcement, AnnouncementResult } from '../announcement.ts';
import { decodeMdnsResponse } from './decode.ts';
import { mdnsToObservations } from './observations.ts';

/**
 * mDNS announcements (pure). A responder announces its records unprompted at start-up and
 * whenever they change (RFC 6762 §8.3), and answers other hosts' queries by multicast: either
 * way a response from a host says it is here (`alive`, with the observation a reply to our
 * own query gives). A response whose records all carry TTL 0, an address record among them,
 * is a goodbye (§10.1): a `bye` naming the host name it carries, if any. A response
 * withdrawing some records and keeping others is a change, not a departure; one withdrawing
 * services only (a service unregistered) is ignored: the host stays. Queries (other hosts browsing) are ignored.
 */
export function decodeMdnsAnnouncement(buf: Buffer, from: { ip: string; iface: string }): AnnouncementResult {
  const decoded = decodeMdnsResponse(buf);
  if (decoded.kind === 'invalid') return { kind: 'invalid', reason: decoded.problems.join('; ') || 'not a DNS message' };
  if (decoded.kind !== 'response') return { kind: 'ignored', reason: `an mDNS ${decoded.kind}` };
  const answers = decoded.records.filter((r) => r.section === 'answer');
  if (answers.length === 0) return { kind: 'ignored', reason: 'a response without answers' };
  // Every record withdrawn, the additional ones too: an answer with TTL 0 next to live records
  // (as a real Axis M5014 sends) is a response, not a goodbye.
  const goodbye = decoded.records.every((r) => r.ttl === 0);
  const [observation] = mdnsToObservations(decoded, { ip: from.ip, iface: from.iface });
  const hostname = observation?.identifiers?.hostname;
  const identifiers = {
    ...(hostname === undefined ? {} : { hostname }),
    ...(observation?.mac === undefined ? {} : { mac: observation.mac }),
  };
  if (goodbye) {
    // A host leaving withdraws its address records too (RFC 6762 §10.1): a goodbye of some
    // services only (one unregistered, a responder re-registering them) is the host staying.
    if (!decoded.records.some((r) => (r.type === 'A' || r.type === 'AAAA') && r.ttl === 0)) return { kind: 'ignored', reason: 'a goodbye of services only' };
    return { kind: 'announcements', announcements: [{ kind: 'bye', protocol: 'mdns', ip: from.ip, interface: from.iface, identifiers }] };
  }
  if (observation === undefined) return { kind: 'ignored', reason: 'a response saying nothing of its sender' };
  const announcement: Announcement = { kind: 'alive', protocol: 'mdns', ip: from.ip, interface: from.iface, identifiers, observation };
  return { kind: 'announcements', announcements: [announcement] };
}
