import { ERR, CamsweepError } from '../../domain/errors.ts';

/**
 * SSDP probe payloads (data, no I/O). UPnP Device Architecture 1.1, section 1.3.2: a
 * multicast M-SEARCH carries HOST, MAN "ssdp:discover", MX (seconds a device may wait
 * before answering, 1..5) and ST (search target), plus a USER-AGENT.
 */
export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;
export const SSDP_HOST = `${SSDP_GROUP}:${SSDP_PORT}`;
/** The IPv6 link-local SSDP group and its HOST header value. */
export const SSDP_GROUP6 = 'ff02::c';
export const SSDP_HOST6 = `[FF02::C]:${SSDP_PORT}`;

/** `ssdp:all` finds every device and service; `upnp:rootdevice` is what some stacks answer best. */
export const DEFAULT_SEARCH_TARGETS: readonly string[] = ['ssdp:all', 'upnp:rootdevice'];

export const DEFAULT_MX = 2;
export const MIN_MX = 1;
export const MAX_MX = 5;

/** UPnP 1.1 USER-AGENT shape: `OS/version UPnP/1.1 product/version`. */
export const SSDP_USER_AGENT = 'Node.js/24 UPnP/1.1 camsweep/0.1';

/** MX as an integer in 1..5 (the spec's range); anything unusable becomes the default. */
export function clampMx(mx: number): number {
  if (!Number.isFinite(mx)) return DEFAULT_MX;
  return Math.min(MAX_MX, Math.max(MIN_MX, Math.trunc(mx)));
}

// A header value we write must not be able to start a new header line.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f]/u;

function safeValue(name: string, value: string): string {
  if (value === '' || UNSAFE.test(value)) {
    throw new CamsweepError(ERR.SSDP_BAD_PAYLOAD, `${name} must be non-empty printable text`);
  }
  return value;
}

export function buildMSearch(opts: { st: string; mx: number; host?: string; userAgent?: string }): string {
  const lines = [
    'M-SEARCH * HTTP/1.1',
    `HOST: ${safeValue('HOST', opts.host ?? SSDP_HOST)}`,
    'MAN: "ssdp:discover"',
    `MX: ${clampMx(opts.mx)}`,
    `ST: ${safeValue('ST', opts.st)}`,
    `USER-AGENT: ${safeValue('USER-AGENT', opts.userAgent ?? SSDP_USER_AGENT)}`,
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
