import type { Attribution, PolicyVerdict } from './verdict.ts';

/**
 * Shared domain types. Data flows one way:
 * discovery -> observations -> devices -> (fingerprint -> policy) -> output/report.
 * Everything here is plain data, serialisable as JSON.
 */

/** Where a piece of evidence came from. */
export type Protocol =
  | 'wsd' // ONVIF WS-Discovery ProbeMatch
  | 'onvif' // ONVIF device service (GetSystemDateAndTime, GetDeviceInformation)
  | 'ssdp' // SSDP M-SEARCH response headers
  | 'upnp' // UPnP device description XML (LOCATION)
  | 'mdns' // mDNS / DNS-SD records
  | 'http' // HTTP banner (GET /, its favicon)
  | 'rtsp' // RTSP OPTIONS answer (Server header, realm)
  | 'tls' // the certificate of a TLS handshake (subject, issuer)
  | 'sadp' // Hikvision SADP inquiry reply
  | 'dhip' // Dahua DHIP DHDiscover reply (and Dahua v1 discovery)
  | 'arp' // the host's neighbour table
  | 'mac'; // facts derived from a MAC address (IEEE OUI registrant, locally administered)

export const PROTOCOLS: readonly Protocol[] = ['wsd', 'onvif', 'ssdp', 'upnp', 'mdns', 'http', 'rtsp', 'tls', 'sadp', 'dhip', 'arp', 'mac'];

/**
 * One observed fact. `field` uses the dotted names the fingerprint database reads,
 * e.g. `onvif.manufacturer`, `onvif.scope.name`, `ssdp.server`, `upnp.modelName`,
 * `mdns.txt.macaddress`, `http.realm`, `mac.address`.
 */
export interface Evidence {
  protocol: Protocol;
  field: string;
  value: string;
}

/** Identifiers that stay stable across IP changes. */
export interface Identifiers {
  /** WS-Discovery EndpointReference address (usually urn:uuid:...). */
  epr?: string;
  /** UPnP UDN (uuid:...). */
  udn?: string;
  serial?: string;
  /** mDNS host name (e.g. axis-accc8e123456.local). */
  hostname?: string;
}

/** Things an observation tells the enricher it may contact, all on the replying host. */
export interface Endpoints {
  /** ONVIF device service URLs from XAddrs, as advertised (may name other hosts). */
  xaddrs?: string[];
  /** UPnP description URL from the SSDP LOCATION header, as advertised. */
  location?: string;
  /** TCP ports of HTTP services seen (from SRV records, XAddrs, LOCATION). */
  httpPorts?: number[];
}

/** One reply from one host, decoded: the unit the merger consumes. */
export interface Observation {
  protocol: Protocol;
  /** Source address of the reply (never an address the payload claims). */
  ip: string;
  /** Name of the local interface the reply arrived on, when known. */
  interface?: string;
  /** MAC address (lowercase, colon separated) when the reply itself carries one. */
  mac?: string;
  evidence: Evidence[];
  identifiers?: Identifiers;
  endpoints?: Endpoints;
}

export type DeviceKind =
  | 'camera'
  | 'recorder'
  | 'intercom'
  | 'printer'
  | 'media'
  | 'network'
  | 'computer'
  | 'other';

export type DeviceStatus = 'restricted' | 'review' | 'clear';

/**
 * Everything one host said, merged (src/sweep/merge.ts), before any judgement: its addresses,
 * what it reports about itself and every piece of evidence. It names no maker, brand, kind or
 * status: those are the judge's alone (src/sweep/judge.ts).
 */
export interface MergedDevice {
  ip: string;
  /** Every address this device answered from (ip is the first). */
  addresses: string[];
  mac: string | null;
  /** As the device reports it (the judge may name it more precisely). */
  model: string | null;
  firmware: string | null;
  serial: string | null;
  protocols: Protocol[];
  interfaces: string[];
  identifiers: Identifiers;
  evidence: Evidence[];
}

/** A judged device: who made it, under which label, what it is, and the policy's verdict. */
export interface Device extends MergedDevice {
  manufacturer: string | null;
  brand: string | null;
  kind: DeviceKind;
  status: DeviceStatus;
  confidence: number;
  /** Who made it, under which label, and why we think so (fingerprinting). */
  attribution?: Attribution;
  /** The policy's verdict: status with the reason, pack, rule and source behind it. */
  verdict: PolicyVerdict;
}

/** A recorded problem that did not stop the sweep. `code` is stable; `message` is for humans. */
export interface SweepError {
  code: string;
  message: string;
  protocol?: Protocol;
  interface?: string;
  ip?: string;
}

export interface SweepInterface {
  name: string;
  address: string;
  netmask: string;
  mac: string | null;
}

export interface SweepResult {
  schema: 'camsweep.sweep/v1';
  /** Unique id of this sweep (a UUID), shared by its report, audit record and inventory. */
  id: string;
  startedAt: string;
  finishedAt: string;
  interfaces: SweepInterface[];
  devices: Device[];
  errors: SweepError[];
  /**
   * How the listen window ended: `settled` when the replies were all in before `maxMs` (the
   * adaptive window), `timeout` when it lasted the whole `maxMs`. Optional: absent from sweeps
   * recorded before it existed.
   */
  window?: { reason: 'settled' | 'timeout'; ms: number; maxMs: number };
  /** Who swept: the agent's id and site, as its reports name them (optional: absent from older sweeps). */
  agent?: { id: string; site: string | null };
  /** The camsweep that swept (optional: absent from older sweeps). */
  camsweep?: { version: string };
  /** The policy packs the verdicts were judged by, in order, with their versions (optional). */
  policy?: { packs: Array<{ id: string; version: string }> };
  /** Evidence rows left out of this document (namespace declarations no fingerprint used; `--evidence full` keeps them). */
  evidenceOmitted?: number;
}
