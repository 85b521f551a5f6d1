import type { AuditSink, DatagramAudit } from '../domain/audit.ts';
import type { Protocol } from '../domain/types.ts';
import type { HttpClient } from '../util/http.ts';
import type { StreamClient } from '../util/stream.ts';
import { cleanText } from '../util/text.ts';
import { urlHost } from '../util/ip.ts';
import { describeDatagram } from './describe.ts';

/** A socket's audit hook: each datagram sent becomes an audit entry (nothing when no sink). */
export function auditDatagrams(audit: AuditSink | undefined, now: () => Date, protocol: Protocol, iface: string | undefined): DatagramAudit {
  return ({ address, port, payload }) =>
    audit?.({
      at: now().toISOString(),
      transport: 'udp',
      protocol,
      ...(iface === undefined ? {} : { interface: iface }),
      destination: address,
      port,
      message: describeDatagram(protocol, payload),
      bytes: payload.length,
    });
}

/** A stream client that records each exchange (an RTSP request line, a TLS handshake) before it starts. */
export function auditStream(audit: AuditSink | undefined, now: () => Date, protocol: Protocol, stream: StreamClient): StreamClient {
  if (!audit) return stream;
  return (req) => {
    const firstLine = req.send === undefined ? '' : (req.send.subarray(0, 256).toString('latin1').split(/\r?\n/u, 1)[0] ?? '');
    audit({
      at: now().toISOString(),
      transport: 'tcp',
      protocol,
      destination: req.host,
      port: req.port,
      message: req.tls === true ? 'TLS handshake (certificate only)' : cleanText(firstLine, 200),
      bytes: req.send?.length ?? 0,
    });
    return stream(req);
  };
}

/** An HTTP client that records each request (method, path, SOAP operation) before sending it. */
export function auditHttp(audit: AuditSink | undefined, now: () => Date, protocol: Protocol, http: HttpClient): HttpClient {
  if (!audit) return http;
  return (req) => {
    let destination = '';
    let port = 80;
    let path = req.url;
    try {
      const u = new URL(req.url);
      destination = urlHost(u);
      port = u.port === '' ? 80 : Number(u.port);
      path = `${u.pathname}${u.search}`;
    } catch {
      // an unparseable URL is refused by the client; record it as given
    }
    const operation = req.body ? /<(?:[\w-]+:)?Body>\s*<(?:[\w-]+:)?(\w{1,64})/u.exec(req.body)?.[1] : undefined;
    audit({
      at: now().toISOString(),
      transport: 'tcp',
      protocol,
      destination,
      port,
      message: `${req.method ?? 'GET'} ${path}${operation ? ` ${operation}` : ''}`,
      bytes: req.body ? Buffer.byteLength(req.body) : 0,
    });
    return http(req);
  };
}
