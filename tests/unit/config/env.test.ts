import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, envTable, envValue, envWord, unknownVariableProblems } from '../../../src/config/env.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { UsageError } from '../../../src/domain/errors.ts';
import { loadReportSettings } from '../../../src/report/settings-file.ts';

const files = (map: Record<string, string>) => (path: string): string => {
  const text = map[path];
  if (text === undefined) throw new Error('ENOENT');
  return text;
};

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /u, ''));
  }
  throw new Error('expected a UsageError');
};

describe('envWord / envTable', () => {
  it('turns camelCase keys into UPPER_SNAKE words', () => {
    expect(envWord('requestTimeout')).toBe('REQUEST_TIMEOUT');
    expect(envWord('maxBodyBytes')).toBe('MAX_BODY_BYTES');
    expect(envWord('runAtStart')).toBe('RUN_AT_START');
    expect(envWord('hmacSecretFile')).toBe('HMAC_SECRET_FILE');
    expect(envWord('mx')).toBe('MX');
  });

  it('is documented in full in docs/deploy.md', () => {
    const doc = readFileSync(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');
    const missing = envTable().variables.filter((v) => !doc.includes(`| \`${v.name}\` | \`${v.path.join('.')}\` |`));
    expect(missing.map((v) => v.name)).toEqual([]);
  });

  it('has one variable per settable key, no two keys share a name, and never offers report.token or credentials', () => {
    const table = envTable();
    const names = table.variables.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'CAMSWEEP_SWEEP_TIMEOUT',
        'CAMSWEEP_ENRICH_REQUEST_TIMEOUT',
        'CAMSWEEP_REPORT_ENDPOINT',
        'CAMSWEEP_REPORT_BACKOFF_MAX',
        'CAMSWEEP_DATA_DIR',
        'CAMSWEEP_LOG_LEVEL',
        'CAMSWEEP_DAEMON_SCHEDULE_CRON',
        'CAMSWEEP_DAEMON_HTTP_LISTEN',
        'CAMSWEEP_DAEMON_SHUTDOWN_TIMEOUT',
      ]),
    );
    expect(names).not.toContain('CAMSWEEP_REPORT_TOKEN');
    expect(names.some((n) => n.startsWith('CAMSWEEP_CREDENTIALS'))).toBe(false);
    expect(table.variables.find((v) => v.name === 'CAMSWEEP_DAEMON_HTTP_LISTEN')?.kind).toBe('string-or-false');
    expect(table.variables.find((v) => v.name === 'CAMSWEEP_SWEEP_PROTOCOLS')?.kind).toBe('list');
    expect(table.variables.find((v) => v.name === 'CAMSWEEP_ENRICH_ENABLED')?.kind).toBe('boolean');
  });
});

describe('envValue', () => {
  it('reads numbers, booleans, lists and false; text that does not fit stays text for the schema to refuse', () => {
    expect(envValue('number', ' 2.5 ')).toBe(2.5);
    expect(envValue('number', '1e3')).toBe(1000);
    expect(envValue('number', 'fast')).toBe('fast');
    expect(envValue('number', '0x10')).toBe('0x10');
    expect(envValue('boolean', 'No')).toBe(false);
    expect(envValue('boolean', 'on')).toBe(true);
    expect(envValue('boolean', 'maybe')).toBe('maybe');
    expect(envValue('list', 'wsd, ssdp,,mdns')).toEqual(['wsd', 'ssdp', 'mdns']);
    expect(envValue('list', '["a,b","c"]')).toEqual(['a,b', 'c']);
    expect(envValue('list', '[oops')).toBe('[oops');
    expect(envValue('string-or-false', 'false')).toBe(false);
    expect(envValue('string-or-false', '0.0.0.0:9464')).toBe('0.0.0.0:9464');
  });
});

describe('applyEnvOverrides', () => {
  it('merges into a copy, creating sections the file does not have', () => {
    const raw = { sweep: { timeout: 3 } };
    const r = applyEnvOverrides(raw, { CAMSWEEP_SWEEP_TIMEOUT: '5', CAMSWEEP_REPORT_BACKOFF_MAX: '600', PATH: '/bin' });
    expect(r.raw).toEqual({ sweep: { timeout: 5 }, report: { backoff: { max: 600 } } });
    expect(raw).toEqual({ sweep: { timeout: 3 } });
    expect(r.applied.map((a) => a.variable)).toEqual(['CAMSWEEP_REPORT_BACKOFF_MAX', 'CAMSWEEP_SWEEP_TIMEOUT']);
    expect(r.problems).toEqual([]);
  });

  it('leaves secret variables, empty variables and other programs\' CAMSWEEP_* variables alone', () => {
    const raw = { report: { tokenEnv: 'CAMSWEEP_SWEEP_SECRET' }, credentials: [{ match: '10.0.0.1', username: 'a', passwordEnv: 'CAMSWEEP_LOG_PW' }] };
    const r = applyEnvOverrides(raw, {
      CAMSWEEP_REPORT_TOKEN: 'tok',
      CAMSWEEP_REPORT_HMAC_SECRET: 'secret-secret-secret',
      CAMSWEEP_SWEEP_SECRET: 'named by report.tokenEnv',
      CAMSWEEP_LOG_PW: 'named by passwordEnv',
      CAMSWEEP_RECEIVER_TOKEN: 'the receiver\'s',
      CAMSWEEP_PRIVATE_NETNS: '1',
      CAMSWEEP_SWEEP_MX: '',
    });
    expect(r.raw).toEqual(raw);
    expect(r.applied).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it('names a variable that points into a section but at no key of it, and refuses credentials', () => {
    const r = applyEnvOverrides({}, { CAMSWEEP_SWEEP_TIMOUT: '5', CAMSWEEP_CREDENTIALS_0_PASSWORD: 'x' });
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toMatch(/^\$CAMSWEEP_CREDENTIALS_0_PASSWORD: credentials cannot be set from the environment/u);
    expect(r.problems[1]).toMatch(/^\$CAMSWEEP_SWEEP_TIMOUT: no such setting in sweep \(did you mean \$CAMSWEEP_SWEEP_TIMEOUT\?\)/u);
  });

  it('keeps to the sections asked for', () => {
    const r = applyEnvOverrides({}, { CAMSWEEP_SWEEP_TIMEOUT: 'soon', CAMSWEEP_SWEEP_MX: '3', CAMSWEEP_REPORT_SITE: 'HQ', CAMSWEEP_DATA_DIR: '/d' }, { only: ['report', 'dataDir'] });
    expect(r.raw).toEqual({ report: { site: 'HQ' }, dataDir: '/d' });
    expect(r.problems).toEqual([]);
  });

  it('refuses an unknown CAMSWEEP_* variable whatever the sections asked for, naming the nearest known one', () => {
    const r = applyEnvOverrides({}, { CAMSWEEP_REPROT_ENDPOINT: 'https://c/v1', CAMSWEEP_SWEEP_TIMOUT: '5', CAMSWEEP_FROBNICATE: '1' }, { only: ['report', 'dataDir'] });
    expect(r.problems).toEqual([
      expect.stringMatching(/^\$CAMSWEEP_FROBNICATE: not a camsweep variable \(known: .*CAMSWEEP_CONFIG/u),
      '$CAMSWEEP_REPROT_ENDPOINT: not a camsweep variable (did you mean $CAMSWEEP_REPORT_ENDPOINT?)',
      '$CAMSWEEP_SWEEP_TIMOUT: no such setting in sweep (did you mean $CAMSWEEP_SWEEP_TIMEOUT?)',
    ]);
    expect(unknownVariableProblems({ CAMSWEEP_REPROT_ENDPOINT: 'x', CAMSWEEP_CONFIG: '/c.yaml', CAMSWEEP_PRIVATE_NETNS: '1', CAMSWEEP_REPORT_TOKEN: 't' })).toEqual([
      '$CAMSWEEP_REPROT_ENDPOINT: not a camsweep variable (did you mean $CAMSWEEP_REPORT_ENDPOINT?)',
    ]);
  });
});

describe('loadConfig with environment overrides', () => {
  it('lets the environment win over the file, through the same schema (seconds to ms, defaults, frozen)', () => {
    const yaml = 'sweep:\n  timeout: 3\ndaemon:\n  schedule: { interval: 60 }\n';
    const c = loadConfig({
      file: 'c.yaml',
      readFile: files({ 'c.yaml': yaml }),
      env: {
        CAMSWEEP_SWEEP_TIMEOUT: '5',
        CAMSWEEP_SWEEP_PROTOCOLS: 'wsd,ssdp',
        CAMSWEEP_ENRICH_ENABLED: 'false',
        CAMSWEEP_REPORT_ENDPOINT: 'https://central.example/v1/reports',
        CAMSWEEP_DATA_DIR: '/var/lib/x',
        CAMSWEEP_DAEMON_SCHEDULE_JITTER: '10',
        CAMSWEEP_DAEMON_HTTP_LISTEN: 'false',
      },
    });
    expect(c.sweep.windowMs).toBe(5000);
    expect(c.sweep.protocols).toEqual(['wsd', 'ssdp']);
    expect(c.enrich.enabled).toBe(false);
    expect(c.reportSettings.report?.endpoint).toBe('https://central.example/v1/reports');
    expect(c.reportSettings.dataDir).toBe('/var/lib/x');
    expect(c.daemon.schedule).toEqual({ kind: 'interval', intervalMs: 60_000, jitterMs: 10_000, runAtStart: true });
    expect(c.daemon.listen).toBeNull();
    expect(c.fromEnv).toEqual([
      'CAMSWEEP_DAEMON_HTTP_LISTEN',
      'CAMSWEEP_DAEMON_SCHEDULE_JITTER',
      'CAMSWEEP_DATA_DIR',
      'CAMSWEEP_ENRICH_ENABLED',
      'CAMSWEEP_REPORT_ENDPOINT',
      'CAMSWEEP_SWEEP_PROTOCOLS',
      'CAMSWEEP_SWEEP_TIMEOUT',
    ]);
    expect(Object.isFrozen(c.daemon.schedule)).toBe(true);
  });

  it('reports bad values from the environment with the file\'s problems, all at once, naming each variable', () => {
    const yaml = 'sweep:\n  mx: 9\n';
    const problems = problemsOf(() =>
      loadConfig({
        file: 'c.yaml',
        readFile: files({ 'c.yaml': yaml }),
        env: {
          CAMSWEEP_SWEEP_TIMEOUT: 'fast',
          CAMSWEEP_SWEEP_PROTOCOLS: 'wsd,telnet',
          CAMSWEEP_LOG_LEVEL: 'loud',
          CAMSWEEP_DAEMON_SCHEDULE_CRON: '61 * * * *',
          CAMSWEEP_ENRICH_GRAC: '1',
        },
      }),
    );
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$CAMSWEEP_ENRICH_GRAC: no such setting in enrich/u),
        expect.stringMatching(/^sweep\.timeout \(from \$CAMSWEEP_SWEEP_TIMEOUT\): .*number/u),
        expect.stringMatching(/^sweep\.mx: /u),
        expect.stringMatching(/^sweep\.protocols\.1 \(from \$CAMSWEEP_SWEEP_PROTOCOLS\): /u),
        expect.stringMatching(/^log\.level \(from \$CAMSWEEP_LOG_LEVEL\): /u),
        expect.stringMatching(/^daemon\.schedule\.cron \(from \$CAMSWEEP_DAEMON_SCHEDULE_CRON\): not a usable cron expression: .*minute/u),
      ]),
    );
  });

  it('gives the same configuration for the example file under an environment with no CAMSWEEP_ settings', () => {
    const file = new URL('../../../config/camsweep.example.yaml', import.meta.url).pathname;
    expect(loadConfig({ file, env: { CAMSWEEP_PRIVATE_NETNS: '1', HOME: '/home/x' } })).toEqual(loadConfig({ env: {} }));
  });
});

describe('the outbox commands\' report settings with environment overrides', () => {
  const host = { hostname: 'agent-01', uid: 1000, homedir: '/home/a' };
  it('take CAMSWEEP_REPORT_* and CAMSWEEP_DATA_DIR over the file, and ignore the other sections', () => {
    const yaml = 'report: { endpoint: "https://file.example/v1", site: A }\ndataDir: /from/file\n';
    const cfg = loadReportSettings({
      file: 'c.yaml',
      readFile: files({ 'c.yaml': yaml }),
      env: { CAMSWEEP_REPORT_ENDPOINT: 'https://env.example/v1', CAMSWEEP_DATA_DIR: '/from/env', CAMSWEEP_SWEEP_TIMEOUT: 'x' },
      host,
    });
    expect(cfg.endpoint).toBe('https://env.example/v1');
    expect(cfg.site).toBe('A');
    expect(cfg.dataDir).toBe('/from/env');
  });

  it('name the variable behind a bad value', () => {
    const problems = problemsOf(() => loadReportSettings({ env: { CAMSWEEP_REPORT_TIMEOUT: 'slow', CAMSWEEP_REPORT_GZIP: 'maybe' }, host }));
    expect(problems).toEqual([
      expect.stringMatching(/^report\.timeout \(from \$CAMSWEEP_REPORT_TIMEOUT\): /u),
      expect.stringMatching(/^report\.gzip \(from \$CAMSWEEP_REPORT_GZIP\): /u),
    ]);
  });
});
