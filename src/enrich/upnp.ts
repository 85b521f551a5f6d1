import { evidenceList } from '../domain/evidence.ts';
import { CamsweepError, ERR, errorCode, errorMessage, httpStatusCode } from '../domain/errors.ts';
import type { Evidence, Identifiers, Observation } from '../domain/types.ts';
import type { HttpResponse } from '../util/http.ts';
import { cleanText } from '../util/text.ts';
import { child, children, parseXml, xmlNamespaces, type XmlNode, type XmlObject } from '../util/xml.ts';
import { sameHost, type EnrichContext, type EnrichResult, type Enricher } from './types.ts';

/**
 * UPnP description enrichment: GET the LOCATION an SSDP reply advertised (only when it is
 * on the host that replied), parse the device description, and report the root device's
 * and embedded devices' identity fields as `upnp.*` evidence. Never throws: every failure
 * is an error with a stable code (UPNP_LOCATION_FOREIGN_HOST, UPNP_TIMEOUT, UPNP_HTTP_<n>,
 * UPNP_TOO_LARGE, UPNP_TRUNCATED, UPNP_INVALID, ...).
 */

/** Device description fields reported, as `upnp.<name>`. */
export const UPNP_FIELDS = [
  'deviceType',
  'friendlyName',
  'manufacturer',
  'manufacturerURL',
  'modelName',
  'modelNumber',
  'modelDescription',
  'serialNumber',
  'UDN',
  'presentationURL',
] as const;

/** Embedded devices are followed this deep below the root device... */
export const MAX_DEVICE_DEPTH = 4;
/** ...and this many devices in all, root included. */
export const MAX_DEVICES = 32;
const MAX_EVIDENCE = 256;

export interface UpnpDescription {
  evidence: Evidence[];
  identifiers: Identifiers;
}

/** The text of the child element `name`, matched case-insensitively (devices vary). */
function fieldText(node: XmlNode, name: string): string | undefined {
  if (typeof node !== 'object' || Array.isArray(node)) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(node)) {
    if (key.toLowerCase() !== wanted) continue;
    let value = node[key];
    if (Array.isArray(value)) value = value[0];
    if (typeof value === 'string') return value;
    if (value !== undefined && typeof value === 'object' && !Array.isArray(value)) {
      const text = value['#text'];
      return typeof text === 'string' ? text : undefined;
    }
    return undefined;
  }
  return undefined;
}

/** Drops trailing white space and NULs (some stacks pad); a loop, as a regex would backtrack. */
function trimTail(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0 && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    end -= 1;
  }
  return text.slice(0, end);
}

/** The document's own namespace declarations: default on the root, then every prefix. */
function namespaces(text: string): string[] {
  const out: string[] = [];
  const root = /<(?:[\w.-]+:)?root\b[^>]{0,2048}?\sxmlns\s*=\s*["']([^"'<>]{1,512})["']/u.exec(text.slice(0, 4096));
  if (root) out.push(`xmlns=${root[1]}`);
  for (const ns of xmlNamespaces(text)) out.push(`${ns.prefix}=${ns.uri}`);
  return out;
}

/**
 * Parses a UPnP device description (pure; throws CamsweepError UPNP_INVALID or
 * UPNP_TOO_LARGE). The root device's fields come first, then embedded devices breadth-first.
 * `partial`: read a document cut short (a printed fragment), keeping what it shows whole.
 */
export function parseUpnpDescription(raw: string, maxBytes?: number, options: { partial?: boolean } = {}): UpnpDescription {
  const whole = trimTail(raw.replace(/^\ufeff/u, ''));
  // A fragment ends where its last tag does: a tag cut in half is dropped.
  const text = options.partial === true && !/<\/(?:[\w.-]+:)?root\s*>/u.test(whole) ? whole.slice(0, whole.lastIndexOf('>') + 1) : whole;
  // fast-xml-parser accepts a document cut short and returns what it saw: a sweep refuses it
  // (the device did not finish); a capture a source printed in part (`partial`, camsweep
  // identify) keeps the elements it shows whole.
  if (options.partial !== true && !/<\/(?:[\w.-]+:)?root\s*>/u.test(text)) {
    throw new CamsweepError(ERR.UPNP_INVALID, 'description is not a complete <root> document');
  }
  let doc: XmlObject;
  try {
    doc = parseXml(text, maxBytes);
  } catch (err) {
    const code = errorCode(err) === ERR.XML_TOO_LARGE ? ERR.UPNP_TOO_LARGE : ERR.UPNP_INVALID;
    throw new CamsweepError(code, errorMessage(err), { cause: err });
  }
  const rootDevice = child(doc, 'root', 'device');
  if (rootDevice === undefined || typeof rootDevice !== 'object') {
    throw new CamsweepError(ERR.UPNP_INVALID, 'description has no root device');
  }

  const { list: evidence, add } = evidenceList('upnp', MAX_EVIDENCE);

  const identifiers: Identifiers = {};
  const queue: Array<{ node: XmlNode; depth: number }> = [{ node: rootDevice, depth: 0 }];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_DEVICES) {
    const { node, depth } = queue.shift()!;
    visited += 1;
    for (const field of UPNP_FIELDS) add(`upnp.${field}`, fieldText(node, field));

    const udn = cleanText(fieldText(node, 'UDN'));
    if (identifiers.udn === undefined && udn !== '') identifiers.udn = udn;
    const serial = cleanText(fieldText(node, 'serialNumber'));
    if (identifiers.serial === undefined && serial !== '') identifiers.serial = serial;

    if (depth >= MAX_DEVICE_DEPTH) continue;
    for (const sub of children(child(node, 'deviceList'), 'device')) {
      if (queue.length + visited >= MAX_DEVICES) break;
      queue.push({ node: sub, depth: depth + 1 });
    }
  }

  for (const ns of namespaces(text)) add('upnp.namespace', ns);
  return { evidence, identifiers };
}

function httpErrorCode(code: string): string {
  switch (code) {
    case ERR.HTTP_TIMEOUT:
      return ERR.UPNP_TIMEOUT;
    case ERR.HTTP_ABORTED:
      return ERR.UPNP_ABORTED;
    case ERR.HTTP_BAD_URL:
    case ERR.HTTP_UNSUPPORTED_SCHEME:
    case ERR.HTTP_NOT_IP:
      return ERR.UPNP_BAD_LOCATION;
    default:
      return ERR.UPNP_FETCH_FAILED;
  }
}

/** UPnP descriptions fetched per host (a device with several root devices has several LOCATIONs). */
export const UPNP_LOCATIONS_PER_HOST = 2;

/** The UPnP description at each LOCATION an SSDP reply declared, on the replying host only. */
export function upnpEnricher(query: (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult> = enrichUpnp): Enricher {
  return {
    name: 'upnp',
    protocol: 'upnp',
    maxPerHost: UPNP_LOCATIONS_PER_HOST,
    plan(obs) {
      const location = obs.endpoints?.location;
      return location === undefined || location === '' ? [] : [{ key: location, run: (ctx) => query({ ip: obs.ip, location }, ctx) }];
    },
  };
}

export async function enrichUpnp(target: { ip: string; location: string }, ctx: EnrichContext): Promise<EnrichResult> {
  const { ip, location } = target;
  const fail = (code: string, message: string): EnrichResult => ({
    observations: [],
    errors: [{ code, message, protocol: 'upnp', ip }],
  });

  // A reply must not be able to point us at another host (SSRF by SSDP).
  if (!sameHost(location, ip)) {
    return fail(ERR.UPNP_LOCATION_FOREIGN_HOST, 'LOCATION names a host other than the one that replied; not fetched');
  }

  let res: HttpResponse;
  try {
    res = await ctx.http({
      url: location,
      method: 'GET',
      headers: { accept: 'text/xml, application/xml;q=0.9, */*;q=0.1' },
      timeoutMs: ctx.requestTimeoutMs,
      maxBytes: ctx.maxBodyBytes,
      signal: ctx.signal,
    });
  } catch (err) {
    const code = errorCode(err, 'ERROR');
    return fail(httpErrorCode(code), `${code}: ${errorMessage(err)}`);
  }

  if (res.status < 200 || res.status > 299) {
    return fail(httpStatusCode('UPNP', res.status), `description fetch answered HTTP ${res.status}`);
  }
  if (res.truncated) {
    return res.body.length >= ctx.maxBodyBytes
      ? fail(ERR.UPNP_TOO_LARGE, `description larger than ${ctx.maxBodyBytes} bytes`)
      : fail(ERR.UPNP_TRUNCATED, 'connection closed before the description was complete');
  }

  let description: UpnpDescription;
  try {
    description = parseUpnpDescription(res.body.toString('utf8'), ctx.maxBodyBytes);
  } catch (err) {
    return fail(errorCode(err, ERR.UPNP_INVALID), errorMessage(err));
  }

  const obs: Observation = { protocol: 'upnp', ip, evidence: description.evidence };
  if (Object.keys(description.identifiers).length > 0) obs.identifiers = description.identifiers;
  ctx.log.debug({ device: { ip, fields: description.evidence.length } }, 'upnp: description read');
  return { observations: [obs], errors: [] };
}
