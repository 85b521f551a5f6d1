import type { DeviceKind, DeviceStatus } from '../../src/domain/types.ts';

/**
 * The corpus manifest's vocabulary: one Entry per file in ../shared/corpus (INDEX.md lists
 * them all), each with the project's own fixture, the real parser that reads it, and the
 * verdict the corpus facts call for. Expectations come from INDEX.md, never from our output.
 */

/** The ONVIF device-service operations camsweep sends (src/enrich/onvif.ts). */
export type OnvifOperation = 'GetSystemDateAndTime' | 'GetDeviceInformation';

/**
 * How a capture becomes observations. Every reader ends in the real decoders and enrichers;
 * the `*-converted` and text readers first rebuild the bytes the device would send from a
 * capture the source parsed or summarised (tests/corpus/convert/*, each tested).
 */
export type Reader =
  /** A WS-Discovery ProbeMatches or Hello datagram: decodeProbeMatches + probeMatchToObservation. */
  | { kind: 'wsd' }
  /** Device `device` of vicmaeg/onvif-discovery's Scopes JSON, as a ProbeMatch carrying those scopes. */
  | { kind: 'wsd-scopes-json'; device: number }
  /** Line `line` (0-based, among the XAddr lines) of ZoneMinder zmonvif-probe output. */
  | { kind: 'wsd-zmonvif'; line: number }
  /** The replies of host `host` in nmap broadcast-wsdd-discover output. */
  | { kind: 'wsd-nmap'; host: string }
  /**
   * A SOAP reply served by a fake device service as its answer to `answers` (status 200 unless
   * given), through the real enrichOnvif. Captures of operations camsweep does not send stand
   * in for its GetSystemDateAndTime reply: camsweep keeps only their namespace declarations.
   */
  | { kind: 'onvif'; answers: OnvifOperation; status?: number }
  /** An ONVIF HTTP 401 body quoted as an Elixir string (evercam-server#10), for `answers`. */
  | { kind: 'onvif-401-quoted'; answers: OnvifOperation }
  /**
   * A parsed GetDeviceInformation (python-onvif dict, EdgeX YAML) or the same device-info
   * record from another channel (GB28181 Catalog item, Reolink HTTP API), rebuilt as a
   * GetDeviceInformationResponse and served through enrichOnvif. `unauthorizedBody` names a
   * fixture the device returned, with HTTP 401, to an unauthenticated request: the case then
   * runs with operator credentials, as the source did. `ownerIsFirmware`: the GB28181 item's
   * `<Owner>` holds the firmware string (shown for Uniview), and becomes FirmwareVersion.
   */
  | { kind: 'onvif-converted'; from: 'python-onvif' | 'edgex-yaml' | 'gb28181' | 'reolink-api'; unauthorizedBody?: string; ownerIsFirmware?: boolean }
  /** Raw SSDP header block(s), one datagram per fixture. */
  | { kind: 'ssdp' }
  /** Home Assistant's logged SSDP headers, one JSON object per line: every line, one host. */
  | { kind: 'ssdp-jsonl' }
  /** Row `row` (0-based) of Shadowserver's parsed SSDP CSV. */
  | { kind: 'ssdp-csv'; row: number }
  /** noddos' NOTIFY C string plus the description fields its test asserts, rebuilt as XML. */
  | { kind: 'ssdp-c-string-and-description' }
  /** A UPnP device description document: parseUpnpDescription. */
  | { kind: 'upnp' }
  /** Host `host` of nmap broadcast-upnp-info output: the SSDP SERVER/LOCATION and description fields. */
  | { kind: 'upnp-nmap'; host: string }
  /** A raw mDNS response, judged from the address of its own A record (a device answers from its own address). */
  | { kind: 'mdns' }
  /** noddos' TXT rdata with '^'/'&' length placeholders, as the `_ipp._tcp` service it belongs to. */
  | { kind: 'mdns-txt-placeholders'; instance: string; type: string }
  /** Row `row` of Shadowserver's parsed mDNS CSV, rebuilt as one mDNS response. */
  | { kind: 'mdns-csv'; row: number }
  /**
   * Example `example` of fingerprint `fingerprint` (0-based, file order) of a Recog extract, as
   * the HTTP response a banner fetch would get. `value` repeats the example (checked on read).
   * Examples of databases a banner fetch never sees (TLS, telnet, RTSP, DHCP, favicons) yield nothing.
   */
  | { kind: 'http-recog'; fingerprint: number; example: number; value: string }
  /** Row `row` of Shadowserver's parsed HTTP CSV, as one HTTP response. */
  | { kind: 'http-csv'; row: number }
  /** A Hikvision SADP reply: decodeSadp + sadpToObservation. */
  | { kind: 'sadp' }
  /** A Dahua discovery datagram (DHIP or v1): decodeDahua + dhipToObservation / dahuaV1ToObservation. */
  | { kind: 'dahua' }
  /** A DHIP JSON body (the printable rendering, a Ruby `pp`, or a Shadowserver CSV row), framed as a DHIP datagram. */
  | { kind: 'dhip-body'; from: 'printable' | 'ruby-pp' | 'json' }
  | { kind: 'dhip-csv'; row: number }
  /**
   * Dahua's device-info record read over another channel (magicBox CGI, the private RPC
   * protocol), as the DHIP fields that carry the same keys. Converted: the capture does not
   * show the device answering DHIP, so the protocol-answer facts (`dhip.reply`,
   * `dhip.variant`) are dropped.
   */
  | { kind: 'dahua-devinfo-converted'; from: 'magicbox' | 'rpc-console' };

export interface Expectation {
  /** Manufacturer of record (canonical vendor name), or null when the capture cannot establish one. */
  manufacturer: string | null;
  /** The label, asserted only when given (OEM and label cases). */
  brand?: string;
  /** Asserted only when given. */
  kind?: DeviceKind;
  /** Under the default policy (us-ndaa-889 + uk-2022-sensitive-sites). */
  status: DeviceStatus;
  /** Why, from the corpus facts (INDEX.md, _facts/tricky-cases-1.md). */
  why: string;
}

/** A tricky negative: evidence that looks like a maker's must not make a claim for it. */
export interface Trap {
  /** Makers no fingerprint may claim for this device (every restricted maker is implied). */
  mustNotClaim?: readonly string[];
  /** The device is not a camera, recorder or intercom, and must not be judged one. */
  notVideo?: boolean;
  why: string;
}

/**
 * A known gap: camsweep's verdict differs from the expectation in `fields`, for the reason
 * given. The test asserts it still does (fixing the gap fails the test until the manifest is
 * updated) and that everything else matches. A gap never covers a restricted maker's capture,
 * and a gap on status is allowed only when camsweep holds the device for review.
 */
export interface Gap {
  fields: ReadonlyArray<'manufacturer' | 'brand' | 'kind' | 'status'>;
  why: string;
}

export interface JudgedCase {
  id: string;
  read: Reader;
  expect: Expectation;
  /** The maker the corpus names, when the expectation cannot (default: expect.manufacturer). */
  truth?: string | null;
  trap?: Trap;
  gap?: Gap;
}

/** Part of a file camsweep cannot observe (a TLS subject, a telnet banner...). */
export interface UnusableCase {
  id: string;
  unusable: string;
  /** When given, the test asserts this reader yields no observation at all. */
  read?: Reader;
}

export type Case = JudgedCase | UnusableCase;

export interface Entry {
  /** Path under the corpus, as INDEX.md lists it. */
  corpus: string;
  /** The vendor folder (the accuracy table's rows). */
  vendor: string;
  /** The project's own copy, relative to tests/fixtures/ (null for files nothing reads). */
  fixture: string | null;
  /** First 16 hex digits of the corpus file's SHA-256: the fixture is a byte-for-byte copy. */
  sha256: string;
  /** Why nothing in the file is usable (then `cases` is empty). */
  unusable?: string;
  cases: Case[];
}

export function isJudged(c: Case): c is JudgedCase {
  return 'expect' in c;
}
