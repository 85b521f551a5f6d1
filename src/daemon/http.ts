import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../util/log.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Health } from './health.ts';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';

/**
 * The daemon's HTTP listener (127.0.0.1:9464 by default): `GET /healthz` (JSON, 200 or 503)
 * and `GET /metrics` (Prometheus text). Nothing else: no request body is read, every other
 * path is 404 and every other method 405. Short timeouts, so an idle or slow client cannot
 * hold the daemon's stop.
 */

export interface HttpSources {
  health: () => Health;
  metrics: () => string;
}

export interface RunningHttp {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpServer(listen: { host: string; port: number }, sources: HttpSources, log: Logger): Promise<RunningHttp> {
  const hlog = log.child({ module: 'http' });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (path !== '/healthz' && path !== '/metrics') {
        send(404, 'text/plain; charset=utf-8', 'not found: try /healthz or /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
        return;
      }
      if (path === '/healthz') {
        const h = sources.health();
        send(h.httpStatus, 'application/json', `${JSON.stringify(h.body)}\n`);
      } else send(200, PROMETHEUS_CONTENT_TYPE, sources.metrics());
    } catch (err) {
      hlog.error({ error: { message: errorMessage(err) } }, 'health/metrics request failed');
      if (!res.headersSent) send(500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    }
  });
  server.requestTimeout = 5000;
  server.headersTimeout = 5000;
  server.keepAliveTimeout = 1000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => hlog.error({ error: { message: errorMessage(err) } }, 'health/metrics listener error'));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
