import type { Secret } from '../report/secret.ts';
import type { Logger } from '../util/log.ts';
import { VERSION } from '../version.ts';
import { utcDate } from './device-state.ts';
import { createHecSink, createWebhookSink } from './forward/http-sinks.ts';
import type { Sink } from './forward/sink.ts';
import { createSyslogSink } from './forward/syslog.ts';
import { startForwarder, type Forwarder } from './forward/worker.ts';
import { CentralMetrics } from './metrics.ts';
import { startCentral, type CentralTls, type Deadlines, type RunningCentral } from './server.ts';
import { openCentralStore, type StoreLocation } from './store/open.ts';
import type { CentralStore } from './store/store.ts';
import { errorMessage } from '../domain/errors.ts';
import { LOGIN_WINDOW_MS } from '../console/login-limit.ts';

/**
 * `camsweep central serve` (and `camsweep receive --listen`) put together: the store, the
 * listener, the forwarder, and a timer that expires exceptions whose date has come. close()
 * stops accepting, lets the forwarder finish its pass and closes the store.
 */

export type SinkSpec =
  | { kind: 'syslog'; url: string }
  | { kind: 'hec'; url: string; token: Secret }
  | { kind: 'webhook'; url: string; secret: Secret | null };

export interface ServiceOptions {
  location: StoreLocation;
  listen: { host: string; port: number; tls?: CentralTls };
  sharedToken: Secret | null;
  allowAnonymous?: boolean;
  hmacSecret: Secret | null;
  maxBodyBytes?: number;
  maxConnections?: number;
  deadlines?: Partial<Deadlines>;
  sinks?: readonly SinkSpec[];
  /** PEM CA bundle trusted by the TLS sinks (replaces the default roots). */
  forwardCa?: string | null;
  consoleUrl?: string | null;
  /** The token GET /metrics must present (Authorization: Bearer); null or absent: /metrics is open. */
  metricsToken?: Secret | null;
  /** Strict-Transport-Security max-age (seconds) on the console's answers over TLS; absent: none. */
  hstsMaxAgeS?: number;
  log: Logger;
  now?: () => number;
  /** How often exceptions are checked for expiry (default 60 s). */
  expiryEveryMs?: number;
  /** How long a found agent credential is trusted without a lookup (default 2 s). */
  credentialCacheMs?: number;
  /** How often today's counts are recorded for the console's chart (default 10 min). */
  countsEveryMs?: number;
  /**
   * How long per-report rows (each device report, each request's receipt) are kept; 0 keeps
   * them all (default 90 days, KEEP_REPORTS_MS). Device state, history and reviews stay.
   */
  keepReportsMs?: number;
  /** Serve the review console at / (default true). */
  console?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly store: CentralStore;
  readonly server: RunningCentral;
  readonly forwarder: Forwarder;
  close(): Promise<void>;
}

export function buildSinks(specs: readonly SinkSpec[], ca: string | null, now?: () => number): Sink[] {
  return specs.map((s) => {
    switch (s.kind) {
      case 'syslog':
        return createSyslogSink({ url: s.url, ca, version: VERSION });
      case 'hec':
        return createHecSink({ url: s.url, token: s.token, ca, version: VERSION, ...(now === undefined ? {} : { now }) });
      case 'webhook':
        return createWebhookSink({ url: s.url, secret: s.secret, ca, version: VERSION, ...(now === undefined ? {} : { now }) });
    }
  });
}

/** How long per-report rows are kept by default: well beyond an agent's report.maxAge (7 days by default, 365 at most is allowed but rare). */
export const KEEP_REPORTS_MS = 90 * 86_400_000;
/** Rows removed per prune statement, and statements per housekeeping round (at most 200,000 rows of each kind every ten minutes). */
const PRUNE_BATCH = 5_000;
const PRUNE_ROUNDS = 40;

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const now = o.now ?? Date.now;
  const log = o.log;
  const sinks = buildSinks(o.sinks ?? [], o.forwardCa ?? null, now);
  const store = await openCentralStore(o.location, { forward: { sinks: sinks.map((s) => s.id), consoleUrl: o.consoleUrl ?? null }, log });
  const metrics = new CentralMetrics();
  const forwarder = startForwarder({ store, sinks, log, metrics, now });
  const expire = async (): Promise<void> => {
    try {
      const n = await store.expireExceptions(utcDate(now()), new Date(now()).toISOString());
      if (n > 0) {
        log.info({ exceptions: { expired: n } }, 'exceptions expired: those devices are back to their verdict');
        forwarder.wake();
      }
    } catch (err) {
      log.error({ error: { message: errorMessage(err) } }, 'could not expire exceptions');
    }
  };
  await expire();
  const timer = setInterval(() => void expire(), o.expiryEveryMs ?? 60_000);
  timer.unref();
  // The console's chart over time (today's counts by status, rewritten until the day ends), the
  // end of expired sessions and of sign-in attempts past the limits' window: at start, then
  // every ten minutes.
  const housekeeping = async (): Promise<void> => {
    try {
      await store.console.recordDailyCounts(utcDate(now()));
      await store.console.pruneSessions(now());
      await store.console.pruneLoginAttempts(now() - LOGIN_WINDOW_MS);
      const keep = o.keepReportsMs ?? KEEP_REPORTS_MS;
      if (keep > 0) {
        // A bounded share per round (the rest the next round), so a first prune of a large
        // store never holds a long transaction.
        let pruned = 0;
        for (let round = 0; round < PRUNE_ROUNDS; round++) {
          const n = await store.pruneReports(now() - keep, PRUNE_BATCH);
          pruned += n;
          if (n < PRUNE_BATCH) break;
        }
        if (pruned > 0) log.info({ reports: { pruned, keptDays: Math.round(keep / 86_400_000) } }, 'reports older than the retention pruned');
      }
    } catch (err) {
      log.error({ error: { message: errorMessage(err) } }, 'could not record the daily counts or prune sessions and reports');
    }
  };
  await housekeeping();
  const chores = setInterval(() => void housekeeping(), o.countsEveryMs ?? 600_000);
  chores.unref();
  let server: RunningCentral;
  try {
    server = await startCentral(o.listen, {
      store,
      sharedToken: o.sharedToken,
      allowAnonymous: o.allowAnonymous === true,
      hmacSecret: o.hmacSecret,
      log,
      metrics,
      now,
      onStored: () => forwarder.wake(),
      ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }),
      ...(o.maxConnections === undefined ? {} : { maxConnections: o.maxConnections }),
      ...(o.deadlines === undefined ? {} : { deadlines: o.deadlines }),
      ...(o.credentialCacheMs === undefined ? {} : { credentialCacheMs: o.credentialCacheMs }),
      ...(o.console === undefined ? {} : { console: o.console }),
      ...(o.env === undefined ? {} : { env: o.env }),
      ...(o.metricsToken === undefined || o.metricsToken === null ? {} : { metricsToken: o.metricsToken }),
      ...(o.hstsMaxAgeS === undefined ? {} : { hstsMaxAgeS: o.hstsMaxAgeS }),
    });
  } catch (err) {
    clearInterval(timer);
    clearInterval(chores);
    await forwarder.close();
    await store.close();
    throw err;
  }
  return {
    url: server.url,
    port: server.port,
    store,
    server,
    forwarder,
    async close() {
      clearInterval(timer);
      clearInterval(chores);
      await server.close();
      await forwarder.close();
      await store.close();
    },
  };
}
