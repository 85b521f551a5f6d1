import type { Observation } from '../domain/types.ts';

/**
 * What a device says unprompted, decoded (pure; each protocol's announcements.ts): that it is
 * here (`alive`: a WS-Discovery Hello, an SSDP NOTIFY ssdp:alive or ssdp:update, an mDNS
 * response, a SADP ProbeMatch or DHIP notifyDevInfo heard on the group) or leaving (`bye`: a
 * WS-Discovery Bye, an SSDP ssdp:byebye, an mDNS goodbye whose records all have TTL 0). The
 * source is the datagram's, never an address the payload claims; strings are cleaned and
 * bounded by the protocol decoders.
 */
export type AnnouncementProtocol = 'wsd' | 'ssdp' | 'mdns' | 'sadp' | 'dhip';

export interface Announcement {
  kind: 'alive' | 'bye';
  protocol: AnnouncementProtocol;
  /** The datagram's source address (an IPv6 link-local one with its zone removed). */
  ip: string;
  /** The local interface it arrived on. */
  interface: string;
  /** Identifiers the message names (a Bye names little else). */
  identifiers: { epr?: string; udn?: string; hostname?: string; serial?: string; mac?: string };
  /** What it says about the device, as a discovery reply would (alive only). */
  observation?: Observation;
  /** SSDP: where its description is, with what the description cache needs to trust a copy. */
  description?: DescriptionHint;
}

/** An SSDP NOTIFY's LOCATION with BOOTID.UPNP.ORG, CONFIGID.UPNP.ORG and CACHE-CONTROL max-age. */
export interface DescriptionHint {
  location: string;
  bootId?: string;
  configId?: string;
  /** Seconds the announcement is valid (CACHE-CONTROL max-age). */
  maxAgeS?: number;
}

/** Decodes one datagram heard on a protocol's group port: announcements, or why none. */
export type AnnouncementDecoder = (msg: Buffer, from: { ip: string; iface: string }) => AnnouncementResult;

export type AnnouncementResult =
  | { kind: 'announcements'; announcements: Announcement[] }
  /** Not an announcement (a query, another tool's search, a reply to someone else): not counted as invalid. */
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };
