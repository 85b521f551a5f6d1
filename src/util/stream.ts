import type { X509Certificate } from 'node:crypto';
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import { CamsweepError, ERR, httpFailureCode } from '../domain/errors.ts';

/**
 * One bounded exchange over TCP, or a TLS handshake, with a device: connect to an IP literal
 * (never a name), optionally send one message, read until the answer is complete, the byte cap
 * or the deadline, then close. What RTSP OPTIONS and the certificate read need, and nothing
 * more: no keep-alive, no second message, no name resolution, a hard deadline for the whole
 * exchange, and a TLS handshake that trusts nothing (the certificate is evidence, read before
 * anything is sent, and nothing is sent over it).
 */

export interface StreamRequest {
  host: string;
  port: number;
  /** A TLS handshake only: read the peer's certificate, send nothing, close. */
  tls?: boolean;
  /** Bytes to send once connected (plain TCP only). */
  send?: Buffer;
  /** True when what was read so far is a complete answer. */
  complete?: (received: Buffer) => boolean;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface StreamResponse {
  data: Buffer;
  /** Cut at maxBytes. */
  truncated: boolean;
  /** The peer's leaf certificate (TLS). */
  certificate?: X509Certificate;
}

export type StreamClient = (req: StreamRequest) => Promise<StreamResponse>;

let deviceContext: tls.SecureContext | undefined;

/**
 * One TLS context for every handshake with a device (any old protocol and cipher it speaks):
 * made once, not per connection (a context per handshake cost ~0.25 ms of CPU each, 60 ms at
 * 250 devices). It holds no key, certificate or trust: nothing in it depends on the peer.
 */
function deviceTlsContext(): tls.SecureContext {
  deviceContext ??= tls.createSecureContext({ minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
  return deviceContext;
}

export const boundedStream: StreamClient = (req) =>
  new Promise<StreamResponse>((resolve, reject) => {
    if (isIP(req.host) === 0) {
      reject(new CamsweepError(ERR.HTTP_NOT_IP, 'host is not an IP address'));
      return;
    }
    if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65_535) {
      reject(new CamsweepError(ERR.HTTP_BAD_PORT, `port ${req.port} is not a TCP port`));
      return;
    }
    if (req.signal?.aborted) {
      reject(new CamsweepError(ERR.HTTP_ABORTED, 'exchange aborted'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket: net.Socket = req.tls
      ? tls.connect({
          host: req.host,
          port: req.port,
          // Identification, not trust: accept any certificate, any old protocol a device speaks.
          rejectUnauthorized: false,
          secureContext: deviceTlsContext(),
        })
      : net.connect({ host: req.host, port: req.port });

    const finish = (err: CamsweepError | null, res?: StreamResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err === null) {
        // A clean close (flush, close_notify, FIN): a device sees a finished exchange, not a
        // reset; a peer that never answers the close is cut a moment later.
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      } else {
        socket.destroy();
      }
      if (err) reject(err);
      else resolve(res!);
    };
    const answer = (truncated: boolean, certificate?: X509Certificate): void =>
      finish(null, { data: Buffer.concat(chunks), truncated, ...(certificate === undefined ? {} : { certificate }) });
    const onAbort = (): void => finish(new CamsweepError(ERR.HTTP_ABORTED, 'exchange aborted'));
    const timer = setTimeout(() => {
      // What a slow device sent before the deadline still counts when it is a whole answer.
      const data = Buffer.concat(chunks);
      if (data.length > 0 && req.complete?.(data) === true) answer(false);
      else finish(new CamsweepError(ERR.HTTP_TIMEOUT, `no complete answer within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    req.signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('error', (err: NodeJS.ErrnoException) => finish(new CamsweepError(httpFailureCode(err.code), err.message)));
    if (req.tls) {
      socket.once('secureConnect', () => {
        const cert = (socket as tls.TLSSocket).getPeerX509Certificate();
        answer(false, cert ?? undefined);
      });
      return;
    }
    socket.once('connect', () => {
      if (req.send !== undefined) socket.write(req.send);
    });
    socket.on('data', (chunk: Buffer) => {
      const room = req.maxBytes - size;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        size = req.maxBytes;
        answer(chunk.length > room);
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
      if (req.complete?.(Buffer.concat(chunks)) === true) answer(false);
    });
    socket.on('end', () => answer(false));
  });
