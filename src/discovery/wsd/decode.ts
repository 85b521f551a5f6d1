import { evidenceList } from '../../domain/evidence.ts';
import { ERR, CamsweepError, errorMessage } from '../../domain/errors.ts';
import type { Observation } from '../../domain/types.ts';
import { urlHost } from '../../util/ip.ts';
import { cleanOptional, cleanText, normaliseMac } from '../../util/text.ts';
import { child, children, parseXml, textAt, textOf, type XmlNode } from '../../util/xml.ts';
import { nestedNamingScope, parseOnvifScope } from './scopes.ts';

/**
 * Pure decoding of WS-Discovery replies (ProbeMatches, and Hello announcements, which carry
 * the same fields; Bye announcements, which carry the EndpointReference and sometimes more). Lenient where real devices differ (no Types, capitalised scope keys,
 * lists split by any white space, several ProbeMatch elements in one message), strict where
 * the input is hostile (size cap, no DOCTYPE, bounded lists, every string cleaned).
 */
export const WSD_LIMITS = {
  /** A UDP datagram cannot be larger; real replies are 1-4 KB. */
  maxBytes: 64 * 1024,
  maxMatches: 16,
  maxTypes: 16,
  maxScopes: 64,
  maxXaddrs: 16,
} as const;

export interface ProbeMatch {
  /** EndpointReference Address (usually `urn:uuid:...`); '' when the device sent none. */
  epr: string;
  types: string[];
  scopes: string[];
  xaddrs: string[];
  metadataVersion?: string;
}

export interface DecodedWsd {
  kind: 'ProbeMatches' | 'Hello' | 'Bye' | 'other';
  relatesTo?: string;
  action?: string;
  messageId?: string;
  matches: ProbeMatch[];
  /**
   * The text stops inside an element (does not end with `>`): a cut datagram. What was
   * decoded is kept, including the whole items of a list the cut went through.
   */
  truncated: boolean;
}

function splitList(text: string | undefined, max: number): string[] {
  if (text === undefined) return [];
  const out: string[] = [];
  for (const raw of text.split(/\s+/u)) {
    if (out.length >= max) break;
    const item = cleanText(raw);
    if (item !== '' && !out.includes(item)) out.push(item);
  }
  return out;
}

function decodeMatch(node: XmlNode): ProbeMatch | undefined {
  const epr = cleanText(textAt(node, 'EndpointReference', 'Address'));
  const match: ProbeMatch = {
    epr,
    types: splitList(textAt(node, 'Types'), WSD_LIMITS.maxTypes),
    scopes: splitList(textAt(node, 'Scopes'), WSD_LIMITS.maxScopes),
    xaddrs: splitList(textAt(node, 'XAddrs'), WSD_LIMITS.maxXaddrs),
  };
  const metadataVersion = cleanOptional(textAt(node, 'MetadataVersion'), 32);
  if (metadataVersion !== undefined) match.metadataVersion = metadataVersion;
  const empty = epr === '' && match.types.length === 0 && match.scopes.length === 0 && match.xaddrs.length === 0;
  return empty ? undefined : match;
}

const LIST_TAG = /^<(?:[\w.-]+:)?(Types|Scopes|XAddrs)(?:\s[^>]*)?>$/u;

/**
 * A cut datagram ends inside an element. When that element is a list of the last match,
 * the items before the last one are kept (the parser drops the text of an unclosed element);
 * the last one, which the cut may have gone through, is not. Any other cut field is absent.
 */
function recoverCutList(text: string, matches: ProbeMatch[]): void {
  const last = matches.at(-1);
  if (!last) return;
  const end = text.lastIndexOf('>');
  const tag = LIST_TAG.exec(text.slice(text.lastIndexOf('<', end), end + 1));
  if (!tag) return;
  const items = text.slice(end + 1).split(/\s+/u).filter((item) => item !== '');
  // The last item touches the cut: even when white space follows it, that space may be
  // padding or a capture artifact, and a half value (`name/HIKV`) would mislead matching.
  items.pop();
  const key = tag[1] === 'Types' ? 'types' : tag[1] === 'Scopes' ? 'scopes' : 'xaddrs';
  const max = key === 'types' ? WSD_LIMITS.maxTypes : key === 'scopes' ? WSD_LIMITS.maxScopes : WSD_LIMITS.maxXaddrs;
  last[key] = splitList(items.join(' '), max);
}

/**
 * Decodes one WS-Discovery message. Throws CamsweepError `WSD_INVALID` when the text is not
 * an XML document (or carries a DOCTYPE, which SOAP 1.2 forbids, or exceeds the size cap);
 * a well-formed message that is not a ProbeMatches/Hello/Bye decodes with kind 'other'.
 */
export function decodeProbeMatches(text: string): DecodedWsd {
  if (/<!DOCTYPE/iu.test(text)) {
    throw new CamsweepError(ERR.WSD_INVALID, 'SOAP message with a DOCTYPE (forbidden by SOAP 1.2)');
  }
  let doc;
  try {
    doc = parseXml(text, WSD_LIMITS.maxBytes);
  } catch (err) {
    throw new CamsweepError(ERR.WSD_INVALID, `not a WS-Discovery message: ${errorMessage(err)}`, { cause: err });
  }
  const envelope = child(doc, 'Envelope') ?? doc;
  const header = child(envelope, 'Header');
  const body = child(envelope, 'Body');

  const probeMatches = children(children(body, 'ProbeMatches'), 'ProbeMatch');
  const hellos = children(body, 'Hello');
  const byes = children(body, 'Bye');
  const kind: DecodedWsd['kind'] = probeMatches.length > 0 || child(body, 'ProbeMatches') !== undefined
    ? 'ProbeMatches'
    : hellos.length > 0
      ? 'Hello'
      : byes.length > 0
        ? 'Bye'
        : 'other';
  const nodes = kind === 'ProbeMatches' ? probeMatches : kind === 'Hello' ? hellos : kind === 'Bye' ? byes : [];

  const matches: ProbeMatch[] = [];
  for (const node of nodes.slice(0, WSD_LIMITS.maxMatches)) {
    const match = decodeMatch(node);
    if (match) matches.push(match);
  }

  // Some stacks pad datagrams with NULs: they are not part of the document. A loop, not
  // /\0+$/, which is quadratic on a long NUL run that is not at the end (1 s for 60 KB).
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end -= 1;
  const unpadded = text.slice(0, end);
  const truncated = !/>\s*$/u.test(unpadded);
  if (truncated) recoverCutList(unpadded, matches);

  const out: DecodedWsd = { kind, matches, truncated };
  const relatesTo = cleanOptional(textOf(child(header, 'RelatesTo')), 256);
  const action = cleanOptional(textOf(child(header, 'Action')), 256);
  const messageId = cleanOptional(textOf(child(header, 'MessageID')), 256);
  if (relatesTo !== undefined) out.relatesTo = relatesTo;
  if (action !== undefined) out.action = action;
  if (messageId !== undefined) out.messageId = messageId;
  return out;
}

/**
 * The header ids of a message: the text of its one MessageID and its one RelatesTo, raw, and
 * the message with both emptied (its `skeleton`). A device answers each of our probes with
 * the same document but for these two (a new MessageID, relating to that probe), so a reply
 * whose skeleton is that of a reply already decoded from the same host decodes as that one
 * did, with these two ids: see `decodeRepeat`.
 *
 * Only for a message where each name occurs exactly twice (its start and end tag: no other
 * element, attribute, comment or text names it), the tags carry no attribute, and the ids are
 * plain text (no markup, no entity, no CDATA), so that the parser's text of each element is
 * the raw text, trimmed; undefined for any other.
 */
export interface WsdHeaderIds {
  skeleton: string;
  messageId: string;
  relatesTo: string;
}

const HEADER_ID = /<([\w.-]{1,64}:)?(MessageID|RelatesTo)>([^<&]{0,1024})<\/\1\2>/gu;

function occurrences(text: string, name: string): number {
  let n = 0;
  for (let at = text.indexOf(name); at !== -1 && n < 3; at = text.indexOf(name, at + name.length)) n += 1;
  return n;
}

export function wsdHeaderIds(text: string): WsdHeaderIds | undefined {
  if (occurrences(text, 'MessageID') !== 2 || occurrences(text, 'RelatesTo') !== 2) return undefined;
  let messageId: string | undefined;
  let relatesTo: string | undefined;
  const skeleton = text.replace(HEADER_ID, (_all, prefix: string | undefined, name: string, id: string) => {
    if (name === 'MessageID') messageId = id;
    else relatesTo = id;
    return `<${prefix ?? ''}${name}></${prefix ?? ''}${name}>`;
  });
  if (messageId === undefined || relatesTo === undefined) return undefined;
  return { skeleton, messageId, relatesTo };
}

/**
 * A repeat: `earlier` is what decodeProbeMatches gave for a message with the same skeleton
 * (whole, not truncated, its RelatesTo found in its header), `ids` this message's. The parse
 * of this message differs from that one only in the text of those two elements, so this is
 * what decodeProbeMatches would give for it, without parsing it again. Undefined when
 * `earlier` is not such a decode (then parse).
 */
export function decodeRepeat(earlier: DecodedWsd, ids: WsdHeaderIds): DecodedWsd | undefined {
  if (earlier.truncated || earlier.relatesTo === undefined || earlier.messageId === undefined) return undefined;
  const out: DecodedWsd = { kind: earlier.kind, matches: earlier.matches, truncated: false };
  const relatesTo = cleanOptional(ids.relatesTo, 256);
  const messageId = cleanOptional(ids.messageId, 256);
  if (relatesTo !== undefined) out.relatesTo = relatesTo;
  if (earlier.action !== undefined) out.action = earlier.action;
  if (messageId !== undefined) out.messageId = messageId;
  return out;
}

function urlHostPort(url: string): { host: string; protocol: string; port: number } | undefined {
  try {
    const u = new URL(url);
    const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
    return { host: urlHost(u), protocol: u.protocol, port };
  } catch {
    return undefined; // not a URL (SERVICE_URI placeholders, junk): no port to learn from it
  }
}

/**
 * One Observation for one ProbeMatch. `from.ip` is the datagram's source address: an
 * address inside the payload never becomes the observation's ip, and only XAddrs on that
 * host contribute HTTP ports.
 */
export function probeMatchToObservation(
  match: ProbeMatch,
  from: { ip: string; iface?: string },
  namespaces: ReadonlyArray<{ prefix: string; uri: string }> = [],
): Observation {
  const { list: evidence, add } = evidenceList('wsd');

  add('wsd.epr', match.epr);
  for (const t of match.types) add('wsd.type', t);
  let mac: string | undefined;
  for (const s of match.scopes) add('wsd.scope', s);
  for (const s of match.scopes) {
    const scope = parseOnvifScope(s);
    if (!scope) continue;
    add(`onvif.scope.${scope.key}`, scope.value);
    const nested = nestedNamingScope(scope);
    if (nested !== undefined) add(`onvif.scope.${nested.key}`, nested.value);
    if (scope.key === 'mac') mac ??= normaliseMac(scope.value);
  }
  // A time-based (version 1) EPR uuid carries the MAC it was made from in its node field
  // (Hikvision and Epson devices do this). A scope's MAC wins; the uuid is the fallback.
  const eprMac = macFromUuid(match.epr);
  if (eprMac !== undefined) {
    add('wsd.epr.mac', eprMac);
    mac ??= eprMac;
  }
  for (const x of match.xaddrs) add('wsd.xaddr', x);
  if (match.metadataVersion !== undefined) add('wsd.metadataVersion', match.metadataVersion);
  for (const ns of namespaces) add('wsd.namespace', cleanText(`${ns.prefix}=${ns.uri}`));

  const obs: Observation = { protocol: 'wsd', ip: from.ip, evidence };
  if (from.iface !== undefined) obs.interface = from.iface;
  if (mac !== undefined) obs.mac = mac;
  if (match.epr !== '') obs.identifiers = { epr: match.epr };
  if (match.xaddrs.length > 0) {
    const httpPorts: number[] = [];
    for (const x of match.xaddrs) {
      const u = urlHostPort(x);
      if (u && u.protocol === 'http:' && u.host === from.ip && u.port >= 1 && !httpPorts.includes(u.port)) httpPorts.push(u.port);
    }
    obs.endpoints = httpPorts.length > 0 ? { xaddrs: [...match.xaddrs], httpPorts } : { xaddrs: [...match.xaddrs] };
  }
  return obs;
}

/**
 * The MAC in a version-1 (time-based) UUID's node field (RFC 4122 4.1.6), or undefined. Only
 * version 1 defines the node as a MAC; its multicast bit set means a random node (4.5), and
 * other versions' tails are random or hashed: reading a MAC there would name random makers.
 */
export function macFromUuid(value: string): string | undefined {
  const m = /^(?:urn:)?uuid:[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-([0-9a-f]{12})$/iu.exec(value.trim());
  if (!m) return undefined;
  const node = m[1]!.toLowerCase();
  if ((Number.parseInt(node.slice(0, 2), 16) & 0x01) !== 0) return undefined;
  return normaliseMac(node);
}
