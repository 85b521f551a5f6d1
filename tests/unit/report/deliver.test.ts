import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverOutbox, gzipAdvertised, type DeliveryDeps } from '../../../src/report/deliver.ts';
import { openOutbox, type Outbox } from '../../../src/report/outbox.ts';
import { queueSweepReport } from '../../../src/report/queue.ts';
import { verifySignature } from '../../../src/report/hmac.ts';
import type { ReportConfigInput } from '../../../src/report/config.ts';
import type { ReportV1 } from '../../../src/report/payload.ts';
import type { TransportRequest, TransportResponse } from '../../../src/report/transport.ts';
import { CamsweepError } from '../../../src/domain/errors.ts';
import { createLogger } from '../../../src/util/log.ts';
import { config, devices, sweep } from './sample.ts';

/**
 * deliverOutbox against a scripted transport and a virtual clock: every decision (retry,
 * backoff, Retry-After, dead letter, split, gzip) is checked without waiting for real time.
 */

const SECRET = 'shared-secret-for-the-tests';
const ENDPOINT = 'https://central.example/v1/reports';

let dir: string;
let box: Outbox;
let clock: number;
let sent: Array<{ at: number; req: TransportRequest; report: ReportV1 }>;
let logs: Array<{ level: number; msg: string; [k: string]: unknown }>;

type Script = (req: TransportRequest, report: ReportV1, n: number) => TransportResponse | Error | Promise<TransportResponse | Error>;

const ok = (status = 200, headers: Record<string, string> = {}): TransportResponse => ({ status, headers, body: '{"status":"ok"}' });

function deps(script: Script, over: Partial<DeliveryDeps> = {}): DeliveryDeps {
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as (typeof logs)[number]);
      done();
    },
  });
  return {
    log: createLogger({ level: 'debug', destination: sink }),
    outbox: box,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    random: () => 0,
    transport: async (req) => {
      const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(req.body) : req.body;
      const report = JSON.parse(raw.toString('utf8')) as ReportV1;
      sent.push({ at: clock, req, report });
      const out = await script(req, report, sent.length);
      clock += 5;
      if (out instanceof Error) throw out;
      return out;
    },
    ...over,
  };
}

const cfg = (over: ReportConfigInput = {}) =>
  config({ endpoint: ENDPOINT, backoff: { base: 1, max: 60 }, ...over }, dir, { CAMSWEEP_REPORT_TOKEN: 'agent-token', CAMSWEEP_REPORT_HMAC_SECRET: SECRET });

let sweeps = 0;
/** Queues `n` sweeps (each a distinct sweep: its own keys) of `devicesPerSweep` devices. */
function queue(n: number, devicesPerSweep = 1, over: ReportConfigInput = {}): void {
  for (let i = 0; i < n; i++, sweeps++) {
    queueSweepReport(sweep(devices(devicesPerSweep), new Date(Date.UTC(2026, 10, 26, 10, sweeps)).toISOString()), cfg(over), { outbox: box, now: () => clock });
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-deliver-'));
  box = openOutbox(dir);
  clock = Date.UTC(2026, 10, 26, 11, 0, 0);
  sent = [];
  logs = [];
  sweeps = 0;
});
afterEach(() => {
  box.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deliverOutbox', () => {
  it('sends every queued report oldest first, authenticated and signed, and empties the outbox', async () => {
    queue(3, 2);
    const stats = await deliverOutbox(cfg(), deps(() => ok()));
    expect(stats).toMatchObject({ attempts: 3, delivered: 3, devicesDelivered: 6, retried: 0, pending: 0, dead: 0, stoppedBy: 'empty' });
    expect(sent.map((s) => s.report.sweep.startedAt)).toEqual(['2026-11-26T10:00:00.000Z', '2026-11-26T10:01:00.000Z', '2026-11-26T10:02:00.000Z']);
    for (const { req, report } of sent) {
      expect(req.url).toBe(ENDPOINT);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['idempotency-key']).toBe(report.idempotencyKey);
      expect(req.headers.authorization).toBe('Bearer agent-token');
      expect(req.headers['user-agent']).toMatch(/^camsweep\//u);
      expect(verifySignature(req.headers['x-camsweep-signature'], req.body, SECRET, clock).ok).toBe(true);
      expect(req.timeoutMs).toBe(15_000);
    }
    expect(box.pendingCount()).toBe(0);
  });

  it('retries 5xx and network errors with backoff on the endpoint consecutive failures; a failed report goes behind the others', async () => {
    queue(2);
    const first = box.listPending()[0]!.key;
    const script: Script = (_req, _r, n) => (n === 1 ? ok(503) : n === 2 ? new CamsweepError('REPORT_NETWORK', 'connect ECONNREFUSED') : n === 3 ? ok(500) : ok());
    const start = clock;
    const stats = await deliverOutbox(cfg(), deps(script));
    expect(stats).toMatchObject({ delivered: 2, retried: 3, attempts: 5, pending: 0 });
    // Nothing is sent during a backoff; then the report that failed waits behind the other one.
    expect(sent.map((s) => s.req.headers['idempotency-key'] === first)).toEqual([true, false, true, false, true]);
    // Equal jitter with random()=0: 500, 1000, 2000 ms after each failure.
    const gaps = sent.slice(1, 4).map((s, i) => s.at - sent[i]!.at - 5);
    expect(gaps).toEqual([500, 1000, 2000]);
    expect(sent[0]!.at).toBe(start);
  });

  it('honours Retry-After (delta-seconds and HTTP-date) on 429 and 503', async () => {
    queue(1);
    const date = new Date(clock + 30_000 + 5 + 7000 + 5).toUTCString();
    const script: Script = (_r, _p, n) => (n === 1 ? ok(429, { 'retry-after': '7' }) : n === 2 ? ok(503, { 'retry-after': date }) : ok());
    await deliverOutbox(cfg(), deps(script));
    expect(sent[1]!.at - sent[0]!.at).toBe(7005);
    // The HTTP-date has whole seconds: the wait ends at that second, never before it.
    expect(sent[2]!.at).toBeGreaterThanOrEqual(Date.parse(date));
    expect(sent[2]!.at - Date.parse(date)).toBeLessThan(1000);
  });

  it('moves a report refused with another 4xx to the dead-letter table, says how to resend, and goes on', async () => {
    queue(2);
    const [a] = box.listPending();
    const stats = await deliverOutbox(cfg(), deps((_r, _p, n) => (n === 1 ? { status: 401, headers: {}, body: '{"error":"missing or wrong bearer token"}' } : ok())));
    expect(stats).toMatchObject({ delivered: 1, deadLettered: 1, pending: 0, dead: 1 });
    expect(box.listDead()).toEqual([expect.objectContaining({ id: a!.id, status: 401, reason: 'HTTP 401: {"error":"missing or wrong bearer token"}' })]);
    const line = logs.find((l) => l.level === 50)!;
    expect(line.msg).toContain(`camsweep outbox retry ${a!.id}`);
    expect(line.msg).toContain('dead-letter');
  });

  it('splits a batch refused as too large (413) until it fits, keeping every device key; one device too large is a dead letter', async () => {
    queue(1, 8);
    const keys = JSON.parse(box.listPending()[0]!.body).devices.map((d: { idempotencyKey: string }) => d.idempotencyKey) as string[];
    const stats = await deliverOutbox(cfg(), deps((_r, report) => (report.devices.length > 2 ? ok(413) : ok())));
    expect(stats).toMatchObject({ split: 3, delivered: 4, pending: 0, dead: 0 });
    const delivered = sent.filter((s) => s.report.devices.length <= 2).flatMap((s) => s.report.devices.map((d) => d.idempotencyKey));
    expect(delivered.sort()).toEqual([...keys].sort());
    expect(sent.filter((s) => s.report.devices.length <= 2).map((s) => s.report.batch.part)).toEqual(['00', '01', '10', '11']);

    queue(1, 1);
    const one = await deliverOutbox(cfg(), deps(() => ok(413)));
    expect(one).toMatchObject({ split: 0, deadLettered: 1, dead: 1 });
    expect(box.listDead()[0]!.reason).toMatch(/413/u);
  });

  it('gzip auto: plain until the endpoint advertises gzip (RFC 7694), then gzip; signature over the bytes sent', async () => {
    queue(3, 3);
    await deliverOutbox(cfg(), deps(() => ok(200, { 'accept-encoding': 'gzip' })));
    expect(sent.map((s) => s.req.headers['content-encoding'] ?? 'identity')).toEqual(['identity', 'gzip', 'gzip']);
    const gz = sent[1]!;
    expect(verifySignature(gz.req.headers['x-camsweep-signature'], gz.req.body, SECRET, clock).ok).toBe(true);
    expect(gz.req.body.length).toBeLessThan(gunzipSync(gz.req.body).length);
    expect(box.getMeta(`gzip:${ENDPOINT}`)).toBe('accepted');
  });

  it('gzip: a 415 to a gzip body is resent uncompressed at once and remembered; "never" and small bodies stay plain', async () => {
    queue(2, 3, { gzip: 'always' });
    const stats = await deliverOutbox(cfg({ gzip: 'always' }), deps((req) => (req.headers['content-encoding'] === 'gzip' ? ok(415) : ok())));
    expect(sent.map((s) => s.req.headers['content-encoding'] ?? 'identity')).toEqual(['gzip', 'identity', 'identity']);
    expect(sent[1]!.at - sent[0]!.at).toBe(5);
    expect(stats).toMatchObject({ delivered: 2, dead: 0 });
    expect(gzipAdvertised('br, gzip;q=0.5')).toBe('accepted');
    expect(gzipAdvertised('gzip;q=0')).toBe('refused');
    expect(gzipAdvertised('identity')).toBe('refused');
    expect(gzipAdvertised(undefined)).toBeUndefined();

    sent = [];
    box.setMeta(`gzip:${ENDPOINT}`, 'accepted');
    queue(1, 3);
    await deliverOutbox(cfg({ gzip: 'never' }), deps(() => ok()));
    expect(sent[0]!.req.headers['content-encoding']).toBeUndefined();
  });

  it('keeps the report queued on a TLS failure and logs what to fix', async () => {
    queue(1);
    const stats = await deliverOutbox(cfg(), deps(() => new CamsweepError('REPORT_TLS', 'TLS: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'), { deadlineMs: 10_000 }));
    expect(stats.delivered).toBe(0);
    expect(stats.pending).toBe(1);
    expect(stats.stoppedBy).toBe('deadline');
    const line = logs.find((l) => l.level === 50)!;
    expect(line.msg).toContain('report.caFile');
    expect(box.listPending()[0]!.lastError).toMatch(/^REPORT_TLS/u);
  });

  it('stops at the deadline with the rest still queued, and resumes later', async () => {
    queue(2);
    const stats = await deliverOutbox(cfg(), deps(() => ok(503), { deadlineMs: 20_000 }));
    expect(stats.stoppedBy).toBe('deadline');
    expect(stats.pending).toBe(2);
    // 0, 0.5, 1.5, 3.5, 7.5, 15.5 s: six attempts in 20 s with random()=0.
    expect(stats.attempts).toBe(6);
    clock += 3_600_000;
    const later = await deliverOutbox(cfg(), deps(() => ok()));
    expect(later).toMatchObject({ delivered: 2, pending: 0 });
  });

  it('stops at once when aborted, leaving the report in flight queued', async () => {
    queue(2);
    const controller = new AbortController();
    const stats = await deliverOutbox(
      cfg(),
      deps(() => {
        controller.abort();
        return new CamsweepError('REPORT_ABORTED', 'delivery aborted');
      }, { signal: controller.signal }),
    );
    expect(stats).toMatchObject({ stoppedBy: 'aborted', attempts: 1, pending: 2, retried: 0 });
    expect(box.listPending()[0]!.attempts).toBe(1);
  });

  it('gives up after report.maxAttempts, and on reports older than report.maxAge (to the dead-letter table, never deleted)', async () => {
    queue(1);
    const stats = await deliverOutbox(cfg({ maxAttempts: 3 }), deps(() => ok(500)));
    expect(stats).toMatchObject({ attempts: 3, deadLettered: 1, dead: 1 });
    expect(box.listDead()[0]!.reason).toMatch(/gave up after 3 attempts/u);

    queue(1, 1);
    clock += 2 * 86_400_000;
    const aged = await deliverOutbox(cfg({ maxAge: 86_400 }), deps(() => ok()));
    expect(aged).toMatchObject({ attempts: 0, deadLettered: 1, dead: 2 });
    expect(box.listDead()[1]!.reason).toMatch(/maxAge/u);
  });

  it('without an endpoint touches nothing', async () => {
    const stats = await deliverOutbox(config({}, dir), deps(() => ok()));
    expect(stats.stoppedBy).toBe('no-endpoint');
    expect(sent).toEqual([]);
  });

  it('queueSweepReport stores before sending; queuing the same sweep twice adds nothing', () => {
    const result = sweep(devices(3, ['restricted', 'review', 'clear']));
    const c = cfg({ include: 'review' });
    expect(queueSweepReport(result, c, { outbox: box })).toMatchObject({ queued: 1, devices: 2 });
    expect(queueSweepReport(result, c, { outbox: box })).toMatchObject({ queued: 0, devices: 2 });
    expect(box.pendingCount()).toBe(1);
    expect(queueSweepReport(result, config({}, dir), { outbox: box })).toEqual({ queued: 0, devices: 0, sweepId: null });
  });
});
