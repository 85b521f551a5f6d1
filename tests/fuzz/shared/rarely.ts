import fc from 'fast-check';

/**
 * `arb` about once in `n` draws, null otherwise. (fc.option's `freq` is the other way round:
 * it gives null once in `freq` draws.)
 */
export function rarely<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}
