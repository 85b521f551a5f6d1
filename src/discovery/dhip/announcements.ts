import type { AnnouncementResult } from '../announcement.ts';
import { decodeDahua, dhipToObservation } from './decode.ts';

/**
 * DHIP notices (pure): a `client.notifyDevInfo` heard on 239.255.255.251:37810. Dahua firmware
 * sends it to the group unprompted on some models (at boot) and in answer to any tool's
 * `DHDiscover.search`: the device saying it is here (`alive`), with the observation a reply
 * to our search gives. Searches and other methods are ignored; the legacy v1 search is a
 * broadcast on another port and never heard here.
 */
export function decodeDhipAnnouncement(buf: Buffer, from: { ip: string; iface: string }): AnnouncementResult {
  const decoded = decodeDahua(buf);
  switch (decoded.kind) {
    case 'invalid':
      return { kind: 'invalid', reason: decoded.reason };
    case 'search':
      return { kind: 'ignored', reason: 'a DHIP search' };
    case 'other':
      return { kind: 'ignored', reason: 'another DHIP method' };
    case 'v1':
      return { kind: 'ignored', reason: 'a Dahua v1 reply' };
    case 'dhip': {
      const observation = dhipToObservation(decoded.info, { ip: from.ip, iface: from.iface });
      const { serial, mac } = decoded.info;
      const identifiers = { ...(serial === undefined ? {} : { serial }), ...(mac === undefined ? {} : { mac }) };
      return { kind: 'announcements', announcements: [{ kind: 'alive', protocol: 'dhip', ip: from.ip, interface: from.iface, identifiers, observation }] };
    }
  }
}
