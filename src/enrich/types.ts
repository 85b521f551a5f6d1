import type { Logger } from '../util/log.ts';
import type { HttpClient } from '../util/http.ts';
import type { Observation, SweepError } from '../domain/types.ts';
import { urlNamesHost } from '../util/ip.ts';

/** ONVIF credentials an operator configured for one address. Never guessed. */
export interface Credentials {
  username: string;
  password: string;
}

/** What an enricher gets: all I/O is injected so tests can use a fake HTTP client. */
export interface EnrichContext {
  /** Aborted when the sweep's enrichment grace period ends. */
  signal: AbortSignal;
  http: HttpClient;
  log: Logger;
  /** Deadline for one HTTP exchange (headers and body). */
  requestTimeoutMs: number;
  /** Body cap for one HTTP response. */
  maxBodyBytes: number;
  /** Present only when the operator configured credentials for this address. */
  credentials?: Credentials;
  now: () => Date;
}

/** What an enricher found: observations to merge, problems to record. Never throws. */
export interface EnrichResult {
  observations: Observation[];
  errors: SweepError[];
}

/**
 * True when `url` (as advertised by a device) points at `ip`, the address the reply came
 * from. Enrichers contact nothing else: a reply cannot steer us at another host.
 */
export function sameHost(url: string, ip: string): boolean {
  return urlNamesHost(url, ip);
}
