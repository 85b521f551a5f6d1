import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerMatches, startReceiver, type RunningReceiver } from '../../../src/report/receiver/server.ts';
import { openReceiverStore, type ReceiverStore } from '../../../src/report/receiver/store.ts';
import { parseListen, resolveReceiverSettings } from '../../../src/report/receiver/settings.ts';
import { createReportTransport, type TransportResponse } from '../../../src/report/transport.ts';
import { signBody } from '../../../src/report/hmac.ts';
import { buildReports, serializeReport, type ReportV1 } from '../../../src/report/payload.ts';
import { Secret } from '../../../src/report/secret.ts';
import { ReportConfigError } from '../../../src/report/config.ts';
import { devices, quiet, sweep, HOST } from './sample.ts';

const TOKEN = 'receiver-token-1';
const SECRET = 'receiver-hmac-secret-1';
const MAX = 64 * 1024;

let dir: string;
let store: ReceiverStore;
let rx: RunningReceiver;
let clock: number;
const transport = createReportTransport({ ca: null, cert: null, key: null });

function reports(n: number, startedAt = '2026-11-26T10:00:00.000Z', batchMaxBytes = 256 * 1024): ReportV1[] {
  return buildReports(sweep(devices(n), startedAt), {
    agentId: 'agent-01',
    site: 'HQ',
    sweepId: `sw-${startedAt}`,
    include: 'restricted',
    batchMaxBytes,
    createdAt: startedAt,
    version: '0.1.0',
  });
}

interface PostOptions {
  token?: string | null;
  sign?: boolean | string;
  gzip?: boolean;
  headers?: Record<string, string>;
  body?: Buffer;
  at?: number;
}

function post(report: ReportV1, o: PostOptions = {}): Promise<TransportResponse> {
  const plain = o.body ?? Buffer.from(serializeReport(report));
  const body = o.gzip === true ? gzipSync(plain) : plain;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': report.idempotencyKey, ...o.headers };
  if (o.token !== null) headers.authorization = `Bearer ${o.token ?? TOKEN}`;
  if (o.gzip === true) headers['content-encoding'] = 'gzip';
  if (o.sign !== false) headers['x-camsweep-signature'] = typeof o.sign === 'string' ? o.sign : signBody(SECRET, body, o.at ?? clock);
  return transport({ url: rx.url, headers, body, timeoutMs: 5000 });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-rx-'));
  store = openReceiverStore(dir);
  clock = Date.UTC(2026, 10, 26, 11, 0, 0);
  rx = await startReceiver(
    { host: '127.0.0.1', port: 0 },
    { store, token: new Secret(TOKEN), hmacSecret: new Secret(SECRET), maxBodyBytes: MAX, now: () => clock, log: quiet },
  );
});
afterEach(async () => {
  await rx.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('receiver', () => {
  it('stores a good report and de-duplicates a repeat by device key (the repeat still answers 200)', async () => {
    const [r] = reports(3);
    const first = await post(r!);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ status: 'ok', accepted: 3, duplicates: 0 });
    expect(first.headers['accept-encoding']).toBe('gzip');
    clock += 1000;
    const again = await post(r!);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ status: 'ok', accepted: 0, duplicates: 3 });
    expect(store.counts()).toEqual({ requests: 2, deviceReceipts: 6, devices: 3, sweeps: 1 });
    expect(store.listDevices().every((d) => d.receipts === 2)).toBe(true);
    expect(store.listDevices()[0]).toMatchObject({ agentId: 'agent-01', site: 'HQ', status: 'restricted', pack: 'us-ndaa-889', rule: 'hikvision' });
  });

  it('keeps one row per device even when batches are cut differently (split after a 413)', async () => {
    const [whole] = reports(4);
    const halves = [{ ...whole!, idempotencyKey: 'half-key-0001', devices: whole!.devices.slice(0, 2) }, { ...whole!, idempotencyKey: 'half-key-0002', devices: whole!.devices.slice(2) }];
    expect((await post(halves[0]!)).status).toBe(200);
    expect(JSON.parse((await post(whole!)).body)).toEqual({ status: 'ok', accepted: 2, duplicates: 2 });
    expect(JSON.parse((await post(halves[1]!)).body)).toEqual({ status: 'ok', accepted: 0, duplicates: 2 });
    expect(store.counts().devices).toBe(4);
  });

  it('refuses a missing or wrong bearer token (401, WWW-Authenticate) and stores nothing', async () => {
    const [r] = reports(1);
    for (const token of [null, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await post(r!, { token });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="camsweep"');
    }
    expect(store.counts().requests).toBe(0);
    expect(bearerMatches(`Bearer ${TOKEN}`, new Secret(TOKEN))).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, new Secret(TOKEN))).toBe(false);
    expect(bearerMatches('Bearer ', new Secret(TOKEN))).toBe(false);
  });

  it('refuses a missing, wrong, stale or replayed signature', async () => {
    const [r] = reports(1);
    expect((await post(r!, { sign: false })).status).toBe(401);
    expect(JSON.parse((await post(r!, { sign: signBody('another-secret-123456', Buffer.from(serializeReport(r!)), clock) })).body).error).toBe('signature mismatch');
    expect(JSON.parse((await post(r!, { at: clock - 10 * 60_000 })).body).error).toBe('signature expired');
    // A signature over another body does not carry over.
    const other = reports(2, '2026-11-26T10:05:00.000Z')[0]!;
    expect((await post(r!, { sign: signBody(SECRET, Buffer.from(serializeReport(other)), clock) })).status).toBe(401);
    const header = signBody(SECRET, Buffer.from(serializeReport(r!)), clock);
    expect((await post(r!, { sign: header })).status).toBe(200);
    const replay = await post(r!, { sign: header });
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body).error).toMatch(/replay/u);
    expect(store.counts().requests).toBe(1);
  });

  it('takes gzip bodies (signature over the compressed bytes)', async () => {
    const [r] = reports(5);
    const res = await post(r!, { gzip: true });
    expect(res.status).toBe(200);
    expect(store.counts().devices).toBe(5);
  });

  it('answers 413 to a body over the cap, readable by the sender (no reset), and to a gzip bomb', async () => {
    const big = reports(300, '2026-11-26T10:00:00.000Z', 512 * 1024);
    expect(Buffer.byteLength(serializeReport(big[0]!))).toBeGreaterThan(MAX);
    const res = await post(big[0]!);
    expect(res.status).toBe(413);
    const bomb = Buffer.concat([Buffer.from(serializeReport(reports(1)[0]!)), Buffer.alloc(4 * 1024 * 1024, 0x20)]);
    const gz = await post(reports(1)[0]!, { body: bomb, gzip: true });
    expect(gz.status).toBe(413);
    expect(JSON.parse(gz.body).error).toMatch(/decompressed/u);
    expect(store.counts().requests).toBe(0);
  });

  const stream = (headers: Record<string, string>): Promise<number | string> =>
    new Promise<number | string>((resolve) => {
      const url = new URL(rx.url);
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });

  it('cuts a sender that keeps streaming far beyond the cap', async () => {
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(await stream({ authorization: `Bearer ${TOKEN}` }));
  });

  it('refuses a sender without the token before reading its body (401, connection closed)', async () => {
    expect([401, 'ECONNRESET', 'EPIPE']).toContain(await stream({}));
    expect(store.counts().requests).toBe(0);
  });

  it('refuses what is not a camsweep.report/v1 JSON body', async () => {
    const [r] = reports(1);
    const cases: Array<[PostOptions, number, RegExp]> = [
      [{ body: Buffer.from('not json') }, 400, /not JSON/u],
      [{ body: Buffer.from(JSON.stringify({ ...r!, schema: 'camsweep.report/v9' })) }, 400, /not a camsweep/u],
      [{ body: Buffer.from(JSON.stringify({ ...r!, devices: [r!.devices[0], r!.devices[0]] })) }, 400, /appears twice/u],
      [{ body: Buffer.from(JSON.stringify({ ...r!, devices: [{ ...r!.devices[0], idempotencyKey: 'x' }] })) }, 400, /not a camsweep/u],
      [{ headers: { 'idempotency-key': 'another-key-123' } }, 400, /Idempotency-Key/u],
      [{ headers: { 'content-type': 'text/plain' } }, 415, /content-type/u],
      [{ headers: { 'content-encoding': 'br' } }, 415, /gzip is/u],
      [{ body: Buffer.from('garbage'), headers: { 'content-encoding': 'gzip' } }, 400, /gzip/u],
    ];
    for (const [o, status, error] of cases) {
      const res = await post(r!, o);
      expect(res.status, JSON.stringify(o.headers)).toBe(status);
      // The error, and for a document that fails validation the problems, say what is wrong.
      expect(res.body).toMatch(error);
    }
    expect(store.counts().requests).toBe(0);
  });

  it('has a health check, 404 elsewhere, 405 for other methods', async () => {
    const get = (p: string, method = 'GET'): Promise<number> =>
      new Promise((resolve, reject) => {
        const url = new URL(rx.url);
        http.request({ host: url.hostname, port: url.port, path: p, method }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end();
      });
    expect(await get('/healthz')).toBe(200);
    expect(await get('/v1/reports')).toBe(405);
    expect(await get('/elsewhere', 'POST')).toBe(404);
  });
});

describe('receiver settings', () => {
  it('parses --listen', () => {
    expect(parseListen('127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen(':9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    for (const bad of ['8443', 'example.com:80', '127.0.0.1:70000', '[127.0.0.1]:80', '::1:80', '1.2.3.4:']) expect(parseListen(bad)).toBeUndefined();
  });

  it('needs a token unless --allow-anonymous, and reports every problem at once', () => {
    let err: unknown;
    try {
      resolveReceiverSettings({ listen: 'nowhere', tlsCert: '/c', hmacSecretFile: '/h' }, {}, () => 'short', HOST);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportConfigError);
    const problems = (err as ReportConfigError).problems.join('\n');
    expect(problems).toContain('--listen');
    expect(problems).toContain('no token');
    expect(problems).toContain('HMAC secret');
    expect(problems).toContain('--tls-cert and --tls-key go together');
    const s = resolveReceiverSettings({ listen: '127.0.0.1:0', allowAnonymous: true, dataDir: '/srv/rx' }, {}, () => '', HOST);
    expect(s).toMatchObject({ listen: { host: '127.0.0.1', port: 0 }, token: null, dataDir: '/srv/rx' });
    const t = resolveReceiverSettings({ listen: '127.0.0.1:0' }, { CAMSWEEP_RECEIVER_TOKEN: 'tok' }, () => '', HOST);
    expect(t.token?.reveal()).toBe('tok');
    expect(t.dataDir).toBe('/home/cam/.local/state/camsweep');
  });
});
