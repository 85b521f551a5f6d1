import { XMLParser } from 'fast-xml-parser';
import { NS, TYPE_PREFIXES } from './soap-styles.ts';

/**
 * Reading a WS-Discovery Probe the way a careful device does: QNames in Types are resolved
 * through the xmlns declarations in scope, Scopes are matched per RFC 3986 segments. Anything
 * that is not a well-formed Probe gives `undefined` (the device stays silent).
 */

export interface QName {
  /** Namespace URI; undefined when the prefix was not declared. */
  ns: string | undefined;
  local: string;
}

export interface ParsedProbe {
  version: '2005/04' | '2009/01';
  messageId: string | undefined;
  types: QName[];
  scopes: string[];
  matchBy: string | undefined;
}

const MAX_PROBE_BYTES = 65_535;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

function prefixOf(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? '' : qname.slice(0, i);
}

/** xmlns declarations of one element, layered over its parent's. */
function scopeOf(node: unknown, parent: Map<string, string>): Map<string, string> {
  if (!isNode(node)) return parent;
  const scope = new Map(parent);
  for (const [key, value] of Object.entries(node)) {
    if (typeof value !== 'string') continue;
    if (key === '@_xmlns') scope.set('', value);
    else if (key.startsWith('@_xmlns:')) scope.set(key.slice('@_xmlns:'.length), value);
  }
  return scope;
}

/** The first child element with this local name (and namespace, when given). */
function childNamed(node: unknown, local: string, scope: Map<string, string>, ns?: string): { key: string; value: unknown } | undefined {
  if (!isNode(node)) return undefined;
  for (const [key, raw] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text') continue;
    if (localName(key) !== local) continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (ns !== undefined) {
      const childScope = scopeOf(value, scope);
      if (childScope.get(prefixOf(key)) !== ns) continue;
    }
    return { key, value };
  }
  return undefined;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  return '';
}

export function resolveQNames(text: string, scope: ReadonlyMap<string, string>): QName[] {
  return text
    .split(/\s+/u)
    .filter((t) => t !== '')
    .map((token) => {
      const hasPrefix = token.includes(':');
      return { ns: scope.get(hasPrefix ? prefixOf(token) : ''), local: localName(token) };
    });
}

/** A device's own types ('dn:NetworkVideoTransmitter tds:Device') with the usual prefixes. */
export function deviceTypes(types: string): QName[] {
  return resolveQNames(types, new Map(Object.entries(TYPE_PREFIXES)));
}

export function parseProbe(message: Buffer | string): ParsedProbe | undefined {
  const text = typeof message === 'string' ? message : message.toString('utf8');
  if (text.length > MAX_PROBE_BYTES || /<!DOCTYPE|<!ENTITY/iu.test(text)) return undefined;
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch {
    return undefined;
  }
  const root = new Map<string, string>();
  const envelope = childNamed(doc, 'Envelope', root);
  if (envelope === undefined) return undefined;
  const envScope = scopeOf(envelope.value, root);
  if (envScope.get(prefixOf(envelope.key)) !== NS.soap12) return undefined;

  const header = childNamed(envelope.value, 'Header', envScope);
  const headerScope = scopeOf(header?.value, envScope);
  const messageIdNode = childNamed(header?.value, 'MessageID', headerScope);
  const messageId = messageIdNode === undefined ? undefined : textOf(messageIdNode.value).trim() || undefined;

  const body = childNamed(envelope.value, 'Body', envScope);
  if (body === undefined) return undefined;
  const bodyScope = scopeOf(body.value, envScope);
  let version: ParsedProbe['version'] = '2005/04';
  let probe = childNamed(body.value, 'Probe', bodyScope, NS.wsd2005);
  if (probe === undefined) {
    probe = childNamed(body.value, 'Probe', bodyScope, NS.wsd2009);
    version = '2009/01';
  }
  if (probe === undefined) return undefined;
  const probeScope = scopeOf(probe.value, bodyScope);

  const typesNode = childNamed(probe.value, 'Types', probeScope);
  const types = typesNode === undefined ? [] : resolveQNames(textOf(typesNode.value), scopeOf(typesNode.value, probeScope));
  const scopesNode = childNamed(probe.value, 'Scopes', probeScope);
  const scopes = scopesNode === undefined ? [] : textOf(scopesNode.value).split(/\s+/u).filter((s) => s !== '');
  const matchByRaw = isNode(scopesNode?.value) ? scopesNode.value['@_MatchBy'] : undefined;
  const matchBy = typeof matchByRaw === 'string' ? matchByRaw : undefined;
  return { version, messageId, types, scopes, matchBy };
}

function typeMatches(wanted: QName, offered: QName): boolean {
  if (wanted.local !== offered.local) return false;
  return wanted.ns === undefined || wanted.ns === offered.ns;
}

const RFC3986 = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc3986';
const STRCMP0 = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0';

function scopeMatches(wanted: string, offered: string, matchBy: string | undefined): boolean {
  if (matchBy === STRCMP0) return wanted === offered;
  if (matchBy !== undefined && matchBy !== RFC3986) return false;
  const w = wanted.replace(/\/+$/u, '');
  const o = offered.replace(/\/+$/u, '');
  if (o.toLowerCase() === w.toLowerCase()) return true;
  return o.length > w.length && o.slice(0, w.length).toLowerCase() === w.toLowerCase() && o[w.length] === '/';
}

/** Every requested type is offered and every requested scope matches an offered one. */
export function probeMatches(probe: ParsedProbe, offeredTypes: QName[], offeredScopes: string[]): boolean {
  if (probe.version !== '2005/04') return false;
  const typesOk = probe.types.every((w) => offeredTypes.some((o) => typeMatches(w, o)));
  const scopesOk = probe.scopes.every((w) => offeredScopes.some((o) => scopeMatches(w, o, probe.matchBy)));
  return typesOk && scopesOk;
}
