import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultAgentId, reportConfigSchema, resolveReportConfig, ReportConfigError } from '../../../src/report/config.ts';
import { loadReportSettings } from '../../../src/report/settings-file.ts';
import { UsageError } from '../../../src/domain/errors.ts';
import { createLogger } from '../../../src/util/log.ts';
import { HOST } from './sample.ts';

const files = (map: Record<string, string>) => (p: string): string => {
  const text = map[p];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  return text;
};

const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

const resolve = (yaml: string, env: NodeJS.ProcessEnv = {}, fs: Record<string, string> = {}) => {
  const doc = (parseYaml(yaml) ?? {}) as { report?: unknown; dataDir?: string };
  return resolveReportConfig({ report: reportConfigSchema.parse(doc.report ?? {}), dataDir: doc.dataDir }, env, files(fs), { host: HOST });
};

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ReportConfigError);
    expect(err).toBeInstanceOf(UsageError);
    return [...(err as ReportConfigError).problems];
  }
  throw new Error('expected a ReportConfigError');
};

describe('report configuration', () => {
  it('has defaults: no endpoint (nothing sent), restricted only, host-derived agent id, state dir', () => {
    const c = resolve('');
    expect(c).toMatchObject({
      endpoint: null,
      include: 'restricted',
      agentId: 'agent-01.example',
      site: null,
      timeoutMs: 15_000,
      batchMaxBytes: 262_144,
      gzip: 'auto',
      maxAttempts: null,
      maxAgeMs: 7 * 86_400_000,
      backoff: { baseMs: 1000, maxMs: 300_000 },
      deliverForMs: 30_000,
      dataDir: '/home/cam/.local/state/camsweep',
    });
    expect(c.auth.token).toBeNull();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.backoff)).toBe(true);
  });

  it('reads the token from tokenFile, or from $CAMSWEEP_REPORT_TOKEN (or the named variable)', () => {
    const yaml = 'report:\n  endpoint: https://central.example/v1/reports\n  tokenFile: /run/secrets/t\n';
    expect(resolve(yaml, {}, { '/run/secrets/t': 's3cret-token\n' }).auth.token?.reveal()).toBe('s3cret-token');
    expect(resolve('report: { endpoint: https://c.example/ }', { CAMSWEEP_REPORT_TOKEN: 'from-env' }).auth.token?.reveal()).toBe('from-env');
    expect(resolve('report: { endpoint: https://c.example/, tokenEnv: MY_TOKEN }', { MY_TOKEN: 'mine', CAMSWEEP_REPORT_TOKEN: 'x' }).auth.token?.reveal()).toBe('mine');
  });

  it('lets the command line win: --report-token over --report-token-file over the file', () => {
    const yaml = 'report:\n  endpoint: https://c.example/\n  tokenFile: /t1\n';
    const doc = parseYaml(yaml) as { report: unknown };
    const parsed = { report: reportConfigSchema.parse(doc.report) };
    const read = files({ '/t1': 'one', '/t2': 'two' });
    expect(resolveReportConfig(parsed, {}, read, { host: HOST, overrides: { tokenFile: '/t2' } }).auth.token?.reveal()).toBe('two');
    expect(resolveReportConfig(parsed, {}, read, { host: HOST, overrides: { tokenFile: '/t2', token: 'three' } }).auth.token?.reveal()).toBe('three');
    expect(resolveReportConfig(parsed, {}, read, { host: HOST, overrides: { endpoint: 'https://other.example/r', dataDir: '/srv/cs' } })).toMatchObject({
      endpoint: 'https://other.example/r',
      dataDir: '/srv/cs',
    });
  });

  it('reads the HMAC secret and TLS material from files', () => {
    const yaml = [
      'dataDir: /var/lib/cs',
      'report:',
      '  endpoint: https://c.example/',
      '  hmacSecretFile: /s/hmac',
      '  caFile: /s/ca.pem',
      '  certFile: /s/client.pem',
      '  keyFile: /s/client.key',
      '  site: HQ',
      '  agentId: cam-agent-7',
    ].join('\n');
    const c = resolve(yaml, {}, { '/s/hmac': 'a-long-enough-shared-secret\n', '/s/ca.pem': PEM_CERT, '/s/client.pem': PEM_CERT, '/s/client.key': PEM_KEY });
    expect(c.auth.secret?.reveal()).toBe('a-long-enough-shared-secret');
    expect(c.tls.ca).toBe(PEM_CERT);
    expect(c.tls.key?.reveal()).toBe(PEM_KEY);
    expect(c).toMatchObject({ dataDir: '/var/lib/cs', site: 'HQ', agentId: 'cam-agent-7' });
  });

  it('reports every problem at once', () => {
    const yaml = [
      'report:',
      '  endpoint: ftp://c.example/',
      '  tokenFile: /missing',
      '  token: inline',
      '  hmacSecretFile: /short',
      '  caFile: /not-pem',
      '  certFile: /s/client.pem',
      '  backoff: { base: 10, max: 5 }',
    ].join('\n');
    const problems = problemsOf(() => resolve(yaml, {}, { '/short': 'short', '/not-pem': 'hello', '/s/client.pem': PEM_CERT }));
    const text = problems.join('\n');
    expect(text).toContain('report.endpoint: scheme must be https');
    expect(text).toContain('give token or tokenFile, not both');
    expect(text).toContain('report.tokenFile: cannot read /missing (ENOENT)');
    expect(text).toContain('HMAC secret must have at least 16');
    expect(text).toContain('report.caFile: /not-pem holds no PEM block');
    expect(text).toContain('certFile and keyFile go together');
    expect(text).toContain('report.backoff: max must not be below base');
    expect(problems.length).toBe(7);
  });

  it('refuses plain http to a remote host unless allowPlainHttp, credentials in the URL, tokens that could inject headers', () => {
    expect(problemsOf(() => resolve('report: { endpoint: "http://10.0.0.5:8080/r" }'))[0]).toMatch(/plain http to 10\.0\.0\.5/u);
    expect(resolve('report: { endpoint: "http://10.0.0.5:8080/r", allowPlainHttp: true }').endpoint).toBe('http://10.0.0.5:8080/r');
    expect(resolve('report: { endpoint: "http://127.0.0.1:8080/r" }').endpoint).toBe('http://127.0.0.1:8080/r');
    expect(resolve('report: { endpoint: "http://[::1]:8080/r" }').endpoint).toBe('http://[::1]:8080/r');
    expect(problemsOf(() => resolve('report: { endpoint: "https://u:p@c.example/" }'))[0]).toMatch(/credentials in the URL/u);
    expect(problemsOf(() => resolve('report: { endpoint: "https://c.example/" }', { CAMSWEEP_REPORT_TOKEN: 'a\r\nX-Evil: 1' }))[0]).toMatch(/printable ASCII/u);
  });

  it('rejects unknown keys and bad values through the schema (loadReportSettings, with the file name)', () => {
    const read = files({ 'c.yaml': 'report:\n  endpont: https://x/\n  include: everything\n  batchMaxBytes: 100\ndataDir: ""\n' });
    let err: unknown;
    try {
      loadReportSettings({ file: 'c.yaml', env: {}, readFile: read, host: HOST });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('in c.yaml');
    expect(msg).toMatch(/endpont/u);
    expect(msg).toContain('report.include');
    expect(msg).toContain('report.batchMaxBytes');
    expect(msg).toContain('dataDir');
  });

  it('loadReportSettings ignores the other sections of the file and applies overrides', () => {
    const read = files({ 'c.yaml': 'sweep: { timeout: 5 }\ndataDir: /d\nreport:\n  endpoint: https://c.example/r\n' });
    const c = loadReportSettings({ file: 'c.yaml', env: {}, readFile: read, host: HOST, overrides: { dataDir: '/other' } });
    expect(c.endpoint).toBe('https://c.example/r');
    expect(c.dataDir).toBe('/other');
    expect(() => loadReportSettings({ file: 'nope.yaml', env: {}, readFile: read, host: HOST })).toThrow(/cannot read config file nope\.yaml/u);
  });


  it('default agent id: the host name, or a stable hash of an odd one', () => {
    expect(defaultAgentId('Cam-Agent.Site1')).toBe('cam-agent.site1');
    const odd = defaultAgentId('weird host/name');
    expect(odd).toMatch(/^host-[0-9a-f]{16}$/u);
    expect(defaultAgentId('weird host/name')).toBe(odd);
  });

  it('never lets a secret reach a log line, JSON or inspect output', () => {
    const yaml = 'report:\n  endpoint: https://c.example/\n  hmacSecretFile: /h\n  keyFile: /k\n  certFile: /c\n';
    const c = resolve(yaml, { CAMSWEEP_REPORT_TOKEN: 'TOKEN-VALUE-123' }, { '/h': 'HMAC-SECRET-VALUE-456', '/k': `${PEM_KEY}KEYMATERIAL`, '/c': PEM_CERT });
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = createLogger({ level: 'info', destination: sink });
    log.info({ config: c }, 'config');
    log.info({ auth: c.auth, token: c.auth.token }, 'again');
    const everywhere = `${out}\n${JSON.stringify(c)}\n${inspect(c, { depth: 10 })}\n${String(c.auth.token)}`;
    for (const secret of ['TOKEN-VALUE-123', 'HMAC-SECRET-VALUE-456', 'KEYMATERIAL']) expect(everywhere).not.toContain(secret);
    expect(out).toContain('https://c.example/');
  });
});
