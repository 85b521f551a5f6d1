import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Observation } from '../domain/types.ts';
import { isIpv4 } from '../util/ip.ts';
import { certificateEvidence } from './tls-evidence.ts';
import type { EnrichContext, EnrichResult, Enricher } from './types.ts';

/**
 * The certificate of a TLS handshake on port 443 of a host that replied: the handshake only,
 * nothing sent over it, nothing trusted. Makers' device certificates and device CAs name them
 * (`O=HIKVISION`, an Axis root CA). A closed port is an answer (no evidence, no error).
 */

export const TLS_PORT = 443;

export async function tlsCertificate(target: { ip: string; port: number }, ctx: EnrichContext): Promise<EnrichResult> {
  const { ip, port } = target;
  if (ctx.stream === undefined) return { observations: [], errors: [] };
  try {
    const { certificate } = await ctx.stream({ host: ip, port, tls: true, timeoutMs: ctx.requestTimeoutMs, maxBytes: 0, signal: ctx.signal });
    if (certificate === undefined) return { observations: [], errors: [] };
    const obs: Observation = { protocol: 'tls', ip, evidence: certificateEvidence(certificate, port) };
    return { observations: [obs], errors: [] };
  } catch (err) {
    const code = errorCode(err, ERR.HTTP_ERROR);
    if (code === ERR.HTTP_ECONNREFUSED) return { observations: [], errors: [] };
    const tlsCode = code === ERR.HTTP_TIMEOUT ? ERR.TLS_TIMEOUT : ERR.TLS_FAILED;
    return { observations: [], errors: [{ code: tlsCode, message: `${code}: ${errorMessage(err)}`, protocol: 'tls', ip }] };
  }
}

/** A handshake on 443 of every IPv4 host that replied. */
export function tlsEnricher(query: typeof tlsCertificate = tlsCertificate): Enricher {
  return {
    name: 'tls',
    protocol: 'tls',
    maxPerHost: 1,
    plan(obs) {
      if (!isIpv4(obs.ip)) return [];
      return [{ key: String(TLS_PORT), run: (ctx) => query({ ip: obs.ip, port: TLS_PORT }, ctx) }];
    },
  };
}
