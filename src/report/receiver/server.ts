import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Logger } from '../../util/log.ts';
import { cleanText } from '../../util/text.ts';
import { errorMessage } from '../../domain/errors.ts';
import { DEFAULT_REPLAY_WINDOW_MS, SIGNATURE_HEADER, verifySignature } from '../hmac.ts';
import type { Secret } from '../secret.ts';
import type { ReceiverStore } from './store.ts';
import { validateReport } from './validate.ts';

/**
 * The reference endpoint (`camsweep receive`): POST /v1/reports (or /). In order: read the
 * body within the cap (a body over the cap is drained up to a bound, then refused with 413, so
 * the sender reads the status instead of a reset), check the bearer token (constant time), the
 * HMAC signature over the raw bytes and its timestamp, then decompress (gzip, capped), parse,
 * validate, and store with de-duplication by device key. Every response advertises
 * `Accept-Encoding: gzip` (RFC 7694).
 */

export interface ReceiverOptions {
  store: ReceiverStore;
  /** Expected bearer token; null accepts requests without one (--allow-anonymous). */
  token: Secret | null;
  hmacSecret: Secret | null;
  /** Largest body, compressed or not (default 1 MiB). */
  maxBodyBytes?: number;
  replayWindowMs?: number;
  now?: () => number;
  log: Logger;
}

export const DEFAULT_RECEIVER_MAX_BODY = 1024 * 1024;
/** A body over the cap is read and thrown away up to this many times the cap, then the connection is cut. */
const DRAIN_FACTOR = 16;

type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time bearer check (both sides hashed to equal length first). */
export function bearerMatches(header: string | undefined, token: Secret): boolean {
  const m = /^Bearer ([\x21-\x7e]+)$/u.exec(header ?? '');
  const given = m?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token.reveal())) && given !== '';
}

function readBody(req: http.IncomingMessage, max: number): Promise<{ body: Buffer; tooLarge: boolean; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        tooLarge = true;
        if (size > max * DRAIN_FACTOR) {
          req.pause();
          resolve({ body: Buffer.alloc(0), tooLarge: true, cut: true });
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, cut: false }));
    req.on('error', reject);
    // A sender that dies mid-body: nothing to answer, nothing stored.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request body cut short'));
    });
  });
}

export function createReceiverHandler(options: ReceiverOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const max = options.maxBodyBytes ?? DEFAULT_RECEIVER_MAX_BODY;
  const windowMs = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const now = options.now ?? Date.now;
  const log = options.log.child({ module: 'receiver' });

  const send = (res: http.ServerResponse, reply: Reply, close = false): void => {
    if (res.headersSent) return;
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'accept-encoding': 'gzip',
      ...(close ? { connection: 'close' } : {}),
      ...reply.headers,
    });
    res.end(`${JSON.stringify(reply.body)}\n`);
  };

  const handle = async (req: http.IncomingMessage): Promise<Reply & { close?: boolean }> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return { status: 200, body: { status: 'ok' } };
    if (path !== '/' && path !== '/v1/reports') return { status: 404, body: { error: 'not found: POST reports to /v1/reports' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'method not allowed' }, headers: { allow: 'POST' } };

    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > max * DRAIN_FACTOR) {
      return { status: 413, body: { error: `body over ${max} bytes` }, close: true };
    }
    const { body: raw, tooLarge, cut } = await readBody(req, max);
    if (tooLarge) return { status: 413, body: { error: `body over ${max} bytes` }, close: cut };

    if (options.token !== null && !bearerMatches(req.headers.authorization, options.token)) {
      return { status: 401, body: { error: 'missing or wrong bearer token' }, headers: { 'www-authenticate': 'Bearer realm="camsweep"' } };
    }
    let signature: { value: string; t: number; windowMs: number } | undefined;
    if (options.hmacSecret !== null) {
      const header = req.headers[SIGNATURE_HEADER];
      const check = verifySignature(typeof header === 'string' ? header : undefined, raw, options.hmacSecret.reveal(), now(), windowMs);
      if (!check.ok) return { status: 401, body: { error: `signature ${check.reason}` } };
      signature = { value: check.signature, t: check.t, windowMs };
    }

    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return { status: 415, body: { error: 'content-type must be application/json' } };
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    let json: Buffer;
    if (encoding === 'gzip') {
      try {
        json = gunzipSync(raw, { maxOutputLength: max });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { status: 413, body: { error: `decompressed body over ${max} bytes` } };
        return { status: 400, body: { error: 'not a valid gzip body' } };
      }
    } else if (encoding === 'identity') json = raw;
    else return { status: 415, body: { error: `content-encoding ${cleanText(encoding, 40)} not supported (gzip is)` } };

    let doc: unknown;
    try {
      doc = JSON.parse(json.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'body is not JSON' } };
    }
    const valid = validateReport(doc);
    if (!valid.ok) return { status: 400, body: { error: 'not a camsweep.report/v1 document', problems: valid.problems.map((p) => cleanText(p, 300)) } };
    const report = valid.report;
    if (req.headers['idempotency-key'] !== report.idempotencyKey) {
      return { status: 400, body: { error: 'Idempotency-Key header differs from the body idempotencyKey' } };
    }

    const result = options.store.record(report, {
      receivedAt: now(),
      bytes: raw.length,
      remote: req.socket.remoteAddress ?? null,
      ...(signature === undefined ? {} : { signature }),
    });
    if (result.kind === 'replay') return { status: 401, body: { error: 'signature already used (replay)' } };
    log.info(
      { receipt: { agent: cleanText(report.agent.id, 128), site: report.site === null ? null : cleanText(report.site, 200), sweep: cleanText(report.sweep.id, 128), devices: report.devices.length, accepted: result.accepted, duplicates: result.duplicates, events: report.events?.length ?? 0 } },
      'report received',
    );
    return {
      status: 200,
      body: {
        status: 'ok',
        accepted: result.accepted,
        duplicates: result.duplicates,
        ...(result.events === undefined ? {} : { eventsAccepted: result.events.accepted, eventDuplicates: result.events.duplicates }),
      },
    };
  };

  return (req, res) => {
    handle(req).then(
      (reply) => {
        if (reply.status >= 400) log.warn({ request: { remote: req.socket.remoteAddress ?? null, status: reply.status, error: reply.body.error } }, 'report refused');
        send(res, reply, reply.close === true);
        if (reply.close === true) res.on('finish', () => req.destroy());
      },
      (err: unknown) => {
        if (!req.complete) {
          log.warn({ request: { remote: req.socket.remoteAddress ?? null } }, 'sender went away before the request body was complete; nothing stored');
          res.destroy();
          return;
        }
        log.error({ error: { message: errorMessage(err) } }, 'receiver failed to handle a request');
        send(res, { status: 500, body: { error: 'internal error' } }, true);
      },
    );
  };
}

export interface ReceiverTls {
  cert: string;
  key: Secret;
  /** CA bundle for client certificates: when set, a client certificate is required (mutual TLS). */
  clientCa?: string;
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: ReceiverTls;
}

export interface RunningReceiver {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  close(): Promise<void>;
}

export function startReceiver(listen: ListenOptions, options: ReceiverOptions): Promise<RunningReceiver> {
  const handler = createReceiverHandler(options);
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
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  server.maxRequestsPerSocket = 1000;
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
