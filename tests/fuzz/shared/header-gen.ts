/**
 * Header blocks (SSDP datagrams, HTTP response heads): a start line, header lines with
 * every spacing and line ending real stacks use, hostile names and values, sometimes a body
 * or trailing junk.
 */
import fc from 'fast-check';
import { rarely } from './rarely.ts';
import { hostileBytes, hostileString } from './text-gen.ts';

export interface HeaderVocabulary {
  startLines: readonly string[];
  names: readonly string[];
  values: readonly string[];
}

const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.!#$%&*+^`|~'.split('')), minLength: 1, maxLength: 70 });

export function headerLine(vocab: HeaderVocabulary): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...vocab.names) },
    { weight: 2, arbitrary: fc.constantFrom(...vocab.names).map((n) => n.toUpperCase()) },
    { weight: 2, arbitrary: token },
    { weight: 1, arbitrary: hostileString },
  );
  const sep = fc.constantFrom(':', ': ', ' : ', ':\t', ':  ', '', ' - : ');
  const value = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...vocab.values) }, { weight: 3, arbitrary: hostileString });
  return fc.tuple(name, sep, value).map(([n, s, v]) => `${n}${s}${v}`);
}

/** A whole header block as bytes. */
export function headerBlock(vocab: HeaderVocabulary): fc.Arbitrary<Buffer> {
  const start = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...vocab.startLines) }, { weight: 1, arbitrary: hostileString });
  const eol = fc.constantFrom('\r\n', '\r\n', '\n', '\r');
  return fc
    .record({
      lead: fc.constantFrom('', '', '\r\n', '\n\n'),
      start,
      lines: fc.array(headerLine(vocab), { maxLength: 80 }),
      eol,
      mixed: fc.boolean(),
      end: fc.constantFrom('', '\r\n', '\r\n\r\n', '\n\n'),
      body: rarely(hostileBytes, 4),
    })
    .map(({ lead, start: s, lines, eol: e, mixed, end, body }) => {
      const joined = [s, ...lines].map((l, i) => (mixed && i % 2 === 1 ? `${l}\n` : `${l}${e}`)).join('');
      return Buffer.concat([Buffer.from(`${lead}${joined}${end}`, 'utf8'), body ?? Buffer.alloc(0)]);
    });
}
