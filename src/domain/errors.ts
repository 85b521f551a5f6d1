/**
 * Errors with stable codes (like undici's UND_ERR_* and fastify's FST_ERR_*): logs, the sweep's
 * `errors` array and scripts key on `code`; `message` is for people and may change.
 *
 * ERROR_CODES is the catalogue: every code camsweep writes, with what it means. Code uses them
 * through ERR (`ERR.WSD_INVALID`), never as string literals (tests/unit/domain/errors.test.ts
 * checks every source file); the three families with a variable part are built by the
 * functions below. A code, once published, keeps its spelling.
 */
export const ERROR_CODES = {
  // General
  USAGE: 'a usage or configuration problem: the CLI exits 2',
  INTERNAL: 'an unexpected failure (a bug): the operation stopped',
  CONFIG_INVALID: 'the configuration read again on SIGHUP is invalid: the one in force stays',
  NO_INTERFACE: 'no up, non-loopback interface with an IPv4 address to probe from',
  AUDIT_FILE: 'the audit file cannot be opened for appending',
  DAEMON_LISTEN: 'the daemon cannot listen on daemon.http.listen for /healthz and /metrics',
  IDENTIFY_UNKNOWN_FORMAT: '`camsweep identify`: a capture in no format it reads (name one with --as)',
  IDENTIFY_UNREADABLE: '`camsweep identify`: a capture that cannot be read as the format it was taken for',

  // The sweep and its bounds
  DISCOVERY_FAILED: 'a discoverer failed on one interface; the others went on',
  SWEEP_HOST_LIMIT: 'replies from hosts beyond the per-sweep host limit were dropped (a summary)',
  SWEEP_ERROR_LIMIT: 'errors beyond the per-sweep error limit were not kept (a summary)',
  SWEEP_OUT_OF_SCOPE: 'a host replied from outside every swept segment and target range: not contacted beyond discovery',
  ENRICH_FAILED: 'an enricher failed unexpectedly on one host; the others went on',
  ENRICH_HOST_TIME: 'one host\'s enrichment passed its time budget: the request in flight was aborted, the rest not sent',
  ENRICH_NOT_STARTED: 'enrichment requests never sent because enrich.grace ran out (a summary)',

  // WS-Discovery
  WSD_INVALID: 'a WS-Discovery datagram that is not a usable SOAP ProbeMatch',
  WSD_TRUNCATED: 'a WS-Discovery reply cut inside an element: what was whole was kept',
  WSD_RELATES_TO_MISMATCH: 'a WS-Discovery reply whose RelatesTo names no probe of ours: dropped',
  WSD_SOCKET: 'the WS-Discovery socket failed to open or errored',
  WSD_IPV6_SOCKET_FAILED: 'the WS-Discovery IPv6 link-local socket cannot be opened; IPv4 goes on',
  WSD_SEND_FAILED: 'a WS-Discovery probe could not be sent',
  WSD_INTERNAL: 'an unexpected failure handling one WS-Discovery datagram',

  // SSDP
  SSDP_INVALID: 'an SSDP datagram that is not an HTTP-over-UDP message',
  SSDP_BAD_PAYLOAD: 'an M-SEARCH could not be built from the configured value',
  SSDP_BIND_FAILED: 'the SSDP socket cannot be bound on the interface',
  SSDP_IPV6_SOCKET_FAILED: 'the SSDP IPv6 link-local socket cannot be opened; IPv4 goes on',
  SSDP_SOCKET_ERROR: 'the SSDP socket reported an error',
  SSDP_SEND_FAILED: 'an M-SEARCH could not be sent',
  SSDP_INTERNAL: 'an unexpected failure in SSDP discovery on one interface',

  // mDNS
  MDNS_INVALID: 'an mDNS datagram that is not a valid DNS message, or was only partly decoded',
  MDNS_ID_MISMATCH: 'a unicast mDNS reply that does not echo the message ID sent to that address: dropped',
  MDNS_SOCKET_FAILED: 'the mDNS query socket cannot be opened',
  MDNS_LISTEN_FAILED: 'cannot listen on 224.0.0.251:5353: multicast-only replies are missed',
  MDNS_IPV6_SOCKET_FAILED: 'the mDNS IPv6 link-local socket cannot be opened; IPv4 goes on',
  MDNS_SOCKET_ERROR: 'an mDNS socket reported an error',
  MDNS_SEND_FAILED: 'mDNS queries could not be sent',
  MDNS_FAILED: 'mDNS discovery failed on one interface',

  // Hikvision SADP
  SADP_INVALID: 'a SADP datagram that is not a SADP reply',
  SADP_MALFORMED: 'a SADP reply that is not well-formed XML: its closed elements were read one by one',
  SADP_UUID_MISMATCH: 'a SADP reply echoing a Uuid we never sent: dropped',
  SADP_BAD_PAYLOAD: 'a SADP inquiry could not be built (the Uuid must be an upper-case UUID)',
  SADP_SOCKET_FAILED: 'the SADP socket cannot be opened on the interface',
  SADP_LISTEN_FAILED: 'cannot listen on the SADP group port: replies to the group are missed',
  SADP_SOCKET_ERROR: 'a SADP socket reported an error',
  SADP_SEND_FAILED: 'a SADP inquiry could not be sent',
  SADP_INTERNAL: 'an unexpected failure handling one SADP datagram',
  SADP_FAILED: 'SADP discovery failed on one interface',

  // Dahua DHIP and the v1 search
  DHIP_INVALID: 'a Dahua datagram that is not a DHIP or v1 reply',
  DHIP_MALFORMED: 'a Dahua reply cut short or not valid JSON: values extracted key by key',
  DHIP_SOCKET_FAILED: 'the Dahua search socket cannot be opened on the interface',
  DHIP_LISTEN_FAILED: 'cannot listen on the DHIP group port: replies to the group are missed',
  DHIP_SOCKET_ERROR: 'a Dahua socket reported an error',
  DHIP_SEND_FAILED: 'a Dahua search could not be sent',
  DHIP_INTERNAL: 'an unexpected failure handling one Dahua datagram',
  DHIP_FAILED: 'Dahua discovery failed on one interface',

  // Routed networks (unicast probes)
  UNICAST_UNEXPECTED_SOURCE: 'a reply from an address that was not probed: dropped',
  UNICAST_SOCKET_FAILED: 'a unicast probe socket cannot be opened',
  UNICAST_SOCKET_ERROR: 'a unicast probe socket reported an error',
  UNICAST_SEND_FAILED: 'unicast probes could not be sent (a count, with the first cause)',
  UNICAST_INTERNAL: 'an unexpected failure handling one unicast reply',
  UNICAST_FAILED: 'unicast probing failed',

  // HTTP (enrichment requests)
  HTTP_BAD_URL: 'an advertised URL that is not a URL: not fetched',
  HTTP_UNSUPPORTED_SCHEME: 'an advertised URL whose scheme is not http: not fetched',
  HTTP_NOT_IP: 'an advertised URL whose host is a name, not an IP address: not fetched',
  HTTP_BAD_PORT: 'a port that is not a TCP port: not asked',
  HTTP_TIMEOUT: 'no complete HTTP response within enrich.requestTimeout',
  HTTP_ABORTED: 'an HTTP request aborted (the host\'s budget or the grace ran out)',
  HTTP_ERROR: 'an HTTP exchange failed without a system error code',
  HTTP_ECONNREFUSED: 'the port is closed (for a banner: an answer, not recorded)',

  // ONVIF device service
  ONVIF_INVALID: 'an ONVIF reply that is not a usable SOAP answer',
  ONVIF_NO_XADDR: 'a WS-Discovery reply with no XAddr to ask',
  ONVIF_XADDR_FOREIGN_HOST: 'no XAddr on the replying host; others are never contacted',
  ONVIF_HTTPS_ONLY: 'the device service is offered over https only: not contacted',
  ONVIF_AUTH_REJECTED: 'the configured credentials were not accepted',
  ONVIF_TIMEOUT: 'no complete ONVIF reply within enrich.requestTimeout',
  ONVIF_ABORTED: 'an ONVIF request aborted (the host\'s budget or the grace ran out)',
  ONVIF_REQUEST_FAILED: 'an ONVIF request failed in transport',
  ONVIF_INTERNAL: 'an unexpected failure in ONVIF enrichment of one host',

  // UPnP description
  UPNP_INVALID: 'a UPnP description that is not a usable <root> document',
  UPNP_TOO_LARGE: 'a UPnP description larger than enrich.maxBodyBytes',
  UPNP_TRUNCATED: 'the connection closed before the UPnP description was complete',
  UPNP_LOCATION_FOREIGN_HOST: 'a LOCATION naming a host other than the one that replied: not fetched',
  UPNP_BAD_LOCATION: 'a LOCATION that cannot be fetched (not an http URL with an IP address)',
  UPNP_TIMEOUT: 'no complete UPnP description within enrich.requestTimeout',
  UPNP_ABORTED: 'a UPnP description fetch aborted (the host\'s budget or the grace ran out)',
  UPNP_FETCH_FAILED: 'a UPnP description fetch failed in transport',

  // RTSP OPTIONS, TLS certificate, favicon (read-only identity queries)
  RTSP_INVALID: 'an answer on the RTSP port that is not an RTSP response head',
  RTSP_TIMEOUT: 'no complete RTSP answer within enrich.requestTimeout',
  RTSP_FAILED: 'the RTSP exchange failed in transport (a closed port is an answer, not recorded)',
  TLS_TIMEOUT: 'no TLS handshake within enrich.requestTimeout',
  TLS_FAILED: 'the TLS handshake failed (a closed port is an answer, not recorded)',
  FAVICON_FAILED: 'the favicon fetch failed in transport (a missing favicon is an answer, not recorded)',

  // XML (shared by the parsers)
  XML_INVALID: 'not an XML document, or one with a DOCTYPE or entities',
  XML_TOO_LARGE: 'an XML document larger than its bound',

  // Inventory
  INVENTORY_DB_OPEN: 'the inventory database cannot be opened or created',
  INVENTORY_SCHEMA_OLD: 'the inventory has an older schema: record a sweep to upgrade it',
  INVENTORY_SCHEMA_NEWER: 'the inventory has a newer schema than this camsweep knows: upgrade camsweep',
  INVENTORY_BUSY: 'the inventory is busy (another camsweep is writing it) beyond the timeout',
  INVENTORY_READ_ONLY: 'the inventory was opened read-only and cannot be written',
  INVENTORY_INVALID_SWEEP: 'not a camsweep.sweep/v1 result with an id, devices, interfaces and errors',
  INVENTORY_CORRUPT: 'a stored record is not what was written',
  INVENTORY_UNKNOWN_DEVICE: 'no device by that id, IP or MAC in the inventory',
  INVENTORY_UNKNOWN_SWEEP: 'no sweep by that id in the inventory',
  INVENTORY_AMBIGUOUS: 'an id prefix matching more than one device or sweep',
  INVENTORY_NOT_ENOUGH_SWEEPS: 'a diff needs two recorded sweeps',
  INVENTORY_FILTER: 'a device filter that cannot be applied',

  // Reporting
  REPORT_DB_OPEN: 'the report outbox (or a receiver\'s store) cannot be opened',
  REPORT_BATCH_TOO_SMALL: 'report.batchMaxBytes leaves no room for devices',
  REPORT_NETWORK: 'the endpoint cannot be reached (the report stays queued)',
  REPORT_TLS: 'the TLS handshake with the endpoint failed (the report stays queued)',
  REPORT_TIMEOUT: 'no complete response from the endpoint within report.timeout',
  REPORT_ABORTED: 'a delivery aborted (deadline or shutdown): the report stays queued',

  // The central service and the stores
  CENTRAL_DB_OPEN: 'the central service\'s store (receiver.db or PostgreSQL) cannot be opened, created or migrated',
  CENTRAL_DB_VERSION: 'the PostgreSQL server is older than 15, which the central service needs',
  CENTRAL_SCHEMA_NEWER: 'the central store has a newer schema than this camsweep knows: upgrade camsweep',
  CENTRAL_AGENT_EXISTS: 'an agent with that id is registered already (revoke it, or choose another id)',
  CENTRAL_USER_EXISTS: 'a user with that name exists already',

  // The review console
  CONSOLE_NO_CHROMIUM: 'no Chromium to print the report as PDF (install Debian\'s chromium or set $CAMSWEEP_CHROMIUM)',
  CONSOLE_PDF_FAILED: 'Chromium could not print the report as PDF',
  STORAGE_ROW_SHAPE: 'a database row whose columns are not of the declared types (a schema and its reader out of step)',
} as const satisfies Record<string, string>;

/** Code families: a stem, then a variable part (an HTTP status, a system error name). */
export const ERROR_CODE_FAMILIES = {
  'HTTP_<system code>': 'an HTTP exchange failed with this system error (HTTP_ECONNRESET, HTTP_EHOSTUNREACH...)',
  'ONVIF_HTTP_<status>': 'the ONVIF device service answered with this HTTP status (not 2xx)',
  'UPNP_HTTP_<status>': 'the UPnP description fetch answered with this HTTP status (not 2xx)',
} as const;

export type CatalogueCode = keyof typeof ERROR_CODES;
export type ErrorCode = CatalogueCode | `HTTP_${string}` | `ONVIF_HTTP_${number}` | `UPNP_HTTP_${number}`;

/** Each catalogue code as itself: `code: ERR.WSD_INVALID`. */
export const ERR: { readonly [K in CatalogueCode]: K } = Object.freeze(
  Object.fromEntries(Object.keys(ERROR_CODES).map((k) => [k, k])) as { [K in CatalogueCode]: K },
);

/** `HTTP_<code>` for a failed HTTP exchange: the system's (or Node's) error code, else HTTP_ERROR. */
export function httpFailureCode(systemCode: string | undefined): ErrorCode {
  return systemCode === undefined ? ERR.HTTP_ERROR : `HTTP_${systemCode}`;
}

/** `ONVIF_HTTP_<status>` / `UPNP_HTTP_<status>`: a device answered with a status other than 2xx. */
export function httpStatusCode(protocol: 'ONVIF' | 'UPNP', status: number): ErrorCode {
  return `${protocol}_HTTP_${status}`;
}

export class CamsweepError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CamsweepError';
    this.code = code;
  }
}

/**
 * Usage or configuration problems: the CLI exits 2. `problems` holds each problem on its own
 * (one, the message, unless the error lists several), so a caller that checks several sources
 * (flags, file, environment, the checks that need parsing) can report them all at once.
 */
export class UsageError extends CamsweepError {
  readonly problems: readonly string[];

  constructor(message: string, options?: { cause?: unknown; problems?: readonly string[] }) {
    super(ERR.USAGE, message, options);
    this.name = 'UsageError';
    this.problems = options?.problems ?? [message];
  }
}

/** The error's code (ours, or a system error's), else `fallback`. */
export function errorCode(err: unknown, fallback: string = ERR.INTERNAL): string {
  if (err instanceof CamsweepError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return fallback;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
