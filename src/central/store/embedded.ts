import path from 'node:path';
import { ERR } from '../../domain/errors.ts';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { rowsOf, type RowOf } from '../../storage/rows.ts';
import { integrityCheck, openSqlite, query, transaction } from '../../storage/sqlite.ts';
import { ipSortKey } from '../../util/ip-sort-key.ts';
import { STATUS_ORDER, type ForwardItem } from '../types.ts';
import { SQLITE_MIGRATIONS } from './schema-sqlite.ts';
import { changedColumns, createSqlStore, DEVICE_COLUMNS, DEVICE_ROW, stateParams, toStateRow, UPSERT_DEVICE_SET, type DeviceReportRow, type Dialect, type Param, type Tx } from './sql-store.ts';
import type { CentralStore, ForwardSettings } from './store.ts';

/**
 * The embedded store: node:sqlite in the data directory (`receiver.db`, the name the reference
 * receiver always used, so an existing receiver's data directory upgrades in place), through
 * the shared SQLite helper (private files from creation, WAL, versioned migrations). One
 * connection per process; transactions are serialised in-process (a promise chain) and across
 * processes by SQLite's write lock (BEGIN IMMEDIATE).
 *
 * It also keeps the reference receiver's synchronous read API (counts, listDevices per report
 * key, listEvents, integrityCheck) used by the agent's delivery tests and the lab.
 */

export const EMBEDDED_FILE = 'receiver.db';



export function embeddedPath(dataDir: string): string {
  return path.join(dataDir, EMBEDDED_FILE);
}

/**
 * A device report as stored, one row per device key (the reference receiver's view): the row
 * the intake writes, with `receipts` the times this key arrived (1 = never repeated) and
 * `deviceId` the central device it was applied to.
 */
export type StoredDevice = DeviceReportRow;

/** A change event from an agent's daemon, as stored (one row per event key). */
export interface StoredEvent {
  key: string;
  receivedAt: number;
  agentId: string;
  site: string | null;
  sweepId: string;
  type: string;
  deviceId: string;
  at: string;
  ip: string;
  mac: string | null;
  manufacturer: string | null;
  model: string | null;
  status: string;
  before: string | null;
  after: string | null;
  receipts: number;
}

export interface ReceiverCounts {
  requests: number;
  deviceReceipts: number;
  devices: number;
  sweeps: number;
}

export interface EmbeddedStore extends CentralStore {
  readonly file: string;
  counts(): ReceiverCounts;
  listDevices(options?: { limit?: number }): StoredDevice[];
  listEvents(options?: { limit?: number }): StoredEvent[];
  integrityCheck(): string;
}

const REPORT_ROW = {
  key: 'text',
  received_at: 'int',
  agent_id: 'text',
  site: 'text?',
  sweep_id: 'text',
  sweep_started_at: 'text',
  identity: 'text',
  ip: 'text',
  mac: 'text?',
  manufacturer: 'text?',
  brand: 'text?',
  model: 'text?',
  kind: 'text',
  status: 'text',
  pack: 'text?',
  rule: 'text?',
  reason: 'text',
  receipts: 'int',
  device_id: 'text?',
} as const;

const EVENT_ROW = {
  key: 'text',
  received_at: 'int',
  agent_id: 'text',
  site: 'text?',
  sweep_id: 'text',
  type: 'text',
  device_id: 'text',
  at: 'text',
  ip: 'text',
  mac: 'text?',
  manufacturer: 'text?',
  model: 'text?',
  status: 'text',
  before: 'text?',
  after: 'text?',
  receipts: 'int',
} as const;

const FORWARD_ROW = { id: 'int', sink: 'text', key: 'text', body: 'text', attempts: 'int', created_at: 'int' } as const;

/**
 * The address sort keys of rows written before devices.ip_key existed (the console migration
 * adds it as ''), computed once in app code (ipSortKey). When none is left it costs one seek of
 * devices_sort_ip per status. An ip written meanwhile is written with its key, so a row whose ip
 * moved is left alone.
 */
function fillIpKeys(db: DatabaseSync): void {
  const pick = query(db, "SELECT id, ip FROM devices WHERE status = ? AND ip_key = '' LIMIT 1000", { id: 'text', ip: 'text' });
  const set = db.prepare("UPDATE devices SET ip_key = ? WHERE id = ? AND ip = ? AND ip_key = ''");
  for (const status of STATUS_ORDER) {
    for (;;) {
      const rows = pick.all(status);
      if (rows.length === 0) break;
      transaction(db, () => {
        for (const r of rows) set.run(ipSortKey(r.ip), r.id, r.ip);
      });
    }
  }
}

export function openEmbeddedStore(dataDir: string, options: { forward?: ForwardSettings; now?: () => Date } = {}): EmbeddedStore {
  const file = embeddedPath(dataDir);
  const db: DatabaseSync = openSqlite(file, { codes: { open: ERR.CENTRAL_DB_OPEN, schemaNewer: ERR.CENTRAL_SCHEMA_NEWER }, migrations: SQLITE_MIGRATIONS, ...(options.now === undefined ? {} : { now: options.now }) });
  // 32 MiB of page cache (the default is 2 MiB): the device indexes of a large estate stay in memory.
  db.exec('PRAGMA cache_size = -32768');
  // Checkpoint every ~40 MiB of WAL instead of 4 MiB: the device rows every report rewrites are
  // copied into the database once per checkpoint, not once per 4 MiB (measured: fewer writes per report).
  db.exec('PRAGMA wal_autocheckpoint = 10000');
  fillIpKeys(db);
  const cache = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let s = cache.get(sql);
    if (s === undefined) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const scalars = (params: readonly Param[]): SQLInputValue[] =>
    params.map((p) => {
      if (typeof p === 'object' && p !== null) throw new TypeError('array parameters are for the PostgreSQL dialect only');
      return p;
    });
  const tx: Tx = {
    all: (sql, params, shape) => Promise.resolve(rowsOf(shape, prepared(sql).all(...scalars(params)))),
    run: (sql, params) => Promise.resolve(Number(prepared(sql).run(...scalars(params)).changes)),
  };
  // One transaction at a time on this connection, whatever awaits happen inside it.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const runTx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> =>
    serial(async () => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(tx);
        db.exec('COMMIT');
        return out;
      } catch (err) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw err;
      }
    });

  const upsertDevice = `INSERT INTO devices (${DEVICE_COLUMNS.join(', ')}) VALUES (${DEVICE_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (id) DO UPDATE SET ${UPSERT_DEVICE_SET}`;

  const dialect: Dialect = {
    kind: 'embedded',
    location: file,
    // node:sqlite is synchronous and a transaction's steps only await settled promises, so no
    // request handler runs in the middle of one: a single statement outside a transaction can
    // run at once instead of queueing behind the transactions waiting for their group commit.
    read: tx,
    transaction: runTx,
    parallelBatches: 1,
    lockKeys: () => Promise.resolve(),
    async beginIngest(t, start) {
      if (start.pruneBefore !== null) await t.run('DELETE FROM signatures WHERE t < ?', [start.pruneBefore]);
      const fresh = new Set<string>();
      for (const sig of start.signatures) {
        if ((await t.run('INSERT INTO signatures (sig, t) VALUES (?, ?) ON CONFLICT (sig) DO NOTHING', [sig.value, sig.t])) === 1) fresh.add(sig.value);
      }
      for (const w of start.sweeps) {
        await t.run(
          `INSERT INTO sweeps (agent_id, sweep_id, site, started_at, finished_at, devices_found, devices_reported, first_received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [w.agentId, w.sweepId, w.site, w.startedAt, w.finishedAt, w.devicesFound, w.devicesReported, w.receivedAt],
        );
      }
      return fresh;
    },
    async readIngest(t, r) {
      const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
      const known = r.keys.length === 0 ? [] : await t.all(`SELECT key FROM device_reports WHERE key IN (${marks(r.keys.length)})`, r.keys, { key: 'text' });
      const taken = r.candidateIds.length === 0 ? [] : await t.all(`SELECT id FROM devices WHERE id IN (${marks(r.candidateIds.length)})`, r.candidateIds, { id: 'text' });
      // One query: SQLite answers each (site, kind, value) from the primary key.
      const found =
        r.pairs.length === 0
          ? []
          : await t.all(
              `SELECT ${DEVICE_COLUMNS.map((c) => `d.${c}`).join(', ')} FROM devices d WHERE d.id IN (
                 SELECT i.device_id FROM device_identifiers i WHERE ${r.pairs.map(() => '(i.site = ? AND i.kind = ? AND i.value = ?)').join(' OR ')})`,
              r.pairs.flatMap((p) => [p.site, p.kind, p.value]),
              DEVICE_ROW,
            );
      return { known: new Set(known.map((k) => k.key)), taken: new Set(taken.map((k) => k.id)), found: found.map(toStateRow) };
    },
    async writeIngest(t, plan) {
      for (const r of plan.repeats) await t.run('UPDATE device_reports SET receipts = receipts + ? WHERE key = ?', [r.n, r.key]);
      for (const { row, before } of plan.devices) {
        if (before === undefined) {
          await t.run(upsertDevice, stateParams(row));
          continue;
        }
        // Only the columns that changed: an index whose columns did not change is not touched.
        const changed = changedColumns(before, row);
        if (changed.length > 0) await t.run(`UPDATE devices SET ${changed.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`, [...changed.map(([, v]) => v), row.id]);
      }
      for (const r of plan.identifiers) {
        await t.run('INSERT INTO device_identifiers (site, kind, value, device_id) VALUES (?, ?, ?, ?) ON CONFLICT (site, kind, value) DO UPDATE SET device_id = excluded.device_id', [
          r.site,
          r.kind,
          r.value,
          r.deviceId,
        ]);
      }
      for (const r of plan.agents) {
        await t.run(
          `INSERT INTO device_agents (device_id, agent_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
           ON CONFLICT (device_id, agent_id) DO UPDATE SET
             first_seen = CASE WHEN excluded.first_seen < device_agents.first_seen THEN excluded.first_seen ELSE device_agents.first_seen END,
             last_seen = CASE WHEN excluded.last_seen > device_agents.last_seen THEN excluded.last_seen ELSE device_agents.last_seen END`,
          [r.deviceId, r.agentId, r.firstSeen, r.lastSeen],
        );
      }
      await dialect.insertHistory(t, plan.history);
      await dialect.enqueueForward(t, plan.forward);
      for (const r of plan.reports) {
        await t.run(
          `INSERT INTO device_reports (key, received_at, agent_id, site, sweep_id, sweep_started_at, identity, ip, mac, manufacturer, brand, model, kind, status, pack, rule, reason, json, device_id, receipts)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) ON CONFLICT (key) DO NOTHING`,
          [r.key, r.receivedAt, r.agentId, r.site, r.sweepId, r.sweepStartedAt, r.identity, r.ip, r.mac, r.manufacturer, r.brand, r.model, r.kind, r.status, r.pack, r.rule, r.reason, r.deviceId, r.receipts],
        );
      }
      for (const c of plan.receipts) {
        await t.run('INSERT INTO receipts (received_at, request_key, agent_id, sweep_id, devices, new_devices, bytes, remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          c.receivedAt,
          c.requestKey,
          c.agentId,
          c.sweepId,
          c.devices,
          c.newDevices,
          c.bytes,
          c.remote,
        ]);
      }
      for (const a of plan.agentsSeen) await t.run('UPDATE agents SET last_report_at = ? WHERE id = ?', [a.at, a.id]);
    },
    async insertHistory(t, rows) {
      for (const r of rows) {
        await t.run('INSERT INTO device_history (device_id, at, agent_id, sweep_id, change, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          r.deviceId,
          r.at,
          r.agentId,
          r.sweepId,
          r.change,
          r.before,
          r.after,
        ]);
      }
    },
    async enqueueForward(t, rows) {
      for (const r of rows) {
        await t.run('INSERT INTO forward_queue (sink, key, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sink, key) DO NOTHING', [
          r.sink,
          r.key,
          r.body,
          r.createdAt,
          r.createdAt,
        ]);
      }
    },
    claimForward(sinks, now, leaseMs, limit) {
      return runTx(async (t): Promise<ForwardItem[]> => {
        const rows = await t.all(
          `SELECT id, sink, key, body, attempts, created_at FROM forward_queue
           WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= ? AND sink IN (${sinks.map(() => '?').join(', ')})
           ORDER BY next_attempt_at, id LIMIT ?`,
          [now, ...sinks, limit],
          FORWARD_ROW,
        );
        for (const r of rows) await t.run('UPDATE forward_queue SET next_attempt_at = ? WHERE id = ?', [now + leaseMs, r.id]);
        return rows.map((r) => ({ id: r.id, sink: r.sink, key: r.key, body: r.body, attempts: r.attempts, createdAt: r.created_at }));
      });
    },
    close() {
      if (db.isOpen) db.close();
      return Promise.resolve();
    },
  };

  const store = createSqlStore(dialect, options.forward ?? { sinks: [], consoleUrl: null });
  const listReports = query(db, 'SELECT * FROM device_reports ORDER BY received_at DESC, agent_id, ip LIMIT ?', REPORT_ROW);
  const listEvents = query(db, 'SELECT * FROM events ORDER BY received_at, rowid LIMIT ?', EVENT_ROW);
  const one = (sql: string): number => query(db, sql, { n: 'int?' }).get()?.n ?? 0;
  const toStored = (r: RowOf<typeof REPORT_ROW>): StoredDevice => ({
    key: r.key,
    receivedAt: r.received_at,
    agentId: r.agent_id,
    site: r.site,
    sweepId: r.sweep_id,
    sweepStartedAt: r.sweep_started_at,
    identity: r.identity,
    ip: r.ip,
    mac: r.mac,
    manufacturer: r.manufacturer,
    brand: r.brand,
    model: r.model,
    kind: r.kind,
    status: r.status,
    pack: r.pack,
    rule: r.rule,
    reason: r.reason,
    receipts: r.receipts,
    deviceId: r.device_id,
  });
  return {
    ...store,
    file,
    counts: () => ({
      requests: one('SELECT COUNT(*) AS n FROM receipts'),
      deviceReceipts: one('SELECT SUM(devices) AS n FROM receipts'),
      devices: one('SELECT COUNT(*) AS n FROM device_reports'),
      sweeps: one('SELECT COUNT(*) AS n FROM sweeps'),
    }),
    listDevices: (o = {}) => listReports.all(o.limit ?? 1_000_000).map(toStored),
    listEvents: (o = {}) =>
      listEvents.all(o.limit ?? 1_000_000).map((r) => ({
        key: r.key,
        receivedAt: r.received_at,
        agentId: r.agent_id,
        site: r.site,
        sweepId: r.sweep_id,
        type: r.type,
        deviceId: r.device_id,
        at: r.at,
        ip: r.ip,
        mac: r.mac,
        manufacturer: r.manufacturer,
        model: r.model,
        status: r.status,
        before: r.before,
        after: r.after,
        receipts: r.receipts,
      })),
    integrityCheck: () => integrityCheck(db),
  };
}
