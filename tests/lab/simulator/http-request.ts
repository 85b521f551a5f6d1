/**
 * A small, bounded HTTP/1.x request parser (pure): the simulator owns every byte it sends and
 * reads, so it does not use node:http (which would add headers and normalise responses).
 */

export interface HttpRequest {
  method: string;
  target: string;
  /** Path without the query string. */
  path: string;
  version: string;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Map<string, string>;
  body: Buffer;
}

export type ParseResult =
  | { state: 'incomplete' }
  | { state: 'error'; reason: string }
  | { state: 'done'; request: HttpRequest };

export const MAX_HEAD_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

function parseChunked(buf: Buffer): { body: Buffer } | 'incomplete' | 'error' {
  const parts: Buffer[] = [];
  let offset = 0;
  let total = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', offset);
    if (lineEnd < 0) return buf.length - offset > 64 ? 'error' : 'incomplete';
    const sizeText = buf.subarray(offset, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,8}$/u.test(sizeText)) return 'error';
    const size = Number.parseInt(sizeText, 16);
    offset = lineEnd + 2;
    if (size === 0) return { body: Buffer.concat(parts) };
    total += size;
    if (total > MAX_BODY_BYTES) return 'error';
    if (buf.length < offset + size + 2) return 'incomplete';
    parts.push(buf.subarray(offset, offset + size));
    offset += size + 2;
  }
}

export function parseHttpRequest(buf: Buffer): ParseResult {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return buf.length > MAX_HEAD_BYTES ? { state: 'error', reason: 'head too large' } : { state: 'incomplete' };
  if (headEnd > MAX_HEAD_BYTES) return { state: 'error', reason: 'head too large' };
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const requestLine = /^([A-Z-]{1,16}) (\S{1,4096}) (HTTP\/1\.[01])$/u.exec(lines[0] ?? '');
  if (requestLine === null) return { state: 'error', reason: 'bad request line' };
  const [, method = '', target = '', version = ''] = requestLine;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { state: 'error', reason: 'bad header line' };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prior = headers.get(name);
    headers.set(name, prior === undefined ? value : `${prior}, ${value}`);
  }
  const rest = buf.subarray(headEnd + 4);
  let body: Buffer;
  if ((headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
    const chunked = parseChunked(rest);
    if (chunked === 'incomplete') return { state: 'incomplete' };
    if (chunked === 'error') return { state: 'error', reason: 'bad chunked body' };
    body = chunked.body;
  } else {
    const lengthText = headers.get('content-length') ?? '0';
    if (!/^\d{1,9}$/u.test(lengthText)) return { state: 'error', reason: 'bad content-length' };
    const length = Number(lengthText);
    if (length > MAX_BODY_BYTES) return { state: 'error', reason: 'body too large' };
    if (rest.length < length) return { state: 'incomplete' };
    body = rest.subarray(0, length);
  }
  const path = target.split('?')[0] ?? target;
  return { state: 'done', request: { method, target, path, version, headers, body } };
}

export interface HttpResponse {
  httpVersion: '1.0' | '1.1';
  status: number;
  reason: string;
  /** Names exactly as sent. In values, '{date}' becomes the HTTP date, '{length}' the body length. */
  headers: Array<[string, string]>;
  body: Buffer | string;
  /** After the body, stream filler until the client goes away (no Content-Length). */
  endless?: boolean;
}

/** The response head and body, adding Content-Length/Connection when absent. */
export function serialiseResponse(res: HttpResponse, now: Date): Buffer {
  const body = typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : res.body;
  const has = (name: string): boolean => res.headers.some(([n]) => n.toLowerCase() === name);
  const headers = res.headers.map(([n, v]): [string, string] => [
    n,
    v.replaceAll('{date}', now.toUTCString()).replaceAll('{length}', String(body.length)),
  ]);
  if (!res.endless && !has('content-length')) headers.push(['Content-Length', String(body.length)]);
  if (!has('connection')) headers.push(['Connection', 'close']);
  const head = [`HTTP/${res.httpVersion} ${res.status} ${res.reason}`, ...headers.map(([n, v]) => `${n}: ${v}`)].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'utf8'), body]);
}
