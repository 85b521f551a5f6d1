import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createReceiverHandler } from '../../src/report/receiver/server.ts';
import { openReceiverStore, type ReceiverStore } from '../../src/report/receiver/store.ts';
import { Secret } from '../../src/report/secret.ts';
import { silentLogger } from '../../src/util/log.ts';

/**
 * The reference receiver (createReceiverHandler + its store) behind a fault injector, on
 * 127.0.0.1 only: per request it can pass, answer a status without storing, reset the
 * connection, or store and then answer late; hooks run when a request arrives, just before the
 * response is written (after the store) and once it is sent, so a test can kill the sender at
 * exactly those points.
 */

export type Fault =
  | { kind: 'pass' }
  /** Answer this status without storing (the body is read first, so the sender sees the status). */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Destroy the connection as soon as the request arrives. */
  | { kind: 'reset' }
  /** Handle (and store) normally, but write the response only after delayMs. */
  | { kind: 'slow'; delayMs: number };

export interface RequestEvent {
  n: number;
  key: string | undefined;
  fault: Fault['kind'];
  /** Status written, or null when the connection was reset or the client went away first. */
  status: number | null;
}

export interface FaultyReceiverOptions {
  dataDir: string;
  token: string;
  hmacSecret?: string;
  maxBodyBytes?: number;
  tls?: { cert: string; key: string; clientCa?: string };
  port?: number;
  fault?: (n: number, req: http.IncomingMessage) => Fault;
  onArrival?: (n: number) => void;
  /** After the handler decided (and stored), before the response is written. */
  beforeRespond?: (n: number, status: number) => void;
  afterRespond?: (n: number, status: number) => void;
}

export interface FaultyReceiver {
  readonly url: string;
  readonly port: number;
  readonly store: ReceiverStore;
  readonly events: RequestEvent[];
  /** Replace the fault plan and hooks (e.g. between the phases of a test). */
  configure(options: Pick<FaultyReceiverOptions, 'fault' | 'onArrival' | 'beforeRespond' | 'afterRespond'>): void;
  close(): Promise<void>;
}

export async function startFaultyReceiver(options: FaultyReceiverOptions): Promise<FaultyReceiver> {
  const store = openReceiverStore(options.dataDir);
  const handler = createReceiverHandler({
    store,
    token: new Secret(options.token),
    hmacSecret: options.hmacSecret === undefined ? null : new Secret(options.hmacSecret),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    log: silentLogger(),
  });
  const events: RequestEvent[] = [];
  let plan: Pick<FaultyReceiverOptions, 'fault' | 'onArrival' | 'beforeRespond' | 'afterRespond'> = options;
  let n = 0;

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    n += 1;
    const id = n;
    const fault = plan.fault?.(id, req) ?? { kind: 'pass' };
    const header = req.headers['idempotency-key'];
    const event: RequestEvent = { n: id, key: typeof header === 'string' ? header : undefined, fault: fault.kind, status: null };
    events.push(event);
    plan.onArrival?.(id);
    res.on('finish', () => {
      event.status = res.statusCode;
      plan.afterRespond?.(id, res.statusCode);
    });
    switch (fault.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'status':
        req.resume();
        req.on('end', () => {
          plan.beforeRespond?.(id, fault.status);
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end('{"error":"injected"}\n');
        });
        return;
      case 'slow':
      case 'pass': {
        const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
        const delayed = (chunk?: unknown): http.ServerResponse => {
          const write = (): void => {
            plan.beforeRespond?.(id, res.statusCode);
            if (!res.destroyed) end(chunk);
          };
          if (fault.kind === 'slow') setTimeout(write, fault.delayMs);
          else write();
          return res;
        };
        (res as unknown as { end: typeof delayed }).end = delayed;
        handler(req, res);
        return;
      }
    }
  };

  const server = options.tls
    ? https.createServer(
        { cert: options.tls.cert, key: options.tls.key, ...(options.tls.clientCa === undefined ? {} : { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true }) },
        onRequest,
      )
    : http.createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/v1/reports`,
    port,
    store,
    events,
    configure(next) {
      plan = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
