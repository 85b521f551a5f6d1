import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Device } from '../../../src/domain/types.ts';
import { buildReports, serializeReport, type ReportV1 } from '../../../src/report/payload.ts';
import type { ReceivedReport } from '../../../src/report/receiver/validate.ts';
import { checkReportBody } from '../../../src/central/validate.ts';
import { openEmbeddedStore } from '../../../src/central/store/embedded.ts';
import { openPostgresStore } from '../../../src/central/store/postgres.ts';
import type { CentralStore, ForwardSettings } from '../../../src/central/store/store.ts';
import type { TransportResponse } from '../../../src/report/transport.ts';
import { devices, sweep } from '../report/sample.ts';

export { device, devices, quiet } from '../report/sample.ts';

export interface ReportSpec {
  agent?: string;
  site?: string | null;
  startedAt?: string;
  devices?: Device[];
}

/** Reports as an agent builds them (src/report/payload.ts), one batch. */
export function agentReports(spec: ReportSpec = {}): ReportV1[] {
  const startedAt = spec.startedAt ?? '2026-11-26T10:00:00.000Z';
  const agent = spec.agent ?? 'agent-01';
  return buildReports(sweep(spec.devices ?? devices(3), startedAt), {
    agentId: agent,
    site: spec.site === undefined ? 'HQ' : spec.site,
    sweepId: `sw-${agent}-${startedAt}`,
    include: 'all',
    batchMaxBytes: 1024 * 1024,
    createdAt: startedAt,
    version: '0.1.0',
  });
}

/** One report, checked as the intake checks it. */
export function received(spec: ReportSpec = {}): ReceivedReport {
  const [r] = agentReports(spec);
  const checked = checkReportBody(Buffer.from(serializeReport(r!)));
  if (!checked.ok) throw new Error(`sample report invalid: ${checked.error} ${JSON.stringify(checked.problems)}`);
  return checked.report;
}

/** A fresh database in the run's throwaway cluster (tests/setup/postgres.ts). */
export async function freshPgDatabase(): Promise<string> {
  const base = inject('pgUrl');
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface StoreKind {
  name: 'embedded' | 'postgres';
  /** Opens a store on fresh storage; `again` opens another handle on the same storage (another process's view). */
  open(forward?: ForwardSettings): Promise<{ store: CentralStore; again: (forward?: ForwardSettings) => Promise<CentralStore>; cleanup: () => Promise<void> }>;
}

export const STORE_KINDS: StoreKind[] = [
  {
    name: 'embedded',
    async open(forward) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-central-'));
      const opened: CentralStore[] = [];
      const again = async (f?: ForwardSettings): Promise<CentralStore> => {
        const s = openEmbeddedStore(dir, f === undefined ? {} : { forward: f });
        opened.push(s);
        return Promise.resolve(s);
      };
      const store = await again(forward);
      return {
        store,
        again,
        cleanup: async () => {
          for (const s of opened) await s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open(forward) {
      const url = await freshPgDatabase();
      const opened: CentralStore[] = [];
      const again = async (f?: ForwardSettings): Promise<CentralStore> => {
        const s = await openPostgresStore(url, { poolSize: 4, ...(f === undefined ? {} : { forward: f }) });
        opened.push(s);
        return s;
      };
      const store = await again(forward);
      return {
        store,
        again,
        cleanup: async () => {
          for (const s of opened) await s.close();
        },
      };
    },
  },
];

/** A plain HTTP request (any method) on loopback. */
export function request(url: string, o: { method: string; headers: Record<string, string>; body?: string }): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method, headers: o.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

