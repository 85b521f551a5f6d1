import type { Evidence, Observation } from '../../src/domain/types.ts';
import type { EnrichContext } from '../../src/enrich/types.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/util/http.ts';
import { silentLogger } from '../../src/util/log.ts';

/**
 * Test scaffolding for enrichers: a context with fixed defaults, a recording fake HTTP client,
 * a response builder and an evidence picker.
 */

/** An EnrichContext with a silent log, a 1500 ms deadline, a 64 KiB body cap and a fixed clock. */
export function enrichContext(http: HttpClient, overrides: Partial<EnrichContext> = {}): EnrichContext {
  return {
    signal: new AbortController().signal,
    http,
    log: silentLogger(),
    requestTimeoutMs: 1500,
    maxBodyBytes: 64 * 1024,
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

/** A fake HttpClient that records every request in `calls`, then answers from `reply` (a throw becomes a rejection). */
export function fakeHttp(reply: (req: HttpRequest) => HttpResponse | Promise<HttpResponse>): HttpClient & { calls: HttpRequest[] } {
  const calls: HttpRequest[] = [];
  const client = async (req: HttpRequest): Promise<HttpResponse> => {
    calls.push(req);
    return reply(req);
  };
  return Object.assign(client, { calls });
}

/** A complete (untruncated) text/xml response. */
export const httpOk = (body: string, status = 200): HttpResponse => ({ status, headers: { 'content-type': 'text/xml' }, body: Buffer.from(body), truncated: false });

/** The values of every evidence item named `field`, in order; none for a missing observation. */
export function evidenceValues(source: Observation | readonly Evidence[] | undefined, field: string): string[] {
  const evidence = source === undefined ? [] : 'evidence' in source ? source.evidence : source;
  return evidence.filter((e) => e.field === field).map((e) => e.value);
}
