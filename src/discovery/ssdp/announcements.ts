import { errorMessage } from '../../domain/errors.ts';
import type { Announcement, AnnouncementResult, DescriptionHint } from '../announcement.ts';
import { parseSsdpMessage, ssdpHeader, ssdpToObservation, udnFromUsn, type SsdpMessage } from './decode.ts';

/**
 * SSDP announcements (pure): a `NOTIFY * HTTP/1.1` with NTS `ssdp:alive` (sent at boot, then
 * every half max-age or so for the root device, its UUID, its type and each service) or
 * `ssdp:update` (UPnP 1.1: the device will change BOOTID) is an `alive` with the observation a
 * search reply gives, plus a description hint (LOCATION, BOOTID.UPNP.ORG, CONFIGID.UPNP.ORG,
 * CACHE-CONTROL max-age) for the description cache; `ssdp:byebye` is a `bye` naming the UDN of
 * its USN. M-SEARCH requests (other control points) and replies are ignored.
 */

/** Longest max-age believed: a day (UDA 1.1 asks for at least 1800 s). */
export const MAX_AGE_CAP_S = 86_400;

/** CACHE-CONTROL's max-age in seconds, within 1 s to a day, or undefined. */
export function maxAgeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /max-age\s*=\s*"?(\d{1,9})/iu.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 ? Math.min(n, MAX_AGE_CAP_S) : undefined;
}

function hint(msg: SsdpMessage, nts: string): DescriptionHint | undefined {
  const location = ssdpHeader(msg, 'location');
  if (location === undefined) return undefined;
  // ssdp:update announces the BOOTID it is moving to.
  const bootId = nts === 'ssdp:update' ? ssdpHeader(msg, 'nextbootid.upnp.org') : ssdpHeader(msg, 'bootid.upnp.org');
  const configId = ssdpHeader(msg, 'configid.upnp.org');
  const maxAgeS = maxAgeOf(ssdpHeader(msg, 'cache-control'));
  return {
    location,
    ...(bootId === undefined ? {} : { bootId }),
    ...(configId === undefined ? {} : { configId }),
    ...(maxAgeS === undefined ? {} : { maxAgeS }),
  };
}

export function decodeSsdpAnnouncement(buf: Buffer, from: { ip: string; iface: string }): AnnouncementResult {
  if (/^M\s*-\s*SEARCH\b/iu.test(buf.subarray(0, 16).toString('latin1'))) return { kind: 'ignored', reason: 'an M-SEARCH' };
  let msg: SsdpMessage;
  try {
    msg = parseSsdpMessage(buf);
  } catch (err) {
    return { kind: 'invalid', reason: errorMessage(err) };
  }
  if (msg.kind !== 'notify') return { kind: 'ignored', reason: 'a search reply' };
  const nts = (ssdpHeader(msg, 'nts') ?? '').toLowerCase();
  const usn = ssdpHeader(msg, 'usn');
  const udn = usn === undefined ? undefined : udnFromUsn(usn);
  const identifiers = udn === undefined ? {} : { udn };
  if (nts === 'ssdp:byebye') {
    return { kind: 'announcements', announcements: [{ kind: 'bye', protocol: 'ssdp', ip: from.ip, interface: from.iface, identifiers }] };
  }
  if (nts !== 'ssdp:alive' && nts !== 'ssdp:update') return { kind: 'invalid', reason: nts === '' ? 'NOTIFY without NTS' : 'NOTIFY with an unknown NTS' };
  const description = hint(msg, nts);
  const announcement: Announcement = {
    kind: 'alive',
    protocol: 'ssdp',
    ip: from.ip,
    interface: from.iface,
    identifiers,
    observation: ssdpToObservation(msg, { ip: from.ip, iface: from.iface }),
    ...(description === undefined ? {} : { description }),
  };
  return { kind: 'announcements', announcements: [announcement] };
}
