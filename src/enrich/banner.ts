import { evidenceList } from '../domain/evidence.ts';
import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Evidence, Observation } from '../domain/types.ts';
import type { HttpResponse } from '../util/http.ts';
import { cleanText } from '../util/text.ts';
import type { EnrichContext, EnrichResult, Enricher } from './types.ts';

/**
 * HTTP banner: one `GET /` on a device's HTTP port, never with credentials, never following
 * a redirect. Records what the server says about itself: status, Server, the
 * WWW-Authenticate scheme and realm (Hikvision, Lorex and others name themselves there),
 * the redirect target, and the page title. The body is read only up to the context's cap,
 * within its deadline (boundedRequest), so an endless or silent server cannot hold us.
 */

export const MAX_TITLE_LENGTH = 256;
/** Bytes of the body searched for a <title>. */
const TITLE_SCAN_BYTES = 64 * 1024;
const MAX_CHALLENGES = 8;

export interface AuthChallenge {
  scheme: string;
  realm?: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/u;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Challenges in a WWW-Authenticate value (several headers arrive joined by ', '):
 * `Basic realm="x"`, `Digest realm="Login to 9L0...", nonce="...", qop="auth"`,
 * `Basic realm=device` (unquoted). A bare token starts a challenge only at the start or
 * after a comma; elsewhere it is a token68 credential blob and is skipped.
 */
export function parseWwwAuthenticate(value: string): AuthChallenge[] {
  const s = value.slice(0, 4096);
  const out: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let i = 0;
  let atBoundary = true;
  while (i < s.length) {
    while (i < s.length && (isSpace(s[i]) || s[i] === ',')) {
      if (s[i] === ',') atBoundary = true;
      i += 1;
    }
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i]!)) i += 1;
    if (i === start) {
      i += 1; // a stray character: skip it
      continue;
    }
    const token = s.slice(start, i);
    let j = i;
    while (isSpace(s[j])) j += 1;
    if (s[j] !== '=') {
      if (atBoundary && out.length < MAX_CHALLENGES) {
        current = { scheme: token };
        out.push(current);
      }
      atBoundary = false;
      i = j;
      continue;
    }
    j += 1;
    while (isSpace(s[j])) j += 1;
    let paramValue = '';
    if (s[j] === '"') {
      j += 1;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j += 1;
        paramValue += s[j];
        j += 1;
      }
      j += 1;
    } else {
      const vStart = j;
      while (j < s.length && s[j] !== ',' && !isSpace(s[j])) j += 1;
      paramValue = s.slice(vStart, j);
    }
    if (current && token.toLowerCase() === 'realm' && current.realm === undefined) current.realm = paramValue;
    atBoundary = false;
    i = j;
  }
  return out;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The few HTML entities titles use; anything else is left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/gu, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return Object.hasOwn(NAMED_ENTITIES, entity.toLowerCase()) ? NAMED_ENTITIES[entity.toLowerCase()]! : whole;
  });
}

/** The first <title> in the first part of a body, decoded and cleaned; undefined if none. */
export function extractTitle(body: Buffer): string | undefined {
  const head = body.subarray(0, TITLE_SCAN_BYTES).toString('utf8');
  const open = /<title\b[^>]{0,512}>/iu.exec(head);
  if (!open) return undefined;
  const start = open.index + open[0].length;
  const rest = head.slice(start, start + 4096);
  const close = /<\/title\s*>/iu.exec(rest);
  const inner = close ? rest.slice(0, close.index) : rest.slice(0, 512);
  const text = cleanText(decodeEntities(inner.replace(/<[^<>]{0,256}>/gu, ' ')), MAX_TITLE_LENGTH);
  return text === '' ? undefined : text;
}

/** The banner evidence in one response (pure). */
export function bannerEvidence(res: HttpResponse, port: number): Evidence[] {
  const { list: evidence, add } = evidenceList('http');
  add('http.port', String(port));
  add('http.status', String(res.status));
  add('http.server', res.headers['server']);
  const auth = res.headers['www-authenticate'];
  if (auth !== undefined) {
    for (const challenge of parseWwwAuthenticate(auth)) {
      add('http.authScheme', challenge.scheme);
      add('http.realm', challenge.realm);
    }
  }
  if (res.status >= 300 && res.status < 400) add('http.location', res.headers['location']);
  add('http.title', extractTitle(res.body));
  return evidence;
}

/** HTTP ports bannered per host. */
export const BANNER_PORTS_PER_HOST = 3;
/** Every host that replied is asked here; ports it declared (SRV records, XAddrs, LOCATION) after it. */
export const BANNER_DEFAULT_PORT = 80;

/** `GET /` on port 80 of any host that replied, and on the HTTP ports it declared. */
export function bannerEnricher(query: (target: { ip: string; port: number }, ctx: EnrichContext) => Promise<EnrichResult> = httpBanner): Enricher {
  return {
    name: 'banner',
    protocol: 'http',
    maxPerHost: BANNER_PORTS_PER_HOST,
    plan(obs) {
      return [BANNER_DEFAULT_PORT, ...(obs.endpoints?.httpPorts ?? [])].map((port) => ({ key: String(port), run: (ctx) => query({ ip: obs.ip, port }, ctx) }));
    },
  };
}

export async function httpBanner(target: { ip: string; port: number }, ctx: EnrichContext): Promise<EnrichResult> {
  const { ip, port } = target;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    return { observations: [], errors: [{ code: ERR.HTTP_BAD_PORT, message: `port ${port} is not a TCP port`, protocol: 'http', ip }] };
  }
  const host = ip.includes(':') ? `[${ip}]` : ip;

  let res: HttpResponse;
  try {
    // No Authorization header, whatever credentials the context carries: a banner is anonymous.
    res = await ctx.http({
      url: `http://${host}:${port}/`,
      method: 'GET',
      headers: { accept: 'text/html, */*;q=0.5' },
      timeoutMs: ctx.requestTimeoutMs,
      maxBytes: ctx.maxBodyBytes,
      signal: ctx.signal,
    });
  } catch (err) {
    const code = errorCode(err, ERR.HTTP_ERROR);
    // A closed port is an answer ("no web server here"), not a problem worth recording.
    if (code === ERR.HTTP_ECONNREFUSED) {
      ctx.log.debug({ device: { ip, port } }, 'http: port closed');
      return { observations: [], errors: [] };
    }
    return { observations: [], errors: [{ code, message: errorMessage(err), protocol: 'http', ip }] };
  }

  const obs: Observation = {
    protocol: 'http',
    ip,
    evidence: bannerEvidence(res, port),
    endpoints: { httpPorts: [port] },
  };
  return { observations: [obs], errors: [] };
}
