import os from 'node:os';
import { errorMessage } from '../../domain/errors.ts';
import { signBody } from '../../report/hmac.ts';
import type { Secret } from '../../report/secret.ts';
import { createReportTransport } from '../../report/transport.ts';
import type { CentralEvent } from '../events.ts';
import { httpResult, type Sink } from './sink.ts';

/**
 * The HTTP sinks, over the agent's transport (src/report/transport.ts: TLS always verified, a
 * private CA through `ca`, a hard deadline, no redirects, the response read up to a cap).
 *
 * - Splunk HTTP Event Collector: POST {"time", "host", "source", "sourcetype", "event"} with
 *   `Authorization: Splunk <token>` to .../services/collector/event.
 * - A generic webhook: POST the event as JSON, `Idempotency-Key: <event id>` and
 *   `X-Camsweep-Signature: t=..,n=..,v1=..`, HMAC-SHA256 over "<t>.<n>." + body, the same
 *   scheme agents sign reports with (docs/reporting.md), so a receiver verifies it the same way.
 */

export interface HttpSinkOptions {
  url: string;
  ca?: string | null;
  timeoutMs?: number;
  version: string;
  now?: () => number;
}

function transportFor(o: HttpSinkOptions) {
  return createReportTransport({ ca: o.ca ?? null, cert: null, key: null });
}

const idOf = (url: string): string => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

export function createHecSink(o: HttpSinkOptions & { token: Secret; index?: string }): Sink {
  const transport = transportFor(o);
  const now = o.now ?? Date.now;
  return {
    id: `hec:${idOf(o.url)}`,
    async send(event: CentralEvent) {
      const body = Buffer.from(
        JSON.stringify({
          time: Date.parse(event.at) / 1000,
          host: os.hostname(),
          source: 'camsweep-central',
          sourcetype: 'camsweep:event',
          ...(o.index === undefined ? {} : { index: o.index }),
          event,
        }),
      );
      try {
        const res = await transport({
          url: o.url,
          body,
          timeoutMs: o.timeoutMs ?? 15_000,
          headers: { 'content-type': 'application/json', authorization: `Splunk ${o.token.reveal()}`, 'user-agent': `camsweep/${o.version}`, 'x-camsweep-sent-at': String(now()) },
        });
        return httpResult(res.status, res.body);
      } catch (err) {
        return { ok: false, retry: true, error: `HEC: ${errorMessage(err)}` };
      }
    },
    close: () => Promise.resolve(),
  };
}

export function createWebhookSink(o: HttpSinkOptions & { secret: Secret | null }): Sink {
  const transport = transportFor(o);
  const now = o.now ?? Date.now;
  return {
    id: `webhook:${idOf(o.url)}`,
    async send(event: CentralEvent, text: string) {
      const body = Buffer.from(text);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': event.id,
        'user-agent': `camsweep/${o.version}`,
      };
      if (o.secret !== null) headers['x-camsweep-signature'] = signBody(o.secret.reveal(), body, now());
      try {
        const res = await transport({ url: o.url, body, timeoutMs: o.timeoutMs ?? 15_000, headers });
        return httpResult(res.status, res.body);
      } catch (err) {
        return { ok: false, retry: true, error: `webhook: ${errorMessage(err)}` };
      }
    },
    close: () => Promise.resolve(),
  };
}
