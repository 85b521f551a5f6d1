import type { RequestOptions } from 'node:http';
import { ERR, CamsweepError } from '../domain/errors.ts';
import { urlHost } from '../util/ip.ts';
import type { Secret } from './secret.ts';

// As CommonJS modules: an ESM import of node:http reads its lazy getters and loads Node's
// bundled undici (src/util/http.ts).
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

/**
 * One POST to the report endpoint over node:http / node:https. TLS is always verified:
 * `rejectUnauthorized` is set to true on every request (it also overrides
 * NODE_TLS_REJECT_UNAUTHORIZED=0), and nothing in the configuration can turn it off; a private
 * CA is trusted through `ca`, mutual TLS uses `cert` + `key`. A hard deadline covers the whole
 * exchange; redirects are not followed; the response body is read up to a cap.
 */

export interface TransportRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The start of the body (for error messages), at most maxResponseBytes, as UTF-8. */
  body: string;
}

export type ReportTransport = (req: TransportRequest) => Promise<TransportResponse>;

export interface TlsMaterial {
  ca: string | null;
  cert: string | null;
  key: Secret | null;
}

const TLS_CODE = /CERT|SSL|TLS|SIGNATURE|ISSUER|HANDSHAKE/u;

/** Error codes of a refused or failed TLS handshake (REPORT_TLS): retried, but worth a clear log line. */
export function isTlsError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TLS_CODE.test(code);
}

function wrapError(err: unknown): CamsweepError {
  if (err instanceof CamsweepError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  if (isTlsError(err)) {
    return new CamsweepError(ERR.REPORT_TLS, `TLS: ${e.message} (${code})`, { cause: err });
  }
  return new CamsweepError(ERR.REPORT_NETWORK, `${e.message} (${code})`, { cause: err });
}

export function createReportTransport(tls: TlsMaterial, options: { maxResponseBytes?: number } = {}): ReportTransport {
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024;
  return (req) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      if (req.signal?.aborted) {
        reject(new CamsweepError(ERR.REPORT_ABORTED, 'delivery aborted'));
        return;
      }
      let settled = false;
      const headers = { ...req.headers, 'content-length': String(req.body.length), connection: 'close' };
      const common: RequestOptions = {
        method: 'POST',
        host: urlHost(url),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false,
      };
      const request =
        url.protocol === 'https:'
          ? https.request({
              ...common,
              rejectUnauthorized: true,
              minVersion: 'TLSv1.2',
              ...(tls.ca === null ? {} : { ca: tls.ca }),
              ...(tls.cert === null ? {} : { cert: tls.cert }),
              ...(tls.key === null ? {} : { key: tls.key.reveal() }),
            })
          : http.request(common);

      const finish = (err: CamsweepError | null, res?: TransportResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        // Connection: close, no agent: the socket is never reused, so it can always go now.
        request.destroy();
        if (err) reject(err);
        else if (res) resolve(res);
      };
      const timer = setTimeout(() => finish(new CamsweepError(ERR.REPORT_TIMEOUT, `no complete response within ${req.timeoutMs} ms`)), req.timeoutMs);
      const onAbort = (): void => finish(new CamsweepError(ERR.REPORT_ABORTED, 'delivery aborted'));
      req.signal?.addEventListener('abort', onAbort, { once: true });

      request.on('error', (err) => finish(wrapError(err)));
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const out = (): TransportResponse => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) h[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          }
          return { status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') };
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= maxResponseBytes) return;
          const part = chunk.subarray(0, maxResponseBytes - size);
          chunks.push(part);
          size += part.length;
          // The status is what counts: stop reading a long body once the cap is reached.
          if (size >= maxResponseBytes) finish(null, out());
        });
        res.on('end', () => finish(null, out()));
        res.on('error', (err) => finish(wrapError(err)));
        res.on('close', () => {
          if (!res.complete) finish(new CamsweepError(ERR.REPORT_NETWORK, 'response cut short'));
        });
      });
      request.end(req.body);
    });
}
