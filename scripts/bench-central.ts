/**
 * `npm run bench:central`: the central service's figures (issue 12), on the embedded store and
 * on PostgreSQL, all on loopback inside the private namespace. A benchmark, not a test: it
 * prints a table (also bench-results/central.md) and exits 1 when a figure misses its target.
 *
 *   throughput  16 agents sending signed reports of 3 devices for --duration seconds (default
 *               300): requests/s, first and last minute, p50/p99, stored == acknowledged
 *   kill        (PostgreSQL) two `central serve` on one database, one SIGKILLed mid-load and
 *               restarted: devices lost and duplicated
 *   flood       1,000 unauthenticated connections each sending a 1 MiB body: peak RSS
 *   list        GET /api/v1/devices?status=restricted over 100,000 devices from 1,000 sites
 *
 * Options: --duration S, --stores embedded,postgres, --only throughput,kill,flood,list
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addAgent, addUser, newUserToken } from '../src/central/admin.ts';
import { openCentralStore, type StoreLocation } from '../src/central/store/open.ts';
import type { CentralStore } from '../src/central/store/store.ts';
import { checkReportBody } from '../src/central/validate.ts';
import { serializeReport } from '../src/report/payload.ts';
import { fleet, percentile, reportFor, runLoad, startServe, type LoadClientSpec, type ServeProcess } from '../tests/lab/central-load.ts';
import { cpuSeconds, treeCpuSeconds } from '../tests/lab/proc-scan.ts';
import { startPgCluster, type PgCluster } from '../tests/helpers/pg-cluster.ts';

if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
  process.stderr.write('bench-central: run it through `npm run bench:central` (inside the private network namespace)\n');
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '300' },
    stores: { type: 'string', default: 'embedded,postgres' },
    only: { type: 'string', default: 'throughput,kill,flood,list' },
    clients: { type: 'string', default: '16' },
  },
});
const DURATION_S = Number(values.duration);
const CLIENTS = Number(values.clients);
const STORES = values.stores.split(',');
const ONLY = new Set(values.only.split(','));
const SECRET = 'bench-hmac-secret-0001';
const work = mkdtempSync(path.join(os.tmpdir(), 'camsweep-bench-central-'));
writeFileSync(path.join(work, 'hmac'), `${SECRET}\n`, { mode: 0o600 });
const say = (s: string): void => void process.stdout.write(`${s}\n`);

interface Row {
  store: string;
  figure: string;
  value: string;
  target: string;
  ok: boolean;
}
const rows: Row[] = [];
const row = (store: string, figure: string, value: string, target: string, ok: boolean): void => {
  rows.push({ store, figure, value, target, ok });
  say(`  ${ok ? 'ok  ' : 'MISS'} ${store}: ${figure} = ${value} (target ${target})`);
};

let cluster: PgCluster | undefined;
async function location(kind: string, name: string): Promise<StoreLocation> {
  if (kind === 'embedded') return { kind: 'embedded', dataDir: path.join(work, name) };
  // Durable settings (fsync, synchronous_commit on): an acknowledged report is on disk.
  cluster ??= await startPgCluster({ fast: false, settings: { max_connections: '300', shared_buffers: '256MB' } });
  return { kind: 'postgres', url: await cluster.createDatabase(name) };
}
const storeArgs = (loc: StoreLocation): string[] => (loc.kind === 'embedded' ? ['--data-dir', loc.dataDir] : ['--database', loc.url]);

async function withStore<T>(loc: StoreLocation, fn: (s: CentralStore) => Promise<T>): Promise<T> {
  const s = await openCentralStore(loc);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

async function agentsFor(loc: StoreLocation, n: number): Promise<Array<{ id: string; site: string; token: string }>> {
  return withStore(loc, async (s) => {
    const out = [];
    for (let i = 0; i < n; i += 1) {
      const id = `bench-agent-${i}`;
      const site = `site-${i}`;
      out.push({ id, site, token: await addAgent(s, { id, site, now: new Date() }) });
    }
    return out;
  });
}

async function serve(loc: StoreLocation, extra: string[] = []): Promise<ServeProcess> {
  return startServe(['central', 'serve', '--listen', '127.0.0.1:0', '--hmac-secret-file', path.join(work, 'hmac'), '--log-level', 'error', ...storeArgs(loc), ...extra]);
}

async function throughput(kind: string): Promise<void> {
  const loc = await location(kind, 'throughput');
  const agents = await agentsFor(loc, CLIENTS);
  const server = await serve(loc);
  say(`\n${kind}: ${CLIENTS} agents, signed reports of 3 devices, ${DURATION_S} s`);
  const loadStart = os.loadavg()[0]!.toFixed(1);
  const start = performance.now();
  const end = start + DURATION_S * 1000;
  const clients: LoadClientSpec[] = agents.map((a, i) => ({ agentId: a.id, site: a.site, token: a.token, urls: [server.url], fleetSize: 30, perReport: 3, agentIndex: i }));
  const ticker = setInterval(() => say(`  … ${Math.round((performance.now() - start) / 1000)} s`), 60_000);
  const cpu0 = { serve: cpuSeconds(server.pid), db: cluster === undefined || kind !== 'postgres' ? 0 : treeCpuSeconds(cluster.pid), client: process.cpuUsage() };
  const result = await runLoad(clients, { secret: SECRET, until: () => performance.now() >= end, startedAt: start });
  clearInterval(ticker);
  const cpu = {
    serve: cpuSeconds(server.pid) - cpu0.serve,
    db: cluster === undefined || kind !== 'postgres' ? 0 : treeCpuSeconds(cluster.pid) - cpu0.db,
    client: (process.cpuUsage(cpu0.client).user + process.cpuUsage(cpu0.client).system) / 1e6,
  };
  const seconds = (performance.now() - start) / 1000;
  const peak = server.peakRssKb();
  await server.stop();
  const stats = await withStore(loc, (s) => s.stats());
  const rate = result.acknowledged / seconds;
  if (process.env.BENCH_SERIES === '1') say(`  per second: ${result.perSecond.join(' ')}`);
  const window = Math.max(1, Math.min(60, Math.floor(DURATION_S / 5)));
  const full = result.perSecond.slice(0, Math.floor(seconds));
  const first = full.slice(0, window).reduce((a, b) => a + b, 0) / window;
  const last = full.slice(-window).reduce((a, b) => a + b, 0) / window;
  row(kind, 'requests/s (signed, 3 devices, 16 clients)', rate.toFixed(0), '>= 1000', rate >= 1000);
  row(kind, `last ${window} s vs first ${window} s`, `${last.toFixed(0)} vs ${first.toFixed(0)} (${((last / first) * 100).toFixed(0)} %)`, '>= 90 %', last >= 0.9 * first);
  const minutes: number[] = [];
  for (let m = 0; m * 60 < full.length; m += 1) {
    const part = full.slice(m * 60, (m + 1) * 60);
    minutes.push(Math.round(part.reduce((a, b) => a + b, 0) / part.length));
  }
  row(kind, 'requests/s minute by minute (machine load average at start / end)', `${minutes.join(', ')} (${loadStart} / ${os.loadavg()[0]!.toFixed(1)})`, '(reported)', true);
  const p50 = percentile(result.latencies, 50);
  const p99 = percentile(result.latencies, 99);
  row(kind, 'latency p50 / p99', `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`, 'p99 < 100 ms', p99 < 100);
  row(kind, 'device keys stored == acknowledged', `${stats.devices} == ${result.keys.size}`, 'equal', stats.devices === result.keys.size);
  row(kind, 'server peak RSS under load', `${(peak / 1024).toFixed(0)} MB`, '(reported)', true);
  const per = (sec: number): string => ((sec * 1000) / Math.max(1, result.acknowledged)).toFixed(2);
  const serverMs = ((cpu.serve + cpu.db) * 1000) / Math.max(1, result.acknowledged);
  row(
    kind,
    'CPU per request: service / database / load generator',
    `${per(cpu.serve)} / ${per(cpu.db)} / ${per(cpu.client)} ms (service + database: ${serverMs.toFixed(2)} ms, about ${Math.round(1000 / serverMs)} req/s per core)`,
    '(reported: independent of other load)',
    true,
  );
}

async function kill(): Promise<void> {
  const loc = await location('postgres', 'kill');
  const agents = await agentsFor(loc, CLIENTS);
  let a = await serve(loc);
  const b = await serve(loc);
  const seconds = Math.min(60, Math.max(20, Math.floor(DURATION_S / 5)));
  say(`\npostgres: two central serve on one database, ${CLIENTS} agents for ${seconds} s, one SIGKILLed at ${Math.round(seconds / 3)} s and restarted 2 s later`);
  const start = performance.now();
  const end = start + seconds * 1000;
  // Each client starts on its own server and fails over to the other.
  const urls = (i: number): string[] => (i % 2 === 0 ? [a.url, b.url] : [b.url, a.url]);
  const clients: LoadClientSpec[] = agents.map((ag, i) => ({ agentId: ag.id, site: ag.site, token: ag.token, urls: urls(i), fleetSize: 30, perReport: 3, agentIndex: i }));
  const port = Number(new URL(a.url).port);
  const killer = (async () => {
    await new Promise((r) => setTimeout(r, (seconds / 3) * 1000));
    await a.stop('SIGKILL');
    say('  killed server A (SIGKILL)');
    await new Promise((r) => setTimeout(r, 2000));
    a = await startServe(['central', 'serve', '--listen', `127.0.0.1:${port}`, '--hmac-secret-file', path.join(work, 'hmac'), '--log-level', 'error', ...storeArgs(loc)]);
    say('  restarted server A on the same port');
  })();
  const result = await runLoad(clients, { secret: SECRET, until: () => performance.now() >= end, startedAt: start });
  await killer;
  await a.stop();
  await b.stop();
  const check = await withStore(loc, async (s) => {
    const st = await s.stats();
    return { keys: st.devices, devices: st.deviceStates };
  });
  // Every agent's fleet is 30 devices; each was reported (a few requests cover all of them).
  const expectedDevices = CLIENTS * 30;
  const lost = result.keys.size - check.keys;
  row('postgres', 'SIGKILL mid-load: acknowledged requests / failed attempts', `${result.acknowledged} / ${result.failures}`, '(reported)', true);
  row('postgres', 'SIGKILL mid-load: device keys lost (acknowledged, not stored)', String(Math.max(0, lost)), '0', lost <= 0);
  row('postgres', 'SIGKILL mid-load: devices duplicated (states beyond the fleet)', String(check.devices - expectedDevices), '0', check.devices === expectedDevices);
}

async function flood(kind: string): Promise<void> {
  const loc = await location(kind, 'flood');
  const server = await serve(loc, ['--max-connections', '2000']);
  const port = Number(new URL(server.url).port);
  const baseline = server.rssKb();
  say(`\n${kind}: 1,000 unauthenticated connections, each sending a 1 MiB body`);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, server.rssKb());
  }, 20);
  const refused = await Promise.all(
    Array.from(
      { length: 1000 },
      (_, i) =>
        new Promise<string>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => {
            s.write(`POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer wrong-${i}\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
            let sent = 0;
            const pump = (): void => {
              while (sent < 1024 * 1024) {
                sent += chunk.length;
                if (!s.write(chunk)) {
                  s.once('drain', pump);
                  return;
                }
              }
            };
            pump();
          });
          let text = '';
          s.on('data', (d: Buffer) => (text += d.toString()));
          s.on('error', () => undefined);
          s.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/u.exec(text)?.[1] ?? 'closed'));
          setTimeout(() => s.destroy(), 20_000);
        }),
    ),
  );
  clearInterval(sampler);
  peak = Math.max(peak, server.peakRssKb());
  await server.stop();
  const counts = new Map<string, number>();
  for (const r of refused) counts.set(r, (counts.get(r) ?? 0) + 1);
  row(kind, '1,000 unauthenticated 1 MiB connections: answers', [...counts].map(([k, v]) => `${v}× ${k}`).join(', '), 'all 401 or closed', [...counts.keys()].every((k) => k === '401' || k === 'closed'));
  row(kind, '1,000 unauthenticated 1 MiB connections: peak RSS', `${(peak / 1024).toFixed(0)} MB (idle ${(baseline / 1024).toFixed(0)} MB)`, '< 300 MB', peak < 300 * 1024);
}

async function list(kind: string): Promise<void> {
  const loc = await location(kind, 'list');
  say(`\n${kind}: filling 100,000 devices from 1,000 sites`);
  const t0 = performance.now();
  const apiToken = await withStore(loc, async (s) => {
    for (let site = 0; site < 1000; site += 1) {
      const devices = fleet(site, 100);
      const body = serializeReport(reportFor(`agent-${site}`, `site-${site}`, devices, 0));
      const checked = checkReportBody(Buffer.from(body));
      if (!checked.ok) throw new Error(checked.error);
      await s.ingest(checked.report, { receivedAt: Date.now(), bytes: body.length, remote: null });
    }
    await addUser(s, { name: 'bench', role: 'viewer', password: 'bench password 1', now: new Date() });
    return newUserToken(s, 'bench', new Date());
  });
  say(`  filled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const server = await serve(loc);
  const get = (p: string): Promise<{ ms: number; status: number; n: number }> =>
    new Promise((resolve, reject) => {
      const t = performance.now();
      http
        .get(new URL(p, server.url), { headers: { authorization: `Bearer ${apiToken}` } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode ?? 0, n: (JSON.parse(text) as { devices?: unknown[] }).devices?.length ?? -1 }));
        })
        .on('error', reject);
    });
  const times: number[] = [];
  let status = 0;
  let n = 0;
  await get('/api/v1/devices?status=restricted');
  for (let i = 0; i < 50; i += 1) {
    const r = await get('/api/v1/devices?status=restricted');
    times.push(r.ms);
    status = r.status;
    n = r.n;
  }
  const site = await get('/api/v1/devices?status=restricted&site=site-500');
  const q = await get('/api/v1/devices?q=10.101.244.7');
  await server.stop();
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  row(kind, 'GET /api/v1/devices?status=restricted over 100,000 devices (100 a page)', `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (${status}, ${n} devices)`, '< 100 ms', p99 < 100 && status === 200);
  row(kind, '... &site=site-500 / ?q=<an IP> (one request each)', `${site.ms.toFixed(1)} ms / ${q.ms.toFixed(1)} ms`, '(reported)', true);
}

try {
  say(`bench:central on ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const kind of STORES) {
    if (ONLY.has('throughput')) await throughput(kind);
    if (ONLY.has('flood')) await flood(kind);
    if (ONLY.has('list')) await list(kind);
  }
  if (ONLY.has('kill') && STORES.includes('postgres')) await kill();
} finally {
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

const table = [
  '| store | figure | measured | target | |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.store} | ${r.figure} | ${r.value} | ${r.target} | ${r.ok ? 'ok' : 'MISS'} |`),
].join('\n');
say(`\n${table}\n`);
mkdirSync('bench-results', { recursive: true });
const load = `load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on the machine skews every figure)`;
say(load);
writeFileSync(path.join('bench-results', 'central.md'), `# bench:central (${new Date().toISOString()}, ${DURATION_S} s runs, ${os.cpus().length} cores)\n\n${table}\n\n${load}\n`);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
