import { gzipSync } from 'node:zlib';
import type { Logger } from '../util/log.ts';
import { sleep as realSleep } from '../util/time.ts';
import { cleanText } from '../util/text.ts';
import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import { VERSION } from '../version.ts';
import { isPlainHttpToRemote, type ReportConfig } from './config.ts';
import { signBody, SIGNATURE_HEADER } from './hmac.ts';
import { openOutbox, type Outbox, type PendingReport } from './outbox.ts';
import { serializeReport, splitReport, type ReportV1 } from './payload.ts';
import { classifyStatus, nextDelay, parseRetryAfter } from './retry.ts';
import type { ReportTransport, TransportResponse } from './transport.ts';
import { createReportTransport } from './transport.ts';

/**
 * Sends what the outbox holds, oldest first, one request at a time, until it is empty, the
 * deadline passes or the signal aborts. A report leaves the outbox only after a 2xx; a
 * retryable failure (network, timeout, TLS, 408, 429, 5xx) reschedules it with backoff (or the
 * endpoint's Retry-After) and holds every other report back as long; 413 splits the batch;
 * other 3xx/4xx move it to the dead-letter table with a log line that says how to resend.
 */

export interface DeliveryDeps {
  log: Logger;
  /** Opened by the caller, or opened (and closed) here from cfg.dataDir. */
  outbox?: Outbox;
  transport?: ReportTransport;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  /** Give up after this many ms (what is left stays queued); default: until the outbox is empty. */
  deadlineMs?: number;
}

export interface DeliveryStats {
  /** Requests started. */
  attempts: number;
  /** Reports (requests) the endpoint acknowledged with a 2xx, and the devices in them. */
  delivered: number;
  devicesDelivered: number;
  /** Failed attempts scheduled again. */
  retried: number;
  /** Reports split in two after a 413. */
  split: number;
  /** Reports moved to the dead-letter table by this run. */
  deadLettered: number;
  /** Left in the outbox / in the dead-letter table when this run stopped. */
  pending: number;
  dead: number;
  /** `error`: the outbox itself failed (set by callers that catch it, e.g. reportFromCli). */
  stoppedBy: 'empty' | 'deadline' | 'aborted' | 'no-endpoint' | 'error';
}

/** Bodies smaller than this go uncompressed (gzip would not pay). */
export const GZIP_MIN_BYTES = 1024;

type GzipState = 'accepted' | 'refused' | undefined;

/** RFC 7694: an Accept-Encoding in a response says what request encodings the endpoint takes. */
export function gzipAdvertised(header: string | undefined): GzipState {
  if (header === undefined) return undefined;
  for (const item of header.split(',')) {
    const [coding = '', ...params] = item.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q !== undefined && Number(q.slice(2)) === 0 ? 'refused' : 'accepted';
  }
  return 'refused';
}

export async function deliverOutbox(cfg: ReportConfig, deps: DeliveryDeps): Promise<DeliveryStats> {
  const stats: DeliveryStats = { attempts: 0, delivered: 0, devicesDelivered: 0, retried: 0, split: 0, deadLettered: 0, pending: 0, dead: 0, stoppedBy: 'empty' };
  const log = deps.log.child({ module: 'report' });
  const endpoint = cfg.endpoint;
  if (endpoint === null) {
    stats.stoppedBy = 'no-endpoint';
    return stats;
  }
  const outbox = deps.outbox ?? openOutbox(cfg.dataDir);
  try {
    await run(cfg, endpoint, outbox, deps, log, stats);
    return stats;
  } finally {
    stats.pending = outbox.pendingCount();
    stats.dead = outbox.deadCount();
    if (deps.outbox === undefined) outbox.close();
  }
}

async function run(cfg: ReportConfig, endpoint: string, outbox: Outbox, deps: DeliveryDeps, log: Logger, stats: DeliveryStats): Promise<void> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const transport = deps.transport ?? createReportTransport(cfg.tls);
  const started = now();
  const deadline = deps.deadlineMs === undefined ? Number.POSITIVE_INFINITY : started + deps.deadlineMs;
  const gzipKey = `gzip:${endpoint}`;
  // Backoff counts the endpoint's consecutive failures (not each report's): while the endpoint is
  // down, the whole queue waits longer and longer, instead of every report taking its turn at
  // the base delay. A failed report goes behind the others, so one report the endpoint keeps
  // failing on cannot starve the rest.
  let holdUntil = 0;
  let endpointFailures = 0;
  if (isPlainHttpToRemote(endpoint)) log.warn({ endpoint }, 'reports go over plain http (report.allowPlainHttp): anyone on the path can read them and the token');

  for (;;) {
    if (deps.signal?.aborted) {
      stats.stoppedBy = 'aborted';
      return;
    }
    const t = now();
    if (t >= deadline) {
      stats.stoppedBy = 'deadline';
      return;
    }
    const entry = t >= holdUntil ? outbox.nextDue(t) : undefined;
    if (entry === undefined) {
      const wake = outbox.nextWakeAt();
      if (wake === undefined) {
        stats.stoppedBy = 'empty';
        return;
      }
      await sleep(Math.max(Math.min(Math.max(wake, holdUntil), deadline) - t, 1), deps.signal);
      continue;
    }
    if (t - entry.createdAt > cfg.maxAgeMs) {
      deadLetter(outbox, entry, t, null, `not delivered within report.maxAge (${Math.round(cfg.maxAgeMs / 1000)} s)`, log, stats);
      continue;
    }

    const plain = Buffer.from(entry.body, 'utf8');
    const state = outbox.getMeta(gzipKey) as GzipState;
    const gzip = plain.length >= GZIP_MIN_BYTES && (cfg.gzip === 'always' ? state !== 'refused' : cfg.gzip === 'auto' && state === 'accepted');
    const body = gzip ? gzipSync(plain) : plain;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': `camsweep/${VERSION}`,
      'idempotency-key': entry.key,
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    if (cfg.auth.token !== null) headers.authorization = `Bearer ${cfg.auth.token.reveal()}`;
    if (cfg.auth.secret !== null) headers[SIGNATURE_HEADER] = signBody(cfg.auth.secret.reveal(), body, t);

    outbox.recordAttempt(entry.id, t);
    stats.attempts += 1;
    const failures = entry.attempts + 1;
    let res: TransportResponse;
    try {
      res = await transport({ url: endpoint, headers, body, timeoutMs: cfg.timeoutMs, ...(deps.signal === undefined ? {} : { signal: deps.signal }) });
    } catch (err) {
      if (deps.signal?.aborted) {
        stats.stoppedBy = 'aborted';
        return;
      }
      const code = errorCode(err, ERR.REPORT_NETWORK);
      endpointFailures += 1;
      const delay = nextDelay(endpointFailures, undefined, cfg.backoff, deps.random);
      holdUntil = now() + delay;
      if (!maybeGiveUp(cfg, outbox, entry, failures, now(), null, `${code}: ${errorMessage(err)}`, log, stats)) {
        outbox.reschedule(entry.id, holdUntil, null, `${code}: ${errorMessage(err)}`);
        stats.retried += 1;
        const what = { report: { id: entry.id, devices: entry.devices, attempts: failures, retryInMs: delay }, error: { code, message: errorMessage(err) } };
        if (code === ERR.REPORT_TLS) {
          log.error(what, 'the endpoint failed TLS verification; the report stays queued. If the endpoint uses a private CA, set report.caFile to it');
        } else log.warn(what, 'report not delivered; will retry');
      }
      continue;
    }

    const gzipState = gzipAdvertised(res.headers['accept-encoding']);
    if (gzipState !== undefined && gzipState !== state) outbox.setMeta(gzipKey, gzipState);
    const outcome = classifyStatus(res.status, gzip);
    const snippet = cleanText(res.body, 300);
    switch (outcome.kind) {
      case 'delivered':
        outbox.delivered(entry.id);
        stats.delivered += 1;
        stats.devicesDelivered += entry.devices;
        holdUntil = 0;
        endpointFailures = 0;
        log.debug({ report: { id: entry.id, devices: entry.devices, status: res.status } }, 'report delivered');
        break;
      case 'no-gzip':
        outbox.setMeta(gzipKey, 'refused');
        outbox.reschedule(entry.id, t, res.status, 'endpoint refused gzip (415): resending uncompressed');
        log.info({ report: { id: entry.id } }, 'the endpoint does not take gzip bodies (415): sending uncompressed from now on');
        break;
      case 'too-large':
        splitOrDead(outbox, entry, t, res.status, log, stats);
        break;
      case 'retry': {
        endpointFailures += 1;
        const delay = nextDelay(endpointFailures, parseRetryAfter(res.headers['retry-after'], now()), cfg.backoff, deps.random);
        holdUntil = now() + delay;
        const reason = `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`;
        if (!maybeGiveUp(cfg, outbox, entry, failures, now(), res.status, reason, log, stats)) {
          outbox.reschedule(entry.id, holdUntil, res.status, reason);
          stats.retried += 1;
          log.warn({ report: { id: entry.id, devices: entry.devices, attempts: failures, retryInMs: delay }, response: { status: res.status, body: snippet } }, 'endpoint asked to retry later');
        }
        break;
      }
      case 'dead':
        deadLetter(outbox, entry, t, res.status, `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`, log, stats);
        break;
    }
  }
}

function maybeGiveUp(cfg: ReportConfig, outbox: Outbox, entry: PendingReport, failures: number, t: number, status: number | null, reason: string, log: Logger, stats: DeliveryStats): boolean {
  if (cfg.maxAttempts === null || failures < cfg.maxAttempts) return false;
  deadLetter(outbox, entry, t, status, `gave up after ${failures} attempts (report.maxAttempts); last: ${reason}`, log, stats);
  return true;
}

function deadLetter(outbox: Outbox, entry: PendingReport, t: number, status: number | null, reason: string, log: Logger, stats: DeliveryStats): void {
  outbox.deadLetter(entry.id, t, status, reason);
  stats.deadLettered += 1;
  log.error(
    { report: { id: entry.id, key: entry.key, sweepId: entry.sweepId, devices: entry.devices, status, reason } },
    `report ${entry.id} moved to the dead-letter table (${status === null ? 'not delivered' : `HTTP ${status}`}); ` +
      `inspect with \`camsweep outbox list --dead\`, resend with \`camsweep outbox retry ${entry.id}\` once the cause is fixed`,
  );
}

function splitOrDead(outbox: Outbox, entry: PendingReport, t: number, status: number, log: Logger, stats: DeliveryStats): void {
  let report: ReportV1 | undefined;
  try {
    report = JSON.parse(entry.body) as ReportV1;
  } catch (err) {
    log.error({ report: { id: entry.id }, error: { message: errorMessage(err) } }, 'stored report is not JSON');
  }
  const halves = report ? splitReport(report) : null;
  if (!report || !halves) {
    deadLetter(outbox, entry, t, status, 'HTTP 413: the endpoint refuses even one device per request; raise its body limit', log, stats);
    return;
  }
  outbox.replace(
    entry.id,
    halves.map((h) => ({ key: h.idempotencyKey, sweepId: h.sweep.id, body: serializeReport(h), devices: h.devices.length })),
    t,
  );
  stats.split += 1;
  log.warn({ report: { id: entry.id, devices: entry.devices, bytes: Buffer.byteLength(entry.body) } }, 'endpoint refused the batch as too large (413): split in two; consider a lower report.batchMaxBytes');
}
