import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CamsweepError, errorMessage } from '../domain/errors.ts';
import { transaction } from '../report/sqlite.ts';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.ts';

/**
 * Opens the inventory database like the report outbox: the directory made 0700 and the file
 * 0600 before SQLite touches it (the WAL and shared-memory files take the file's mode), WAL
 * with synchronous=FULL, a busy timeout so a reader (`camsweep devices`) and the writer (the
 * daemon, `camsweep sweep --record`) can share it: SQLite lets one writer at a time in, and
 * every write is one IMMEDIATE transaction. Pending migrations run here, each in its own
 * transaction; read-only opens never migrate.
 */

export interface OpenOptions {
  readOnly?: boolean;
  busyTimeoutMs?: number;
  now: () => Date;
}

export function openInventoryDb(file: string, options: OpenOptions): DatabaseSync {
  const readOnly = options.readOnly === true;
  if (!readOnly) {
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    } catch (err) {
      throw new CamsweepError('INVENTORY_DB_OPEN', `cannot create ${file}: ${errorMessage(err)}`, { cause: err });
    }
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new CamsweepError('INVENTORY_DB_OPEN', `cannot open ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    if (readOnly) checkVersion(db, file);
    else {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      migrate(db, file, MIGRATIONS, options.now);
    }
  } catch (err) {
    db.close();
    if (err instanceof CamsweepError) throw err;
    throw new CamsweepError('INVENTORY_DB_OPEN', `cannot prepare ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return db;
}

function appliedVersion(db: DatabaseSync): number {
  const table = db.prepare("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function tooNew(file: string, version: number, known: number): CamsweepError {
  return new CamsweepError('INVENTORY_SCHEMA_NEWER', `${file} has schema version ${version}, newer than this camsweep knows (${known}): upgrade camsweep`);
}

function checkVersion(db: DatabaseSync, file: string): void {
  const version = appliedVersion(db);
  if (version > SCHEMA_VERSION) throw tooNew(file, version, SCHEMA_VERSION);
  if (version < SCHEMA_VERSION) {
    throw new CamsweepError('INVENTORY_SCHEMA_OLD', `${file} has schema version ${version}, not ${SCHEMA_VERSION}: record a sweep (or start the daemon) to upgrade it`);
  }
}

/** Applies the migrations newer than the database, in order, each in one transaction. */
export function migrate(db: DatabaseSync, file: string, migrations: readonly Migration[], now: () => Date): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  for (const m of migrations) {
    transaction(db, () => {
      // Read inside the write lock: two processes opening a new file migrate it once.
      const version = appliedVersion(db);
      if (version > latest) throw tooNew(file, version, latest);
      if (version >= m.version) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now().toISOString());
      db.exec(`PRAGMA user_version = ${m.version}`);
    });
  }
  const version = appliedVersion(db);
  if (version > latest) throw tooNew(file, version, latest);
}
