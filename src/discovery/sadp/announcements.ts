import type { AnnouncementResult } from '../announcement.ts';
import { decodeSadp, sadpToObservation } from './decode.ts';

/**
 * SADP notices (pure): a ProbeMatch heard on 239.255.255.250:37020 that answers no inquiry of
 * ours. Hikvision firmware sends its ProbeMatch to the group, where every SADP listener hears
 * it: unprompted on some firmware (at boot, after an address change), and in answer to any
 * SADP tool's inquiry. Either way it is the device saying it is here (`alive`), with the
 * observation a reply to our inquiry gives. Inquiries (other tools searching) are ignored.
 */
export function decodeSadpAnnouncement(buf: Buffer, from: { ip: string; iface: string }): AnnouncementResult {
  const decoded = decodeSadp(buf);
  if (decoded.kind === 'probe') return { kind: 'ignored', reason: 'a SADP inquiry' };
  if (decoded.kind === 'invalid') return { kind: 'invalid', reason: decoded.reason };
  const observation = sadpToObservation(decoded.match, { ip: from.ip, iface: from.iface });
  const { serial, mac } = decoded.match;
  const identifiers = { ...(serial === undefined ? {} : { serial }), ...(mac === undefined ? {} : { mac }) };
  return { kind: 'announcements', announcements: [{ kind: 'alive', protocol: 'sadp', ip: from.ip, interface: from.iface, identifiers, observation }] };
}
