import { describe, expect, it } from 'vitest';
import { daemonConfigSchema, parseListen, resolveDaemonConfig } from '../../../src/daemon/config.ts';

const problems = (input: unknown): string[] => {
  const r = daemonConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('daemonConfigSchema', () => {
  it('defaults: hourly, a sweep at start, no jitter, 127.0.0.1:9464, 8 s to stop, listening between sweeps', () => {
    expect(resolveDaemonConfig(daemonConfigSchema.parse({}))).toEqual({
      schedule: { kind: 'interval', intervalMs: 3_600_000, jitterMs: 0, runAtStart: true },
      listen: { host: '127.0.0.1', port: 9464 },
      shutdownTimeoutMs: 8000,
      passive: {
        protocols: ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'],
        gate: { perSourcePerSecond: 5, perSourceBurst: 40, totalPerSecond: 400, totalBurst: 800, maxSources: 4096 },
        settleMs: 500,
        ipv6HoldMs: 2000,
        cooldownMs: 60_000,
        concurrency: 4,
        maxPending: 1024,
        maxHosts: 4096,
        descriptionCacheEntries: 256,
      },
    });
  });

  it('daemon.passive: enabled false turns listening off; its bounds are checked', () => {
    expect(resolveDaemonConfig(daemonConfigSchema.parse({ passive: { enabled: false } })).passive).toBeNull();
    expect(resolveDaemonConfig(daemonConfigSchema.parse({ passive: { protocols: ['wsd', 'ssdp', 'wsd'], cooldown: 5, rate: { perSource: 1 } } })).passive).toMatchObject({
      protocols: ['wsd', 'ssdp'],
      cooldownMs: 5000,
      gate: { perSourcePerSecond: 1, perSourceBurst: 40 },
    });
    expect(problems({ passive: { protocols: [], cooldown: 0, concurrency: 0, rate: { total: 0 }, extra: 1 } })).toEqual([
      'passive.protocols: Too small: expected array to have >=1 items',
      'passive.cooldown: Too small: expected number to be >=1',
      'passive.concurrency: Too small: expected number to be >=1',
      'passive.rate.total: Too small: expected number to be >=1',
      'passive: Unrecognized key: "extra"',
    ]);
  });

  it('a cron schedule with its time zone and jitter; listen false turns the listener off', () => {
    const cfg = resolveDaemonConfig(
      daemonConfigSchema.parse({ schedule: { cron: '0 */4 * * *', timezone: 'America/New_York', jitter: 90, runAtStart: false }, http: { listen: false }, shutdownTimeout: 20 }),
    );
    expect(cfg).toMatchObject({
      schedule: { kind: 'cron', cron: '0 */4 * * *', timezone: 'America/New_York', jitterMs: 90_000, runAtStart: false },
      listen: null,
      shutdownTimeoutMs: 20_000,
    });
  });

  it('reports every problem at once: cron and interval together, bad cron, bad zone, jitter not below the interval, bad listen', () => {
    expect(problems({ schedule: { cron: '* * * * *', interval: 60 } })).toEqual(['schedule.interval: give cron or interval, not both']);
    expect(problems({ schedule: { interval: 60, jitter: 60 }, http: { listen: '0.0.0.0' }, shutdownTimeout: 0 })).toEqual([
      'schedule.jitter: must be shorter than the interval (60 s)',
      'http.listen: HOST:PORT with an IP address (or localhost), e.g. 127.0.0.1:9464 or [::1]:9464',
      'shutdownTimeout: Too small: expected number to be >=1',
    ]);
    const bad = problems({ schedule: { cron: '61 * * * *', timezone: 'Mars/Olympus' } });
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^schedule\.timezone: unknown time zone "Mars\/Olympus"/u);
    expect(bad[1]).toMatch(/^schedule\.cron: not a usable cron expression: .*minute/u);
    expect(problems({ schedule: { cron: '0 0 31 2 *' } })).toEqual(['schedule.cron: not a usable cron expression: never fires']);
    expect(problems({ schedule: { interval: 600, timezone: 'UTC' } })).toEqual(['schedule.timezone: a time zone applies to a cron schedule only']);
    expect(problems({ schedule: { every: 5 } })[0]).toMatch(/every/u);
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (text, want) => expect(parseListen(text)).toEqual(want));
  it.each(['9464', 'example.org:9464', '::1:9464', '127.0.0.1:65536', '[127.0.0.1]:80', '127.0.0.1:'])('refuses %s', (text) => expect(parseListen(text)).toBeUndefined());
});
