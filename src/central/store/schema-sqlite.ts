import type { Migration } from '../../storage/migrations.ts';

/**
 * The embedded store's schema (node:sqlite), as numbered migrations. Version 1 is the reference
 * receiver's schema as it shipped (receiver.db files written before the central service open
 * and upgrade in place); version 2 keeps its device rows as `device_reports` (one b-tree keyed
 * by device key), rebuilds the replay table with an index on time, and adds the central
 * service: agents, users and API tokens,
 * the latest state of each device, its identifiers, agents, history and reviews, and the
 * forwarding queue. Never edit a released migration: add the next one.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'reference receiver: receipts, sweeps, device keys, signatures, events',
    sql: `
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
`,
  },
  {
    version: 2,
    name: 'central service: agents, users, device state, identifiers, history, reviews, forwarding',
    sql: `
CREATE TABLE device_reports (
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
  json TEXT NOT NULL,
  device_id TEXT
) WITHOUT ROWID;
INSERT INTO device_reports (key, received_at, agent_id, site, sweep_id, sweep_started_at, identity, ip, mac, manufacturer, brand, model, kind, status, pack, rule, reason, receipts, json)
  SELECT key, received_at, agent_id, site, sweep_id, sweep_started_at, identity, ip, mac, manufacturer, brand, model, kind, status, pack, rule, reason, receipts, json FROM devices;
DROP TABLE devices;
CREATE INDEX device_reports_sweep ON device_reports (agent_id, sweep_id);
-- Signatures live five minutes: the table is rebuilt keyed by signature alone (no rowid) with an index on time, so a prune visits only expired rows.
DROP TABLE signatures;
CREATE TABLE signatures (sig TEXT PRIMARY KEY, t INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX signatures_t ON signatures (t);
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  cert_fingerprint TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  last_report_at TEXT
);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users (name),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  mac TEXT,
  epr TEXT,
  udn TEXT,
  serial TEXT,
  ip TEXT NOT NULL,
  manufacturer TEXT,
  brand TEXT,
  model TEXT,
  firmware TEXT,
  kind TEXT NOT NULL,
  verdict_status TEXT NOT NULL,
  status TEXT NOT NULL,
  pack TEXT,
  rule TEXT,
  reason TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  last_observed TEXT NOT NULL,
  last_agent TEXT NOT NULL,
  review_state TEXT,
  review_until TEXT,
  review_by TEXT,
  review_at TEXT,
  document TEXT NOT NULL
);
CREATE INDEX devices_status ON devices (status, id);
CREATE INDEX devices_site ON devices (site, status, id);
CREATE INDEX devices_exceptions ON devices (review_until) WHERE review_state = 'exception';
CREATE TABLE device_identifiers (
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  device_id TEXT NOT NULL,
  PRIMARY KEY (site, kind, value)
);
CREATE INDEX device_identifiers_device ON device_identifiers (device_id);
CREATE TABLE device_agents (
  device_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (device_id, agent_id)
);
CREATE INDEX device_agents_agent ON device_agents (agent_id, device_id);
CREATE TABLE device_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  sweep_id TEXT NOT NULL,
  change TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX device_history_device ON device_history (device_id, id);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('confirmed', 'exception', 'replaced', 'false-positive')),
  note TEXT NOT NULL,
  until TEXT,
  user_name TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX reviews_device ON reviews (device_id, id);
CREATE TRIGGER reviews_append_only_update BEFORE UPDATE ON reviews BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_append_only_delete BEFORE DELETE ON reviews BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TABLE forward_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sink TEXT NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  delivered_at INTEGER,
  dead_at INTEGER,
  UNIQUE (sink, key)
);
CREATE INDEX forward_queue_due ON forward_queue (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
`,
  },
  {
    version: 3,
    name: 'console: address sort keys, list indexes, overview counts, sessions, daily counts',
    sql: `
-- The console's device list walks the status groups in order (restricted first), each group in
-- the order of the chosen sort: one index per sort, led by status, so every page is a range of
-- one index whatever the estate's size. Only columns that rarely change (a report that only
-- moves last-seen still touches no index, which is why last-seen is not a sort).
-- Addresses sort by ip_key (src/util/ip-sort-key.ts: numeric, IPv4 then IPv6 then the rest),
-- written by the store with every ip it writes; the address as written breaks ties. The rows
-- this adds it to key '' (first in their group, and they page) until the store, opening, fills
-- their keys (fillIpKeys).
ALTER TABLE devices ADD COLUMN ip_key TEXT NOT NULL DEFAULT '';
CREATE INDEX devices_sort_site ON devices (status, site, ip_key, ip, id);
CREATE INDEX devices_sort_ip ON devices (status, ip_key, ip, id);
CREATE INDEX devices_sort_maker ON devices (status, COALESCE(manufacturer, ''), COALESCE(model, ''), id);
CREATE INDEX devices_sort_first ON devices (status, first_seen, id);
-- A search (a substring of IP, MAC, model or serial) scans this narrow index, not the device rows.
CREATE INDEX devices_search ON devices (ip, mac, model, serial, id);
-- The overview's counts (per site, status, maker, brand, kind) from one scan of this index alone.
CREATE INDEX devices_counts ON devices (site, status, manufacturer, brand, kind);
-- Each agent's latest sweep and last report (one entry per sweep, written once), and the devices
-- an agent first saw in a given sweep (first_seen moves only when an older report arrives late).
CREATE INDEX sweeps_agent ON sweeps (agent_id, started_at, first_received_at, site);
CREATE INDEX device_agents_first ON device_agents (agent_id, first_seen);

CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
CREATE INDEX console_sessions_user ON console_sessions (user_name);
-- The chart of restricted devices over time: the count of devices by status, per day, for the
-- estate ('estate') and each site ('site:<name>'), recorded by the service (the day's row is rewritten until the day ends).
CREATE TABLE counts_daily (
  scope TEXT NOT NULL,
  day TEXT NOT NULL,
  status TEXT NOT NULL,
  devices INTEGER NOT NULL,
  PRIMARY KEY (scope, day, status)
);
`,
  },
  {
    version: 4,
    name: 'report retention: per-report rows by time of receipt',
    sql: `
-- Per-report rows (one per device per sweep, one per request) are kept for a retention period
-- (central serve --keep-reports); the prune walks these indexes, oldest first.
CREATE INDEX device_reports_received ON device_reports (received_at);
CREATE INDEX receipts_received ON receipts (received_at);
`,
  },
  {
    version: 5,
    name: 'sign-in attempts shared by every process on the store',
    sql: `
-- The console's sign-in limits count attempts here, so that several central serve processes
-- behind one balancer do not each grant the full allowance. One row per attempt and scope
-- ('address': the client's address key, 'user': the lowercased user name); an attempt's rows
-- go when it succeeds, the rest when they are older than the limits' window.
CREATE TABLE login_attempts (
  attempt TEXT NOT NULL,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (attempt, scope)
);
CREATE INDEX login_attempts_key ON login_attempts (scope, key, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
`,
  },
];
