import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { errorMessage } from '../../domain/errors.ts';
import type { CentralEvent } from '../events.ts';
import { toCef } from './cef.ts';
import type { SendResult, Sink } from './sink.ts';

/**
 * Syslog (RFC 5424) over TCP or TLS (RFC 5425) with octet-counting framing (RFC 6587 3.4.1),
 * one message per event, its MSG a CEF record (cef.ts), its structured data the event id
 * (`[camsweep@32473 eventId="..."]`; 32473 is the documentation enterprise number of
 * RFC 5612). One connection, opened on demand and reopened after an error; a message counts
 * as sent once the socket took it (TCP gives no receipt: at least once, the id de-duplicates).
 */

export interface SyslogOptions {
  /** tcp://host:port or tls://host:port */
  url: string;
  /** PEM CA bundle that replaces the default roots for tls:// (a private CA). */
  ca?: string | null;
  /** RFC 5424 facility (default 10, security/authorization). */
  facility?: number;
  hostname?: string;
  version: string;
  timeoutMs?: number;
}

const SEVERITY: Record<CentralEvent['type'], number> = { 'restricted-new': 4, 'exception-expired': 4, 'device-changed': 5, review: 5 };

/** PRINTUSASCII without spaces, as RFC 5424 header fields need. */
const header = (v: string, max: number): string => v.replace(/[^\x21-\x7e]/gu, '').slice(0, max) || '-';
const sdValue = (v: string): string => v.replace(/[\\"\]]/gu, (c) => `\\${c}`);

export function syslogMessage(e: CentralEvent, o: { facility: number; hostname: string; version: string; pid: number }): string {
  const pri = o.facility * 8 + SEVERITY[e.type];
  return `<${pri}>1 ${e.at} ${header(o.hostname, 255)} camsweep ${o.pid} ${header(e.type, 32)} [camsweep@32473 eventId="${sdValue(e.id)}"] ${toCef(e, o.version)}`;
}

/** Octet-counting frame: `<length> <message>`, the length in bytes. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}

export function createSyslogSink(o: SyslogOptions): Sink {
  const url = new URL(o.url);
  const secure = url.protocol === 'tls:';
  if (!secure && url.protocol !== 'tcp:') throw new Error(`syslog: want tcp://HOST:PORT or tls://HOST:PORT, got ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  const port = Number(url.port || (secure ? 6514 : 601));
  const timeoutMs = o.timeoutMs ?? 10_000;
  let socket: net.Socket | undefined;

  const connect = (): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const s = secure
        ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(o.ca ? { ca: o.ca } : {}) })
        : net.connect({ host, port });
      const fail = (err: Error): void => {
        s.destroy();
        reject(err);
      };
      s.setTimeout(timeoutMs, () => fail(new Error(`no connection within ${timeoutMs} ms`)));
      s.once('error', fail);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        s.off('error', fail);
        s.setTimeout(0);
        s.on('error', () => s.destroy());
        s.once('close', () => {
          if (socket === s) socket = undefined;
        });
        resolve(s);
      });
    });

  return {
    id: `syslog:${url.protocol}//${url.host}`,
    async send(event) {
      try {
        socket ??= await connect();
        const s = socket;
        const message = frame(syslogMessage(event, { facility: o.facility ?? 10, hostname: o.hostname ?? os.hostname(), version: o.version, pid: process.pid }));
        await new Promise<void>((resolve, reject) => {
          s.write(message, (err) => (err ? reject(err) : resolve()));
        });
        return { ok: true } satisfies SendResult;
      } catch (err) {
        socket?.destroy();
        socket = undefined;
        return { ok: false, retry: true, error: `syslog ${url.host}: ${errorMessage(err)}` };
      }
    },
    close() {
      socket?.end();
      socket = undefined;
      return Promise.resolve();
    },
  };
}
