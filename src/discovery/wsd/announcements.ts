import { errorMessage } from '../../domain/errors.ts';
import { xmlNamespaces } from '../../util/xml.ts';
import type { Announcement, AnnouncementResult } from '../announcement.ts';
import { decodeProbeMatches, probeMatchToObservation } from './decode.ts';

/**
 * WS-Discovery announcements (pure): a Hello (a Target Service joining the network, or whose
 * metadata changed: a new MetadataVersion) is an `alive` with the same observation a
 * ProbeMatch gives; a Bye (leaving) is a `bye` naming its EndpointReference. Probes (other
 * clients searching) and ProbeMatches (answers to someone else's probe, sent by unicast, so
 * rarely heard) are ignored. Everything else that is XML is ignored; what is not is invalid.
 */
export function decodeWsdAnnouncement(msg: Buffer, from: { ip: string; iface: string }): AnnouncementResult {
  const text = msg.toString('utf8');
  let decoded;
  try {
    decoded = decodeProbeMatches(text);
  } catch (err) {
    return { kind: 'invalid', reason: errorMessage(err) };
  }
  if (decoded.kind !== 'Hello' && decoded.kind !== 'Bye') return { kind: 'ignored', reason: `WS-Discovery ${decoded.kind}` };
  if (decoded.matches.length === 0) return { kind: 'invalid', reason: `${decoded.kind} without an EndpointReference` };
  const namespaces = decoded.kind === 'Hello' ? xmlNamespaces(text) : [];
  const announcements: Announcement[] = decoded.matches.map((match) => {
    const base: Announcement = {
      kind: decoded.kind === 'Hello' ? 'alive' : 'bye',
      protocol: 'wsd',
      ip: from.ip,
      interface: from.iface,
      identifiers: match.epr === '' ? {} : { epr: match.epr },
    };
    if (decoded.kind === 'Bye') return base;
    const observation = probeMatchToObservation(match, { ip: from.ip, iface: from.iface }, namespaces);
    return { ...base, observation, ...(observation.mac === undefined ? {} : { identifiers: { ...base.identifiers, mac: observation.mac } }) };
  });
  return { kind: 'announcements', announcements };
}
