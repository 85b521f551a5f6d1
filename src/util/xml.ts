import { XMLParser } from 'fast-xml-parser';
import { ERR, CamsweepError } from '../domain/errors.ts';
import { cleanText } from './text.ts';

/**
 * Hostile-input XML parsing. fast-xml-parser does not expand DOCTYPE entities (no billion
 * laughs) and never fetches external ones; we add a size cap before parsing and keep every
 * value a string (`parseTagValue: false`, so serial `00012345` stays `00012345`).
 * Namespace prefixes are removed from element names; values keep theirs.
 */
export const DEFAULT_MAX_XML_BYTES = 256 * 1024;

/** The parser's options (exported for the test that checks `jPath: false` changes no document). */
export const XML_PARSER_OPTIONS = {
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The path of each element goes to the parser's callbacks (tagValueProcessor, isArray,
  // updateTag); as a string (`jPath: true`, its default) it is built for every element and
  // text node, though none is set here: ~25% of the parse's CPU, for nothing. The document
  // parsed is the same either way (docs/performance.md).
  jPath: false,
} as const;

const parser = new XMLParser(XML_PARSER_OPTIONS);

export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode | undefined;
}

export function parseXml(text: string, maxBytes = DEFAULT_MAX_XML_BYTES): XmlObject {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new CamsweepError(ERR.XML_TOO_LARGE, `XML document larger than ${maxBytes} bytes`);
  }
  if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[\s\S]*?>\s*)?</u.test(text)) {
    throw new CamsweepError(ERR.XML_INVALID, 'not an XML document');
  }
  let result: unknown;
  try {
    result = parser.parse(text, false);
  } catch (err) {
    // The parser quotes the document around the error: device bytes, so cleaned and capped.
    throw new CamsweepError(ERR.XML_INVALID, `malformed XML: ${cleanText((err as Error).message, 200)}`);
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new CamsweepError(ERR.XML_INVALID, 'XML has no root element');
  }
  return result as XmlObject;
}

function isObject(node: XmlNode | undefined): node is XmlObject {
  return node !== undefined && typeof node === 'object' && !Array.isArray(node);
}

/** Every element named `name` directly under `node` (an array even when there is one). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const nodes = Array.isArray(node) ? node : [node];
  const out: XmlNode[] = [];
  for (const n of nodes) {
    if (!isObject(n)) continue;
    const c = n[name];
    if (c === undefined) continue;
    if (Array.isArray(c)) out.push(...c);
    else out.push(c);
  }
  return out;
}

/** The first element named `name` under `node`, following a path of names. */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current: XmlNode | undefined = node;
  for (const name of path) {
    current = children(current, name)[0];
    if (current === undefined) return undefined;
  }
  return current;
}

/** Every element named `name` anywhere below `node` (depth-first, bounded). */
export function descendants(node: XmlNode | undefined, name: string, limit = 1000): XmlNode[] {
  const out: XmlNode[] = [];
  const stack: XmlNode[] = node === undefined ? [] : [node];
  let visited = 0;
  while (stack.length > 0 && out.length < limit && visited < 100_000) {
    const n = stack.pop()!;
    visited += 1;
    if (Array.isArray(n)) {
      for (let i = n.length - 1; i >= 0; i -= 1) stack.push(n[i]!);
      continue;
    }
    if (!isObject(n)) continue;
    const keys = Object.keys(n);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i]!;
      const value = n[key];
      if (value === undefined) continue;
      if (key === name) {
        if (Array.isArray(value)) out.push(...value);
        else out.push(value);
      }
      stack.push(value);
    }
  }
  return out.slice(0, limit);
}

/** The text of an element: a string node, or `#text` of one with children. */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return textOf(node[0]);
  const t = node['#text'];
  return typeof t === 'string' ? t : undefined;
}

/** `textOf(child(node, ...path))`. */
export function textAt(node: XmlNode | undefined, ...path: string[]): string | undefined {
  return textOf(child(node, ...path));
}

/**
 * Namespace declarations (`xmlns:prefix="uri"`) in a raw document, in order, deduplicated.
 * The parser drops them, yet they are vendor tells (tnshik, hikwsd, tnsaxis, ...).
 */
export function xmlNamespaces(text: string, limit = 64): Array<{ prefix: string; uri: string }> {
  const out: Array<{ prefix: string; uri: string }> = [];
  const seen = new Set<string>();
  const re = /xmlns:([A-Za-z_][\w.-]{0,63})\s*=\s*["']([^"'<>]{0,512})["']/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < limit) {
    const key = `${m[1]}=${m[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ prefix: m[1]!, uri: m[2]! });
  }
  return out;
}
