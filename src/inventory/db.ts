import type { DatabaseSync } from 'node:sqlite';
import { ERR } from '../domain/errors.ts';
import { openSqlite } from '../storage/sqlite.ts';
import { MIGRATIONS } from './schema.ts';

/**
 * Opens the inventory database through the shared SQLite helper (src/storage/sqlite.ts): the
 * directory made 0700 and the file 0600 before SQLite touches it (the WAL and shared-memory
 * files take the file's mode), WAL with synchronous=FULL, a busy timeout so a reader
 * (`camsweep devices`) and the writer (the daemon, `camsweep sweep --record`) can share it:
 * SQLite lets one writer at a time in, and every write is one IMMEDIATE transaction. Pending
 * migrations run here, each in its own transaction; read-only opens never migrate.
 */

export interface OpenOptions {
  readOnly?: boolean;
  busyTimeoutMs?: number;
  now: () => Date;
}

export function openInventoryDb(file: string, options: OpenOptions): DatabaseSync {
  return openSqlite(file, {
    codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD },
    migrations: MIGRATIONS,
    upgradeHint: 'record a sweep (or start the daemon) to upgrade it',
    now: options.now,
    ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });
}
