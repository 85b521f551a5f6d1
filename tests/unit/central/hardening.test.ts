import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { RefusalLog } from '../../../src/central/refusals.ts';
import { openEmbeddedStore } from '../../../src/central/store/embedded.ts';
import { openPostgresStore } from '../../../src/central/store/postgres.ts';
import { hashPassword, verifyPassword } from '../../../src/central/auth.ts';
import { freshPgDatabase } from './helpers.ts';

describe('refused requests are logged at a bounded rate', () => {
  it('logs at most perWindow lines a window, then says how many were not logged', () => {
    const lines: Array<{ msg: string; obj: unknown }> = [];
    const log = { warn: (obj: unknown, msg: string) => lines.push({ obj, msg }) } as unknown as ConstructorParameters<typeof RefusalLog>[0];
    let now = 0;
    const r = new RefusalLog(log, { perWindow: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 1000; i += 1) r.refused({ remote: '127.0.0.1', status: 401, error: 'nope' });
    expect(lines).toHaveLength(3);
    now = 1000;
    r.refused({ remote: '127.0.0.1', status: 401, error: 'nope' });
    expect(lines[3]).toEqual({ msg: 'more requests were refused than are logged', obj: { refusals: { notLogged: 997, windowMs: 1000 } } });
    expect(lines).toHaveLength(5);
  });
});

describe('the replay table is pruned through its time index, not by a scan', () => {
  it('SQLite', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-prune-'));
    try {
      const store = openEmbeddedStore(dir);
      await store.close();
      const db = new DatabaseSync(path.join(dir, 'receiver.db'));
      const plan = db.prepare('EXPLAIN QUERY PLAN DELETE FROM signatures WHERE t < ?').all(1).map((r) => String((r as { detail: unknown }).detail));
      db.close();
      expect(plan.join('\n')).toMatch(/USING COVERING INDEX signatures_t|USING INDEX signatures_t/u);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL', async () => {
    const url = await freshPgDatabase();
    const store = await openPostgresStore(url);
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = (await client.query('EXPLAIN DELETE FROM signatures WHERE t < 1')).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/signatures_t/u);
      const indexes = (await client.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'signatures'")).rows.map((r: { indexdef: string }) => r.indexdef).join('\n');
      expect(indexes).toMatch(/signatures_t ON public\.signatures USING btree \(t\)/u);
    } finally {
      await client.end();
    }
  });
});

describe('passwords', () => {
  it('are hashed with scrypt and a salt; verification takes the right one only', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/u);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterx', a)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });
});
