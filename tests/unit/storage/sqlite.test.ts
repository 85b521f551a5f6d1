import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR } from '../../../src/domain/errors.ts';
import { rowOf, rowsOf, RowShapeError } from '../../../src/storage/rows.ts';
import { appliedVersion, integrityCheck, openSqlite, query, transaction } from '../../../src/storage/sqlite.ts';

describe('typed rows', () => {
  it('checks each declared column and converts PostgreSQL strings and bigints', () => {
    const shape = { id: 'int', name: 'text', note: 'text?', n: 'int?', ok: 'bool' } as const;
    expect(rowOf(shape, { id: 1n, name: 'a', note: null, n: '42', ok: 1, extra: 'x' })).toEqual({ id: 1, name: 'a', note: null, n: 42, ok: true });
    expect(() => rowOf(shape, { id: 1, name: null, note: null, n: null, ok: true })).toThrow(RowShapeError);
    expect(() => rowOf(shape, { id: 'x', name: 'a', note: null, n: null, ok: true })).toThrow(/column id/u);
    expect(rowsOf({ a: 'text' }, [{ a: 'x' }, { a: 'y' }])).toEqual([{ a: 'x' }, { a: 'y' }]);
  });
});

describe('the SQLite helper', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-storage-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const migrations = [
    { version: 1, name: 'one', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' },
    { version: 2, name: 'two', sql: 'ALTER TABLE t ADD COLUMN w TEXT' },
  ];

  it('creates the directory 0700 and the file, WAL and SHM 0600 from the start', () => {
    const file = path.join(dir, 'sub', 'x.db');
    const db = openSqlite(file, { codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD }, migrations });
    try {
      db.prepare("INSERT INTO t (v) VALUES ('a')").run();
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('migrates in order once, refuses a newer schema, and a read-only open of an old one', () => {
    const file = path.join(dir, 'x.db');
    const first = openSqlite(file, { codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD }, migrations: migrations.slice(0, 1) });
    first.close();
    const ro = (): unknown => openSqlite(file, { codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD }, migrations, readOnly: true, upgradeHint: 'open it writable' });
    expect(ro).toThrow(/schema version 1, not 2: open it writable/u);
    const db = openSqlite(file, { codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD }, migrations });
    expect(appliedVersion(db)).toBe(2);
    db.close();
    expect(() => openSqlite(file, { codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD }, migrations: migrations.slice(0, 1) })).toThrow(/newer than this camsweep knows/u);
  });

  it('runs a transaction all or nothing, and types what it reads', () => {
    const db = openSqlite(path.join(dir, 'x.db'), { codes: { open: ERR.INVENTORY_DB_OPEN, schemaNewer: ERR.INVENTORY_SCHEMA_NEWER, schemaOld: ERR.INVENTORY_SCHEMA_OLD }, migrations });
    try {
      expect(() =>
        transaction(db, () => {
          db.prepare("INSERT INTO t (v) VALUES ('a')").run();
          throw new Error('boom');
        }),
      ).toThrow('boom');
      transaction(db, () => db.prepare("INSERT INTO t (v, w) VALUES ('b', NULL)").run());
      expect(query(db, 'SELECT id, v, w FROM t', { id: 'int', v: 'text', w: 'text?' }).all()).toEqual([{ id: 1, v: 'b', w: null }]);
      expect(integrityCheck(db)).toBe('ok');
    } finally {
      db.close();
    }
  });
});
