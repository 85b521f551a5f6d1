import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/domain/errors.ts';
import { DEFAULT_MAX_TARGET_ADDRESSES, resolveTargets } from '../../../../src/discovery/unicast/targets.ts';

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('resolveTargets', () => {
  it('expands targets minus exclusions, keeping the parsed ranges for the scope guard', () => {
    const plan = resolveTargets({ targets: ['10.68.0.0/24', '10.70.0.9'], exclude: ['10.68.0.13/32', '10.68.0.128/25'] });
    expect(plan.ranges.map((r) => r.text)).toEqual(['10.68.0.0/24', '10.70.0.9']);
    expect(plan.exclude.map((r) => r.text)).toEqual(['10.68.0.13/32', '10.68.0.128/25']);
    expect(plan.addresses).toHaveLength(126 + 1);
    expect(plan.addresses).not.toContain('10.68.0.13');
    expect(plan.addresses).not.toContain('10.68.0.200');
    expect(plan.addresses.at(-1)).toBe('10.70.0.9');
  });

  it('without targets, probes nothing', () => {
    expect(resolveTargets({ targets: [], exclude: ['10.0.0.0/8'] }).addresses).toEqual([]);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.0/0', 'loopback'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250/32', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', '"this network"'],
  ])('refuses %s (%s) as a usage error', (target, word) => {
    expect(usage(() => resolveTargets({ targets: [target] }))).toContain(word);
  });

  it('reports every bad target and exclusion at once', () => {
    const message = usage(() => resolveTargets({ targets: ['10.68.0.0/33', '127.0.0.0/8', 'cameras'], exclude: ['x.y'] }));
    expect(message).toContain('target "10.68.0.0/33": not an IPv4 address or CIDR range');
    expect(message).toContain('target "cameras"');
    expect(message).toContain('exclude "x.y"');
    expect(message).toContain('target 127.0.0.0/8: loopback');
  });

  it('refuses more than 65,536 addresses unless the cap is raised', () => {
    expect(DEFAULT_MAX_TARGET_ADDRESSES).toBe(65_536);
    expect(resolveTargets({ targets: ['10.68.0.0/16'] }).addresses).toHaveLength(65_534);
    expect(usage(() => resolveTargets({ targets: ['10.68.0.0/15'] }))).toMatch(/131070 addresses, more than the limit of 65536 \(raise sweep\.maxTargetAddresses/u);
    expect(resolveTargets({ targets: ['10.68.0.0/15'], maxAddresses: 200_000 }).addresses).toHaveLength(131_070);
  });
});
