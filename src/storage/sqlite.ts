import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { CamsweepError, errorMessage, type ErrorCode } from '../domain/errors.ts';
import { latestVersion, type Migration } from './migrations.ts';
import { rowOf, rowsOf, type RowOf, type Shape } from './rows.ts';

/**
 * The one SQLite helper (node:sqlite) every embedded store uses: the agent's outbox, the
 * inventory, the central service's embedded store.
 *
 * - Files are private from their creation: the directory is made 0700, and the database file
 *   is created 0600 under a 077 umask before SQLite opens it, so the `-wal` and `-shm` files,
 *   which SQLite creates with the database file's mode, are 0600 too. No chmod after the fact.
 * - WAL with synchronous=FULL: a committed transaction survives a crash or a power cut.
 * - A busy timeout, so a reader and the writer (or two processes) share a file.
 * - Either a plain schema (CREATE ... IF NOT EXISTS) or numbered migrations, applied in order,
 *   each in one IMMEDIATE transaction (two processes opening a new file migrate it once).
 */

export interface StoreErrorCodes {
  open: ErrorCode;
  /** Default: `open`. */
  schemaNewer?: ErrorCode;
  /** Default: `open`. */
  schemaOld?: ErrorCode;
}

export interface SqliteOpenOptions {
  readOnly?: boolean;
  busyTimeoutMs?: number;
  /** The store's error codes (from the catalogue): cannot open, newer schema, older schema on a read-only open. */
  codes: StoreErrorCodes;
  /** An idempotent schema run on every writable open. */
  schema?: string;
  /** Numbered migrations (schema_migrations). */
  migrations?: readonly Migration[];
  /** What a person should do when a read-only open finds an old schema. */
  upgradeHint?: string;
  now?: () => Date;
}

/** Runs `fn` with the process umask at `mask` where the runtime allows it (not in worker threads). */
export function withUmask<T>(mask: number, fn: () => T): T {
  let previous: number | undefined;
  try {
    previous = process.umask(mask);
  } catch {
    previous = undefined;
  }
  try {
    return fn();
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** Creates the directory (0700) and an empty file (0600) unless they exist; files never pass through a wider mode. */
export function createPrivateFile(file: string): void {
  withUmask(0o077, () => {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
  });
  // An existing file made by an older camsweep may be wider: narrow it (SQLite's side files follow it).
  chmodSync(file, 0o600);
}

export function openSqlite(file: string, options: SqliteOpenOptions): DatabaseSync {
  const readOnly = options.readOnly === true;
  const code = options.codes.open;
  if (!readOnly) {
    try {
      createPrivateFile(file);
    } catch (err) {
      throw new CamsweepError(code, `cannot create ${file}: ${errorMessage(err)}`, { cause: err });
    }
  }
  let db: DatabaseSync;
  try {
    db = withUmask(0o077, () => new DatabaseSync(file, { readOnly, timeout: options.busyTimeoutMs ?? 5000 }));
  } catch (err) {
    throw new CamsweepError(code, `cannot open ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    if (readOnly) {
      if (options.migrations) checkVersion(db, file, options);
    } else {
      withUmask(0o077, () => {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('PRAGMA synchronous = FULL');
        if (options.schema !== undefined) db.exec(options.schema);
        if (options.migrations) migrate(db, file, options.migrations, options.now ?? (() => new Date()), options.codes.schemaNewer ?? code);
      });
    }
  } catch (err) {
    db.close();
    if (err instanceof CamsweepError) throw err;
    throw new CamsweepError(code, `cannot prepare ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return db;
}

/** Runs `fn` in one IMMEDIATE transaction: all of it is committed, or none. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** The highest migration applied (0 for a database without the table). */
export function appliedVersion(db: DatabaseSync): number {
  const table = db.prepare("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return 0;
  return rowOf({ v: 'int?' }, db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).v ?? 0;
}

function tooNew(file: string, version: number, known: number, code: ErrorCode): CamsweepError {
  return new CamsweepError(code, `${file} has schema version ${version}, newer than this camsweep knows (${known}): upgrade camsweep`);
}

function checkVersion(db: DatabaseSync, file: string, options: SqliteOpenOptions): void {
  const known = latestVersion(options.migrations ?? []);
  const version = appliedVersion(db);
  if (version > known) throw tooNew(file, version, known, options.codes.schemaNewer ?? options.codes.open);
  if (version < known) {
    throw new CamsweepError(
      options.codes.schemaOld ?? options.codes.open,
      `${file} has schema version ${version}, not ${known}${options.upgradeHint === undefined ? '' : `: ${options.upgradeHint}`}`,
    );
  }
}

/** Applies the migrations newer than the database, in order, each in one transaction. */
export function migrate(db: DatabaseSync, file: string, migrations: readonly Migration[], now: () => Date, newerCode: ErrorCode): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const latest = latestVersion(migrations);
  for (const m of migrations) {
    transaction(db, () => {
      // Read inside the write lock: two processes opening a new file migrate it once.
      const version = appliedVersion(db);
      if (version > latest) throw tooNew(file, version, latest, newerCode);
      if (version >= m.version) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now().toISOString());
      db.exec(`PRAGMA user_version = ${m.version}`);
    });
  }
  const version = appliedVersion(db);
  if (version > latest) throw tooNew(file, version, latest, newerCode);
}

/** A prepared statement whose rows are checked against a shape: `query(db, sql, { id: 'text' }).all(...)`. */
export interface TypedQuery<S extends Shape> {
  all(...params: SQLInputValue[]): Array<RowOf<S>>;
  get(...params: SQLInputValue[]): RowOf<S> | undefined;
}

export function query<S extends Shape>(db: DatabaseSync, sql: string, shape: S): TypedQuery<S> {
  const stmt = db.prepare(sql);
  return {
    all: (...params) => rowsOf(shape, stmt.all(...params)),
    get: (...params) => {
      const row = stmt.get(...params);
      return row === undefined ? undefined : rowOf(shape, row);
    },
  };
}

export function integrityCheck(db: DatabaseSync): string {
  return rowOf({ integrity_check: 'text' }, db.prepare('PRAGMA integrity_check').get()).integrity_check;
}
