/**
 * `npm run bench:console`: the review console's figures (issue 13) with 100,000 devices over
 * 1,000 sites, on the embedded store and on PostgreSQL, against a real `camsweep central serve`,
 * all on loopback inside the private network namespace. A benchmark, not a test: it prints a
 * table (also bench-results/console.md).
 *
 *   server time   of the list page and of a device page, p50/p99, from the Server-Timing header
 *                 the console sets (the time in the service), and the client's time on loopback
 *   paint         first contentful paint in Chromium (cold cache, a fresh browser context each)
 *   bytes         what the browser downloads for a first page (HTML, stylesheet, script, icon)
 *
 * Options: --stores embedded,postgres  --sites 1000  --per-site 100  --samples 200
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { openCentralStore, type StoreLocation } from '../src/central/store/open.ts';
import { chromiumArgs, findChromium } from '../src/console/pdf.ts';
import { seedEstate } from '../tests/helpers/console-estate.ts';
import { addUsers, PASSWORD, serve } from '../tests/helpers/console-serve.ts';
import { startPgCluster, type PgCluster } from '../tests/helpers/pg-cluster.ts';
import { percentile } from '../tests/lab/central-load.ts';

if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
  process.stderr.write('bench-console: run it through `npm run bench:console` (inside the private network namespace)\n');
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    stores: { type: 'string', default: 'embedded,postgres' },
    sites: { type: 'string', default: '1000' },
    'per-site': { type: 'string', default: '100' },
    samples: { type: 'string', default: '200' },
  },
});
const SITES = Number(values.sites);
const PER_SITE = Number(values['per-site']);
const SAMPLES = Number(values.samples);
const work = mkdtempSync(path.join(os.tmpdir(), 'camsweep-bench-console-'));
const say = (s: string): void => void process.stdout.write(`${s}\n`);
const rows: Array<{ store: string; figure: string; value: string }> = [];
const row = (store: string, figure: string, value: string): void => {
  rows.push({ store, figure, value });
  say(`  ${store}: ${figure} = ${value}`);
};

let cluster: PgCluster | undefined;
async function location(kind: string): Promise<StoreLocation> {
  if (kind === 'embedded') return { kind: 'embedded', dataDir: path.join(work, 'embedded') };
  cluster ??= await startPgCluster({ fast: false, settings: { shared_buffers: '256MB' } });
  return { kind: 'postgres', url: await cluster.createDatabase('console') };
}

interface Got {
  status: number;
  ms: number;
  server: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function get(origin: string, p: string, cookie: string, extra: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get(new URL(p, origin), { headers: { cookie, ...extra } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const server = Number(/dur=([\d.]+)/u.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN);
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - t, server, body, headers: res.headers });
        });
      })
      .on('error', reject);
  });
}

function post(origin: string, p: string, cookie: string, form: Record<string, string>): Promise<http.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = http.request(new URL(p, origin), { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs in as a browser does (the login form's cookie and token), returns the session cookie. */
async function signIn(origin: string): Promise<string> {
  const form = await get(origin, '/login', '');
  const loginCookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/u.exec(form.body)?.[1] ?? '';
  const done = await post(origin, '/login', loginCookie, { _csrf: csrf, next: '/', username: 'bench', password: PASSWORD });
  const session = (done['set-cookie'] ?? []).find((c) => c.startsWith('camsweep_session='));
  if (session === undefined) throw new Error('bench: sign-in failed');
  return session.split(';')[0]!;
}

const fmt = (xs: number[]): string => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;

async function sample(origin: string, cookie: string, paths: string[]): Promise<{ server: number[]; client: number[] }> {
  const server: number[] = [];
  const client: number[] = [];
  for (const p of paths) {
    const r = await get(origin, p, cookie);
    if (r.status !== 200) throw new Error(`bench: ${p} answered ${r.status}`);
    server.push(r.server);
    client.push(r.ms);
  }
  return { server, client };
}

async function paint(browser: Browser, origin: string, cookie: string, p: string, runs: number): Promise<{ fcp: number[]; bytes: number; requests: number }> {
  const [name, token] = cookie.split('=') as [string, string];
  const fcp: number[] = [];
  let bytes = 0;
  let requests = 0;
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name, value: token, url: origin }]);
    const page = await context.newPage();
    const responses: Array<Promise<number>> = [];
    page.on('requestfinished', (r) => responses.push(r.sizes().then((s) => s.responseBodySize + s.responseHeadersSize, () => 0)));
    await page.goto(`${origin}${p}`, { waitUntil: 'load' });
    // The paint entry, once there (a PerformanceObserver with the buffered entries; at most 10 s).
    const first = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          type Entry = { name: string; startTime: number };
          type Observer = new (cb: (list: { getEntries(): Entry[] }) => void) => { observe(o: { type: string; buffered: boolean }): void };
          const g = globalThis as unknown as { PerformanceObserver: Observer; setTimeout: (f: () => void, ms: number) => void };
          new g.PerformanceObserver((list) => {
            const e = list.getEntries().find((x) => x.name === 'first-contentful-paint');
            if (e !== undefined) resolve(e.startTime);
          }).observe({ type: 'paint', buffered: true });
          g.setTimeout(() => resolve(Number.NaN), 10_000);
        }),
    );
    await page.waitForLoadState('networkidle');
    fcp.push(first);
    const sizes = await Promise.all(responses);
    bytes = sizes.reduce((a, b) => a + b, 0);
    requests = sizes.length;
    await context.close();
  }
  return { fcp, bytes, requests };
}

async function bench(kind: string, browser: Browser): Promise<void> {
  const loc = await location(kind);
  say(`\n${kind}: filling ${(SITES * PER_SITE).toLocaleString('en')} devices from ${SITES.toLocaleString('en')} sites`);
  const t0 = performance.now();
  const store = await openCentralStore(loc);
  try {
    // Two days of sweeps: the estate grew on the second (the overview's "new since the last sweep" has something to count, not everything).
    await seedEstate(store, { sites: SITES, perSite: PER_SITE, days: 2, now: Date.now(), concurrency: 16 });
  } finally {
    await store.close();
  }
  say(`  filled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const dir = path.join(work, `op-${kind}`);
  mkdirSync(dir, { recursive: true });
  const op = { dir, store: loc.kind === 'embedded' ? ['--data-dir', loc.dataDir] : ['--database', loc.url] };
  await addUsers(op, [['bench', 'viewer']]);
  const served = await serve(op);
  try {
    const cookie = await signIn(served.origin);
    // Warm-up (the overview's counts are read once and kept 30 s; the first list page reads them too).
    const cold = await get(served.origin, '/', cookie);
    row(kind, 'overview, counts read (first request)', `${cold.server.toFixed(1)} ms in the service`);
    await sample(served.origin, cookie, Array.from({ length: 10 }, () => '/devices'));

    const list = await sample(served.origin, cookie, Array.from({ length: SAMPLES }, () => '/devices'));
    row(kind, 'list page (/devices, 100 rows), server time', fmt(list.server));
    row(kind, 'list page, client time on loopback', fmt(list.client));

    // Deep pages: follow the cursor; every page a keyset range.
    const deep: string[] = [];
    let next: string | undefined = '/devices';
    const ids: string[] = [];
    for (let i = 0; i < 60 && next !== undefined; i += 1) {
      const r = await get(served.origin, next, cookie);
      ids.push(...[...r.body.matchAll(/href="\/devices\/([0-9a-f]{16})"/gu)].map((m) => m[1]!));
      const m = /rel="next" href="([^"]+)"/u.exec(r.body);
      next = m === null ? undefined : m[1]!.replace(/&amp;/gu, '&');
      if (next !== undefined) deep.push(next);
    }
    const paged = await sample(served.origin, cookie, deep);
    row(kind, `list pages 2-${deep.length + 1} (following the cursor), server time`, fmt(paged.server));
    const filtered = await sample(served.origin, cookie, Array.from({ length: 40 }, (_, i) => `/devices?site=${encodeURIComponent(`Branch ${String(100 + i * 20).padStart(4, '0')}`)}&status=restricted`));
    row(kind, 'list filtered by site and status, server time', fmt(filtered.server));
    const maker = await sample(served.origin, cookie, Array.from({ length: 40 }, () => '/devices?maker=Dahua&sort=maker'));
    row(kind, 'list filtered by maker, sorted by maker, server time', fmt(maker.server));
    const search = await sample(served.origin, cookie, Array.from({ length: 10 }, (_, i) => `/devices?q=10.2${i % 4}.${(i * 37) % 250}.7`));
    row(kind, 'list searched by IP (a scan of the search index), server time', fmt(search.server));

    const picks = Array.from({ length: SAMPLES }, (_, i) => ids[(i * 7919) % ids.length]!);
    const device = await sample(served.origin, cookie, picks.map((id) => `/devices/${id}`));
    row(kind, 'device page, server time', fmt(device.server));
    row(kind, 'device page, client time on loopback', fmt(device.client));

    const listPaint = await paint(browser, served.origin, cookie, '/devices', 15);
    row(kind, 'list page: first contentful paint in Chromium (cold cache)', fmt(listPaint.fcp));
    row(kind, 'list page: bytes the browser downloads (cold cache)', `${listPaint.bytes.toLocaleString('en')} bytes in ${listPaint.requests} requests`);
    const overviewPaint = await paint(browser, served.origin, cookie, '/', 15);
    row(kind, 'overview: first contentful paint in Chromium (cold cache)', fmt(overviewPaint.fcp));
    row(kind, 'overview: bytes the browser downloads (cold cache)', `${overviewPaint.bytes.toLocaleString('en')} bytes in ${overviewPaint.requests} requests`);
    const devicePaint = await paint(browser, served.origin, cookie, `/devices/${ids[0]!}`, 15);
    row(kind, 'device page: first contentful paint in Chromium (cold cache)', fmt(devicePaint.fcp));
    row(kind, 'device page: bytes the browser downloads (cold cache)', `${devicePaint.bytes.toLocaleString('en')} bytes in ${devicePaint.requests} requests`);
  } finally {
    await served.stop();
  }
}

try {
  say(`bench:console on ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium: run scripts/system-deps.ts');
  const browser = await chromium.launch({ executablePath, args: chromiumArgs() });
  say(`Chromium ${browser.version()}`);
  try {
    for (const kind of values.stores.split(',')) await bench(kind, browser);
  } finally {
    await browser.close();
  }
} finally {
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

const table = ['| store | figure | measured |', '|---|---|---|', ...rows.map((r) => `| ${r.store} | ${r.figure} | ${r.value} |`)].join('\n');
say(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n${table}\n`);
mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../bench-results/console.md', import.meta.url), `${table}\n`);
