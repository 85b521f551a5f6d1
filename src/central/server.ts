import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { errorMessage } from '../domain/errors.ts';
import { DEFAULT_REPLAY_WINDOW_MS } from '../report/hmac.ts';
import type { Secret } from '../report/secret.ts';
import type { Logger } from '../util/log.ts';
import { createConsole, isConsoleRequest } from '../console/handler.ts';
import { VERSION } from '../version.ts';
import { handleApi } from './api.ts';
import { pathOf, refuseUnread, type Reply } from './http-util.ts';
import { bearerToken, secretsEqual } from './auth.ts';
import { CredentialCache, handleReport } from './intake.ts';
import { CentralMetrics } from './metrics.ts';
import { RefusalLog } from './refusals.ts';
import type { CentralStore } from './store/store.ts';

/**
 * The central service's listener: agents' reports (POST /v1/reports or /), the API
 * (/api/v1/...), /healthz and /metrics, on one port, HTTP or HTTPS (optionally mutual TLS).
 *
 * Bounded by construction: at most `maxConnections` sockets (more are closed at once by
 * Node), headers within 10 s, a whole request within 30 s, an idle keep-alive socket closed
 * after 5 s, a body never read before its credential is known, never held beyond the cap.
 */

export const DEFAULT_MAX_BODY = 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 512;

export interface Deadlines {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export interface CentralServerOptions {
  store: CentralStore;
  /** The shared --token-file token (every agent may use it); null: per-agent credentials only. */
  sharedToken: Secret | null;
  /** Accept reports without any token (`camsweep receive --allow-anonymous`). */
  allowAnonymous?: boolean;
  hmacSecret: Secret | null;
  maxBodyBytes?: number;
  maxConnections?: number;
  deadlines?: Partial<Deadlines>;
  replayWindowMs?: number;
  now?: () => number;
  log: Logger;
  metrics?: CentralMetrics;
  /** Called after a report was stored (the forwarder wakes up). */
  onStored?: () => void;
  /** How long an agent credential found once is trusted without a lookup (default 2 s; revocation takes effect within it). */
  credentialCacheMs?: number;
  /** Serve the review console at / (default true). */
  console?: boolean;
  /** The console's environment (where Chromium is, for the PDF report). */
  env?: NodeJS.ProcessEnv;
  /** The token GET /metrics must present (Authorization: Bearer); absent: /metrics is open. */
  metricsToken?: Secret;
  /** Strict-Transport-Security on the console's answers over TLS (seconds); absent: none. */
  hstsMaxAgeS?: number;
}

export interface CentralTls {
  cert: string;
  key: Secret;
  /** CA bundle for client certificates: when set, a client certificate is required (mutual TLS). */
  clientCa?: string;
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: CentralTls;
}

export interface RunningCentral {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  readonly metrics: CentralMetrics;
  close(): Promise<void>;
}

export function createCentralHandler(options: CentralServerOptions, transport: { secure: boolean } = { secure: false }): { handler: http.RequestListener; metrics: CentralMetrics } {
  const log = options.log.child({ module: 'central' });
  const now = options.now ?? Date.now;
  const consoleApp =
    options.console === false
      ? undefined
      : createConsole({
          store: options.store,
          now,
          log: options.log,
          secure: transport.secure,
          version: VERSION,
          ...(options.env === undefined ? {} : { env: options.env }),
          ...(options.hstsMaxAgeS === undefined ? {} : { hstsMaxAgeS: options.hstsMaxAgeS }),
        });
  const metrics = options.metrics ?? new CentralMetrics();
  const refusals = new RefusalLog(log, { now });
  const credentials = new CredentialCache();
  const countRequest = metrics.counter('camsweep_central_requests_total', 'HTTP requests answered, by route and status');
  const countRefused = metrics.counter('camsweep_central_refused_total', 'Requests refused, by reason');
  const countDevices = metrics.counter('camsweep_central_device_entries_total', 'Device entries in accepted reports, by outcome (stored or duplicate)');
  const intake = {
    store: options.store,
    sharedToken: options.sharedToken,
    allowAnonymous: options.allowAnonymous === true,
    hmacSecret: options.hmacSecret,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    replayWindowMs: options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS,
    now,
    log,
    credentialCacheMs: options.credentialCacheMs ?? 2000,
    onStored: (r: { accepted: number; duplicates: number }) => {
      countDevices({ outcome: 'stored' }, r.accepted);
      countDevices({ outcome: 'duplicate' }, r.duplicates);
      options.onStored?.();
    },
  };

  let statsCache: { at: number; text: Record<string, { help: string; value: number }> } | undefined;
  const storeGauges = async (): Promise<Record<string, { help: string; value: number }>> => {
    if (statsCache !== undefined && now() - statsCache.at < 10_000) return statsCache.text;
    const s = await options.store.gauges();
    const text = {
      camsweep_central_devices: { help: 'Devices known (latest state across agents and sites)', value: s.devices },
      camsweep_central_forward_pending: { help: 'Events waiting to be forwarded', value: s.forwardPending },
      camsweep_central_forward_dead: { help: 'Events that could not be forwarded (dead letters)', value: s.forwardDead },
    };
    statsCache = { at: now(), text };
    return text;
  };

  const route = async (req: http.IncomingMessage): Promise<{ reply: Reply; route: string }> => {
    const { path, query } = pathOf(req);
    const method = req.method ?? 'GET';
    if (path === '/healthz') return { route: 'healthz', reply: { status: 200, body: { status: 'ok', store: options.store.kind } } };
    if (path === '/metrics') {
      // Its counts say how many devices and sites there are: with a token, only a scraper that has it reads them.
      if (options.metricsToken !== undefined) {
        const given = bearerToken(req.headers.authorization);
        if (given === undefined || !secretsEqual(given, options.metricsToken.reveal())) {
          return { route: 'metrics', reply: refuseUnread(401, 'missing or wrong bearer token', 'metrics-token', { 'www-authenticate': 'Bearer realm="camsweep metrics"' }) };
        }
      }
      return { route: 'metrics', reply: { status: 200, body: metrics.render(await storeGauges()), headers: { 'content-type': 'text/plain; version=0.0.4' } } };
    }
    if (path.startsWith('/api/')) return { route: 'api', reply: await handleApi(req, path, query, { store: options.store, now }) };
    if (path === '/' || path === '/v1/reports') {
      if (method !== 'POST') return { route: 'reports', reply: refuseUnread(405, 'method not allowed', 'method', { allow: 'POST' }) };
      return { route: 'reports', reply: await handleReport(req, intake, credentials) };
    }
    return { route: 'other', reply: refuseUnread(404, 'not found: POST reports to /v1/reports', 'not-found') };
  };

  const handler: http.RequestListener = (req, res) => {
    if (consoleApp !== undefined && isConsoleRequest(req.method ?? 'GET', pathOf(req).path)) {
      consoleApp.handle(req, res).then(
        (status) => countRequest({ route: 'console', status: String(status) }),
        (err: unknown) => {
          log.error({ error: { message: errorMessage(err) } }, 'console failed to handle a request');
          res.destroy();
        },
      );
      return;
    }
    const send = (reply: Reply, name: string): void => {
      countRequest({ route: name, status: String(reply.status) });
      if (reply.status >= 400) {
        countRefused({ reason: reply.refusal ?? `status-${reply.status}` });
        refusals.refused({ remote: req.socket.remoteAddress ?? null, status: reply.status, error: typeof reply.body === 'string' ? reply.body : String(reply.body.error ?? ''), path: name });
      }
      if (res.headersSent) return;
      const text = typeof reply.body === 'string' ? reply.body : `${JSON.stringify(reply.body)}\n`;
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'accept-encoding': 'gzip',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(reply.close === true ? { connection: 'close' } : {}),
        ...reply.headers,
      });
      res.end(text);
      if (reply.close === true) res.on('finish', () => req.destroy());
    };
    route(req).then(
      ({ reply, route: name }) => send(reply, name),
      (err: unknown) => {
        if (!req.complete && req.readableEnded === false && (err as Error).message === 'request body cut short') {
          log.warn({ request: { remote: req.socket.remoteAddress ?? null } }, 'sender went away before the request body was complete; nothing stored');
          res.destroy();
          return;
        }
        log.error({ error: { message: errorMessage(err) } }, 'central service failed to handle a request');
        send({ status: 500, body: { error: 'internal error' }, close: true, refusal: 'internal' }, 'error');
      },
    );
  };
  return { handler, metrics };
}

export function startCentral(listen: ListenOptions, options: CentralServerOptions): Promise<RunningCentral> {
  const { handler, metrics } = createCentralHandler(options, { secure: listen.tls !== undefined });
  const server: http.Server = listen.tls
    ? https.createServer(
        {
          cert: listen.tls.cert,
          key: listen.tls.key.reveal(),
          minVersion: 'TLSv1.2',
          ...(listen.tls.clientCa === undefined ? {} : { ca: listen.tls.clientCa, requestCert: true, rejectUnauthorized: true }),
        },
        handler,
      )
    : http.createServer(handler);
  const d = { ...DEFAULT_DEADLINES, ...options.deadlines };
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.headersTimeout = d.headersMs;
  server.requestTimeout = d.requestMs;
  server.keepAliveTimeout = d.keepAliveMs;
  server.maxRequestsPerSocket = 10_000;
  server.maxHeadersCount = 64;
  // A socket that says nothing at all (a TLS handshake never finished, a silent TCP connection).
  server.timeout = d.requestMs;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  metrics.gauge('camsweep_central_open_connections', 'Connections open now', () => sockets.size);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        url: `${listen.tls ? 'https' : 'http'}://${host}:${addr.port}/v1/reports`,
        port: addr.port,
        server,
        metrics,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 2000).unref();
          }),
      });
    });
  });
}
