import { evidenceList } from '../../domain/evidence.ts';
import { ERR, CamsweepError } from '../../domain/errors.ts';
import type { Observation } from '../../domain/types.ts';
import { urlHost } from '../../util/ip.ts';
import { cleanText } from '../../util/text.ts';

/**
 * Pure SSDP decoding: one datagram in, one message out (or a CamsweepError 'SSDP_INVALID').
 * Real stacks are sloppy, so the parser is tolerant where it costs nothing: CRLF, LF or CR
 * line endings; header names in any case and with stray spaces ('CACHE - CONTROL');
 * white space around ':' and values; repeated headers; 'HTTP / 1.1' in the status line.
 * It is strict where it matters: only replies (`HTTP/1.x <code>`) and announcements
 * (`NOTIFY * HTTP/1.1`) are accepted; M-SEARCH requests (ours looped back, or another
 * host's probe) and binary junk are refused. Everything is bounded: bytes read, header
 * count, name and value lengths.
 */

/** Bytes of a datagram that are read; real replies are under 1.5 KB. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_HEADERS = 64;
export const MAX_NAME_LENGTH = 64;
export const MAX_VALUE_LENGTH = 1024;

export interface SsdpHeader {
  /** Lower case, white space removed: 'cache-control', 'x-user-agent'. */
  name: string;
  /** Cleaned with cleanText: no control characters, folded white space, bounded. */
  value: string;
}

export interface SsdpMessage {
  kind: 'response' | 'notify';
  /** The reply's status code (responses only). */
  status?: number;
  /** Headers in arrival order, repeats kept. */
  headers: SsdpHeader[];
  /** Header lines ignored: malformed, or beyond MAX_HEADERS. */
  dropped: number;
}

const RESPONSE_LINE = /^HTTP\s*\/\s*\d\s*\.\s*\d\s+(\d{3})(?:\s.*)?$/iu;
const NOTIFY_LINE = /^NOTIFY\s+\*\s+HTTP\s*\/\s*\d\s*\.\s*\d$/iu;
const SEARCH_LINE = /^M\s*-\s*SEARCH\b/iu;
/** RFC 9110 token characters, after lower-casing. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/u;
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/u;

function invalid(message: string): CamsweepError {
  return new CamsweepError(ERR.SSDP_INVALID, message);
}

export function parseSsdpMessage(buf: Buffer): SsdpMessage {
  const text = buf.subarray(0, MAX_MESSAGE_BYTES).toString('utf8');
  const lines = text.replace(/^[\r\n]+/u, '').split(/\r\n|\n|\r/u);
  const startLine = (lines[0] ?? '').trim();

  if (startLine === '' || startLine.length > 256 || BINARY.test(startLine)) {
    throw invalid('not a text message');
  }
  if (SEARCH_LINE.test(startLine)) throw invalid('an M-SEARCH request, not a reply');

  let kind: SsdpMessage['kind'];
  let status: number | undefined;
  const response = RESPONSE_LINE.exec(startLine);
  if (response) {
    kind = 'response';
    status = Number(response[1]);
    if (status < 100 || status > 599) throw invalid(`status ${status} out of range`);
  } else if (NOTIFY_LINE.test(startLine)) {
    kind = 'notify';
  } else {
    throw invalid('not an SSDP reply or NOTIFY');
  }

  const headers: SsdpHeader[] = [];
  let dropped = 0;
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line.trim() === '') break; // end of the header block: SSDP has no body
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).replace(/\s+/gu, '').toLowerCase() : '';
    if (headers.length >= MAX_HEADERS || name.length > MAX_NAME_LENGTH || !TOKEN.test(name)) {
      dropped += 1;
      continue;
    }
    headers.push({ name, value: cleanText(line.slice(colon + 1), MAX_VALUE_LENGTH) });
  }
  if (headers.length === 0) throw invalid('no headers');

  return status === undefined ? { kind, headers, dropped } : { kind, status, headers, dropped };
}

/** The first value of header `name` (lower case), if present and non-empty. */
export function ssdpHeader(msg: SsdpMessage, name: string): string | undefined {
  return msg.headers.find((h) => h.name === name && h.value !== '')?.value;
}

/** Headers that say nothing about the device. */
const NOISE = new Set(['date', 'cache-control', 'ext', 'content-length', 'host']);

/** The UDN in a USN: `uuid:<id>` before any `::<type>` suffix. */
export function udnFromUsn(usn: string): string | undefined {
  const udn = usn.split('::')[0]!.trim();
  return /^uuid:\S+$/iu.test(udn) ? udn : undefined;
}

/** An http(s) URL from LOCATION, or undefined. */
function parseLocation(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One message from one host as an Observation. `from.ip` is the datagram's source: a
 * LOCATION naming another host is kept as evidence but gives that host no HTTP port.
 * A NOTIFY's NT is recorded as `ssdp.st`: it plays the same part as a reply's ST.
 */
export function ssdpToObservation(msg: SsdpMessage, from: { ip: string; iface?: string }): Observation {
  const { list: evidence, add } = evidenceList('ssdp');

  for (const { name, value } of msg.headers) {
    if (NOISE.has(name)) continue;
    switch (name) {
      case 'server':
      case 'usn':
      case 'st':
      case 'location':
        add(`ssdp.${name}`, value);
        break;
      case 'nt':
        add(msg.kind === 'notify' ? 'ssdp.st' : 'ssdp.header.nt', value);
        break;
      default:
        add(`ssdp.header.${name}`, value);
    }
  }

  const obs: Observation = { protocol: 'ssdp', ip: from.ip, evidence };
  if (from.iface !== undefined) obs.interface = from.iface;

  const usn = ssdpHeader(msg, 'usn');
  const udn = usn === undefined ? undefined : udnFromUsn(usn);
  if (udn !== undefined) obs.identifiers = { udn };

  const rawLocation = ssdpHeader(msg, 'location');
  const location = rawLocation === undefined ? undefined : parseLocation(rawLocation);
  if (rawLocation !== undefined && location !== undefined) {
    obs.endpoints = { location: rawLocation };
    const port = location.port === '' ? 80 : Number(location.port);
    // Port 0 parses as a URL port but is no TCP port: nothing to fetch a banner from.
    if (location.protocol === 'http:' && urlHost(location) === from.ip && port >= 1) {
      obs.endpoints.httpPorts = [port];
    }
  }
  return obs;
}
