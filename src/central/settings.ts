import { ReportConfigError } from '../report/config.ts';
import { resolveReceiverSettings, type ReceiverFlags } from '../report/receiver/settings.ts';
import { Secret } from '../report/secret.ts';
import type { ServiceOptions, SinkSpec } from './service.ts';
import { storeLocation } from './store/open.ts';

/**
 * `camsweep central serve` flags to the service's options, every problem at once (exit 2).
 * The receiver's options (listen, tokens, HMAC, TLS, body cap, data directory) are resolved
 * as `camsweep receive` resolves them; a shared token is optional here (agents may have their
 * own), and the forwarding sinks come with their secrets from files or the environment.
 */

export const HEC_TOKEN_ENV = 'CAMSWEEP_FORWARD_HEC_TOKEN';
export const WEBHOOK_SECRET_ENV = 'CAMSWEEP_FORWARD_WEBHOOK_SECRET';

export interface ServeFlags extends ReceiverFlags {
  database?: string;
  maxConnections?: number;
  /** Days per-report rows are kept (0: all). */
  keepReports?: number;
  forwardSyslog?: string[];
  forwardHec?: string[];
  forwardHecTokenFile?: string;
  forwardWebhook?: string[];
  forwardWebhookSecretFile?: string;
  forwardCa?: string;
  consoleUrl?: string;
  /** A token GET /metrics must present (Authorization: Bearer); without it /metrics is open. */
  metricsTokenFile?: string;
  /** Strict-Transport-Security max-age for the console, in seconds (TLS only). */
  hsts?: number;
}

export type ServeSettings = Omit<ServiceOptions, 'log'>;

export function resolveServeSettings(flags: ServeFlags, env: NodeJS.ProcessEnv, readFile: (p: string) => string): ServeSettings {
  const problems: string[] = [];
  let base: ReturnType<typeof resolveReceiverSettings> | undefined;
  try {
    // A shared token is optional for the central service: per-agent credentials need none.
    base = resolveReceiverSettings({ ...flags, allowAnonymous: true }, env, readFile);
  } catch (err) {
    if (err instanceof ReportConfigError) problems.push(...err.problems);
    else throw err;
  }
  const read = (what: string, p: string): string | null => {
    try {
      return readFile(p).replace(/\r?\n$/u, '');
    } catch (err) {
      problems.push(`${what}: cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return null;
    }
  };
  const sinks: SinkSpec[] = [];
  for (const url of flags.forwardSyslog ?? []) {
    if (!/^(tcp|tls):\/\/[^/]+:\d{1,5}\/?$/u.test(url)) problems.push(`--forward-syslog: want tcp://HOST:PORT or tls://HOST:PORT, got ${url}`);
    else sinks.push({ kind: 'syslog', url });
  }
  const httpUrl = (flag: string, url: string): boolean => {
    try {
      const u = new URL(url);
      if (u.protocol === 'https:' || u.protocol === 'http:') return true;
    } catch {
      // reported below
    }
    problems.push(`${flag}: want an http(s):// URL, got ${url}`);
    return false;
  };
  if ((flags.forwardHec ?? []).length > 0) {
    const token = flags.forwardHecTokenFile !== undefined ? read('--forward-hec-token-file', flags.forwardHecTokenFile) : (env[HEC_TOKEN_ENV] ?? null);
    if (token === null || token === '') problems.push(`--forward-hec needs --forward-hec-token-file or $${HEC_TOKEN_ENV}`);
    else if (!/^[\x21-\x7e]{1,4096}$/u.test(token)) problems.push('HEC token: printable ASCII without spaces only');
    else for (const url of flags.forwardHec ?? []) if (httpUrl('--forward-hec', url)) sinks.push({ kind: 'hec', url, token: new Secret(token) });
  }
  if ((flags.forwardWebhook ?? []).length > 0) {
    const secret = flags.forwardWebhookSecretFile !== undefined ? read('--forward-webhook-secret-file', flags.forwardWebhookSecretFile) : (env[WEBHOOK_SECRET_ENV] ?? null);
    if (secret !== null && secret.length < 16) problems.push('webhook secret: at least 16 characters');
    for (const url of flags.forwardWebhook ?? []) if (httpUrl('--forward-webhook', url)) sinks.push({ kind: 'webhook', url, secret: secret === null || secret === '' ? null : new Secret(secret) });
  }
  const forwardCa = flags.forwardCa === undefined ? null : read('--forward-ca', flags.forwardCa);
  let metricsToken: Secret | null = null;
  if (flags.metricsTokenFile !== undefined) {
    const token = read('--metrics-token-file', flags.metricsTokenFile);
    if (token !== null) {
      if (!/^[\x21-\x7e]{16,4096}$/u.test(token)) problems.push('--metrics-token-file: 16 or more printable ASCII characters without spaces');
      else metricsToken = new Secret(token);
    }
  }
  if (flags.hsts !== undefined && flags.tlsCert === undefined) problems.push('--hsts: only over TLS (give --tls-cert and --tls-key)');
  if (flags.consoleUrl !== undefined && !/^https?:\/\/[^\s]+$/u.test(flags.consoleUrl)) problems.push(`--console-url: want an http(s):// URL, got ${flags.consoleUrl}`);
  let location: ServeSettings['location'] | undefined;
  try {
    location = storeLocation({ database: flags.database, dataDir: base?.dataDir ?? '.' }, env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (base?.listen === null || base?.listen === undefined) {
    if (base !== undefined) problems.push('--listen: give HOST:PORT');
  }
  if (problems.length > 0 || base === undefined || location === undefined || base.listen === null) throw new ReportConfigError(problems);
  return {
    location,
    listen: { host: base.listen.host, port: base.listen.port, ...(base.tls === null ? {} : { tls: base.tls }) },
    sharedToken: base.token,
    hmacSecret: base.hmacSecret,
    maxBodyBytes: base.maxBodyBytes,
    ...(flags.maxConnections === undefined ? {} : { maxConnections: flags.maxConnections }),
    ...(flags.keepReports === undefined ? {} : { keepReportsMs: flags.keepReports * 86_400_000 }),
    sinks,
    forwardCa,
    consoleUrl: flags.consoleUrl ?? null,
    ...(metricsToken === null ? {} : { metricsToken }),
    ...(flags.hsts === undefined ? {} : { hstsMaxAgeS: flags.hsts }),
  };
}
