import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, addUser, newUserToken } from '../../../src/central/admin.ts';
import { jsonDepth } from '../../../src/central/validate.ts';
import { startService, type RunningService } from '../../../src/central/service.ts';
import { openCentralStore, type StoreLocation } from '../../../src/central/store/open.ts';
import { signBody } from '../../../src/report/hmac.ts';
import { serializeReport, type ReportV1 } from '../../../src/report/payload.ts';
import { Secret } from '../../../src/report/secret.ts';
import { createReportTransport, type TransportResponse } from '../../../src/report/transport.ts';
import { makeTlsMaterial, type TlsMaterial } from '../../lab/tls-certs.ts';
import { agentReports, device, devices, freshPgDatabase, quiet, request } from './helpers.ts';

const SHARED = 'shared-token-0001';
const SECRET = 'central-hmac-secret-01';
const transport = createReportTransport({ ca: null, cert: null, key: null });

interface Send {
  token?: string | null;
  body?: Buffer;
  headers?: Record<string, string>;
  sign?: boolean;
}

const LOCATIONS: Array<{ name: string; location: () => Promise<{ loc: StoreLocation; cleanup: () => void }> }> = [
  {
    name: 'embedded',
    location: () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-svc-'));
      return Promise.resolve({ loc: { kind: 'embedded', dataDir: dir }, cleanup: () => rmSync(dir, { recursive: true, force: true }) });
    },
  },
  {
    name: 'postgres',
    location: async () => ({ loc: { kind: 'postgres', url: await freshPgDatabase() }, cleanup: () => undefined }),
  },
];

describe.each(LOCATIONS)('central service ($name)', ({ location }) => {
  let svc: RunningService;
  let cleanup: () => void;
  let loc: StoreLocation;

  beforeEach(async () => {
    ({ loc, cleanup } = await location());
    svc = await startService({ location: loc, listen: { host: '127.0.0.1', port: 0 }, sharedToken: new Secret(SHARED), hmacSecret: new Secret(SECRET), credentialCacheMs: 0, log: quiet });
  });
  afterEach(async () => {
    await svc.close();
    cleanup();
  });

  const post = (report: ReportV1 | undefined, o: Send = {}): Promise<TransportResponse> => {
    const body = o.body ?? Buffer.from(serializeReport(report!));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': report?.idempotencyKey ?? 'none-key-000', ...o.headers };
    if (o.token !== null) headers.authorization = `Bearer ${o.token ?? SHARED}`;
    if (o.sign !== false) headers['x-camsweep-signature'] = signBody(SECRET, body, Date.now());
    return transport({ url: svc.url, headers, body, timeoutMs: 10_000 });
  };
  const api = (p: string, token: string | null, method = 'GET', body?: object): Promise<TransportResponse> =>
    request(new URL(p, svc.url).toString(), {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('refuses reports that break the v1 contract or its formats with 400, and stores nothing', async () => {
    const [good] = agentReports();
    const bad = (mutate: (r: ReportV1 & Record<string, unknown>) => void): ReportV1 => {
      const r = structuredClone(good!) as ReportV1 & Record<string, unknown>;
      mutate(r);
      return r;
    };
    const dev = (r: ReportV1) => r.devices[0] as unknown as Record<string, unknown>;
    const cases: Array<[string, ReportV1]> = [
      ['bad date', bad((r) => void (r.createdAt = 'yesterday'))],
      ['bad sweep date', bad((r) => void (r.sweep.startedAt = '2026-13-45T99:00:00Z'))],
      ['unknown kind', bad((r) => void (dev(r).kind = 'toaster'))],
      ['evidence not a list', bad((r) => void (dev(r).evidence = { protocol: 'wsd' }))],
      ['confidence 17', bad((r) => void (dev(r).confidence = 17))],
      ['not an IP', bad((r) => void (dev(r).ip = 'not-an-ip'))],
      ['not a MAC', bad((r) => void (dev(r).mac = 'zz:zz'))],
      ['unknown event type', bad((r) => void (r.events = [{ idempotencyKey: 'event-key-01', type: 'exploded', deviceId: 'd1', at: '2026-11-26T10:00:00.000Z', device: { ip: '10.0.0.1', mac: null, manufacturer: null, brand: null, model: null, kind: 'camera', status: 'clear' } }] as never))],
    ];
    for (const [what, r] of cases) {
      const res = await post(r);
      expect(res.status, what).toBe(400);
    }
    // 200,000 levels of nesting: 400, not a 500 from a stack overflow.
    const deep = Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(jsonDepth(deep)).toBeGreaterThan(64);
    expect((await post(good, { body: deep })).status).toBe(400);
    const nul = Buffer.from(serializeReport(good!).replace('"HQ"', '"H\\u0000Q"'));
    expect((await post(good, { body: nul })).status).toBe(400);
    expect((await svc.store.stats()).requests).toBe(0);
    // A zoned IPv6 link-local address is an IP.
    const v6 = agentReports({ devices: [device({ ip: 'fe80::4619:b6ff:fe21:420b%eth0', addresses: ['fe80::4619:b6ff:fe21:420b%eth0'] })] })[0]!;
    expect((await post(v6)).status).toBe(200);
  });

  it('answers 401 before reading the body of a request without a valid token', async () => {
    const started = Date.now();
    const status = await new Promise<number | string>((resolve) => {
      const s = net.connect(svc.port, '127.0.0.1', () => {
        s.write(`POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
        s.write(Buffer.alloc(1000, 0x20));
      });
      let text = '';
      s.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /^HTTP\/1\.1 (\d{3})/u.exec(text);
        if (m) resolve(Number(m[1]));
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(status).toBe(401);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('per-agent credentials: own id only (403 otherwise), revoked 401, site from the registration; the shared token cannot speak for a registered agent', async () => {
    const token = await addAgent(svc.store, { id: 'hq-a-1', site: 'HQ Building A', now: new Date() });
    expect(token).toMatch(/^csa_[A-Za-z0-9_-]{43}$/u);
    const [mine] = agentReports({ agent: 'hq-a-1', site: 'claimed elsewhere' });
    expect((await post(mine, { token })).status).toBe(200);
    const [other] = agentReports({ agent: 'someone-else' });
    expect((await post(other, { token })).status).toBe(403);
    expect((await post(agentReports({ agent: 'hq-a-1', startedAt: '2026-11-26T12:00:00.000Z' })[0], { token: SHARED })).status).toBe(403);
    const page = await svc.store.listDevicePage({ limit: 10 });
    expect(new Set(page.devices.map((d) => d.site))).toEqual(new Set(['HQ Building A']));
    expect((await svc.store.getAgent('hq-a-1'))!.lastReportAt).not.toBeNull();
    await svc.store.revokeAgent('hq-a-1', new Date().toISOString());
    const revoked = await post(agentReports({ agent: 'hq-a-1', startedAt: '2026-11-26T13:00:00.000Z' })[0], { token });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatch(/revoked/u);
  });

  it('serves the API to users with tokens: list, filter, device, review (reviewer yes, viewer 403)', async () => {
    expect((await post(agentReports({ devices: devices(6, ['restricted', 'clear']) })[0])).status).toBe(200);
    await addUser(svc.store, { name: 'rita', role: 'reviewer', password: 'correct horse battery', now: new Date() });
    await addUser(svc.store, { name: 'vic', role: 'viewer', password: 'correct horse battery', now: new Date() });
    const rita = await newUserToken(svc.store, 'rita', new Date());
    const vic = await newUserToken(svc.store, 'vic', new Date());
    expect((await api('/api/v1/devices', null)).status).toBe(401);
    expect((await api('/api/v1/devices', 'csu_wrong')).status).toBe(401);
    const list = JSON.parse((await api('/api/v1/devices?status=restricted&site=HQ&limit=2', vic)).body) as { devices: Array<{ id: string; status: string }>; nextCursor: string | null };
    expect(list.devices).toHaveLength(2);
    expect(list.devices.every((d) => d.status === 'restricted')).toBe(true);
    const next = JSON.parse((await api(`/api/v1/devices?status=restricted&limit=2&cursor=${list.nextCursor}`, vic)).body) as { devices: unknown[] };
    expect(next.devices).toHaveLength(1);
    expect((await api('/api/v1/devices?status=bogus', vic)).status).toBe(400);
    expect((await api('/api/v1/devices?limit=100000', vic)).status).toBe(400);
    const id = list.devices[0]!.id;
    const detail = JSON.parse((await api(`/api/v1/devices/${id}`, vic)).body) as { device: { rule: string; document: { verdict: { source: { date: string } } }; history: unknown[] } };
    expect(detail.device.rule).toBe('hikvision');
    expect(detail.device.document.verdict.source.date).toBe('2018-08-13');
    expect((await api('/api/v1/devices/0123456789abcdef', vic)).status).toBe(404);
    const review = { state: 'exception', note: 'isolated lab VLAN', until: '2099-01-01' };
    expect((await api(`/api/v1/devices/${id}/review`, vic, 'POST', review)).status).toBe(403);
    const done = await api(`/api/v1/devices/${id}/review`, rita, 'POST', review);
    expect(done.status).toBe(201);
    expect(JSON.parse(done.body).review).toMatchObject({ state: 'exception', by: 'rita', until: '2099-01-01' });
    for (const badReview of [{ state: 'exception', note: 'x' }, { state: 'exception', note: '', until: '2099-01-01' }, { state: 'maybe' }, { state: 'confirmed', until: '2099-01-01' }, { state: 'exception', note: 'x', until: '2001-01-01' }]) {
      expect((await api(`/api/v1/devices/${id}/review`, rita, 'POST', badReview)).status, JSON.stringify(badReview)).toBe(400);
    }
    const after = JSON.parse((await api(`/api/v1/devices/${id}`, vic)).body) as { device: { status: string; reviews: unknown[] } };
    expect(after.device.status).toBe('exception');
    expect(after.device.reviews).toHaveLength(1);
    expect(JSON.parse((await api('/api/v1/agents', vic)).body)).toEqual({ agents: [] });
  });

  it('prunes device reports and receipts past the retention at its housekeeping, and keeps the devices', async () => {
    await svc.close();
    svc = await startService({ location: loc, listen: { host: '127.0.0.1', port: 0 }, sharedToken: new Secret(SHARED), hmacSecret: new Secret(SECRET), credentialCacheMs: 0, log: quiet, keepReportsMs: 1, countsEveryMs: 50 });
    expect((await post(agentReports()[0])).status).toBe(200);
    const store = await openCentralStore(loc);
    try {
      let stats = await store.stats();
      for (let i = 0; i < 200 && (stats.requests > 0 || stats.devices > 0); i++) {
        await new Promise((r) => setTimeout(r, 50));
        stats = await store.stats();
      }
      expect(stats).toMatchObject({ requests: 0, devices: 0, deviceStates: 3 });
    } finally {
      await store.close();
    }
  });

  it('has /healthz and /metrics on the same listener', async () => {
    expect((await post(agentReports()[0])).status).toBe(200);
    await post(agentReports()[0], { token: 'nope' });
    const health = await api('/healthz', null);
    expect(health.status).toBe(200);
    const metrics = (await api('/metrics', null)).body;
    expect(metrics).toMatch(/camsweep_central_requests_total\{route="reports",status="200"\} 1/u);
    expect(metrics).toMatch(/camsweep_central_refused_total\{reason="bad-token"\} 1/u);
    expect(metrics).toMatch(/camsweep_central_devices 3/u);
  });
});

describe('central service: files, connections, TLS', () => {
  let dir: string;
  let tlsMaterial: TlsMaterial;
  beforeAll(() => {
    tlsMaterial = makeTlsMaterial(['127.0.0.1']);
  });
  afterAll(() => rmSync(tlsMaterial.dir, { recursive: true, force: true }));
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-svc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the data directory 0700 and every database file 0600, WAL and SHM included', async () => {
    const data = path.join(dir, 'data');
    const svc = await startService({ location: { kind: 'embedded', dataDir: data }, listen: { host: '127.0.0.1', port: 0 }, sharedToken: new Secret(SHARED), hmacSecret: null, log: quiet });
    try {
      const [r] = agentReports();
      const res = await transport({ url: svc.url, headers: { 'content-type': 'application/json', 'idempotency-key': r!.idempotencyKey, authorization: `Bearer ${SHARED}` }, body: Buffer.from(serializeReport(r!)), timeoutMs: 5000 });
      expect(res.status).toBe(200);
      expect(statSync(data).mode & 0o777).toBe(0o700);
      for (const f of ['receiver.db', 'receiver.db-wal', 'receiver.db-shm']) expect(statSync(path.join(data, f)).mode & 0o777, f).toBe(0o600);
    } finally {
      await svc.close();
    }
  });

  it('asks GET /metrics for its token when one is set (--metrics-token-file), and only /metrics', async () => {
    const token = 'metrics-scraper-token-0001';
    const svc = await startService({ location: { kind: 'embedded', dataDir: dir }, listen: { host: '127.0.0.1', port: 0 }, sharedToken: new Secret(SHARED), hmacSecret: null, metricsToken: new Secret(token), log: quiet });
    try {
      const get = (p: string, bearer?: string) => request(new URL(p, svc.url).toString(), { method: 'GET', headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
      const none = await get('/metrics');
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer /u);
      expect((await get('/metrics', 'wrong-token-of-some-length')).status).toBe(401);
      const ok = await get('/metrics', token);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatch(/camsweep_central_refused_total\{reason="metrics-token"\} 2/u);
      // Health stays open (load balancers probe it).
      expect((await get('/healthz')).status).toBe(200);
    } finally {
      await svc.close();
    }
  });

  it('closes connections beyond the cap', async () => {
    const svc = await startService({ location: { kind: 'embedded', dataDir: dir }, listen: { host: '127.0.0.1', port: 0 }, sharedToken: new Secret(SHARED), hmacSecret: null, maxConnections: 5, log: quiet });
    const sockets: net.Socket[] = [];
    try {
      const closed = await Promise.all(
        Array.from({ length: 8 }, () =>
          new Promise<boolean>((resolve) => {
            const s = net.connect(svc.port, '127.0.0.1');
            sockets.push(s);
            s.on('close', () => resolve(true));
            s.on('error', () => undefined);
            setTimeout(() => resolve(false), 1500);
          }),
        ),
      );
      expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    } finally {
      for (const s of sockets) s.destroy();
      await svc.close();
    }
  });

  it('sends Strict-Transport-Security on the console over TLS when asked (--hsts), never over plain HTTP', async () => {
    const head = (url: string, ca?: string): Promise<http.IncomingHttpHeaders> =>
      new Promise((resolve, reject) => {
        const lib = url.startsWith('https:') ? https : http;
        const req = lib.request(new URL('/login', url), { method: 'GET', ...(ca === undefined ? {} : { ca }) }, (res) => {
          res.resume();
          resolve(res.headers);
        });
        req.on('error', reject);
        req.end();
      });
    const tls = await startService({
      location: { kind: 'embedded', dataDir: dir },
      listen: { host: '127.0.0.1', port: 0, tls: { cert: tlsMaterial.server.cert, key: new Secret(tlsMaterial.server.key) } },
      sharedToken: null,
      hmacSecret: null,
      hstsMaxAgeS: 31_536_000,
      log: quiet,
    });
    try {
      expect((await head(tls.url, tlsMaterial.ca.cert))['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      await tls.close();
    }
    const plain = await startService({ location: { kind: 'embedded', dataDir: dir }, listen: { host: '127.0.0.1', port: 0 }, sharedToken: null, hmacSecret: null, hstsMaxAgeS: 31_536_000, log: quiet });
    try {
      expect((await head(plain.url))['strict-transport-security']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('binds an agent to its client certificate (mutual TLS)', async () => {
    const svc = await startService({
      location: { kind: 'embedded', dataDir: dir },
      listen: { host: '127.0.0.1', port: 0, tls: { cert: tlsMaterial.server.cert, key: new Secret(tlsMaterial.server.key), clientCa: tlsMaterial.clientCa.cert } },
      sharedToken: null,
      hmacSecret: null,
      log: quiet,
    });
    try {
      const fp = (pem: string): string => createHash('sha256').update(Buffer.from(pem.replace(/-----[^-]+-----/gu, '').replace(/\s+/gu, ''), 'base64')).digest('hex');
      const bound = await addAgent(svc.store, { id: 'bound', site: 'HQ', certFingerprint: fp(tlsMaterial.client.cert), now: new Date() });
      const wrong = await addAgent(svc.store, { id: 'wrong', site: 'HQ', certFingerprint: 'ab'.repeat(32), now: new Date() });
      const send = (agent: string, token: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const [r] = agentReports({ agent });
          const body = serializeReport(r!);
          const req = https.request(
            svc.url,
            {
              method: 'POST',
              ca: tlsMaterial.ca.cert,
              cert: tlsMaterial.client.cert,
              key: tlsMaterial.client.key,
              headers: { 'content-type': 'application/json', 'idempotency-key': r!.idempotencyKey, authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      expect(await send('bound', bound)).toBe(200);
      expect(await send('wrong', wrong)).toBe(403);
    } finally {
      await svc.close();
    }
  });
});
