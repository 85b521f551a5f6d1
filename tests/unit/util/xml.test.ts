import { readdirSync, readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CamsweepError } from '../../../src/domain/errors.ts';
import { parseXml, XML_PARSER_OPTIONS } from '../../../src/util/xml.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url);

describe('parseXml', () => {
  it('quotes no raw device bytes when the parser fails: the message is cleaned and capped (found by tests/fuzz)', () => {
    let thrown: unknown;
    try {
      // A document cut inside a tag: the parser's message quotes the text around the cut.
      parseXml(`<?xml version="1.0"?>\n<a>\u001b[2J\u009b31m\u202e${'x'.repeat(5000)}\n<b`);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CamsweepError);
    const { code, message } = thrown as CamsweepError;
    expect(code).toBe('XML_INVALID');
    expect(message).toMatch(/^malformed XML: /u);
    // eslint-disable-next-line no-control-regex -- the point: no control or bidi character in the message
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/u);
    expect(message.length).toBeLessThanOrEqual(250);
  });

  it('parses every document as the parser with its default jPath does (jPath: false only skips building path strings)', () => {
    const reference = new XMLParser({ ...XML_PARSER_OPTIONS, jPath: true });
    const docs = ['onvif', 'upnp', 'wsd', 'sadp', 'corpus'].flatMap((dir) =>
      readdirSync(new URL(`${dir}/`, FIXTURES))
        .filter((f) => f.endsWith('.xml'))
        .map((f) => readFileSync(new URL(`${dir}/${f}`, FIXTURES), 'utf8')),
    );
    docs.push(
      '<a><b>1</b><b> 2 </b><c>&amp;&lt;x&gt;&#65;</c><d><![CDATA[z<]]></d><e/><f:g xmlns:f="u" k="v">t<h>i</h>u</f:g><!-- c --></a>',
      '<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body><m:R xmlns:m="y"><m:V>00012345</m:V></m:R></s:Body></s:Envelope>',
    );
    expect(docs.length).toBeGreaterThan(20);
    for (const doc of docs) {
      let expected: unknown;
      try {
        expected = reference.parse(doc, false);
      } catch {
        expected = 'error';
      }
      let actual: unknown;
      try {
        actual = parseXml(doc);
      } catch {
        actual = 'error';
      }
      if (expected !== 'error' && (expected === null || typeof expected !== 'object' || Array.isArray(expected))) continue; // parseXml refuses a document without a root
      expect(actual).toEqual(expected);
    }
  });
});
