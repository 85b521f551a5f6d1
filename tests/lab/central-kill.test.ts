import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../../src/central/admin.ts';
import { openPostgresStore } from '../../src/central/store/postgres.ts';
import { freshPgDatabase } from '../unit/central/helpers.ts';
import { runLoad, startServe, type LoadClientSpec, type ServeProcess } from './central-load.ts';

/**
 * Two `camsweep central serve` processes on one PostgreSQL database under load from 8 agents;
 * one is killed with SIGKILL mid-load and restarted on the same port while its agents fail
 * over to the other. Afterwards: every acknowledged device key is stored (none lost), each
 * device exists once (none duplicated across processes), and the forwarding queue holds one
 * event per restricted device. Real processes, real PostgreSQL, loopback only.
 */

const SECRET = 'kill-test-hmac-secret-1';
let dir: string;
let url: string;
let agents: Array<{ id: string; site: string; token: string }>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-central-kill-'));
  writeFileSync(path.join(dir, 'hmac'), `${SECRET}\n`);
  url = await freshPgDatabase();
  const store = await openPostgresStore(url);
  try {
    agents = [];
    for (let i = 0; i < 8; i += 1) agents.push({ id: `kill-agent-${i}`, site: `site-${i % 3}`, token: await addAgent(store, { id: `kill-agent-${i}`, site: `site-${i % 3}`, now: new Date() }) });
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two central serve processes on one PostgreSQL, one killed mid-load', () => {
  it('loses nothing acknowledged and duplicates no device', { timeout: 90_000 }, async () => {
    const args = (port: number): string[] => ['central', 'serve', '--listen', `127.0.0.1:${port}`, '--database', url, '--hmac-secret-file', path.join(dir, 'hmac'), '--log-level', 'error', '--forward-webhook', 'http://127.0.0.1:9/hook'];
    let a: ServeProcess = await startServe(args(0));
    const b: ServeProcess = await startServe(args(0));
    const port = Number(new URL(a.url).port);
    const clients: LoadClientSpec[] = agents.map((ag, i) => ({ agentId: ag.id, site: ag.site, token: ag.token, urls: i % 2 === 0 ? [a.url, b.url] : [b.url, a.url], fleetSize: 12, perReport: 3, agentIndex: i }));
    const end = performance.now() + 9000;
    const chaos = (async () => {
      await new Promise((r) => setTimeout(r, 3000));
      await a.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      a = await startServe(args(port));
    })();
    const result = await runLoad(clients, { secret: SECRET, until: () => performance.now() >= end });
    await chaos;
    await a.stop();
    await b.stop();
    expect(result.acknowledged).toBeGreaterThan(50);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const keys = new Set((await client.query('SELECT key FROM device_reports')).rows.map((r: { key: string }) => r.key));
      const lost = [...result.keys].filter((k) => !keys.has(k));
      expect(lost).toEqual([]);
      const devices = Number((await client.query('SELECT count(*) AS n FROM devices')).rows[0].n);
      expect(devices).toBe(8 * 12);
      const restricted = Number((await client.query("SELECT count(*) AS n FROM devices WHERE verdict_status = 'restricted'")).rows[0].n);
      const events = Number((await client.query("SELECT count(*) AS n FROM forward_queue WHERE key LIKE 'restricted-new:%'")).rows[0].n);
      expect(events).toBe(restricted);
      const orphans = Number((await client.query('SELECT count(*) AS n FROM device_reports r LEFT JOIN devices d ON d.id = r.device_id WHERE d.id IS NULL')).rows[0].n);
      expect(orphans).toBe(0);
    } finally {
      await client.end();
    }
  });
});
