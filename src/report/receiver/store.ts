import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openDatabase, transaction } from '../sqlite.ts';
import type { ReceivedEvent, ReceivedReport } from './validate.ts';

/**
 * The receiver's own database: one row per device key (a repeat only bumps its receipt count),
 * one row per sweep, one row per accepted request (duplicates included, for audit and for the
 * delivery tests), one row per change-event key (the daemon's reports), and the signatures seen
 * within the replay window.
 */

export const RECEIVER_FILE = 'receiver.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  request_key TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  sweep_id TEXT NOT NULL,
  devices INTEGER NOT NULL,
  new_devices INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  remote TEXT
);
CREATE TABLE IF NOT EXISTS sweeps (
  agent_id TEXT NOT NULL,
  sweep_id TEXT NOT NULL,
  site TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  devices_found INTEGER NOT NULL,
  devices_reported INTEGER NOT NULL,
  first_received_at INTEGER NOT NULL,
  PRIMARY KEY (agent_id, sweep_id)
);
CREATE TABLE IF NOT EXISTS devices (
  key TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  site TEXT,
  sweep_id TEXT NOT NULL,
  sweep_started_at TEXT NOT NULL,
  identity TEXT NOT NULL,
  ip TEXT NOT NULL,
  mac TEXT,
  manufacturer TEXT,
  brand TEXT,
  model TEXT,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  pack TEXT,
  rule TEXT,
  reason TEXT NOT NULL,
  receipts INTEGER NOT NULL DEFAULT 1,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS devices_sweep ON devices (agent_id, sweep_id);
CREATE TABLE IF NOT EXISTS signatures (sig TEXT PRIMARY KEY, t INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  key TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  site TEXT,
  sweep_id TEXT NOT NULL,
  type TEXT NOT NULL,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  ip TEXT NOT NULL,
  mac TEXT,
  manufacturer TEXT,
  model TEXT,
  status TEXT NOT NULL,
  before TEXT,
  after TEXT,
  receipts INTEGER NOT NULL DEFAULT 1,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_sweep ON events (agent_id, sweep_id);
PRAGMA user_version = 1;
`;

export interface ReceiptMeta {
  receivedAt: number;
  bytes: number;
  remote: string | null;
  /** The request's signature, refused if seen within the replay window. */
  signature?: { value: string; t: number; windowMs: number };
}

export type RecordResult =
  | { kind: 'stored'; accepted: number; duplicates: number; events?: { accepted: number; duplicates: number } }
  | { kind: 'replay' };

export interface StoredDevice {
  key: string;
  receivedAt: number;
  agentId: string;
  site: string | null;
  sweepId: string;
  sweepStartedAt: string;
  identity: string;
  ip: string;
  mac: string | null;
  manufacturer: string | null;
  brand: string | null;
  model: string | null;
  kind: string;
  status: string;
  pack: string | null;
  rule: string | null;
  reason: string;
  /** How many times this key arrived (1 = never repeated). */
  receipts: number;
}

/** A change event as stored (one row per event key). */
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
  /** Accepted requests, repeats included. */
  requests: number;
  /** Device entries received, repeats included. */
  deviceReceipts: number;
  /** Distinct device keys stored. */
  devices: number;
  sweeps: number;
}

export interface ReceiverStore {
  readonly file: string;
  record(report: ReceivedReport, meta: ReceiptMeta): RecordResult;
  listDevices(options?: { limit?: number }): StoredDevice[];
  /** The stored JSON of every device (as the agent sent it). */
  deviceDocuments(): unknown[];
  /** Change events received (reports from the daemon), oldest first. */
  listEvents(options?: { limit?: number }): StoredEvent[];
  counts(): ReceiverCounts;
  integrityCheck(): string;
  close(): void;
}

interface DeviceRow {
  key: string;
  received_at: number;
  agent_id: string;
  site: string | null;
  sweep_id: string;
  sweep_started_at: string;
  identity: string;
  ip: string;
  mac: string | null;
  manufacturer: string | null;
  brand: string | null;
  model: string | null;
  kind: string;
  status: string;
  pack: string | null;
  rule: string | null;
  reason: string;
  receipts: number;
}

interface EventRow {
  key: string;
  received_at: number;
  agent_id: string;
  site: string | null;
  sweep_id: string;
  type: string;
  device_id: string;
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

export function receiverPath(dataDir: string): string {
  return path.join(dataDir, RECEIVER_FILE);
}

export function openReceiverStore(dataDir: string, options: { readOnly?: boolean } = {}): ReceiverStore {
  const file = receiverPath(dataDir);
  const db: DatabaseSync = openDatabase(file, SCHEMA, options);
  const stmt = options.readOnly === true
    ? undefined
    : {
        prune: db.prepare('DELETE FROM signatures WHERE t < ?'),
        seen: db.prepare('INSERT INTO signatures (sig, t) VALUES (?, ?) ON CONFLICT (sig) DO NOTHING'),
        sweep: db.prepare(
          `INSERT INTO sweeps (agent_id, sweep_id, site, started_at, finished_at, devices_found, devices_reported, first_received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        ),
        device: db.prepare(
          `INSERT INTO devices (key, received_at, agent_id, site, sweep_id, sweep_started_at, identity, ip, mac, manufacturer, brand, model, kind, status, pack, rule, reason, json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        ),
        repeat: db.prepare('UPDATE devices SET receipts = receipts + 1 WHERE key = ?'),
        event: db.prepare(
          `INSERT INTO events (key, received_at, agent_id, site, sweep_id, type, device_id, at, ip, mac, manufacturer, model, status, before, after, json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        ),
        repeatEvent: db.prepare('UPDATE events SET receipts = receipts + 1 WHERE key = ?'),
        receipt: db.prepare(
          'INSERT INTO receipts (received_at, request_key, agent_id, sweep_id, devices, new_devices, bytes, remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
      };

  return {
    file,
    record(report, meta) {
      if (!stmt) throw new Error('receiver store opened read-only');
      return transaction(db, (): RecordResult => {
        if (meta.signature) {
          stmt.prune.run(Math.floor((meta.receivedAt - meta.signature.windowMs) / 1000) - 1);
          if (Number(stmt.seen.run(meta.signature.value, meta.signature.t).changes) === 0) return { kind: 'replay' };
        }
        const agent = report.agent.id;
        const sweep = report.sweep;
        stmt.sweep.run(agent, sweep.id, report.site, sweep.startedAt, sweep.finishedAt, sweep.devicesFound, sweep.devicesReported, meta.receivedAt);
        let accepted = 0;
        for (const d of report.devices) {
          const added = stmt.device.run(
            d.idempotencyKey,
            meta.receivedAt,
            agent,
            report.site,
            sweep.id,
            sweep.startedAt,
            d.identity,
            d.ip,
            d.mac,
            d.manufacturer,
            d.brand,
            d.model,
            d.kind,
            d.verdict.status,
            d.verdict.pack ?? null,
            d.verdict.rule ?? null,
            d.verdict.reason,
            JSON.stringify(d),
          ).changes;
          if (Number(added) === 1) accepted += 1;
          else stmt.repeat.run(d.idempotencyKey);
        }
        stmt.receipt.run(meta.receivedAt, report.idempotencyKey, agent, sweep.id, report.devices.length, accepted, meta.bytes, meta.remote);
        if (report.events === undefined) return { kind: 'stored', accepted, duplicates: report.devices.length - accepted };
        const storeEvent = (e: ReceivedEvent): boolean => {
          const added = stmt.event.run(
            e.idempotencyKey,
            meta.receivedAt,
            agent,
            report.site,
            sweep.id,
            e.type,
            e.deviceId,
            e.at,
            e.device.ip,
            e.device.mac,
            e.device.manufacturer,
            e.device.model,
            e.device.status,
            e.before ?? null,
            e.after ?? null,
            JSON.stringify(e),
          ).changes;
          if (Number(added) === 1) return true;
          stmt.repeatEvent.run(e.idempotencyKey);
          return false;
        };
        const eventsAccepted = report.events.filter(storeEvent).length;
        return {
          kind: 'stored',
          accepted,
          duplicates: report.devices.length - accepted,
          events: { accepted: eventsAccepted, duplicates: report.events.length - eventsAccepted },
        };
      });
    },
    listDevices(opts = {}) {
      const rows = db
        .prepare('SELECT * FROM devices ORDER BY received_at DESC, agent_id, ip LIMIT ?')
        .all(opts.limit ?? 1_000_000) as unknown as DeviceRow[];
      return rows.map((r) => ({
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
      }));
    },
    deviceDocuments() {
      return (db.prepare('SELECT json FROM devices ORDER BY key').all() as unknown as Array<{ json: string }>).map((r) => JSON.parse(r.json) as unknown);
    },
    listEvents(opts = {}) {
      // A database written before events existed (opened read-only, so not upgraded) has none.
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() === undefined) return [];
      const rows = db.prepare('SELECT * FROM events ORDER BY received_at, rowid LIMIT ?').all(opts.limit ?? 1_000_000) as unknown as EventRow[];
      return rows.map((r) => ({
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
      }));
    },
    counts() {
      const one = (sql: string): number => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
      return {
        requests: one('SELECT COUNT(*) AS n FROM receipts'),
        deviceReceipts: one('SELECT SUM(devices) AS n FROM receipts'),
        devices: one('SELECT COUNT(*) AS n FROM devices'),
        sweeps: one('SELECT COUNT(*) AS n FROM sweeps'),
      };
    },
    integrityCheck() {
      return (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}
