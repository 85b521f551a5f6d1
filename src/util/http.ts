import { createConnection, isIP, type NetConnectOpts } from 'node:net';
import { CamsweepError, ERR, httpFailureCode } from '../domain/errors.ts';
import { urlHost } from './ip.ts';

// node:http as the CommonJS module it is: importing it as ESM builds its module namespace,
// which reads every export, and its lazy `WebSocket`/`EventSource` getters load Node's bundled
// undici (~30 ms of CPU at start-up, for nothing this client uses).
const http = process.getBuiltinModule('node:http');

/**
 * The connection of one request: a plain TCP socket, with no connection pool in between. With
 * `agent: false` Node built an http.Agent for every request (a pool of one, used once, then
 * dropped): ~0.04 ms of CPU a request, a sixth of a request's cost on the benchmark crowd
 * (docs/performance.md). The exchange is the same: one connection per request, closed after it.
 */
const oneConnection = (options: object): ReturnType<typeof createConnection> => createConnection(options as NetConnectOpts);

/**
 * A deliberately small HTTP client for talking to devices: one request, no redirects, no
 * keep-alive, a hard deadline for the whole exchange (headers and body), and a body cap.
 * An endless or huge body is cut at `maxBytes` and reported as `truncated`, never buffered.
 * Only IP-literal hosts are accepted, so a device cannot make us resolve a name.
 */
export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

export const USER_AGENT = 'camsweep (+https://github.com/camsweep/camsweep)';

export function parseDeviceUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CamsweepError(ERR.HTTP_BAD_URL, 'not a valid URL');
  }
  if (url.protocol !== 'http:') throw new CamsweepError(ERR.HTTP_UNSUPPORTED_SCHEME, `scheme ${url.protocol} not fetched`);
  const host = urlHost(url);
  if (isIP(host) === 0) throw new CamsweepError(ERR.HTTP_NOT_IP, 'URL host is not an IP address');
  return url;
}

export const boundedRequest: HttpClient = (req) =>
  new Promise<HttpResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = parseDeviceUrl(req.url);
    } catch (err) {
      reject(err);
      return;
    }
    if (req.signal?.aborted) {
      reject(new CamsweepError(ERR.HTTP_ABORTED, 'request aborted'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      connection: 'close',
      accept: '*/*',
      ...req.headers,
    };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));

    const request = http.request({
      host: urlHost(url),
      port: url.port === '' ? 80 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: req.method ?? 'GET',
      headers,
      // No agent: a new connection, never pooled or reused (`connection: close` above).
      createConnection: oneConnection,
      maxHeaderSize: 16 * 1024,
      // Devices speak sloppy HTTP (LF-only lines, control characters or spaces in headers).
      // Node's strict parser refuses such responses outright, losing the banner of exactly the
      // embedded web servers we need to identify. The lenient parser is safe for a one-shot
      // client that caps headers (maxHeaderSize), body and time, follows nothing, and cleans
      // every value before storing it.
      insecureHTTPParser: true,
    });

    const finish = (err: CamsweepError | null, res?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      request.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const onAbort = (): void => finish(new CamsweepError(ERR.HTTP_ABORTED, 'request aborted'));
    const timer = setTimeout(
      () => finish(new CamsweepError(ERR.HTTP_TIMEOUT, `no complete response within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    req.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (err: NodeJS.ErrnoException) =>
      finish(new CamsweepError(httpFailureCode(err.code), err.message)),
    );
    request.on('response', (res) => {
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      }
      const done = (truncated: boolean): void =>
        finish(null, { status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks), truncated });
      res.on('data', (chunk: Buffer) => {
        const room = req.maxBytes - size;
        // Strictly more than fits: a body of exactly maxBytes is complete, not truncated.
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size = req.maxBytes;
          done(true);
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => done(false));
      res.on('aborted', () => done(true));
      res.on('error', () => done(true));
    });
    request.end(req.body);
  });
