import path from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { ERR } from '../domain/errors.ts';
import { integrityCheck, openSqlite, query, transaction } from '../storage/sqlite.ts';
import type { RowOf } from '../storage/rows.ts';

/**
 * The durable outbox: every report is committed here before the first byte is sent and deleted
 * only after the endpoint answered 2xx. Reports the endpoint refused for good move to the
 * dead-letter table, where `camsweep outbox list|retry|purge` finds them. Ids are never reused
 * (AUTOINCREMENT) and a report keeps its id in the dead-letter table, so `retry 12` is
 * unambiguous.
 */

export const OUTBOX_FILE = 'outbox.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  sweep_id TEXT NOT NULL,
  body TEXT NOT NULL,
  devices INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  last_status INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at, id);
CREATE TABLE IF NOT EXISTS dead_letter (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  sweep_id TEXT NOT NULL,
  body TEXT NOT NULL,
  devices INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,
  status INTEGER,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
PRAGMA user_version = 1;
`;

export interface NewReport {
  key: string;
  sweepId: string;
  body: string;
  devices: number;
}

export interface PendingReport extends NewReport {
  id: number;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
}

export interface DeadReport extends NewReport {
  id: number;
  createdAt: number;
  attempts: number;
  deadAt: number;
  status: number | null;
  reason: string;
}

/** `all`, or the ids given on the command line. */
export type Selection = 'all' | readonly number[];

export interface Outbox {
  readonly file: string;
  /** Stores reports in one transaction; a key already pending or dead is skipped. Returns how many were added. */
  enqueue(reports: readonly NewReport[], now: number): number;
  /** The next report due at `now` (oldest schedule first), if any. */
  nextDue(now: number): PendingReport | undefined;
  /** Earliest scheduled attempt of any pending report. */
  nextWakeAt(): number | undefined;
  pendingCount(): number;
  deadCount(): number;
  /** Counts the attempt before the request leaves (a crash mid-send still counts it). */
  recordAttempt(id: number, now: number): void;
  /** The endpoint took it: gone from the outbox. */
  delivered(id: number): void;
  reschedule(id: number, nextAttemptAt: number, status: number | null, error: string): void;
  /** Moves a report to the dead-letter table (one transaction). */
  deadLetter(id: number, now: number, status: number | null, reason: string): void;
  /** Replaces a report by the halves it was split into (one transaction). */
  replace(id: number, parts: readonly NewReport[], now: number): void;
  listPending(): PendingReport[];
  listDead(): DeadReport[];
  getPending(id: number): PendingReport | undefined;
  /** Moves dead letters back to the outbox, due now, attempts reset. Returns how many. */
  retryDead(selection: Selection, now: number): number;
  purgeDead(selection: Selection): number;
  purgePending(selection: Selection): number;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  integrityCheck(): string;
  close(): void;
}

const PENDING_ROW = {
  id: 'int',
  key: 'text',
  sweep_id: 'text',
  body: 'text',
  devices: 'int',
  created_at: 'int',
  attempts: 'int',
  next_attempt_at: 'int',
  last_attempt_at: 'int?',
  last_status: 'int?',
  last_error: 'text?',
} as const;
type PendingRow = RowOf<typeof PENDING_ROW>;

const DEAD_ROW = {
  id: 'int',
  key: 'text',
  sweep_id: 'text',
  body: 'text',
  devices: 'int',
  created_at: 'int',
  attempts: 'int',
  dead_at: 'int',
  status: 'int?',
  reason: 'text',
} as const;
type DeadRow = RowOf<typeof DEAD_ROW>;

const pending = (r: PendingRow): PendingReport => ({
  id: r.id,
  key: r.key,
  sweepId: r.sweep_id,
  body: r.body,
  devices: r.devices,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastAttemptAt: r.last_attempt_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
});

const dead = (r: DeadRow): DeadReport => ({
  id: r.id,
  key: r.key,
  sweepId: r.sweep_id,
  body: r.body,
  devices: r.devices,
  createdAt: r.created_at,
  attempts: r.attempts,
  deadAt: r.dead_at,
  status: r.status,
  reason: r.reason,
});

/** `WHERE` clause and parameters for a selection. */
function where(selection: Selection): { sql: string; params: SQLInputValue[] } {
  if (selection === 'all') return { sql: ' WHERE 1', params: [] };
  if (selection.length === 0) return { sql: ' WHERE 0', params: [] };
  return { sql: ` WHERE id IN (${selection.map(() => '?').join(',')})`, params: [...selection] };
}

export function outboxPath(dataDir: string): string {
  return path.join(dataDir, OUTBOX_FILE);
}

export function openOutbox(dataDir: string): Outbox {
  const file = outboxPath(dataDir);
  const db: DatabaseSync = openSqlite(file, { codes: { open: ERR.REPORT_DB_OPEN }, schema: SCHEMA });
  const stmt = {
    insert: db.prepare(
      `INSERT INTO outbox (key, sweep_id, body, devices, created_at, next_attempt_at)
       SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM dead_letter WHERE key = ?)
       ON CONFLICT (key) DO NOTHING`,
    ),
    nextDue: query(db, 'SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1', PENDING_ROW),
    wake: query(db, 'SELECT MIN(next_attempt_at) AS t FROM outbox', { t: 'int?' }),
    countPending: query(db, 'SELECT COUNT(*) AS n FROM outbox', { n: 'int' }),
    countDead: query(db, 'SELECT COUNT(*) AS n FROM dead_letter', { n: 'int' }),
    attempt: db.prepare('UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ? WHERE id = ?'),
    remove: db.prepare('DELETE FROM outbox WHERE id = ?'),
    reschedule: db.prepare('UPDATE outbox SET next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?'),
    get: query(db, 'SELECT * FROM outbox WHERE id = ?', PENDING_ROW),
    listPending: query(db, 'SELECT * FROM outbox ORDER BY id', PENDING_ROW),
    listDead: query(db, 'SELECT * FROM dead_letter ORDER BY id', DEAD_ROW),
    toDead: db.prepare(
      `INSERT INTO dead_letter (id, key, sweep_id, body, devices, created_at, attempts, dead_at, status, reason)
       SELECT id, key, sweep_id, body, devices, created_at, attempts, ?, ?, ? FROM outbox WHERE id = ?`,
    ),
    getMeta: query(db, 'SELECT v FROM meta WHERE k = ?', { v: 'text' }),
    setMeta: db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v'),
  };

  return {
    file,
    enqueue(reports, now) {
      return transaction(db, () => {
        let added = 0;
        for (const r of reports) {
          added += Number(stmt.insert.run(r.key, r.sweepId, r.body, r.devices, now, now, r.key).changes);
        }
        return added;
      });
    },
    nextDue(now) {
      const row = stmt.nextDue.get(now);
      return row ? pending(row) : undefined;
    },
    nextWakeAt() {
      return stmt.wake.get()?.t ?? undefined;
    },
    pendingCount: () => stmt.countPending.get()?.n ?? 0,
    deadCount: () => stmt.countDead.get()?.n ?? 0,
    recordAttempt(id, now) {
      stmt.attempt.run(now, id);
    },
    delivered(id) {
      stmt.remove.run(id);
    },
    reschedule(id, nextAttemptAt, status, error) {
      stmt.reschedule.run(nextAttemptAt, status, error.slice(0, 1000), id);
    },
    deadLetter(id, now, status, reason) {
      transaction(db, () => {
        stmt.toDead.run(now, status, reason.slice(0, 1000), id);
        stmt.remove.run(id);
      });
    },
    replace(id, parts, now) {
      transaction(db, () => {
        const row = stmt.get.get(id);
        if (!row) return;
        stmt.remove.run(id);
        for (const p of parts) stmt.insert.run(p.key, p.sweepId, p.body, p.devices, row.created_at, now, p.key);
      });
    },
    listPending: () => stmt.listPending.all().map(pending),
    listDead: () => stmt.listDead.all().map(dead),
    getPending(id) {
      const row = stmt.get.get(id);
      return row ? pending(row) : undefined;
    },
    retryDead(selection, now) {
      const w = where(selection);
      return transaction(db, () => {
        const moved = db
          .prepare(
            `INSERT INTO outbox (id, key, sweep_id, body, devices, created_at, attempts, next_attempt_at, last_status, last_error)
             SELECT id, key, sweep_id, body, devices, ?, 0, ?, status, reason FROM dead_letter${w.sql}
             ON CONFLICT DO NOTHING`,
          )
          .run(now, now, ...w.params).changes;
        // Only what reached the outbox leaves the dead-letter table.
        db.prepare(`DELETE FROM dead_letter${w.sql} AND key IN (SELECT key FROM outbox)`).run(...w.params);
        return Number(moved);
      });
    },
    purgeDead(selection) {
      const w = where(selection);
      return Number(db.prepare(`DELETE FROM dead_letter${w.sql}`).run(...w.params).changes);
    },
    purgePending(selection) {
      const w = where(selection);
      return Number(db.prepare(`DELETE FROM outbox${w.sql}`).run(...w.params).changes);
    },
    getMeta(key) {
      return stmt.getMeta.get(key)?.v;
    },
    setMeta(key, value) {
      stmt.setMeta.run(key, value);
    },
    integrityCheck: () => integrityCheck(db),
    close() {
      if (db.isOpen) db.close();
    },
  };
}
