/**
 * The shared XML helpers under hostile input: parseXml throws only XML_INVALID or
 * XML_TOO_LARGE (entity bombs unexpanded, deep nesting, huge attributes), the tree helpers
 * never throw on what it returns, descendants and xmlNamespaces keep their caps.
 */
import { describe, it } from 'vitest';
import { child, children, descendants, parseXml, textAt, textOf, xmlNamespaces, type XmlNode } from '../../src/util/xml.ts';
import { allowCodes, check, checkLength, checkNoPollution, checkTree, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { REAL_VALUES } from './shared/text-gen.ts';
import { xmlDocument, xmlNode } from './shared/xml-gen.ts';

const MAX_BYTES = 256 * 1024;
const FUNCTIONS = ['parseXml', 'descendants', 'xmlNamespaces'] as const;
const tally = new Tally();
const NAMES = ['Envelope', 'Body', 'ProbeMatch', 'root', 'device', 'Fault', 'x', '#text', '__proto__'];

/** The read helpers on a parsed (or generated) tree: never a throw, descendants capped. */
function walk(doc: XmlNode | undefined): void {
  for (const name of NAMES) {
    const found = tally.time('descendants', () => noThrow(() => descendants(doc, name, 50), 'descendants'));
    check(found.length <= 50, () => `descendants(${name}) gave ${found.length} (limit 50)`);
    noThrow(() => [children(doc, name), child(doc, name, name), textAt(doc, name), textOf(found[0])], 'tree helpers');
  }
}

/** One document through parseXml and the helpers, as the decoders use them. */
function input(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  const doc = tally.time('parseXml', () => allowCodes(() => parseXml(text, MAX_BYTES), ['XML_INVALID', 'XML_TOO_LARGE'], 'parseXml'), bytes.length);
  checkNoPollution('parseXml');
  if (doc !== undefined) {
    // Values are the document's own text: any character, bounded by the size cap.
    checkTree(doc, { maxString: MAX_BYTES, maxNodes: MAX_BYTES, raw: /./u, maxDepth: MAX_BYTES }, 'parseXml');
    walk(doc);
  }
  const namespaces = tally.time('xmlNamespaces', () => noThrow(() => xmlNamespaces(text), 'xmlNamespaces'), bytes.length);
  check(namespaces.length <= 64, () => `${namespaces.length} namespaces`);
  for (const ns of namespaces) {
    check(/^[A-Za-z_][\w.-]{0,63}$/u.test(ns.prefix), () => `prefix ${ns.prefix}`);
    checkLength(ns.uri, 1024, 'namespace uri'); // 512 code points: up to 1024 UTF-16 units
  }
}

const xml = /\.(?:xml|html)$/u;
const seeds = uniqueCaptures(...['wsd', 'onvif', 'upnp', 'sadp', 'corpus'].map((area) => captures(area, xml)));

const VOCAB = { names: NAMES, prefixes: ['s', 'd', 'a', 'tt', 'xmlns'], texts: REAL_VALUES };

describe('fuzz: XML helpers', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({
    family: 'xml',
    areas: ['wsd', 'onvif', 'upnp', 'sadp', 'corpus'].map((area) => ({ area, include: xml })),
    seeds,
    pool: allCaptures(),
    mutants: 3000,
    // wsd, onvif, upnp and sadp captures are cut at every byte by their own families, through parseXml.
    cut: (seed) => seed.name.startsWith('corpus/') && !/GetCapabilities|GetStreamUri|GetNetworkProtocols|gb28181/u.test(seed.name),
    input,
  });

  it('survives generated documents', () => {
    fuzz('xml generated documents', xmlDocument(VOCAB, 7), (doc) => input(Buffer.from(doc, 'utf8')), 2000);
  });

  it('reads any tree the parser could return', () => {
    fuzz('xml generated trees', xmlNode(VOCAB), walk, 1000);
  });

  inputFloorCase(tally, FUNCTIONS, 'xml');
});
