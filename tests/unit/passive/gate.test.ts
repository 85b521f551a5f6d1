import { describe, expect, it } from 'vitest';
import { createGate } from '../../../src/passive/gate.ts';

const limits = { perSourcePerSecond: 5, perSourceBurst: 10, totalPerSecond: 100, totalBurst: 30, maxSources: 3 };

describe('createGate', () => {
  it('lets a source send its burst, then its rate; another source is not held back by it', () => {
    let t = 0;
    const gate = createGate(limits, () => t);
    const verdicts = Array.from({ length: 15 }, () => gate.admit('10.66.0.11'));
    expect(verdicts.filter((v) => v === 'pass')).toHaveLength(10);
    expect(verdicts.at(-1)).toBe('rate-source');
    expect(gate.admit('10.66.0.12')).toBe('pass');
    t += 1000;
    expect(Array.from({ length: 10 }, () => gate.admit('10.66.0.11')).filter((v) => v === 'pass')).toHaveLength(5);
  });

  it('holds all sources together to the total rate', () => {
    let t = 0;
    const gate = createGate({ ...limits, maxSources: 100 }, () => t);
    let passed = 0;
    for (let n = 0; n < 50; n += 1) if (gate.admit(`10.66.0.${n}`) === 'pass') passed += 1;
    expect(passed).toBe(30);
    expect(gate.admit('10.66.1.1')).toBe('rate-total');
    t += 100;
    expect(gate.admit('10.66.1.1')).toBe('pass');
  });

  it('a flood from rotating IPv6 sources takes at most its share of the total: IPv4 devices still get through', () => {
    let t = 0;
    const gate = createGate({ ...limits, maxSources: 100 }, () => t);
    for (let second = 0; second < 3; second += 1) {
      let passed = 0;
      for (let n = 0; n < 1000; n += 1) if (gate.admit(`fe80::${second.toString(16)}:${n.toString(16)}`) === 'pass') passed += 1;
      expect(passed).toBeLessThanOrEqual(second === 0 ? 15 : 50);
      expect(gate.admit(`10.66.0.${second + 1}`)).toBe('pass');
      t += 1000;
    }
  });

  it('keeps at most maxSources buckets, dropping the least recently heard', () => {
    const gate = createGate(limits, () => 0);
    for (let n = 0; n < 10; n += 1) gate.admit(`10.66.0.${n}`);
    expect(gate.sources).toBe(3);
  });
});
