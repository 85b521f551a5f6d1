import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../domain/errors.ts';
import { hostFacts, resolveDataDir, type HostFacts } from '../config/data-dir.ts';
import { isLoopbackHost, urlHost } from '../util/ip.ts';
import { Secret } from './secret.ts';

/**
 * The `report:` section of the configuration file (and the top-level `dataDir`), validated with
 * zod like the rest of the file, then resolved once: durations to milliseconds, secrets read
 * from their files or environment variables, every problem reported at once, frozen.
 * Durations are seconds in the file, as operators write them.
 */

export const REPORT_INCLUDE = ['restricted', 'review', 'all'] as const;
export type ReportInclude = (typeof REPORT_INCLUDE)[number];

export const GZIP_MODES = ['auto', 'always', 'never'] as const;
export type GzipMode = (typeof GZIP_MODES)[number];

export const DEFAULT_TOKEN_ENV = 'CAMSWEEP_REPORT_TOKEN';
export const DEFAULT_HMAC_SECRET_ENV = 'CAMSWEEP_REPORT_HMAC_SECRET';
export const MIN_BATCH_BYTES = 64 * 1024;
export const MIN_HMAC_SECRET_LENGTH = 16;

const seconds = (min: number, max: number) => z.number().min(min).max(max);
const nonEmpty = z.string().min(1);

export const reportConfigSchema = z
  .object({
    /** http(s) URL of the central endpoint; without one nothing is queued or sent. */
    endpoint: nonEmpty.optional(),
    /** Which verdicts are reported: restricted only, restricted + review, or every device. */
    include: z.enum(REPORT_INCLUDE).default('restricted'),
    /** Stable id of this agent (default: derived from the host name). */
    agentId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/u, 'letters, digits and . _ : - only, at most 128').optional(),
    /** Free-text site name sent with every report. */
    site: z.string().min(1).max(200).optional(),
    /** Discouraged: the token in the file itself. Prefer tokenFile or tokenEnv. */
    token: nonEmpty.optional(),
    tokenFile: nonEmpty.optional(),
    tokenEnv: nonEmpty.default(DEFAULT_TOKEN_ENV),
    hmacSecretFile: nonEmpty.optional(),
    hmacSecretEnv: nonEmpty.default(DEFAULT_HMAC_SECRET_ENV),
    /** PEM bundle trusted for the endpoint instead of Node's bundled roots (like curl --cacert). */
    caFile: nonEmpty.optional(),
    /** PEM client certificate and key for mutual TLS. */
    certFile: nonEmpty.optional(),
    keyFile: nonEmpty.optional(),
    /** Hard deadline of one request (connect, send, response). */
    timeout: seconds(0.1, 300).default(15),
    /** Largest JSON body of one request (before gzip); bigger sweeps are sent in batches. */
    batchMaxBytes: z.number().int().min(MIN_BATCH_BYTES).max(16 * 1024 * 1024).default(256 * 1024),
    gzip: z.enum(GZIP_MODES).default('auto'),
    /** Attempts after which a report moves to the dead-letter table (default: no limit). */
    maxAttempts: z.number().int().min(1).max(1_000_000).optional(),
    /** Age after which an undelivered report moves to the dead-letter table (default 7 days). */
    maxAge: seconds(1, 365 * 86400).default(7 * 86400),
    backoff: z
      .object({ base: seconds(0.01, 600).default(1), max: seconds(0.01, 86400).default(300) })
      .strict()
      .prefault({}),
    /** How long `camsweep sweep` keeps delivering after printing (the rest waits in the outbox). */
    deliverFor: seconds(0, 3600).default(30),
    /** Send over plain http to a host other than loopback (logs a warning on every run). */
    allowPlainHttp: z.boolean().default(false),
  })
  .strict();

export type ReportConfigInput = z.input<typeof reportConfigSchema>;
export type ReportConfigFile = z.output<typeof reportConfigSchema>;

/** The report settings in force. Secrets are `Secret`s: they never print. */
export interface ReportConfig {
  /** Normalised endpoint URL, or null: nothing is queued or sent. */
  endpoint: string | null;
  include: ReportInclude;
  agentId: string;
  site: string | null;
  auth: { token: Secret | null; secret: Secret | null };
  tls: { ca: string | null; cert: string | null; key: Secret | null };
  timeoutMs: number;
  batchMaxBytes: number;
  gzip: GzipMode;
  maxAttempts: number | null;
  maxAgeMs: number;
  backoff: { baseMs: number; maxMs: number };
  deliverForMs: number;
  allowPlainHttp: boolean;
  dataDir: string;
}

/** What resolveReportConfig reads: the parsed `report:` section and the top-level `dataDir`. */
export interface ReportSettingsInput {
  report?: ReportConfigFile | undefined;
  dataDir?: string | undefined;
}

/** A configuration problem list: UsageError (exit 2) with each problem on its own line. */
export class ReportConfigError extends UsageError {
  constructor(problems: string[], source?: string) {
    super(`invalid configuration${source ? ` in ${source}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
    this.name = 'ReportConfigError';
  }
}

/**
 * A stable agent id from the host name: the name itself when it is a plain DNS label list,
 * else `host-` and a hash of it. Containers get a new host name per container: set agentId.
 */
export function defaultAgentId(hostname: string): string {
  const name = hostname.trim().toLowerCase();
  if (/^[a-z0-9][a-z0-9.-]{0,127}$/u.test(name)) return name;
  return `host-${createHash('sha256').update(hostname).digest('hex').slice(0, 16)}`;
}

/** Visible ASCII only: a token can never inject a header line. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/u;

/** Checks an endpoint URL; returns the normalised URL or a problem. */
export function checkEndpoint(raw: string, allowPlainHttp: boolean): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `not a valid URL: ${raw}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `scheme must be https (or http to loopback), got ${url.protocol}` };
  if (url.username !== '' || url.password !== '') return { problem: 'credentials in the URL are refused: use tokenFile or tokenEnv' };
  if (url.hash !== '') return { problem: 'a URL fragment (#...) is not allowed' };
  const host = urlHost(url);
  if (url.protocol === 'http:' && !isLoopbackHost(host) && !allowPlainHttp) {
    return { problem: `plain http to ${host} would send reports and the token in clear: use https, or set report.allowPlainHttp: true` };
  }
  return { url: url.href };
}

export function isPlainHttpToRemote(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' && !isLoopbackHost(urlHost(url));
}

/** Reads a secret file: the first line's content without the trailing newline. */
function readSecret(read: (p: string) => string, file: string): string {
  return read(file).replace(/\r?\n$/u, '');
}

/** Overrides from the command line (`--report-to`, `--report-token`, `--report-token-file`, `--data-dir`). */
export interface ReportOverrides {
  endpoint?: string;
  token?: string;
  tokenFile?: string;
  dataDir?: string;
}

/**
 * Resolves the report settings: reads secrets (token: override token > override tokenFile >
 * tokenFile > token > tokenEnv; HMAC secret: hmacSecretFile > hmacSecretEnv), the TLS files,
 * checks the endpoint, fills defaults. Throws ReportConfigError listing every problem.
 */
export function resolveReportConfig(
  parsed: ReportSettingsInput,
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string,
  options: { overrides?: ReportOverrides; host?: HostFacts } = {},
): ReportConfig {
  const file = parsed.report ?? reportConfigSchema.parse({});
  const o = options.overrides ?? {};
  const host = options.host ?? hostFacts();
  const problems: string[] = [];

  const tryRead = (what: string, p: string, raw = false): string | null => {
    try {
      return raw ? readFile(p) : readSecret(readFile, p);
    } catch (err) {
      problems.push(`${what}: cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return null;
    }
  };

  let endpoint: string | null = null;
  const rawEndpoint = o.endpoint ?? file.endpoint;
  if (rawEndpoint !== undefined) {
    const checked = checkEndpoint(rawEndpoint, file.allowPlainHttp);
    if ('problem' in checked) problems.push(`${o.endpoint !== undefined ? '--report-to' : 'report.endpoint'}: ${checked.problem}`);
    else endpoint = checked.url;
  }

  if (file.token !== undefined && file.tokenFile !== undefined) problems.push('report: give token or tokenFile, not both');
  let token: string | null = null;
  let tokenFrom = '';
  if (o.token !== undefined) [token, tokenFrom] = [o.token, '--report-token'];
  else if (o.tokenFile !== undefined) [token, tokenFrom] = [tryRead('--report-token-file', o.tokenFile), '--report-token-file'];
  else if (file.tokenFile !== undefined) [token, tokenFrom] = [tryRead('report.tokenFile', file.tokenFile), 'report.tokenFile'];
  else if (file.token !== undefined) [token, tokenFrom] = [file.token, 'report.token'];
  else if (env[file.tokenEnv] !== undefined && env[file.tokenEnv] !== '') [token, tokenFrom] = [env[file.tokenEnv] ?? null, `$${file.tokenEnv}`];
  if (token !== null && !TOKEN_SHAPE.test(token)) {
    problems.push(`${tokenFrom}: the token must be printable ASCII without spaces (at most 4096 characters)`);
    token = null;
  }

  let secret: string | null = null;
  if (file.hmacSecretFile !== undefined) secret = tryRead('report.hmacSecretFile', file.hmacSecretFile);
  else if (env[file.hmacSecretEnv] !== undefined && env[file.hmacSecretEnv] !== '') secret = env[file.hmacSecretEnv] ?? null;
  if (secret !== null && secret.length < MIN_HMAC_SECRET_LENGTH) {
    problems.push(`report: the HMAC secret must have at least ${MIN_HMAC_SECRET_LENGTH} characters`);
    secret = null;
  }

  const pem = (what: string, p: string | undefined, marker: RegExp): string | null => {
    if (p === undefined) return null;
    const text = tryRead(what, p, true);
    if (text !== null && !marker.test(text)) {
      problems.push(`${what}: ${p} holds no PEM block of the expected kind`);
      return null;
    }
    return text;
  };
  const ca = pem('report.caFile', file.caFile, /-----BEGIN CERTIFICATE-----/u);
  const cert = pem('report.certFile', file.certFile, /-----BEGIN CERTIFICATE-----/u);
  const key = pem('report.keyFile', file.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/u);
  if ((file.certFile === undefined) !== (file.keyFile === undefined)) problems.push('report: certFile and keyFile go together (mutual TLS)');
  if (file.backoff.max < file.backoff.base) problems.push('report.backoff: max must not be below base');

  if (problems.length > 0) throw new ReportConfigError(problems);

  return deepFreeze<ReportConfig>({
    endpoint,
    include: file.include,
    agentId: file.agentId ?? defaultAgentId(host.hostname),
    site: file.site ?? null,
    auth: { token: token === null ? null : new Secret(token), secret: secret === null ? null : new Secret(secret) },
    tls: { ca, cert, key: key === null ? null : new Secret(key) },
    timeoutMs: Math.round(file.timeout * 1000),
    batchMaxBytes: file.batchMaxBytes,
    gzip: file.gzip,
    maxAttempts: file.maxAttempts ?? null,
    maxAgeMs: Math.round(file.maxAge * 1000),
    backoff: { baseMs: Math.round(file.backoff.base * 1000), maxMs: Math.round(file.backoff.max * 1000) },
    deliverForMs: Math.round(file.deliverFor * 1000),
    allowPlainHttp: file.allowPlainHttp,
    dataDir: resolveDataDir({ flag: o.dataDir, configured: parsed.dataDir, env, host }),
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Secret)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
