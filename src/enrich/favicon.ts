import { createHash } from 'node:crypto';
import { evidenceList } from '../domain/evidence.ts';
import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Observation } from '../domain/types.ts';
import { isIpv4 } from '../util/ip.ts';
import { faviconHash } from '../util/murmur3.ts';
import { BANNER_DEFAULT_PORT } from './banner.ts';
import type { EnrichContext, EnrichResult, Enricher } from './types.ts';

/**
 * `GET /favicon.ico` on port 80 of a host that replied, as internet scanners index device web
 * interfaces: the icon's MD5 (Recog's favicon database) and its MurmurHash3 (Shodan's
 * http.favicon.hash). A missing icon, or a page served for every path, is no answer.
 */

/** Icons are small; a larger body is not one. */
export const FAVICON_MAX_BYTES = 64 * 1024;

/** The favicon evidence of one response body (pure). */
export function faviconEvidence(body: Buffer, port: number): Observation['evidence'] {
  const { list, add } = evidenceList('http');
  add('http.favicon.port', String(port));
  add('http.favicon.md5', createHash('md5').update(body).digest('hex'));
  add('http.favicon.mmh3', String(faviconHash(body)));
  return list;
}

export async function httpFavicon(target: { ip: string; port: number }, ctx: EnrichContext): Promise<EnrichResult> {
  const { ip, port } = target;
  try {
    const res = await ctx.http({
      url: `http://${ip}:${port}/favicon.ico`,
      method: 'GET',
      headers: { accept: 'image/*' },
      timeoutMs: ctx.requestTimeoutMs,
      maxBytes: Math.min(ctx.maxBodyBytes, FAVICON_MAX_BYTES),
      signal: ctx.signal,
    });
    const type = res.headers['content-type'] ?? '';
    if (res.status !== 200 || res.truncated || res.body.length === 0 || /text\/html/iu.test(type)) return { observations: [], errors: [] };
    return { observations: [{ protocol: 'http', ip, evidence: faviconEvidence(res.body, port) }], errors: [] };
  } catch (err) {
    const code = errorCode(err, ERR.HTTP_ERROR);
    if (code === ERR.HTTP_ECONNREFUSED) return { observations: [], errors: [] };
    return { observations: [], errors: [{ code: ERR.FAVICON_FAILED, message: `${code}: ${errorMessage(err)}`, protocol: 'http', ip }] };
  }
}

/** The favicon on port 80 of every IPv4 host that replied. */
export function faviconEnricher(query: typeof httpFavicon = httpFavicon): Enricher {
  return {
    name: 'favicon',
    protocol: 'http',
    maxPerHost: 1,
    plan(obs) {
      if (!isIpv4(obs.ip)) return [];
      return [{ key: String(BANNER_DEFAULT_PORT), run: (ctx) => query({ ip: obs.ip, port: BANNER_DEFAULT_PORT }, ctx) }];
    },
  };
}
