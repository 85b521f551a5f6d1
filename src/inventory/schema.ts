/**
 * The inventory database's schema, as numbered migrations. Each runs once, in its own
 * transaction, and is recorded in `schema_migrations`; a database written by a newer camsweep
 * (a version this list does not know) is refused rather than misread. Never edit a released
 * migration: add the next one.
 */
import type { Migration } from '../storage/migrations.ts';

export type { Migration } from '../storage/migrations.ts';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, records, sweeps, presence, snapshots, events, verdicts',
    sql: `
CREATE TABLE sweeps (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  devices INTEGER NOT NULL,
  restricted INTEGER NOT NULL,
  review INTEGER NOT NULL,
  clear INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  changes INTEGER NOT NULL,
  interfaces TEXT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  mac TEXT,
  epr TEXT,
  udn TEXT,
  serial TEXT,
  ip TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  sweeps INTEGER NOT NULL,
  present INTEGER NOT NULL,
  status TEXT NOT NULL,
  snapshot TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX devices_mac ON devices (mac);
CREATE INDEX devices_ip ON devices (ip);
CREATE TABLE records (
  device_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  json TEXT NOT NULL
);
CREATE TABLE presence (
  sweep_seq INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  snapshot_id INTEGER NOT NULL,
  PRIMARY KEY (sweep_seq, device_id)
) WITHOUT ROWID;
CREATE TABLE events (
  sweep_seq INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  type TEXT NOT NULL,
  device_id TEXT NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (sweep_seq, ord)
) WITHOUT ROWID;
CREATE TABLE verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  sweep_id TEXT NOT NULL,
  at TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  pack TEXT,
  rule TEXT
);
CREATE INDEX verdicts_device ON verdicts (device_id, id);
`,
  },
  {
    version: 2,
    name: 'sightings and departures between sweeps (sweeps.kind), devices possibly gone (devices.leaving)',
    // A record is a sweep, a sighting (devices identified from their announcements between
    // sweeps) or a departure (a device said goodbye). They share the sequence, so presence and
    // events keep one order; `camsweep sweeps`, `diff` and retention count sweeps only.
    sql: `
ALTER TABLE sweeps ADD COLUMN kind TEXT NOT NULL DEFAULT 'sweep';
CREATE INDEX sweeps_kind ON sweeps (kind, seq);
ALTER TABLE devices ADD COLUMN leaving TEXT;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
