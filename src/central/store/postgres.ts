import { createHash } from 'node:crypto';
import pg from 'pg';
import { CamsweepError, ERR, errorMessage } from '../../domain/errors.ts';
import { latestVersion, type Migration } from '../../storage/migrations.ts';
import { rowsOf } from '../../storage/rows.ts';
import type { Logger } from '../../util/log.ts';
import type { StateRow } from '../device-state.ts';
import { ipSortKey } from '../../util/ip-sort-key.ts';
import { STATUS_ORDER, type ForwardItem } from '../types.ts';
import { POSTGRES_MIGRATIONS } from './schema-postgres.ts';
import { createSqlStore, DEVICE_COLUMNS, DEVICE_ROW, stateParams, toStateRow, UPSERT_DEVICE_SET, type Dialect, type Param, type Tx } from './sql-store.ts';
import type { CentralStore, ForwardSettings } from './store.ts';

/**
 * The PostgreSQL store (15+), through node-postgres (`pg`: docs/decisions/postgresql.md).
 * Several `central serve` processes may share one database: what must hold across them is a
 * constraint (one row per device report key, signature, identifier, sink and event key) or a
 * transaction (one report, one review), and two transactions touching the same device
 * serialise on advisory locks over its identifiers. Migrations are numbered and applied once,
 * under an advisory lock, by whichever process starts first.
 *
 * Batches go in one statement each (jsonb_populate_recordset), so a report costs about fifteen
 * round trips whatever its size.
 */

const MIGRATION_LOCK = 0x63616d73; // 'cams'
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TX_ATTEMPTS = 6;

/** `?` placeholders to `$1..$n` (our SQL has no `?` inside literals). */
const converted = new Map<string, string>();
export function toDollar(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/gu, () => `$${(n += 1)}`);
    converted.set(sql, out);
  }
  return out;
}

/** The URL without its password, for logs and `location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = 'redacted';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Statements run as named prepared statements (parsed and planned once per connection, not per
 * call): the name is a hash of the text, so the same statement gets the same name everywhere.
 */
const names = new Map<string, string>();
function named(sql: string): { name: string; text: string } {
  let name = names.get(sql);
  if (name === undefined) {
    name = `cs_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return { name, text: toDollar(sql) };
}

function txOn(client: Queryable): Tx {
  return {
    async all(sql, params, shape) {
      const r = await client.query({ ...named(sql), values: params as Param[] });
      return rowsOf(shape, r.rows);
    },
    async run(sql, params) {
      const r = await client.query({ ...named(sql), values: params as Param[] });
      return r.rowCount ?? 0;
    },
  };
}

/**
 * The address sort keys of rows written before devices.ip_key existed (the console migration
 * adds it as ''), computed once in app code (ipSortKey). When none is left it costs one seek of
 * devices_sort_ip per status. An ip written meanwhile is written with its key, so a row whose ip
 * moved is left alone.
 */
async function fillIpKeys(pool: pg.Pool): Promise<void> {
  for (const status of STATUS_ORDER) {
    for (;;) {
      const rows = rowsOf({ id: 'text', ip: 'text' }, (await pool.query("SELECT id, ip FROM devices WHERE status = $1 AND ip_key = '' LIMIT 1000", [status])).rows);
      if (rows.length === 0) break;
      await pool.query(
        `UPDATE devices d SET ip_key = u.k FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, ip, k)
         WHERE d.id = u.id AND d.ip = u.ip AND d.ip_key = ''`,
        [rows.map((r) => r.id), rows.map((r) => r.ip), rows.map((r) => ipSortKey(r.ip))],
      );
    }
  }
}

async function migrate(pool: pg.Pool, migrations: readonly Migration[], now: () => Date): Promise<void> {
  const client = await pool.connect();
  try {
    const version = rowsOf({ v: 'int' }, (await client.query("SELECT current_setting('server_version_num')::int AS v")).rows)[0]?.v ?? 0;
    if (version < 150000) throw new CamsweepError(ERR.CENTRAL_DB_VERSION, `PostgreSQL ${Math.floor(version / 10000)} is too old: the central service needs PostgreSQL 15 or later`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const latest = latestVersion(migrations);
      const current = rowsOf({ v: 'int?' }, (await client.query('SELECT MAX(version) AS v FROM schema_migrations')).rows)[0]?.v ?? 0;
      if (current > latest) {
        throw new CamsweepError(ERR.CENTRAL_SCHEMA_NEWER, `the database has schema version ${current}, newer than this camsweep knows (${latest}): upgrade camsweep`);
      }
      for (const m of migrations) {
        if (m.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now().toISOString()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

const FORWARD_ROW = { id: 'int', sink: 'text', key: 'text', body: 'text', attempts: 'int', created_at: 'int' } as const;

export interface PostgresOptions {
  forward?: ForwardSettings;
  /** Connections in this process's pool (default 16). */
  poolSize?: number;
  log?: Logger;
  now?: () => Date;
}

export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<CentralStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 16,
    application_name: 'camsweep-central',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that breaks (server restart) must not crash the process: the pool drops it.
  pool.on('error', (err) => options.log?.warn({ database: { error: errorMessage(err) } }, 'a PostgreSQL connection failed; the pool replaces it'));
  try {
    await migrate(pool, POSTGRES_MIGRATIONS, options.now ?? (() => new Date()));
    await fillIpKeys(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof CamsweepError) throw err;
    throw new CamsweepError(ERR.CENTRAL_DB_OPEN, `cannot open ${redactUrl(url)}: ${errorMessage(err)}`, { cause: err });
  }

  const transaction = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const out = await fn(txOn(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && RETRYABLE.has(code) && attempt < MAX_TX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  };

  const json = (rows: readonly object[]): string => JSON.stringify(rows);
  // The devices row in DEVICE_COLUMNS order, as stateParams writes it on the embedded store (ip_key included).
  const deviceJson = (r: StateRow): Record<string, unknown> => {
    const values = stateParams(r);
    return Object.fromEntries(DEVICE_COLUMNS.map((c, i) => [c, values[i]]));
  };
  const deviceCols = DEVICE_COLUMNS.join(', ');

  const dialect: Dialect = {
    kind: 'postgres',
    location: redactUrl(url),
    read: txOn(pool),
    transaction,
    async lockKeys(tx, keys) {
      if (keys.length === 0) return;
      // In the order given (sorted by the caller): two transactions never wait on each other in a cycle over these.
      await tx.all('SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) AS n FROM unnest(?::text[]) AS u(k)', [keys], { n: 'int' });
    },
    // Two batches at once: one can work while the other waits for its commit or a lock held by
    // another process. A batch of reports costs five round trips: BEGIN, beginIngest, readIngest, writeIngest,
    // COMMIT. The locks are taken in the statement before the reads, so the reads' snapshot
    // (READ COMMITTED: one per statement) sees whatever another process committed under them.
    parallelBatches: 2,
    async beginIngest(tx, start) {
      const [r] = await tx.all(
        `WITH pruned AS (DELETE FROM signatures WHERE t < ?::bigint),
              sig AS (INSERT INTO signatures (sig, t) SELECT sig, t FROM jsonb_populate_recordset(NULL::signatures, ?::jsonb) ON CONFLICT (sig) DO NOTHING RETURNING sig),
              sw AS (INSERT INTO sweeps (agent_id, sweep_id, site, started_at, finished_at, devices_found, devices_reported, first_received_at)
                     SELECT agent_id, sweep_id, site, started_at, finished_at, devices_found, devices_reported, first_received_at
                     FROM jsonb_populate_recordset(NULL::sweeps, ?::jsonb) ON CONFLICT DO NOTHING)
         SELECT (SELECT coalesce(json_agg(sig), '[]')::text FROM sig) AS fresh,
                (SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest(?::text[]) AS u(k)) AS locks`,
        [
          start.pruneBefore ?? -1,
          json(start.signatures.map((g) => ({ sig: g.value, t: g.t }))),
          json(
            start.sweeps.map((w) => ({
              agent_id: w.agentId,
              sweep_id: w.sweepId,
              site: w.site,
              started_at: w.startedAt,
              finished_at: w.finishedAt,
              devices_found: w.devicesFound,
              devices_reported: w.devicesReported,
              first_received_at: w.receivedAt,
            })),
          ),
          start.lockKeys,
        ],
        { fresh: 'text', locks: 'int' },
      );
      return new Set((JSON.parse(r!.fresh) as unknown[]).filter((v): v is string => typeof v === 'string'));
    },
    async readIngest(tx, q) {
      const [r] = await tx.all(
        `SELECT
           (SELECT coalesce(json_agg(key), '[]')::text FROM device_reports WHERE key = ANY(?::text[])) AS known,
           (SELECT coalesce(json_agg(id), '[]')::text FROM devices WHERE id = ANY(?::text[])) AS taken,
           (SELECT coalesce(json_agg(d), '[]')::text FROM (SELECT ${deviceCols} FROM devices WHERE id IN (
              SELECT i.device_id FROM device_identifiers i JOIN unnest(?::text[], ?::text[], ?::text[]) AS p(site, kind, value)
                ON i.site = p.site AND i.kind = p.kind AND i.value = p.value)) d) AS found`,
        [q.keys, q.candidateIds, q.pairs.map((p) => p.site), q.pairs.map((p) => p.kind), q.pairs.map((p) => p.value)],
        { known: 'text', taken: 'text', found: 'text' },
      );
      const strings = (text: string): Set<string> => new Set((JSON.parse(text) as unknown[]).filter((v): v is string => typeof v === 'string'));
      return { known: strings(r!.known), taken: strings(r!.taken), found: rowsOf(DEVICE_ROW, JSON.parse(r!.found) as unknown[]).map(toStateRow) };
    },
    async writeIngest(tx, plan) {
      await tx.run(
        `WITH
           dv AS (INSERT INTO devices (${deviceCols}) SELECT ${deviceCols} FROM jsonb_populate_recordset(NULL::devices, ?::jsonb)
                  ON CONFLICT (id) DO UPDATE SET ${UPSERT_DEVICE_SET}),
           di AS (INSERT INTO device_identifiers (site, kind, value, device_id)
                  SELECT site, kind, value, device_id FROM jsonb_populate_recordset(NULL::device_identifiers, ?::jsonb)
                  ON CONFLICT (site, kind, value) DO UPDATE SET device_id = excluded.device_id),
           da AS (INSERT INTO device_agents (device_id, agent_id, first_seen, last_seen)
                  SELECT device_id, agent_id, first_seen, last_seen FROM jsonb_populate_recordset(NULL::device_agents, ?::jsonb)
                  ON CONFLICT (device_id, agent_id) DO UPDATE SET
                    first_seen = LEAST(device_agents.first_seen, excluded.first_seen),
                    last_seen = GREATEST(device_agents.last_seen, excluded.last_seen)),
           dh AS (INSERT INTO device_history (device_id, at, agent_id, sweep_id, change, before, after)
                  SELECT device_id, at, agent_id, sweep_id, change, before, after FROM jsonb_populate_recordset(NULL::device_history, ?::jsonb)),
           fq AS (INSERT INTO forward_queue (sink, key, body, created_at, next_attempt_at)
                  SELECT sink, key, body, created_at, created_at FROM jsonb_populate_recordset(NULL::forward_queue, ?::jsonb)
                  ON CONFLICT (sink, key) DO NOTHING),
           dr AS (INSERT INTO device_reports (key, received_at, agent_id, site, sweep_id, sweep_started_at, identity, ip, mac, manufacturer, brand, model, kind, status, pack, rule, reason, json, device_id, receipts)
                  SELECT key, received_at, agent_id, site, sweep_id, sweep_started_at, identity, ip, mac, manufacturer, brand, model, kind, status, pack, rule, reason, '', device_id, receipts
                  FROM jsonb_populate_recordset(NULL::device_reports, ?::jsonb)
                  ON CONFLICT (key) DO NOTHING),
           rp AS (UPDATE device_reports r SET receipts = r.receipts + u.n FROM jsonb_to_recordset(?::jsonb) AS u(key text, n integer) WHERE r.key = u.key),
           ag AS (UPDATE agents a SET last_report_at = u.at FROM jsonb_to_recordset(?::jsonb) AS u(id text, at text) WHERE a.id = u.id)
         INSERT INTO receipts (received_at, request_key, agent_id, sweep_id, devices, new_devices, bytes, remote)
         SELECT received_at, request_key, agent_id, sweep_id, devices, new_devices, bytes, remote FROM jsonb_populate_recordset(NULL::receipts, ?::jsonb)`,
        [
          json(plan.devices.map(({ row }) => deviceJson(row))),
          json(plan.identifiers.map((r) => ({ site: r.site, kind: r.kind, value: r.value, device_id: r.deviceId }))),
          json(plan.agents.map((r) => ({ device_id: r.deviceId, agent_id: r.agentId, first_seen: r.firstSeen, last_seen: r.lastSeen }))),
          json(plan.history.map((r) => ({ device_id: r.deviceId, at: r.at, agent_id: r.agentId, sweep_id: r.sweepId, change: r.change, before: r.before, after: r.after }))),
          json(plan.forward.map((r) => ({ sink: r.sink, key: r.key, body: r.body, created_at: r.createdAt }))),
          json(
            plan.reports.map((r) => ({
              key: r.key,
              received_at: r.receivedAt,
              agent_id: r.agentId,
              site: r.site,
              sweep_id: r.sweepId,
              sweep_started_at: r.sweepStartedAt,
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
              device_id: r.deviceId,
              receipts: r.receipts,
            })),
          ),
          json(plan.repeats),
          json(plan.agentsSeen),
          json(
            plan.receipts.map((c) => ({
              received_at: c.receivedAt,
              request_key: c.requestKey,
              agent_id: c.agentId,
              sweep_id: c.sweepId,
              devices: c.devices,
              new_devices: c.newDevices,
              bytes: c.bytes,
              remote: c.remote,
            })),
          ),
        ],
      );
    },
    async insertHistory(tx, rows) {
      if (rows.length === 0) return;
      await tx.run(
        `INSERT INTO device_history (device_id, at, agent_id, sweep_id, change, before, after)
         SELECT device_id, at, agent_id, sweep_id, change, before, after FROM jsonb_populate_recordset(NULL::device_history, ?::jsonb)`,
        [json(rows.map((r) => ({ device_id: r.deviceId, at: r.at, agent_id: r.agentId, sweep_id: r.sweepId, change: r.change, before: r.before, after: r.after })))],
      );
    },
    async enqueueForward(tx, rows) {
      if (rows.length === 0) return;
      await tx.run(
        `INSERT INTO forward_queue (sink, key, body, created_at, next_attempt_at)
         SELECT sink, key, body, created_at, created_at FROM jsonb_populate_recordset(NULL::forward_queue, ?::jsonb)
         ON CONFLICT (sink, key) DO NOTHING`,
        [json(rows.map((r) => ({ sink: r.sink, key: r.key, body: r.body, created_at: r.createdAt })))],
      );
    },
    claimForward(sinks, now, leaseMs, limit) {
      return transaction(async (tx): Promise<ForwardItem[]> => {
        const rows = await tx.all(
          `UPDATE forward_queue SET next_attempt_at = ? WHERE id IN (
             SELECT id FROM forward_queue WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= ? AND sink = ANY(?::text[])
             ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
           RETURNING id, sink, key, body, attempts, created_at`,
          [now + leaseMs, now, sinks, limit],
          FORWARD_ROW,
        );
        return rows.map((r) => ({ id: r.id, sink: r.sink, key: r.key, body: r.body, attempts: r.attempts, createdAt: r.created_at }));
      });
    },
    close: () => pool.end(),
  };
  return createSqlStore(dialect, options.forward ?? { sinks: [], consoleUrl: null });
}
