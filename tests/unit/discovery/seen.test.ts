import { describe, expect, it } from 'vitest';
import { seenOnce } from '../../../src/discovery/seen.ts';

describe('seenOnce', () => {
  it('recognises repeats while it has room, and forgets nothing it kept', () => {
    const firstTime = seenOnce(2);
    expect(['a', 'a', 'b', 'c', 'c', 'a', 'b'].map(firstTime)).toEqual([true, false, true, true, true, false, false]);
  });
});
