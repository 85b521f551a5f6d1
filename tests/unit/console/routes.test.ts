import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../../src/central/admin.ts';
import { startCentral, type RunningCentral } from '../../../src/central/server.ts';
import { sessionHash } from '../../../src/central/store/console-queries.ts';
import { openEmbeddedStore } from '../../../src/central/store/embedded.ts';
import type { CentralStore } from '../../../src/central/store/store.ts';
import { newSecret } from '../../../src/console/session.ts';
import { seedEstate } from '../../helpers/console-estate.ts';
import { quiet } from '../central/helpers.ts';

/**
 * The console's routes over HTTP, in process (a real listener on loopback, the embedded store):
 * what only a request shows, such as a Location header, a method, or requests sent at once.
 */

const PASSWORD = 'a long enough password';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(origin: string, method: string, target: string, o: { cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = o.form === undefined ? undefined : new URLSearchParams(o.form).toString();
  const headers: Record<string, string> = { ...o.headers };
  if (o.cookie !== undefined) headers.cookie = o.cookie;
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${target}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cookieOf = (a: Answer, name: string): string | undefined =>
  (a.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);

describe('the console over HTTP', () => {
  let dir: string;
  let store: CentralStore;
  let central: RunningCentral;
  let origin: string;
  let device: string;
  // The store's overview read waits for this while `hold` is set (a report being made, held open).
  let hold: Promise<void> | undefined;
  let held = 0;

  /** A session made in the store (no password check): its cookie and CSRF token. */
  async function session(user: string): Promise<{ cookie: string; csrf: string }> {
    const token = newSecret();
    const csrf = newSecret();
    await store.console.createSession({ idHash: sessionHash(token), user, csrf, now: Date.now(), expiresAt: Date.now() + 3600_000 });
    return { cookie: `camsweep_session=${token}`, csrf };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-console-routes-'));
    store = openEmbeddedStore(path.join(dir, 'central'));
    await addUser(store, { name: 'rita', role: 'reviewer', password: PASSWORD, now: new Date() });
    await addUser(store, { name: 'vic', role: 'viewer', password: PASSWORD, now: new Date() });
    await seedEstate(store, { sites: 1, perSite: 4, days: 1, now: Date.now() });
    device = (await store.console.devicePage({ sort: 'site', limit: 1 })).devices[0]!.id;
    const real = store;
    const consoleReads = new Proxy(real.console, {
      get(target, key, receiver) {
        if (key === 'overview') {
          return async () => {
            if (hold !== undefined) {
              held += 1;
              await hold;
            }
            return target.overview();
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const holding = new Proxy(real, { get: (target, key, receiver) => (key === 'console' ? consoleReads : (Reflect.get(target, key, receiver) as unknown)) });
    central = await startCentral({ host: '127.0.0.1', port: 0 }, { store: holding, sharedToken: null, hmacSecret: null, log: quiet });
    origin = `http://127.0.0.1:${central.port}`;
  }, 60_000);

  afterAll(async () => {
    await central?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in and goes back to a local path; one a Location header cannot carry is replaced by /', async () => {
    for (const [next, expected] of [
      ['/devices?site=HQ%20A', '/devices?site=HQ%20A'],
      ['/devices?site=\u20ac', '/'],
      ['/x\u007f', '/'],
    ] as const) {
      const form = await send(origin, 'GET', `/login?next=${encodeURIComponent(next)}`);
      expect(form.status).toBe(200);
      const login = cookieOf(form, 'camsweep_login')!;
      const csrf = /name="_csrf" value="([^"]+)"/u.exec(form.body)![1]!;
      const r = await send(origin, 'POST', '/login', { cookie: login, form: { _csrf: csrf, next, username: 'vic', password: PASSWORD }, headers: { origin } });
      expect(r.status, next).toBe(303);
      expect(r.headers.location, next).toBe(expected);
      expect(cookieOf(r, 'camsweep_session'), next).toBeDefined();
    }
  }, 60_000);

  it('a sign-in from a browser still holding a session ends that session', async () => {
    const before = await session('rita');
    expect((await send(origin, 'GET', '/devices', { cookie: before.cookie })).status).toBe(200);
    const form = await send(origin, 'GET', '/login');
    const login = cookieOf(form, 'camsweep_login')!;
    const csrf = /name="_csrf" value="([^"]+)"/u.exec(form.body)![1]!;
    const r = await send(origin, 'POST', '/login', { cookie: `${login}; ${before.cookie}`, form: { _csrf: csrf, next: '/', username: 'vic', password: PASSWORD }, headers: { origin } });
    expect(r.status).toBe(303);
    const after = cookieOf(r, 'camsweep_session')!;
    expect(after).not.toBe(before.cookie);
    // The old session is gone from the store, not only from the browser.
    expect((await send(origin, 'GET', '/devices', { cookie: before.cookie })).status).toBe(303);
    expect((await send(origin, 'GET', '/devices', { cookie: after })).status).toBe(200);
  }, 60_000);

  it('changes state only on POST: a GET or HEAD of the review or sign-out address is refused, with its token or not', async () => {
    const rita = await session('rita');
    const review = await send(origin, 'GET', `/devices/${device}/review`, { cookie: rita.cookie, form: { _csrf: rita.csrf, state: 'confirmed', note: 'by GET' } });
    expect(review.status).toBe(405);
    expect(review.headers.allow).toBe('POST');
    expect((await send(origin, 'HEAD', `/devices/${device}/review`, { cookie: rita.cookie, form: { _csrf: rita.csrf, state: 'confirmed', note: 'by HEAD' } })).status).toBe(405);
    expect((await store.getDevice(device))!.reviews).toEqual([]);
    const out = await send(origin, 'GET', '/logout', { cookie: rita.cookie, form: { _csrf: rita.csrf } });
    expect(out.status).toBe(405);
    expect((await send(origin, 'GET', '/devices', { cookie: rita.cookie })).status).toBe(200);
    // The same forms by POST still work.
    const posted = await send(origin, 'POST', `/devices/${device}/review`, { cookie: rita.cookie, form: { _csrf: rita.csrf, state: 'confirmed', note: 'by POST' }, headers: { origin } });
    expect(posted.status).toBe(303);
    expect((await store.getDevice(device))!.reviews.map((r) => r.note)).toEqual(['by POST']);
  }, 60_000);

  it('closes the connection when it answers before the body was read (signed out, a viewer\'s review)', async () => {
    const vic = await session('vic');
    for (const cookie of [undefined, vic.cookie]) {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(64 * 1024 * 1024), origin };
      if (cookie !== undefined) headers.cookie = cookie;
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(`${origin}/devices/${device}/review`, { method: 'POST', headers }, resolve);
        req.on('error', reject);
        req.write('state=confirmed&note=');
      });
      expect(res.statusCode).toBe(cookie === undefined ? 401 : 403);
      expect(res.headers.connection).toBe('close');
      res.resume();
      res.destroy();
    }
  }, 60_000);

  it('makes a few reports at once; more are answered 503 with Retry-After, not held in memory', async () => {
    const vic = await session('vic');
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    try {
      const first = send(origin, 'GET', '/report', { cookie: vic.cookie });
      const second = send(origin, 'GET', '/report.pdf', { cookie: vic.cookie });
      // Both reach the store and are held there; then a third.
      await expect.poll(() => held, { timeout: 30_000 }).toBe(2);
      const late: Answer = { status: 0, headers: {}, body: 'still waiting after 10 s' };
      const third = await Promise.race([send(origin, 'GET', '/report', { cookie: vic.cookie }), new Promise<Answer>((resolve) => setTimeout(() => resolve(late), 10_000))]);
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('5');
      hold = undefined;
      release();
      expect((await first).status).toBe(200);
      // The PDF needs Chromium: made (200) or not (503 saying so), either way no longer held.
      expect([200, 503]).toContain((await second).status);
    } finally {
      hold = undefined;
      release();
    }
    expect((await send(origin, 'GET', '/report', { cookie: vic.cookie })).status).toBe(200);
  }, 180_000);
});
