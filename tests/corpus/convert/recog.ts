import type { HttpResponse } from '../../../src/util/http.ts';

/**
 * Rapid7 Recog extracts (corpus <vendor>/recog-banners-1.xml): `<fingerprint>` elements copied
 * from Recog's xml/*.xml, each after a `<!-- from xml/<file>.xml -->` comment. Each
 * `<example>` is a real value seen on a device, in the field that Recog file describes.
 */

export interface RecogFingerprint {
  /** The Recog database file: http_servers, http_wwwauth, html_title, rtsp_servers, x509_subjects, ... */
  database: string;
  description: string;
  examples: string[];
}

const XML_ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos);/gu, (_, name: string) => XML_ENTITIES[name]!);
}

export function parseRecogExtract(text: string): RecogFingerprint[] {
  const out: RecogFingerprint[] = [];
  const parts = text.split(/<!-- from xml\/([\w-]+)\.xml -->/u);
  // parts: [before, database1, chunk1, database2, chunk2, ...]
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const database = parts[i]!;
    const chunk = parts[i + 1]!;
    const description = unescapeXml(/<description>([^<]*)<\/description>/u.exec(chunk)?.[1] ?? '');
    const examples = [...chunk.matchAll(/<example(?:\s[^>]*)?>([^<]*)<\/example>/gu)].map((m) => unescapeXml(m[1]!));
    out.push({ database, description, examples });
  }
  return out;
}

/** The Recog databases whose examples are values of an HTTP response camsweep's banner reads. */
export const HTTP_DATABASES: readonly string[] = ['http_servers', 'http_wwwauth', 'html_title'];

function escapeHtml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

/**
 * The HTTP response a device would send to camsweep's `GET /` for one Recog example. The
 * example is the only real part; the framing is ours and minimal: `http_servers` -> a 200
 * with that `Server` header; `http_wwwauth` -> a 401 with that `WWW-Authenticate` header
 * (Recog's value is the whole header value); `html_title` -> a 200 HTML page with that
 * `<title>`. Other databases (TLS subjects, telnet and RTSP banners, DHCP vendor classes,
 * favicon hashes) are not seen by a banner fetch: undefined.
 */
export function recogHttpResponse(database: string, example: string): HttpResponse | undefined {
  switch (database) {
    case 'http_servers':
      return { status: 200, headers: { server: example, 'content-type': 'text/html' }, body: Buffer.alloc(0), truncated: false };
    case 'http_wwwauth':
      return { status: 401, headers: { 'www-authenticate': example, 'content-type': 'text/html' }, body: Buffer.alloc(0), truncated: false };
    case 'html_title':
      return {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: Buffer.from(`<html><head><title>${escapeHtml(example)}</title></head><body></body></html>`),
        truncated: false,
      };
    default:
      return undefined;
  }
}
