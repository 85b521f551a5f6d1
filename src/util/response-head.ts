/**
 * A response head as text (`HTTP/1.1 401 Unauthorized`, `RTSP/1.0 200 OK`, then header
 * lines), parsed without a socket: what `camsweep identify` reads from a capture and the RTSP
 * prober reads off the wire. Pure and bounded: at most MAX_HEAD_BYTES are read for the head,
 * MAX_HEADERS header lines, names lower-cased, repeated headers joined with ", " (as Node's
 * HTTP client joins them), control characters left for the evidence cleaner.
 */

export const MAX_HEAD_BYTES = 16 * 1024;
export const MAX_HEADERS = 100;

export interface ResponseHead {
  /** `HTTP/1.1`, `RTSP/1.0`. */
  protocol: string;
  status: number;
  reason: string;
  headers: Record<string, string>;
  /** What follows the blank line (empty when the capture has no body). */
  body: Buffer;
}

const STATUS_LINE = /^(?<protocol>(?:HTTP|RTSP)\/\d\.\d)[ \t]+(?<status>\d{3})(?:[ \t]+(?<reason>[^\r\n]*))?$/u;

/** The head of an HTTP or RTSP response, or undefined when `raw` does not start with one. */
export function parseResponseHead(raw: Buffer): ResponseHead | undefined {
  const head = raw.subarray(0, MAX_HEAD_BYTES).toString('latin1');
  const end = /\r?\n\r?\n/u.exec(head);
  const headText = end ? head.slice(0, end.index) : head;
  const bodyStart = end ? Buffer.byteLength(head.slice(0, end.index + end[0].length), 'latin1') : raw.length;
  const lines = headText.split(/\r?\n/u);
  const status = STATUS_LINE.exec(lines[0]?.trim() ?? '');
  if (!status?.groups) return undefined;
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let last: string | undefined;
  let count = 0;
  for (const line of lines.slice(1)) {
    if (count >= MAX_HEADERS) break;
    if (/^[ \t]/u.test(line) && last !== undefined) {
      headers[last] = `${headers[last]} ${line.trim()}`; // obsolete line folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]{1,64}$/u.test(name)) continue;
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    last = name;
    count += 1;
  }
  return {
    protocol: status.groups['protocol']!,
    status: Number(status.groups['status']),
    reason: status.groups['reason']?.trim() ?? '',
    headers: { ...headers },
    body: raw.subarray(bodyStart),
  };
}

/** Responses a capture may hold one after the other (an RTSP OPTIONS answer, then DESCRIBE's). */
export const MAX_RESPONSES = 8;

/**
 * Every response head in a capture of several (each body is what its Content-Length says, or
 * up to the next status line when it says nothing), at most MAX_RESPONSES.
 */
export function parseResponseHeads(raw: Buffer): ResponseHead[] {
  const out: ResponseHead[] = [];
  let rest = raw;
  while (rest.length > 0 && out.length < MAX_RESPONSES) {
    const head = parseResponseHead(rest);
    if (!head) break;
    const declared = Number(head.headers['content-length']);
    let bodyLength: number;
    if (Number.isInteger(declared) && declared >= 0 && declared <= head.body.length) bodyLength = declared;
    else {
      const next = /(?:^|\r?\n)(?:HTTP|RTSP)\/\d\.\d[ \t]+\d{3}/u.exec(head.body.toString('latin1'));
      bodyLength = next ? next.index : head.body.length;
    }
    out.push({ ...head, body: head.body.subarray(0, bodyLength) });
    rest = head.body.subarray(bodyLength);
    const skip = /^\s*/u.exec(rest.toString('latin1'))?.[0].length ?? 0;
    rest = rest.subarray(skip);
  }
  return out;
}
