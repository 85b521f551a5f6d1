import type { Logger } from '../util/log.ts';
import type { HttpClient } from '../util/http.ts';
import type { StreamClient } from '../util/stream.ts';
import type { Observation, Protocol, SweepError } from '../domain/types.ts';
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
  /** One bounded TCP exchange or TLS handshake (RTSP OPTIONS, a certificate), audited; absent in contexts without it. */
  stream?: StreamClient;
}

/** What an enricher found: observations to merge, problems to record. Never throws. */
export interface EnrichResult {
  observations: Observation[];
  errors: SweepError[];
}

/** One read-only query of one host, planned by an enricher. */
export interface EnrichTask {
  /** Unique among one enricher's tasks for one host: a key is asked once per host. */
  key: string;
  /** The query itself: contacts nothing but that host, never throws. */
  run(ctx: EnrichContext): Promise<EnrichResult>;
}

/**
 * An enricher as the scheduler (scheduler.ts) sees it, declared in its own module and listed
 * once in registry.ts: from each discovery observation of a host (what the host declared: its
 * XAddrs, LOCATION, HTTP ports, or simply that it replied), the queries it asks that host.
 * Planning is pure; the scheduler runs each task once per host and key, at most `maxPerHost`
 * of this enricher's per host, within the host's time budget and the sweep's concurrency.
 */
export interface Enricher {
  name: string;
  /** What its HTTP requests are recorded as in the audit record. */
  protocol: Protocol;
  /** Distinct tasks of this enricher per host. */
  maxPerHost: number;
  /**
   * A follow-up (RTSP OPTIONS, the TLS certificate, the favicon): asked of a host only once
   * what the other enrichers asked of it is in, and only when that evidence does not already
   * make it restricted (src/enrich/scheduler.ts `needsFollowUp`; without that option, asked
   * like any other).
   */
  followUp?: boolean;
  plan(obs: Observation): EnrichTask[];
}

/**
 * True when `url` (as advertised by a device) points at `ip`, the address the reply came
 * from. Enrichers contact nothing else: a reply cannot steer us at another host.
 */
export function sameHost(url: string, ip: string): boolean {
  return urlNamesHost(url, ip);
}
