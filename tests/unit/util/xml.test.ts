import { describe, expect, it } from 'vitest';
import { CamsweepError } from '../../../src/domain/errors.ts';
import { parseXml } from '../../../src/util/xml.ts';

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
});
