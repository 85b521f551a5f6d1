/**
 * Mutations of real captures, described as plain data that fast-check generates, so every
 * mutant is reproducible from the run's seed and prints as its recipe, not as its bytes.
 * Positions are free numbers taken modulo the current length: any number is a valid input
 * and shrinking moves towards the start of the capture.
 */
import fc from 'fast-check';
import type { Capture } from './captures.ts';
import { HOSTILE_TOKENS } from './hostile.ts';

/** Characters that delimit structure in the protocols fuzzed: insertions there hit parsers hardest. */
const MARKS = ['<', '>', '/', '\n', ':', '"', '=', ',', '{', '}', ' ', '&'] as const;

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; from: number; length: number; to: number; times: number }
  | { op: 'insert'; at: number; token: number }
  | { op: 'insertAtMark'; mark: number; nth: number; token: number }
  | { op: 'splice'; at: number; other: number; otherAt: number };

/** A mutated capture: its bytes, and (for failure reports) how they were made. */
export interface Mutant {
  seed: string;
  mutations: Mutation[];
  bytes: Buffer;
}

const pos = (n: number, length: number): number => (length <= 0 ? 0 : n % (length + 1));

function nthIndexOf(buf: Buffer, mark: string, nth: number): number {
  const byte = mark.charCodeAt(0);
  const positions: number[] = [];
  for (let i = 0; i < buf.length && positions.length < 4096; i += 1) if (buf[i] === byte) positions.push(i);
  if (positions.length === 0) return pos(nth, buf.length);
  return positions[nth % positions.length]!;
}

/** One mutation applied to `buf` (a new Buffer; `pool` supplies the other half of a splice). */
export function applyMutation(buf: Buffer, m: Mutation, pool: readonly Capture[]): Buffer {
  switch (m.op) {
    case 'flip': {
      if (buf.length === 0) return buf;
      const out = Buffer.from(buf);
      const i = m.at % out.length;
      out[i] = out[i]! ^ (1 << (m.bit & 7));
      return out;
    }
    case 'set': {
      if (buf.length === 0) return buf;
      const out = Buffer.from(buf);
      out[m.at % out.length] = m.value & 0xff;
      return out;
    }
    case 'truncate':
      return buf.subarray(0, pos(m.at, buf.length));
    case 'delete': {
      const at = pos(m.at, buf.length);
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
    }
    case 'duplicate': {
      const from = pos(m.from, buf.length);
      const slice = buf.subarray(from, from + m.length);
      const to = pos(m.to, buf.length);
      return Buffer.concat([buf.subarray(0, to), ...Array.from({ length: m.times }, () => slice), buf.subarray(to)]);
    }
    case 'insert': {
      const at = pos(m.at, buf.length);
      return Buffer.concat([buf.subarray(0, at), HOSTILE_TOKENS[m.token % HOSTILE_TOKENS.length]!.bytes, buf.subarray(at)]);
    }
    case 'insertAtMark': {
      const at = nthIndexOf(buf, MARKS[m.mark % MARKS.length]!, m.nth);
      return Buffer.concat([buf.subarray(0, at), HOSTILE_TOKENS[m.token % HOSTILE_TOKENS.length]!.bytes, buf.subarray(at)]);
    }
    case 'splice': {
      const other = pool[m.other % Math.max(1, pool.length)]?.bytes ?? Buffer.alloc(0);
      return Buffer.concat([buf.subarray(0, pos(m.at, buf.length)), other.subarray(pos(m.otherAt, other.length))]);
    }
  }
}

export function applyMutations(buf: Buffer, mutations: readonly Mutation[], pool: readonly Capture[]): Buffer {
  return mutations.reduce((b, m) => applyMutation(b, m, pool), buf);
}

const at = fc.nat({ max: 1 << 20 });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), at, value: fc.constantFrom(0, 0x0a, 0x0d, 0x1b, 0x22, 0x3c, 0x3e, 0x7f, 0x80, 0xff) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), at }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 256 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('duplicate' as const),
      from: at,
      length: fc.integer({ min: 1, max: 512 }),
      to: at,
      times: fc.integer({ min: 1, max: 64 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), at, token: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insertAtMark' as const), mark: fc.nat(), nth: fc.nat({ max: 4096 }), token: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('splice' as const), at, other: fc.nat(), otherAt: at }) },
);

/**
 * Mutants of one capture: 1 to 5 mutations, splices drawing on `pool` (other captures).
 * Prints as `seed + [mutations]`.
 */
export function mutantsOf(seed: Capture, pool: readonly Capture[]): fc.Arbitrary<Mutant> {
  return fc.array(mutationArb, { minLength: 1, maxLength: 5 }).map((mutations) => {
    const mutant: Mutant = { seed: seed.name, mutations, bytes: applyMutations(seed.bytes, mutations, pool) };
    Object.defineProperty(mutant, fc.toStringMethod, { value: () => `${seed.name} + ${JSON.stringify(mutations)}`, enumerable: false });
    return mutant;
  });
}

/** Every prefix of a capture (a datagram or body cut at every byte), longest first. */
export function* everyCut(bytes: Buffer): Generator<Buffer> {
  for (let end = bytes.length; end >= 0; end -= 1) yield bytes.subarray(0, end);
}
