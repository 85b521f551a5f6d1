import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Observation } from '../domain/types.ts';
import { isIpv4 } from '../util/ip.ts';
import { parseResponseHead } from '../util/response-head.ts';
import { rtspEvidence } from './rtsp-evidence.ts';
import type { EnrichContext, EnrichResult, Enricher } from './types.ts';

/**
 * RTSP OPTIONS on port 554 of a host that replied: the one request an RTSP client may send
 * before anything else, read-only, without credentials. The answer's `Server` header and
 * WWW-Authenticate realm name many makers (`Dahua Rtsp Server`, `realm="Login to <serial>"`,
 * `realm="IP Camera(C2875)"`). A closed port is an answer (no evidence, no error).
 */

export const RTSP_PORT = 554;
/** An OPTIONS answer is a head; anything longer is not one. */
export const RTSP_MAX_BYTES = 16 * 1024;

export function optionsRequest(ip: string, port: number): Buffer {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return Buffer.from(`OPTIONS rtsp://${host}:${port}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camsweep\r\n\r\n`, 'latin1');
}

const headComplete = (received: Buffer): boolean => /\r?\n\r?\n/u.test(received.toString('latin1'));

export async function rtspOptions(target: { ip: string; port: number }, ctx: EnrichContext): Promise<EnrichResult> {
  const { ip, port } = target;
  if (ctx.stream === undefined) return { observations: [], errors: [] };
  let data: Buffer;
  try {
    ({ data } = await ctx.stream({
      host: ip,
      port,
      send: optionsRequest(ip, port),
      complete: headComplete,
      timeoutMs: ctx.requestTimeoutMs,
      maxBytes: RTSP_MAX_BYTES,
      signal: ctx.signal,
    }));
  } catch (err) {
    const code = errorCode(err, ERR.HTTP_ERROR);
    if (code === ERR.HTTP_ECONNREFUSED) return { observations: [], errors: [] };
    const rtspCode = code === ERR.HTTP_TIMEOUT ? ERR.RTSP_TIMEOUT : ERR.RTSP_FAILED;
    return { observations: [], errors: [{ code: rtspCode, message: `${code}: ${errorMessage(err)}`, protocol: 'rtsp', ip }] };
  }
  const head = parseResponseHead(data);
  if (head === undefined || !head.protocol.startsWith('RTSP/')) {
    if (data.length === 0) return { observations: [], errors: [] };
    return { observations: [], errors: [{ code: ERR.RTSP_INVALID, message: `${data.length} bytes that are not an RTSP response head`, protocol: 'rtsp', ip }] };
  }
  const obs: Observation = { protocol: 'rtsp', ip, evidence: rtspEvidence(head, port) };
  return { observations: [obs], errors: [] };
}

/** OPTIONS on 554 of every IPv4 host that replied (IPv6 link-local hosts are not enriched). */
export function rtspEnricher(query: typeof rtspOptions = rtspOptions): Enricher {
  return {
    name: 'rtsp',
    protocol: 'rtsp',
    maxPerHost: 1,
    plan(obs) {
      if (!isIpv4(obs.ip)) return [];
      return [{ key: String(RTSP_PORT), run: (ctx) => query({ ip: obs.ip, port: RTSP_PORT }, ctx) }];
    },
  };
}
