import type { AuditSink } from '../domain/audit.ts';
import { ERR, CamsweepError } from '../domain/errors.ts';
import type { Protocol } from '../domain/types.ts';
import type { Credentials, EnrichContext } from '../enrich/types.ts';
import type { HttpClient } from '../util/http.ts';
import type { Logger } from '../util/log.ts';
import type { RateLimiter } from '../util/rate.ts';
import type { StreamClient } from '../util/stream.ts';
import { auditHttp, auditStream } from './audit-hooks.ts';

export interface EnrichContextOptions {
  http: HttpClient;
  /** TCP exchanges and TLS handshakes (RTSP OPTIONS, certificates); none when absent. */
  stream?: StreamClient | undefined;
  /** Told about every request before it is sent. */
  audit?: AuditSink | undefined;
  now: () => Date;
  log: Logger;
  requestTimeoutMs: number;
  maxBodyBytes: number;
  credentialsFor: (ip: string) => Credentials | undefined;
  /** The rate limiter a request to `ip` shares with the unicast probes (routed hosts), if any. */
  pace?: (ip: string) => RateLimiter | undefined;
}

/**
 * The context of each enrichment request: the HTTP client, audited and (to a routed host)
 * paced, the deadlines and body cap, and credentials only where the operator configured them
 * for that address.
 */
export function createEnrichContexts(options: EnrichContextOptions): (ip: string, protocol: Protocol, signal: AbortSignal, stopped: AbortSignal) => EnrichContext {
  const log = options.log.child({ module: 'enrich' });
  return (ip, protocol, signal, stopped) => {
    const credentials = options.credentialsFor(ip);
    const audited = auditHttp(options.audit, options.now, protocol, options.http);
    const rate = options.pace?.(ip);
    const http: HttpClient =
      rate === undefined
        ? audited
        : async (req) => {
            if (!(await rate.take(stopped))) throw new CamsweepError(ERR.HTTP_ABORTED, 'request aborted');
            return audited(req);
          };
    const stream = options.stream === undefined ? undefined : auditStream(options.audit, options.now, protocol, options.stream);
    const paced: StreamClient | undefined =
      stream === undefined || rate === undefined
        ? stream
        : async (req) => {
            if (!(await rate.take(stopped))) throw new CamsweepError(ERR.HTTP_ABORTED, 'exchange aborted');
            return stream(req);
          };
    return {
      signal,
      http,
      ...(paced === undefined ? {} : { stream: paced }),
      log,
      requestTimeoutMs: options.requestTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      now: options.now,
      ...(credentials ? { credentials } : {}),
    };
  };
}
