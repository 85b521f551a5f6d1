/**
 * Delivery against a real endpoint on 127.0.0.1 (inside the private namespace) that fails in
 * the ways the issue lists: down, 500s, answering after the timeout, 413, TLS with an unknown
 * CA (and a wrong name, and mutual TLS). Real sockets, real clock (backoff shortened), the
 * real transport; each case prints its counts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/domain/types.ts';
import { reportConfigSchema, resolveReportConfig, type ReportConfig, type ReportConfigInput } from '../../src/report/config.ts';
import { deliverOutbox, type DeliveryStats } from '../../src/report/deliver.ts';
import { openOutbox, type Outbox } from '../../src/report/outbox.ts';
import { queueSweepReport } from '../../src/report/queue.ts';
import { device, devices, HOST, sweep } from '../unit/report/sample.ts';
import { freePort, startFaultyReceiver, type FaultyReceiver, type FaultyReceiverOptions } from './report-receiver.ts';
import { captureLog, expectedFor, printTally, tally, type Expected } from './report-tally.ts';
import { makeTlsMaterial, type TlsMaterial } from './tls-certs.ts';

const TOKEN = 'fault-test-token';
const SECRET = 'fault-test-hmac-secret';

let dir: string;
let box: Outbox;
let rx: FaultyReceiver | undefined;
/** Request keys seen by every receiver of the test (one may be replaced by another). */
let requestKeys: Array<string | undefined>;
let results: SweepResult[];
let logs: Array<Record<string, unknown>>;
let tls: TlsMaterial;

beforeAll(() => {
  tls = makeTlsMaterial(['127.0.0.1']);
});
afterAll(() => tls?.cleanup());

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-faults-'));
  box = openOutbox(path.join(dir, 'agent'));
  results = [];
  logs = [];
  requestKeys = [];
});
afterEach(async () => {
  box.close();
  await closeReceiver();
  rmSync(dir, { recursive: true, force: true });
});

function cfg(endpoint: string, over: ReportConfigInput = {}): ReportConfig {
  return resolveReportConfig(
    { report: reportConfigSchema.parse({ endpoint, timeout: 0.4, backoff: { base: 0.02, max: 0.2 }, ...over }), dataDir: path.join(dir, 'agent') },
    { CAMSWEEP_REPORT_TOKEN: TOKEN, CAMSWEEP_REPORT_HMAC_SECRET: SECRET },
    (p) => readFileSync(p, 'utf8'),
    { host: HOST },
  );
}

function queue(c: ReportConfig, n: number, perSweep: number): void {
  for (let i = 0; i < n; i++) {
    const r = sweep(devices(perSweep), new Date(Date.UTC(2026, 10, 26, 9, results.length)).toISOString());
    results.push(r);
    queueSweepReport(r, c, { outbox: box });
  }
}

async function closeReceiver(): Promise<void> {
  if (!rx) return;
  requestKeys.push(...rx.events.map((e) => e.key));
  await rx.close();
  rx = undefined;
}

async function receiver(options: Partial<FaultyReceiverOptions> = {}): Promise<FaultyReceiver> {
  rx = await startFaultyReceiver({ dataDir: path.join(dir, 'rx'), token: TOKEN, hmacSecret: SECRET, ...options });
  return rx;
}

const deliver = (c: ReportConfig, deadlineMs?: number): Promise<DeliveryStats> =>
  deliverOutbox(c, { outbox: box, log: captureLog(logs), ...(deadlineMs === undefined ? {} : { deadlineMs }) });

function finish(name: string, c: ReportConfig, stats: DeliveryStats[]): void {
  const expected: Expected = expectedFor(results, c);
  const t = tally(rx!.store, expected, [...requestKeys, ...rx!.events.map((e) => e.key)]);
  printTally(name, t, `agent retries: ${stats.reduce((n, s) => n + s.retried, 0)}, splits: ${stats.reduce((n, s) => n + s.split, 0)}`);
  expect(t.lost).toBe(0);
  expect(t.duplicated).toBe(0);
  expect(t.delivered).toBe(expected.keys.size);
  expect(box.pendingCount()).toBe(0);
  expect(box.deadCount()).toBe(0);
}

describe('report delivery under faults', () => {
  it('endpoint down: reports stay queued with backoff, then all arrive once it is up', async () => {
    const port = await freePort();
    const c = cfg(`http://127.0.0.1:${port}/v1/reports`);
    queue(c, 4, 2);
    const down = await deliver(c, 800);
    expect(down).toMatchObject({ delivered: 0, pending: 4, stoppedBy: 'deadline' });
    expect(down.retried).toBeGreaterThanOrEqual(4);
    // Backoff, not a busy loop: at most ~ log2(800/10) + a few attempts in 0.8 s.
    expect(down.attempts).toBeLessThan(15);
    expect(box.listPending()[0]!.lastError).toMatch(/^REPORT_NETWORK: .*ECONNREFUSED/u);
    await receiver({ port });
    const up = await deliver(c);
    expect(up).toMatchObject({ delivered: 4, devicesDelivered: 8, pending: 0 });
    finish('endpoint down', c, [down, up]);
  });

  it('500s (and 503 with Retry-After): retried until delivered', async () => {
    await receiver({
      fault: (n) =>
        n === 2 ? { kind: 'status', status: 503, headers: { 'retry-after': '0' } } : n <= 6 ? { kind: 'status', status: 500 } : { kind: 'pass' },
    });
    const c = cfg(rx!.url);
    queue(c, 3, 2);
    const stats = await deliver(c);
    expect(stats).toMatchObject({ delivered: 3, retried: 6, attempts: 9 });
    finish('500s', c, [stats]);
  });

  it('slow responses past the timeout: the agent retries, the receiver drops the repeats by key', async () => {
    await receiver({ fault: (n) => (n <= 3 ? { kind: 'slow', delayMs: 900 } : { kind: 'pass' }) });
    const c = cfg(rx!.url);
    queue(c, 2, 3);
    const stats = await deliver(c);
    expect(stats.delivered).toBe(2);
    expect(stats.retried).toBeGreaterThanOrEqual(3);
    expect(box.pendingCount()).toBe(0);
    expect(logs.some((l) => (l.error as { code?: string } | undefined)?.code === 'REPORT_TIMEOUT')).toBe(true);
    // Let the late answers go out, so their stores are all counted.
    await new Promise((r) => setTimeout(r, 1000));
    const t = tally(rx!.store, expectedFor(results, c), rx!.events.map((e) => e.key));
    expect(t.rawRepeats).toBeGreaterThanOrEqual(3);
    finish('slow past timeout', c, [stats]);
  });

  it('413: the batch is split until it fits; one device too big is a dead letter, resent after the limit is raised', async () => {
    await receiver({ maxBodyBytes: 24 * 1024 });
    const c = cfg(rx!.url);
    queue(c, 1, 60);
    const stats = await deliver(c);
    expect(stats.split).toBeGreaterThanOrEqual(2);
    expect(stats).toMatchObject({ pending: 0, dead: 0 });
    expect(rx!.events.some((e) => e.status === 413)).toBe(true);

    const huge = device({ evidence: Array.from({ length: 40 }, (_, i) => ({ protocol: 'http' as const, field: `http.header.x${i}`, value: 'v'.repeat(800) })) });
    const r = sweep([huge], '2026-11-26T09:30:00.000Z');
    results.push(r);
    queueSweepReport(r, c, { outbox: box });
    const dead = await deliver(c);
    expect(dead).toMatchObject({ deadLettered: 1, dead: 1 });
    expect(box.listDead()[0]!.reason).toMatch(/413/u);

    const port = rx!.port;
    await closeReceiver();
    await receiver({ port, maxBodyBytes: 1024 * 1024 });
    expect(box.retryDead('all', Date.now())).toBe(1);
    const resent = await deliver(c);
    expect(resent.delivered).toBe(1);
    finish('413', c, [stats, dead, resent]);
  });

  it('TLS with an unknown CA (or a wrong name): refused, stays queued, clear error; NODE_TLS_REJECT_UNAUTHORIZED=0 changes nothing', async () => {
    await receiver({ tls: { cert: tls.untrustedServer.cert, key: tls.untrustedServer.key } });
    const trustingTestCa = cfg(rx!.url, { caFile: tls.ca.certFile });
    queue(trustingTestCa, 2, 2);
    const refused = await deliver(trustingTestCa, 500);
    expect(refused).toMatchObject({ delivered: 0, pending: 2 });
    expect(box.listPending()[0]!.lastError).toMatch(/^REPORT_TLS: .*(SELF_SIGNED|UNABLE_TO_VERIFY|ISSUER)/u);
    const line = logs.find((l) => l.level === 50);
    expect(String(line?.msg)).toContain('set report.caFile');

    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      expect((await deliver(trustingTestCa, 300)).delivered).toBe(0);
      // Node's bundled roots do not know the test CA either.
      expect((await deliver(cfg(rx!.url), 300)).delivered).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
    expect(rx!.events).toHaveLength(0);

    const port = rx!.port;
    await closeReceiver();
    await receiver({ port, tls: { cert: tls.wrongNameServer.cert, key: tls.wrongNameServer.key } });
    expect((await deliver(trustingTestCa, 300)).delivered).toBe(0);
    expect(box.listPending()[0]!.lastError).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/u);

    await closeReceiver();
    await receiver({ port, tls: { cert: tls.server.cert, key: tls.server.key } });
    const ok = await deliver(trustingTestCa);
    expect(ok).toMatchObject({ delivered: 2, pending: 0 });
    finish('TLS unknown CA', trustingTestCa, [refused, ok]);
  });

  it('mutual TLS: without the client certificate nothing is accepted; with it, everything', async () => {
    await receiver({ tls: { cert: tls.server.cert, key: tls.server.key, clientCa: tls.clientCa.cert } });
    const noCert = cfg(rx!.url, { caFile: tls.ca.certFile });
    queue(noCert, 2, 1);
    const refused = await deliver(noCert, 400);
    expect(refused).toMatchObject({ delivered: 0, pending: 2 });
    expect(box.listPending()[0]!.lastError).toMatch(/^REPORT_(TLS|NETWORK)/u);
    const withCert = cfg(rx!.url, { caFile: tls.ca.certFile, certFile: tls.client.certFile, keyFile: tls.client.keyFile });
    const ok = await deliver(withCert);
    expect(ok).toMatchObject({ delivered: 2, pending: 0 });
    finish('mutual TLS', withCert, [refused, ok]);
  });
});
