import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../../src/discovery/unicast/progress.ts';

describe('progressLine', () => {
  it('rewrites one line at most every interval, and always ends with the total and a newline', () => {
    let t = 0;
    const out: string[] = [];
    const progress = progressLine((s) => out.push(s), { intervalMs: 100, now: () => t });
    for (let probed = 1; probed <= 10; probed += 1) {
      t += 30;
      progress(probed, 10);
    }
    progress(10, 10);
    expect(out).toEqual(['\rprobed 1/10 addresses', '\rprobed 5/10 addresses', '\rprobed 9/10 addresses', '\rprobed 10/10 addresses\n']);
  });
});
