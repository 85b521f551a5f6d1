import { hostFacts, resolveDataDir, type HostFacts } from '../../config/data-dir.ts';
import { MIN_HMAC_SECRET_LENGTH, ReportConfigError } from '../config.ts';
import { Secret } from '../secret.ts';
import { parseListenAddress, type ListenAddress } from '../../util/ip.ts';
import { DEFAULT_RECEIVER_MAX_BODY, type ReceiverTls } from './server.ts';

export const RECEIVER_TOKEN_ENV = 'CAMSWEEP_RECEIVER_TOKEN';
export const RECEIVER_HMAC_ENV = 'CAMSWEEP_RECEIVER_HMAC_SECRET';

/** `camsweep receive` options as commander gives them. */
export interface ReceiverFlags {
  listen?: string;
  dataDir?: string;
  tokenFile?: string;
  hmacSecretFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  maxBodyBytes?: number;
  allowAnonymous?: boolean;
}

export interface ReceiverSettings {
  listen: { host: string; port: number } | null;
  dataDir: string;
  token: Secret | null;
  hmacSecret: Secret | null;
  tls: ReceiverTls | null;
  maxBodyBytes: number;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (127.0.0.1); the host must be an IP literal or localhost. */
export function parseListen(value: string): ListenAddress | undefined {
  return parseListenAddress(value, { emptyHost: '127.0.0.1' });
}

/**
 * Resolves the receiver's settings: token from --token-file or $CAMSWEEP_RECEIVER_TOKEN (one is
 * required unless --allow-anonymous), HMAC secret from --hmac-secret-file or
 * $CAMSWEEP_RECEIVER_HMAC_SECRET, TLS files. Every problem at once (exit 2).
 */
export function resolveReceiverSettings(flags: ReceiverFlags, env: NodeJS.ProcessEnv, readFile: (p: string) => string, host: HostFacts = hostFacts()): ReceiverSettings {
  const problems: string[] = [];
  const read = (what: string, p: string): string | null => {
    try {
      return readFile(p).replace(/\r?\n$/u, '');
    } catch (err) {
      problems.push(`${what}: cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return null;
    }
  };
  let listen: ReceiverSettings['listen'] = null;
  if (flags.listen !== undefined) {
    listen = parseListen(flags.listen) ?? null;
    if (listen === null) problems.push(`--listen: want HOST:PORT with an IP address (e.g. 127.0.0.1:8443 or [::1]:8443), got ${flags.listen}`);
  }
  let token: string | null = null;
  if (flags.tokenFile !== undefined) token = read('--token-file', flags.tokenFile);
  else if (env[RECEIVER_TOKEN_ENV]) token = env[RECEIVER_TOKEN_ENV] ?? null;
  if (token !== null && !/^[\x21-\x7e]{1,4096}$/u.test(token)) {
    problems.push('receiver token: printable ASCII without spaces only');
    token = null;
  }
  if (flags.listen !== undefined && token === null && flags.allowAnonymous !== true && flags.tokenFile === undefined) {
    problems.push(`no token: give --token-file or set $${RECEIVER_TOKEN_ENV} (or --allow-anonymous to accept reports without one)`);
  }
  let secret: string | null = null;
  if (flags.hmacSecretFile !== undefined) secret = read('--hmac-secret-file', flags.hmacSecretFile);
  else if (env[RECEIVER_HMAC_ENV]) secret = env[RECEIVER_HMAC_ENV] ?? null;
  if (secret !== null && secret.length < MIN_HMAC_SECRET_LENGTH) {
    problems.push(`HMAC secret: at least ${MIN_HMAC_SECRET_LENGTH} characters`);
    secret = null;
  }
  let tls: ReceiverTls | null = null;
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) problems.push('--tls-cert and --tls-key go together');
  if (flags.tlsClientCa !== undefined && flags.tlsCert === undefined) problems.push('--tls-client-ca needs --tls-cert and --tls-key');
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    const cert = read('--tls-cert', flags.tlsCert);
    const key = read('--tls-key', flags.tlsKey);
    const clientCa = flags.tlsClientCa === undefined ? undefined : read('--tls-client-ca', flags.tlsClientCa);
    if (cert !== null && key !== null && clientCa !== null) {
      tls = { cert, key: new Secret(key), ...(clientCa === undefined ? {} : { clientCa }) };
    }
  }
  if (problems.length > 0) throw new ReportConfigError(problems);
  return {
    listen,
    dataDir: resolveDataDir({ flag: flags.dataDir, env, host }),
    token: token === null ? null : new Secret(token),
    hmacSecret: secret === null ? null : new Secret(secret),
    tls,
    maxBodyBytes: flags.maxBodyBytes ?? DEFAULT_RECEIVER_MAX_BODY,
  };
}
