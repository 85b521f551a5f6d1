import { describe, expect, it } from 'vitest';
import { checkConfig, loadConfig, credentialsFor, parseCidr } from '../../../src/config/load.ts';
import { UsageError } from '../../../src/domain/errors.ts';

const files = (map: Record<string, string>) => (path: string): string => {
  const text = map[path];
  if (text === undefined) throw new Error('ENOENT');
  return text;
};

describe('loadConfig', () => {
  it('gives defaults without a file', () => {
    const c = loadConfig({});
    expect(c.sweep).toEqual({ interfaces: [], windowMs: 3000, idleMs: 300, mx: 1, protocols: ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'] });
    expect(loadConfig({ file: 'c.yaml', readFile: files({ 'c.yaml': 'sweep:\n  adaptive: false\n  idle: 1\n' }) }).sweep.idleMs).toBeUndefined();
    expect(loadConfig({ file: 'c.yaml', readFile: files({ 'c.yaml': 'sweep:\n  idle: 0.5\n' }) }).sweep.idleMs).toBe(500);
    expect(c.enrich).toMatchObject({ enabled: true, requestTimeoutMs: 2500, graceMs: 5000, concurrency: 64 });
    expect(Object.isFrozen(c.sweep)).toBe(true);
  });

  it('reports every problem at once, each with its path', () => {
    const yaml = 'sweep:\n  timeout: fast\n  mx: 9\n  color: blue\ncredentials:\n  - match: 10.0.0.0/24\n    username: admin\n';
    let err: unknown;
    try {
      loadConfig({ file: 'c.yaml', readFile: files({ 'c.yaml': yaml }) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).toContain('sweep.timeout');
    expect(msg).toContain('sweep.mx');
    expect(msg).toContain('color');
    expect(msg).toContain('credentials.0');
  });

  it('resolves passwords from a file or the environment, never requiring them inline', () => {
    const yaml = [
      'credentials:',
      '  - { match: 10.66.0.0/24, username: viewer, passwordFile: /run/secrets/onvif }',
      '  - { match: 10.66.0.12, username: admin, passwordEnv: CAM12_PASSWORD }',
    ].join('\n');
    const c = loadConfig({
      file: 'c.yaml',
      readFile: files({ 'c.yaml': yaml, '/run/secrets/onvif': 's3cret\n' }),
      env: { CAM12_PASSWORD: 'other' },
    });
    expect(credentialsFor(c, '10.66.0.11')).toEqual({ username: 'viewer', password: 's3cret' });
    expect(credentialsFor(c, '10.66.0.12')).toEqual({ username: 'admin', password: 'other' });
    expect(credentialsFor(c, '10.67.0.1')).toBeUndefined();
  });

  it('rejects a missing env password, a bad CIDR and unreadable files together', () => {
    const yaml = [
      'credentials:',
      '  - { match: 10.66.0.0/33, username: a, password: x }',
      '  - { match: 10.66.0.1, username: b, passwordEnv: NOPE }',
      '  - { match: 10.66.0.2, username: c, passwordFile: /missing }',
    ].join('\n');
    expect(() => loadConfig({ file: 'c.yaml', readFile: files({ 'c.yaml': yaml }), env: {} })).toThrow(
      /credentials\.0\.match[\s\S]*credentials\.1\.passwordEnv[\s\S]*credentials\.2\.passwordFile/u,
    );
  });

  it('reports unreadable and non-YAML files as usage errors', () => {
    expect(() => loadConfig({ file: 'nope.yaml', readFile: files({}) })).toThrow(UsageError);
    expect(() => loadConfig({ file: 'bad.yaml', readFile: files({ 'bad.yaml': 'sweep: [' }) })).toThrow(/not valid YAML/u);
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 8],
    ['192.168.1.7', 32],
    ['0.0.0.0/0', 0],
  ])('%s', (text, prefix) => expect(parseCidr(text)?.prefix).toBe(prefix));
  it.each(['10.0.0.0/33', '10.0.0/8', 'x', '10.0.0.0/8/1', '300.1.1.1'])('rejects %s', (text) => expect(parseCidr(text)).toBeUndefined());
});

describe('config/camsweep.example.yaml', () => {
  it('is valid and states the defaults', () => {
    const file = new URL('../../../config/camsweep.example.yaml', import.meta.url).pathname;
    expect(loadConfig({ file })).toEqual(loadConfig({}));
  });
});

describe('checkConfig: every problem in one pass', () => {
  it('reports schema errors, bad CIDRs and environment typos together, not stage by stage', () => {
    const yaml = 'sweep:\n  timeout: 999\n  targets: [10.0.0.300/24]\n  exclude: [foo]\ncredentials:\n  - { match: 10.1.2.0/33, username: a, password: b }\n';
    const r = checkConfig({ file: 'c.yaml', readFile: () => yaml, env: { CAMSWEEP_REPROT_ENDPOINT: 'https://c/v1', CAMSWEEP_REPORT_GZIP: 'sometimes' } });
    expect(r.config).toBeUndefined();
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^c\.yaml: sweep\.timeout: /u),
        'c.yaml: sweep.targets.0: not an IPv4 address or CIDR range: 10.0.0.300/24',
        'c.yaml: sweep.exclude.0: not an IPv4 address or CIDR range: foo',
        'c.yaml: credentials.0.match: not an IPv4 address or CIDR range: 10.1.2.0/33',
        '$CAMSWEEP_REPROT_ENDPOINT: not a camsweep variable (did you mean $CAMSWEEP_REPORT_ENDPOINT?)',
        expect.stringMatching(/^report\.gzip \(from \$CAMSWEEP_REPORT_GZIP\): /u),
      ]),
    );
    expect(r.problems).toHaveLength(6);
  });

  it('names only what is wrong: a negative interval, not the jitter nobody set', () => {
    const r = checkConfig({ env: { CAMSWEEP_DAEMON_SCHEDULE_INTERVAL: '-5' } });
    expect(r.problems).toEqual([expect.stringMatching(/^daemon\.schedule\.interval \(from \$CAMSWEEP_DAEMON_SCHEDULE_INTERVAL\): /u)]);
  });

  it('returns the frozen configuration when all is well', () => {
    const r = checkConfig({ env: {} });
    expect(r.problems).toEqual([]);
    expect(Object.isFrozen(r.config)).toBe(true);
  });
});
