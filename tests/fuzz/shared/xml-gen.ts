/**
 * XML-ish documents for the XML decoders: trees of elements named from a protocol's
 * vocabulary (so generated documents reach the code past "which element is this?"), with
 * namespace prefixes, attributes, hostile text, CDATA, comments, entities, and now and then
 * a wrong or missing close tag. Also XmlNode values (the parser's output shape) for the
 * functions that read a parsed body.
 */
import fc from 'fast-check';
import type { XmlNode, XmlObject } from '../../../src/util/xml.ts';
import { valueString } from './text-gen.ts';

export interface XmlVocabulary {
  /** Element local names the decoder looks for. */
  names: readonly string[];
  /** Namespace prefixes seen in real replies (`s`, `d`, `tds`, ...). */
  prefixes: readonly string[];
  /** Texts that make sense inside those elements (scope lists, numbers, ...). */
  texts?: readonly string[];
}

const NOISE_NAMES = ['x', 'Extension', 'a.b', '__proto__', 'constructor', 'hasOwnProperty', '#text', 'Item'];

function escapeAttr(s: string): string {
  return s.replace(/&/gu, '&amp;').replace(/"/gu, '&quot;').replace(/</gu, '&lt;');
}

function elementArb(vocab: XmlVocabulary, child: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...vocab.names) }, { weight: 1, arbitrary: fc.constantFrom(...NOISE_NAMES) });
  const prefix = fc.oneof(fc.constant(''), fc.constantFrom(...vocab.prefixes).map((p) => `${p}:`));
  const attr = fc
    .tuple(fc.constantFrom('xmlns:d', 'xmlns', 'id', 'a:b', 'xml:lang', 'SOAP-ENV:mustUnderstand'), valueString)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`);
  return fc
    .record({
      prefix,
      name,
      attrs: fc.array(attr, { maxLength: 3 }),
      children: fc.array(child, { maxLength: 5 }),
      close: fc.constantFrom('match', 'match', 'match', 'match', 'match', 'self', 'none', 'other', 'unprefixed'),
    })
    .map(({ prefix: p, name: n, attrs, children, close }) => {
      const open = `<${p}${n}${attrs.join('')}`;
      if (close === 'self') return `${open}/>`;
      const body = children.join('');
      const end = close === 'match' ? `</${p}${n}>` : close === 'none' ? '' : close === 'other' ? '</Other>' : `</${n}>`;
      return `${open}>${body}${end}`;
    });
}

function leafArb(vocab: XmlVocabulary): fc.Arbitrary<string> {
  const texts = vocab.texts && vocab.texts.length > 0 ? vocab.texts : ['1'];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...texts) },
    { weight: 3, arbitrary: valueString },
    { weight: 1, arbitrary: valueString.map((s) => `<![CDATA[${s}]]>`) },
    { weight: 1, arbitrary: valueString.map((s) => `<!--${s.replace(/--/gu, '')}-->`) },
    { weight: 1, arbitrary: fc.constantFrom('&amp;', '&lt;', '&#x1b;', '&#0;', '&#xD800;', '&bogus;', '&#1114112;', '&lol9;') },
  );
}

/** An XML document: an optional prolog (declaration, DOCTYPE, comment, BOM) and a tree. */
export function xmlDocument(vocab: XmlVocabulary, maxDepth = 5): fc.Arbitrary<string> {
  const { node } = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof({ maxDepth, depthIdentifier: 'xml' }, leafArb(vocab), elementArb(vocab, tie('node'))),
  }));
  const root = elementArb(vocab, node);
  const prolog = fc.constantFrom(
    '',
    '',
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n',
    '\ufeff<?xml version="1.0"?>',
    '<!-- device -->',
    '<!DOCTYPE root [<!ENTITY a "b">]>',
    '  \r\n',
  );
  const tail = fc.constantFrom('', '', '\n', '\0\0\0', '<extra/>', '</root>', ' trailing text');
  return fc.tuple(prolog, root, tail).map(([p, r, t]) => `${p}${r}${t}`);
}

/** XmlNode values shaped like the parser's output, with the vocabulary's names as keys. */
export function xmlNode(vocab: XmlVocabulary, maxDepth = 6): fc.Arbitrary<XmlNode> {
  const texts = vocab.texts && vocab.texts.length > 0 ? vocab.texts : ['1'];
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...vocab.names) }, { weight: 1, arbitrary: fc.constantFrom(...NOISE_NAMES) });
  const { node } = fc.letrec<{ node: XmlNode }>((tie) => ({
    node: fc.oneof(
      { maxDepth, depthIdentifier: 'node' },
      fc.oneof(fc.constantFrom(...texts), valueString),
      fc.dictionary(key, tie('node'), { maxKeys: 5 }).map((o): XmlObject => o),
      fc.array(tie('node'), { maxLength: 4 }),
    ),
  }));
  return node;
}
