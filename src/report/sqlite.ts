import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CamsweepError } from '../domain/errors.ts';

/**
 * Opens one of the report databases (outbox, receiver store). WAL with synchronous=FULL: a
 * committed transaction survives a crash or power cut, so "stored before sent" holds. A busy
 * timeout lets `camsweep outbox list` read while a delivery runs. The directory is created
 * 0700 and the file made 0600: reports describe the network.
 */
export function openDatabase(file: string, schema: string, options: { readOnly?: boolean; busyTimeoutMs?: number } = {}): DatabaseSync {
  const readOnly = options.readOnly === true;
  if (!readOnly) mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new CamsweepError('REPORT_DB_OPEN', `cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (!readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec(schema);
      chmodSync(file, 0o600);
    }
  } catch (err) {
    db.close();
    throw new CamsweepError('REPORT_DB_OPEN', `cannot prepare ${file}: ${(err as Error).message}`, { cause: err });
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
