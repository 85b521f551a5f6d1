import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';

/**
 * A device profile: everything one simulated device says on the wire, as data. Strings may
 * hold placeholders ({ip}, {mac12}, ... see template.ts) filled in for the device's address.
 * Profiles live in tests/lab/profiles/<id>.json; `notes` says which values come from a real
 * capture in the corpus and which were made up to complete the device.
 */

const header = z.tuple([z.string(), z.string()]);

/** SOAP envelope house styles seen in real captures (see soap-styles.ts). */
export const soapStyles = ['dahua', 'hikvision', 'gsoap', 'printer', 'windows'] as const;
const soapStyle = z.enum(soapStyles);

const wsdMatch = z.strictObject({
  /** EndpointReference/Address, e.g. urn:uuid:... */
  endpoint: z.string().min(1),
  /**
   * Space-separated QNames, e.g. 'dn:NetworkVideoTransmitter tds:Device'. Omitted: no Types
   * element at all (unbranded cameras; corpus/generic-whitelabel/ws-discovery-ProbeMatches-1.xml),
   * so only a Probe that asks for no type is answered.
   */
  types: z.string().optional(),
  /** Omitted: no Scopes element at all (printers). */
  scopes: z.array(z.string()).optional(),
  xaddrs: z.array(z.string()),
  metadataVersion: z.number().int().nonnegative(),
});

const wsd = z.strictObject({
  style: soapStyle,
  match: wsdMatch,
  /** More ProbeMatch elements in the same message (hostile-two-matches). */
  extraMatches: z.array(wsdMatch).default([]),
  /** 'not-xml' and 'xml-bomb' answer every probe with junk of that kind. */
  reply: z.enum(['normal', 'not-xml', 'xml-bomb']).default('normal'),
  /** Pad Scopes until the datagram is about this many bytes (hostile-60k). */
  padToBytes: z.number().int().min(1).max(65_000).optional(),
  maxDelayMs: z.number().int().min(0).max(5_000).default(300),
});

const deviceInformation = z.strictObject({
  manufacturer: z.string(),
  model: z.string(),
  firmwareVersion: z.string(),
  serialNumber: z.string(),
  hardwareId: z.string(),
});

const onvif = z.strictObject({
  port: z.number().int().min(1).max(65_535).default(80),
  path: z.string().startsWith('/').default('/onvif/device_service'),
  style: soapStyle,
  deviceInformation,
  hostname: z.string().default('IPC'),
  /** Time zone string returned by GetSystemDateAndTime. */
  timeZone: z.string().default('GMT+08:00'),
  /**
   * More namespace declarations on every ONVIF reply envelope, [prefix, URI], after the
   * style's own: gSOAP servers declare their whole namespace table on each reply (TI IPNC
   * firmware declares tnsaxis, corpus/other-ipnc/onvif-GetSystemDateAndTime-1.xml).
   */
  namespaces: z.array(header).default([]),
  /** GetDeviceInformation/GetNetworkInterfaces/GetHostname need a WS-UsernameToken digest. */
  requireAuth: z.boolean().default(false),
  credentials: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  /** HTTP status sent with the NotAuthorized fault. */
  authFailureStatus: z.union([z.literal(400), z.literal(401)]).default(400),
});

const ssdp = z.strictObject({
  /** The UDN without 'uuid:'. */
  uuid: z.string().min(1),
  deviceType: z.string().min(1),
  services: z.array(z.string()).default([]),
  /** Defaults to the UPnP description URL; set to point elsewhere (hostile-foreign-location). */
  location: z.string().optional(),
  server: z.string(),
  maxAge: z.number().int().nonnegative().default(1800),
  /**
   * The full ordered header list of a search response. Values may use {st}, {usn}, {location},
   * {server}, {maxAge} and {date}. Default: CACHE-CONTROL, DATE, EXT, LOCATION, SERVER, ST, USN.
   */
  headers: z.array(header).optional(),
  statusLine: z.string().default('HTTP/1.1 200 OK'),
  lineEnding: z.enum(['crlf', 'lf']).default('crlf'),
});

const upnpDevice = z.strictObject({
  friendlyName: z.string(),
  manufacturer: z.string(),
  manufacturerURL: z.string().optional(),
  modelDescription: z.string().optional(),
  modelName: z.string(),
  modelNumber: z.string().optional(),
  modelURL: z.string().optional(),
  serialNumber: z.string().optional(),
  presentationURL: z.string().optional(),
});

const upnp = z.strictObject({
  port: z.number().int().min(1).max(65_535),
  path: z.string().startsWith('/'),
  /** A raw document (templated; {udn} and {deviceType} available); else built from `device`. */
  xml: z.string().optional(),
  device: upnpDevice.optional(),
  headers: z.array(header).default([]),
  /** Stream an endless body instead (hostile-endless-http). */
  endless: z.boolean().default(false),
});

const mdnsService = z.strictObject({
  /** e.g. '_axis-video._tcp' (without '.local'). */
  type: z.string().regex(/^_[A-Za-z0-9-]+\._(tcp|udp)$/u),
  instance: z.string().min(1).max(63),
  port: z.number().int().min(0).max(65_535),
  /** TXT strings exactly as sent (key=value, or anything else). */
  txt: z.array(z.string()).default([]),
});

const mdns = z.strictObject({
  /** Host name without '.local'. */
  hostname: z.string().min(1),
  services: z.array(mdnsService).min(1),
});

const httpRoute = z.strictObject({
  port: z.number().int().min(1).max(65_535).default(80),
  method: z.string().default('GET'),
  path: z.string().startsWith('/'),
  httpVersion: z.enum(['1.0', '1.1']).default('1.1'),
  status: z.number().int().min(100).max(599),
  reason: z.string(),
  /** Sent in this order, names as written; Content-Length and Connection are added when absent. */
  headers: z.array(header).default([]),
  body: z.string().default(''),
  /** Stream an endless body (hostile-endless-http). */
  endless: z.boolean().default(false),
});

const http = z.strictObject({
  /** Server header for generated responses (ONVIF, UPnP description, 404). */
  server: z.string().optional(),
  routes: z.array(httpRoute).default([]),
});

const replyTo = z.enum(['group', 'sender', 'both']);

const sadp = z.strictObject({
  /** ProbeMatch elements after Uuid and Types, in order, exactly as sent: [tag, text]. */
  fields: z.array(header).min(1),
  /** Where a reply goes: the group 239.255.255.250:37020 (what devices do), the sender, or both. */
  replyTo: replyTo.default('group'),
  maxDelayMs: z.number().int().min(0).max(5_000).default(200),
});

const dahuaV1 = z.strictObject({
  /** The `Name:` line. */
  name: z.string().default('Dahua'),
  /** Model: the 16-byte binary field, section 2 and the `Device:` line. */
  device: z.string().min(1),
  serial: z.string(),
  /** The `IPv6Addr:` line as sent, e.g. 'fe80::1/64;gateway:fe80::'. */
  ipv6: z.string().default(''),
  mask: z.string().default('255.255.255.0'),
  gateway: z.string().default('0.0.0.0'),
});

const dhip = z.strictObject({
  /** params.deviceInfo of client.notifyDevInfo (the device's JSON writer sorts the keys). */
  deviceInfo: z.record(z.string(), z.json()),
  /** The top-level "mac" (default: the device's MAC). */
  mac: z.string().optional(),
  /** Where a DHIP reply goes: the sender, the group 239.255.255.251:37810, or both. */
  replyTo: replyTo.default('sender'),
  maxDelayMs: z.number().int().min(0).max(5_000).default(200),
  /** The legacy v1 search on UDP 5050 (answered to the sender); omitted: not answered. */
  v1: dahuaV1.optional(),
});

const rtsp = z.strictObject({
  port: z.number().int().min(1).max(65_535).default(554),
  status: z.number().int().min(100).max(599).default(200),
  reason: z.string().default('OK'),
  /** Response headers after CSeq (which echoes the request's), in order, exactly as sent. */
  headers: z.array(header).default([]),
});

const tlsProfile = z.strictObject({
  port: z.number().int().min(1).max(65_535).default(443),
  /** The self-signed certificate's subject, as openssl -subj takes it: /C=CN/O=.../CN=... */
  subject: z.string().regex(/^(?:\/[A-Za-z]{1,20}=[^/]{1,64}){1,8}$/u),
});

/**
 * What the device says unprompted. Real devices announce themselves when they start and say
 * goodbye when they stop: WS-Discovery Hello/Bye (2005/04 §4.1-4.2), SSDP NOTIFY alive/byebye
 * (UDA 1.1 §1.2), mDNS announcements and goodbyes (RFC 6762 §8.3, §10.1); some Hikvision and
 * Dahua firmware also multicasts its SADP ProbeMatch or DHIP notifyDevInfo at boot.
 */
const announce = z.strictObject({
  /** Each protocol the profile speaks announces (and says goodbye), unless set false; SADP and DHIP only when set true. */
  wsd: z.boolean().default(true),
  ssdp: z.boolean().default(true),
  mdns: z.boolean().default(true),
  sadp: z.boolean().default(false),
  dhip: z.boolean().default(false),
  /** Say goodbye on stop. */
  goodbye: z.boolean().default(true),
  /** Start-up announcements sent this many times, one second apart (RFC 6762 §8.3: at least two; UDA: more than once). */
  repeats: z.number().int().min(1).max(5).default(2),
  /** Milliseconds after start before the first (boot time). */
  delayMs: z.number().int().min(0).max(60_000).default(0),
  /** SSDP NOTIFY ssdp:alive again every this many seconds (UDA: within half of max-age); 0: at start only. */
  ssdpIntervalS: z.number().min(0).max(3600).default(0),
  /** CONFIGID.UPNP.ORG of the device's description. */
  configId: z.number().int().min(0).max(16_777_215).default(1),
});

export const profileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/u),
  description: z.string(),
  /** Provenance of the values: corpus file, or 'made up'. */
  notes: z.array(z.string()).default([]),
  wsd: wsd.optional(),
  onvif: onvif.optional(),
  ssdp: ssdp.optional(),
  upnp: upnp.optional(),
  mdns: mdns.optional(),
  http: http.optional(),
  sadp: sadp.optional(),
  dhip: dhip.optional(),
  rtsp: rtsp.optional(),
  tls: tlsProfile.optional(),
  announce: announce.prefault({}),
});

/** A profile as written in a JSON file (defaults may be omitted). */
export type DeviceProfile = z.input<typeof profileSchema>;
/** A validated profile with defaults filled in. */
export type Profile = z.output<typeof profileSchema>;
export type WsdProfile = z.output<typeof wsd>;
export type WsdMatch = z.output<typeof wsdMatch>;
export type OnvifProfile = z.output<typeof onvif>;
export type SsdpProfile = z.output<typeof ssdp>;
export type UpnpProfile = z.output<typeof upnp>;
export type MdnsProfile = z.output<typeof mdns>;
export type HttpRoute = z.output<typeof httpRoute>;
export type HttpProfile = z.output<typeof http>;
export type SadpProfile = z.output<typeof sadp>;
export type DhipProfile = z.output<typeof dhip>;
export type DahuaV1Profile = z.output<typeof dahuaV1>;
export type RtspProfile = z.output<typeof rtsp>;
export type TlsProfile = z.output<typeof tlsProfile>;
export type AnnounceProfile = z.output<typeof announce>;
export type SoapStyle = (typeof soapStyles)[number];

export const PROFILES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'profiles');

/** Validates a profile object; throws one error listing every problem. */
export function parseProfile(value: unknown, source = 'profile'): Profile {
  const result = profileSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`invalid device profile (${source}):\n${z.prettifyError(result.error)}`);
  }
  const profile = result.data;
  if (profile.onvif?.requireAuth === true && profile.onvif.credentials === undefined) {
    throw new Error(`invalid device profile (${source}): onvif.requireAuth needs onvif.credentials`);
  }
  const u = profile.upnp;
  if (u !== undefined && !u.endless && u.xml === undefined && u.device === undefined) {
    throw new Error(`invalid device profile (${source}): upnp needs xml, device or endless`);
  }
  if (profile.ssdp !== undefined && profile.upnp === undefined && profile.ssdp.location === undefined) {
    throw new Error(`invalid device profile (${source}): ssdp needs upnp or ssdp.location`);
  }
  return profile;
}

/** The path of a named profile, or the argument itself when it looks like a path. */
export function profilePath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return nameOrPath;
  return path.join(PROFILES_DIR, `${nameOrPath}.json`);
}

/** Reads and validates a profile file (unfilled: placeholders are still in the strings). */
export function loadProfileFile(nameOrPath: string): Profile {
  const file = profilePath(nameOrPath);
  return parseProfile(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
}
