import type { HttpClient } from '../util/http.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import { cleanText } from '../util/text.ts';

/**
 * `camsweep health`: asks a running daemon's /healthz (the container HEALTHCHECK, a monitor,
 * a person). The address is the configured daemon.http.listen; a wildcard listen address is
 * asked on loopback. No curl needed in the image.
 */

/** The /healthz URL of a listener. */
export function healthUrl(listen: { host: string; port: number }): string {
  const host = listen.host === '0.0.0.0' || listen.host === 'localhost' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listen.port}/healthz`;
}

export interface HealthCheckResult {
  healthy: boolean;
  /** One line for people: the status and the body (cleaned, bounded), or why it could not be asked. */
  line: string;
}

export async function checkHealth(url: string, http: HttpClient, timeoutMs: number): Promise<HealthCheckResult> {
  try {
    const res = await http({ url, timeoutMs, maxBytes: 64 * 1024 });
    const body = cleanText(res.body.toString('utf8'), 2000);
    return { healthy: res.status === 200, line: `${res.status} ${body}` };
  } catch (err) {
    return { healthy: false, line: `cannot reach ${url}: ${errorMessage(err)} [${errorCode(err)}]` };
  }
}
