/**
 * The routed-network settings end to end on the configuration side: sweep.targets,
 * sweep.exclude, sweep.maxTargetAddresses and sweep.rate in the file, and the flags'
 * overrides in createSweeper, all checked before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.ts';
import { createSweeper } from '../../../../src/agent/sweeper.ts';
import { UsageError } from '../../../../src/domain/errors.ts';
import { silentLogger } from '../../../../src/util/log.ts';

const fromYaml = (yaml: string): ReturnType<typeof loadConfig> =>
  loadConfig({ file: 'c.yaml', readFile: (p) => (p === 'c.yaml' ? yaml : ''), env: {} });

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('sweep.targets, sweep.exclude, sweep.rate', () => {
  it('defaults: no targets, 100 datagrams a second, 8 addresses at once, a /16 at most', () => {
    expect(loadConfig({ env: {} }).unicast).toEqual({ targets: [], exclude: [], maxAddresses: 65_536, packetsPerSecond: 100, concurrency: 8 });
  });

  it('reads ranges and pacing from the file', () => {
    const c = fromYaml(
      ['sweep:', '  targets: [10.68.0.0/24, 10.70.0.5]', '  exclude: [10.68.0.13/32]', '  rate: { packetsPerSecond: 20, concurrency: 2 }', '  maxTargetAddresses: 300'].join('\n'),
    );
    expect(c.unicast.targets.map((t) => t.text)).toEqual(['10.68.0.0/24', '10.70.0.5']);
    expect(c.unicast.exclude.map((t) => t.text)).toEqual(['10.68.0.13/32']);
    expect(c.unicast).toMatchObject({ maxAddresses: 300, packetsPerSecond: 20, concurrency: 2 });
  });

  it('reports bad ranges, forbidden targets, too many addresses and bad pacing with their paths', () => {
    expect(message(() => fromYaml('sweep:\n  targets: [10.68.0.0/33]\n  exclude: [nope]\n'))).toMatch(/sweep\.targets\.0: not an IPv4[\s\S]*sweep\.exclude\.0: not an IPv4/u);
    expect(message(() => fromYaml('sweep:\n  targets: [127.0.0.0/8]\n'))).toContain('sweep.targets: target 127.0.0.0/8: loopback');
    expect(message(() => fromYaml('sweep:\n  targets: [10.0.0.0/8]\n'))).toContain('sweep.targets: targets: 16777214 addresses, more than the limit of 65536');
    expect(message(() => fromYaml('sweep:\n  rate: { packetsPerSecond: 0, concurrency: 0, burst: 3 }\n'))).toMatch(
      /sweep\.rate\.packetsPerSecond[\s\S]*sweep\.rate\.concurrency[\s\S]*burst/u,
    );
  });
});

describe('createSweeper with target flags', () => {
  const config = fromYaml('sweep:\n  targets: [10.68.0.0/24]\n  exclude: [10.68.0.13]\n');

  it('refuses loopback, multicast and broadcast targets, and a bad rate, before anything is sent', () => {
    const make = (over: Parameters<typeof createSweeper>[2]) => () => createSweeper(config, silentLogger(), { interfaces: ['lo'], ...over });
    expect(message(make({ targets: ['127.0.0.1'] }))).toContain('loopback');
    expect(message(make({ targets: ['239.255.255.250'] }))).toContain('multicast');
    expect(message(make({ targets: ['255.255.255.255'] }))).toContain('broadcast');
    expect(message(make({ targets: ['10.0.0.0/15'] }))).toContain('131070 addresses');
    expect(message(make({ rate: 0 }))).toContain('the rate must be from 1 to 10000');
    expect(() => make({ targets: ['10.69.0.0/24'], exclude: ['10.69.0.9'], rate: 50 })()).not.toThrow();
  });
});
