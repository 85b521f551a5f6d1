import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { signBody } from '../../src/report/hmac.ts';
import { buildReports, serializeReport, type ReportV1 } from '../../src/report/payload.ts';
import type { Device, SweepResult } from '../../src/domain/types.ts';
import { binNodeFlags } from '../helpers/node-flags.ts';

/**
 * Load for the central service (npm run bench:central, and the multi-process test): clients
 * that each play one agent with a fleet of cameras, sending signed reports of a few devices
 * each (a new sweep, so new device keys, every request) over a keep-alive connection, and
 * retrying a request until it is acknowledged (a server killed mid-request, a refused
 * connection). Everything acknowledged is recorded, so a run can check stored == acknowledged.
 */

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;

export function fleet(agent: number, size: number): Device[] {
  return Array.from({ length: size }, (_, i) => {
    const hex = (agent * 4096 + i).toString(16).padStart(6, '0');
    const ip = `10.${100 + (agent >> 8)}.${agent & 255}.${i + 1}`;
    return {
      ip,
      addresses: [ip],
      mac: `44:19:b6:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`,
      manufacturer: 'Hikvision',
      brand: 'HIKVISION',
      model: 'DS-2CD2142FWD-I',
      firmware: 'V5.4.5 build 170124',
      serial: `DS-2CD2142FWD-I2017${hex}`,
      kind: 'camera',
      status: i % 3 === 0 ? 'clear' : 'restricted',
      confidence: 0.95,
      protocols: ['wsd', 'onvif'],
      interfaces: ['eth0'],
      identifiers: { epr: `urn:uuid:11111111-2222-3333-4444-${hex.padStart(12, '0')}` },
      evidence: [
        { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
        { protocol: 'wsd', field: 'wsd.scope.name', value: 'HIKVISION DS-2CD2142FWD-I' },
      ],
      verdict:
        i % 3 === 0
          ? { status: 'clear', reason: 'not covered' }
          : {
              status: 'restricted',
              reason: 'made by Hikvision, a covered entity under NDAA section 889',
              pack: 'us-ndaa-889',
              rule: 'hikvision',
              entity: 'Hangzhou Hikvision Digital Technology Company',
              source: { document: 'Public Law 115-232, section 889', date: '2018-08-13', url: 'https://www.congress.gov/bill/115th-congress/house-bill/5515' },
            },
    } satisfies Device;
  });
}

/** One report of `devices` for sweep number `n` of an agent (a new sweep id: new device keys). */
export function reportFor(agentId: string, site: string, devices: Device[], n: number): ReportV1 {
  const startedAt = new Date(Date.UTC(2026, 10, 26) + n * 1000).toISOString();
  const result: SweepResult = {
    schema: 'camsweep.sweep/v1',
    id: `${agentId}-${n}`,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 900).toISOString(),
    interfaces: [{ name: 'eth0', address: '10.0.0.2', netmask: '255.255.255.0', mac: '02:00:00:00:00:02' }],
    devices,
    errors: [],
  };
  const [r] = buildReports(result, { agentId, site, sweepId: `sw-${agentId}-${n}`, include: 'all', batchMaxBytes: 1024 * 1024, createdAt: startedAt, version: '0.1.0' });
  return r!;
}

export interface LoadClientSpec {
  agentId: string;
  site: string;
  token: string;
  /** URLs to send to; on a failure the client tries the next one. */
  urls: string[];
  fleetSize: number;
  perReport: number;
  agentIndex: number;
}

export interface LoadResult {
  acknowledged: number;
  /** Device keys acknowledged (distinct). */
  keys: Set<string>;
  failures: number;
  /** Latency of each acknowledged request, ms (the attempt that succeeded). */
  latencies: number[];
  /** Acknowledged requests per second since the start. */
  perSecond: number[];
}

function postOnce(agent: http.Agent, url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Runs the clients until `until()` says stop; each request is retried until acknowledged. */
export async function runLoad(clients: readonly LoadClientSpec[], o: { secret: string; until: () => boolean; startedAt?: number }): Promise<LoadResult> {
  const start = o.startedAt ?? performance.now();
  const result: LoadResult = { acknowledged: 0, keys: new Set(), failures: 0, latencies: [], perSecond: [] };
  const one = async (c: LoadClientSpec): Promise<void> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const devices = fleet(c.agentIndex, c.fleetSize);
    let n = 0;
    let target = 0;
    try {
      while (!o.until()) {
        const slice = Array.from({ length: c.perReport }, (_, i) => devices[(n * c.perReport + i) % devices.length]!);
        const report = reportFor(c.agentId, c.site, slice, n);
        const body = Buffer.from(serializeReport(report));
        for (;;) {
          const t0 = performance.now();
          const status = await postOnce(agent, c.urls[target % c.urls.length]!, body, {
            'content-type': 'application/json',
            'idempotency-key': report.idempotencyKey,
            authorization: `Bearer ${c.token}`,
            'x-camsweep-signature': signBody(o.secret, body, Date.now()),
          });
          if (status === 200) {
            const t1 = performance.now();
            result.latencies.push(t1 - t0);
            result.acknowledged += 1;
            const sec = Math.floor((t1 - start) / 1000);
            result.perSecond[sec] = (result.perSecond[sec] ?? 0) + 1;
            for (const d of report.devices) result.keys.add(d.idempotencyKey);
            break;
          }
          result.failures += 1;
          target += 1;
          if (status !== 0) throw new Error(`server answered ${status}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        n += 1;
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(clients.map(one));
  for (let i = 0; i < result.perSecond.length; i += 1) result.perSecond[i] ??= 0;
  return result;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  rssKb(): number;
  peakRssKb(): number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `camsweep central serve ...` (or any camsweep command that prints `listening on URL`). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, ...binNodeFlags(), CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 100_000) err += d.toString();
  });
  const status = (field: string): number => {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'mu').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/u.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          pid: child.pid!,
          rssKb: () => status('VmRSS'),
          peakRssKb: () => status('VmHWM'),
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${err}`));
    });
  });
}
