import { CamsweepError } from '../../domain/errors.ts';
import { matchDevices, type IdentityKeys, type KnownIdentity } from '../../inventory/identity.ts';
import type { ReceivedDevice, ReceivedReport } from '../../report/receiver/validate.ts';
import type { RowOf, Shape } from '../../storage/rows.ts';
import {
  applyObservation,
  centralDeviceId,
  effectiveStatus,
  identifierPairs,
  keysOf,
  utcDate,
  type Change,
  type ForwardSpec,
  type Observation,
  type StateRow,
} from '../device-state.ts';
import { buildEvent, type CentralEvent } from '../events.ts';
import type {
  AgentRecord,
  DeviceDetail,
  DeviceStatus,
  DeviceSummary,
  ForwardItem,
  ReviewRecord,
  ReviewState,
  Role,
  UserRecord,
  VerdictStatus,
} from '../types.ts';
import type { CentralStore, ForwardSettings, IngestMeta, IngestResult } from './store.ts';

/**
 * The central store's logic, written once over a small SQL dialect (sqlite.ts, postgres.ts):
 * plain SQL with `?` placeholders that both engines run, plus a few batch operations each
 * dialect does its own way (PostgreSQL in one statement per batch, SQLite in a loop of cached
 * statements, which costs nothing in-process).
 *
 * One report is one transaction: the replay check (a signature row: a primary key), the sweep,
 * one row per device report key (a primary key: a repeat from any process only bumps its
 * count), then, for the keys that are new, the device state: the site's known devices found
 * by any identifier, matched as the inventory matches (MAC > EPR > UDN > serial > IP), the
 * latest state updated from the newest observation, identifiers, agents, history and the
 * events to forward (one row per sink and event key: a unique constraint). On PostgreSQL the
 * transaction first takes advisory locks on every identifier it touches, so two processes
 * ingesting the same device serialise on it, and is retried on a deadlock or a serialisation
 * failure.
 */

/** A statement parameter; arrays only where the dialect takes them (PostgreSQL's batch statements). */
export type Param = string | number | null | readonly string[];

export interface Tx {
  all<S extends Shape>(sql: string, params: readonly Param[], shape: S): Promise<Array<RowOf<S>>>;
  run(sql: string, params: readonly Param[]): Promise<number>;
}

export interface DeviceReportRow {
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
  deviceId: string | null;
}

export interface IdentifierRow {
  site: string;
  kind: string;
  value: string;
  deviceId: string;
}
export interface DeviceAgentRow {
  deviceId: string;
  agentId: string;
  seen: string;
}
export interface HistoryRow {
  deviceId: string;
  at: string;
  agentId: string;
  sweepId: string;
  change: string;
  before: string | null;
  after: string | null;
}
export interface ForwardRow {
  sink: string;
  key: string;
  body: string;
  createdAt: number;
}

export interface IngestStart {
  signature: { value: string; t: number; pruneBefore: number | null } | null;
  /** Sorted: `site<US>kind<US>value` of every identifier of the report's devices. */
  lockKeys: string[];
  sweep: { agentId: string; sweepId: string; site: string | null; startedAt: string; finishedAt: string; devicesFound: number; devicesReported: number; receivedAt: number };
}

export interface IngestRead {
  keys: string[];
  site: string;
  pairs: Array<{ kind: string; value: string }>;
  /** First-choice ids of the devices, should they be new: which are taken. */
  candidateIds: string[];
}

export interface IngestFound {
  known: Set<string>;
  found: StateRow[];
  taken: Set<string>;
}

export interface IngestPlan {
  repeats: string[];
  devices: Array<{ row: StateRow; before: StateRow | undefined }>;
  identifiers: IdentifierRow[];
  agents: DeviceAgentRow[];
  history: HistoryRow[];
  forward: ForwardRow[];
  reports: DeviceReportRow[];
  receipt: { receivedAt: number; requestKey: string; agentId: string; sweepId: string; devices: number; newDevices: number; bytes: number; remote: string | null };
  agentSeen: { id: string; at: string } | null;
}

/** Thrown inside a report's transaction when its signature was seen before: everything is rolled back. */
export class ReplayError extends Error {}

export interface Dialect {
  readonly kind: 'embedded' | 'postgres';
  readonly location: string;
  /** Reads outside a transaction. */
  readonly read: Tx;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Serialises transactions touching the same keys across processes (PostgreSQL); a no-op where a transaction locks the whole file. */
  lockKeys(tx: Tx, keys: readonly string[]): Promise<void>;
  /**
   * The start of a report's transaction: prune expired signatures (when `pruneBefore` is set),
   * record the signature (false: it was seen before, a replay), take the locks, record the sweep.
   */
  beginIngest(tx: Tx, start: IngestStart): Promise<boolean>;
  /** What the report's devices meet in the store, read after the locks are held. */
  readIngest(tx: Tx, read: IngestRead): Promise<IngestFound>;
  /** Everything the report changes, written together. */
  writeIngest(tx: Tx, plan: IngestPlan): Promise<void>;
  insertHistory(tx: Tx, rows: readonly HistoryRow[]): Promise<void>;
  enqueueForward(tx: Tx, rows: readonly ForwardRow[]): Promise<void>;
  /** Claims due forward items (a lease: next_attempt_at moved ahead) in one transaction. */
  claimForward(sinks: readonly string[], now: number, leaseMs: number, limit: number): Promise<ForwardItem[]>;
  close(): Promise<void>;
}

export const DEVICE_ROW = {
  id: 'text',
  site: 'text',
  mac: 'text?',
  epr: 'text?',
  udn: 'text?',
  serial: 'text?',
  ip: 'text',
  manufacturer: 'text?',
  brand: 'text?',
  model: 'text?',
  firmware: 'text?',
  kind: 'text',
  verdict_status: 'text',
  status: 'text',
  pack: 'text?',
  rule: 'text?',
  reason: 'text',
  first_seen: 'text',
  last_seen: 'text',
  last_observed: 'text',
  last_agent: 'text',
  review_state: 'text?',
  review_until: 'text?',
  review_by: 'text?',
  review_at: 'text?',
  document: 'text',
} as const;

export const DEVICE_COLUMNS = Object.keys(DEVICE_ROW);

export function toStateRow(r: RowOf<typeof DEVICE_ROW>): StateRow {
  return {
    id: r.id,
    site: r.site,
    mac: r.mac,
    epr: r.epr,
    udn: r.udn,
    serial: r.serial,
    ip: r.ip,
    manufacturer: r.manufacturer,
    brand: r.brand,
    model: r.model,
    firmware: r.firmware,
    kind: r.kind,
    verdictStatus: r.verdict_status as VerdictStatus,
    status: r.status as DeviceStatus,
    pack: r.pack,
    rule: r.rule,
    reason: r.reason,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    lastObserved: r.last_observed,
    lastAgent: r.last_agent,
    reviewState: r.review_state as ReviewState | null,
    reviewUntil: r.review_until,
    reviewBy: r.review_by,
    reviewAt: r.review_at,
    document: r.document,
  };
}

/** The devices row's columns in DEVICE_COLUMNS order. */
export function stateParams(r: StateRow): Param[] {
  return [
    r.id,
    r.site,
    r.mac,
    r.epr,
    r.udn,
    r.serial,
    r.ip,
    r.manufacturer,
    r.brand,
    r.model,
    r.firmware,
    r.kind,
    r.verdictStatus,
    r.status,
    r.pack,
    r.rule,
    r.reason,
    r.firstSeen,
    r.lastSeen,
    r.lastObserved,
    r.lastAgent,
    r.reviewState,
    r.reviewUntil,
    r.reviewBy,
    r.reviewAt,
    r.document,
  ];
}

/** The devices columns whose values differ between two states (in DEVICE_COLUMNS order), with the new values. */
export function changedColumns(before: StateRow, after: StateRow): Array<[string, Param]> {
  const a = stateParams(before);
  const b = stateParams(after);
  const out: Array<[string, Param]> = [];
  DEVICE_COLUMNS.forEach((c, i) => {
    if (a[i] !== b[i]) out.push([c, b[i]!]);
  });
  return out;
}

export const UPSERT_DEVICE_SET = DEVICE_COLUMNS.filter((c) => c !== 'id')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

const AGENT_ROW = {
  id: 'text',
  site: 'text',
  token_hash: 'text',
  cert_fingerprint: 'text?',
  created_at: 'text',
  revoked_at: 'text?',
  last_report_at: 'text?',
} as const;

const toAgent = (r: RowOf<typeof AGENT_ROW>): AgentRecord => ({
  id: r.id,
  site: r.site,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  certFingerprint: r.cert_fingerprint,
  lastReportAt: r.last_report_at,
});

const USER_ROW = { name: 'text', role: 'text', password_hash: 'text', created_at: 'text' } as const;
const toUser = (r: RowOf<typeof USER_ROW>): UserRecord => ({ name: r.name, role: r.role as Role, passwordHash: r.password_hash, createdAt: r.created_at });

const REVIEW_ROW = { id: 'int', device_id: 'text', state: 'text', note: 'text', until: 'text?', user_name: 'text', at: 'text' } as const;
const toReview = (r: RowOf<typeof REVIEW_ROW>): ReviewRecord => ({
  id: r.id,
  deviceId: r.device_id,
  state: r.state as ReviewState,
  note: r.note,
  until: r.until,
  by: r.user_name,
  at: r.at,
});

function summary(r: StateRow, agents: string[]): DeviceSummary {
  return {
    id: r.id,
    site: r.site === '' ? null : r.site,
    status: r.status,
    verdictStatus: r.verdictStatus,
    ip: r.ip,
    mac: r.mac,
    manufacturer: r.manufacturer,
    brand: r.brand,
    model: r.model,
    firmware: r.firmware,
    serial: r.serial,
    kind: r.kind,
    pack: r.pack,
    rule: r.rule,
    reason: r.reason,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    lastAgent: r.lastAgent,
    agents,
    review: r.reviewState === null ? null : { state: r.reviewState, until: r.reviewUntil, by: r.reviewBy ?? '', at: r.reviewAt ?? '' },
  };
}

/**
 * Keyset cursor: the id of the last row of a page. Pages are in device id order, which never
 * changes as devices are seen again, so an index on (status, id) or (site, status, id) serves a
 * filtered page, and a report that updates a device's last-seen time touches no index.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify(['id', id])).toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v[0] === 'id' && typeof v[1] === 'string' && /^[0-9a-f]{16}$/u.test(v[1])) return v[1];
  } catch {
    return undefined;
  }
  return undefined;
}

const likePattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;

export class DuplicateError extends CamsweepError {}

/** How long a replay-table prune is skipped after one ran (the index makes each prune cheap; this makes them rare). */
const PRUNE_EVERY_MS = 1000;

export function createSqlStore(dialect: Dialect, forward: ForwardSettings): CentralStore {
  let lastPrune = 0;
  const lastReportWritten = new Map<string, number>();

  const enqueue = (spec: ForwardSpec, row: StateRow, at: number, agent: string, review?: CentralEvent['review']): ForwardRow[] => {
    if (forward.sinks.length === 0) return [];
    const body = JSON.stringify(buildEvent(spec, row, { at: new Date(at).toISOString(), agent, consoleUrl: forward.consoleUrl, ...(review === undefined ? {} : { review }) }));
    return forward.sinks.map((sink) => ({ sink, key: spec.key, body, createdAt: at }));
  };

  /** The report's devices applied to what the store holds: the rows to write. Pure but for the rare salted-id lookup. */
  async function planDevices(
    tx: Tx,
    report: ReceivedReport,
    accepted: ReceivedDevice[],
    keys: IdentityKeys[],
    found: IngestFound,
    receivedAt: number,
  ): Promise<Pick<IngestPlan, 'devices' | 'identifiers' | 'agents' | 'history' | 'forward'> & { ids: Map<string, string> }> {
    const site = report.site ?? '';
    const obs: Observation = {
      site,
      agent: report.agent.id,
      sweep: report.sweep.id,
      observedAt: report.sweep.startedAt,
      receivedAt: new Date(receivedAt).toISOString(),
      today: utcDate(receivedAt),
    };
    const state = new Map<string, StateRow>(found.found.map((r) => [r.id, r]));
    const known: KnownIdentity[] = found.found.map((r) => ({ id: r.id, lastSeen: r.lastSeen, mac: r.mac, epr: r.epr, udn: r.udn, serial: r.serial, ip: r.ip }));
    const matched = matchDevices(keys, known);
    const ids = new Map<string, string>();
    const rows = new Map<string, StateRow>();
    const identifiers: IdentifierRow[] = [];
    const agents: DeviceAgentRow[] = [];
    const history: HistoryRow[] = [];
    const outgoing: ForwardRow[] = [];
    for (let i = 0; i < accepted.length; i += 1) {
      const d = accepted[i]!;
      const k = keys[i]!;
      let id = matched[i];
      if (id === undefined) {
        // A new device: its id is derived from its strongest identifier, salted should it be taken.
        for (let attempt = 0; ; attempt += 1) {
          const candidate = centralDeviceId(site, k, attempt);
          if (rows.has(candidate) || state.has(candidate)) continue;
          if (attempt === 0) {
            if (found.taken.has(candidate)) continue;
            id = candidate;
            break;
          }
          const [existing] = await tx.all('SELECT id FROM devices WHERE id = ?', [candidate], { id: 'text' });
          if (existing === undefined) {
            id = candidate;
            break;
          }
        }
      }
      const before = rows.get(id) ?? state.get(id);
      // The latest report's device as sent, less its per-sweep key: unchanged devices keep an unchanged document.
      const { idempotencyKey: _key, ...document } = d;
      const applied = applyObservation(id, before, d, k, obs, JSON.stringify(document));
      rows.set(id, applied.row);
      ids.set(d.idempotencyKey, id);
      // Identifiers are written when the device is new or one of them changed (steady state: none).
      const changed = before === undefined || k.ip !== before.ip || (['mac', 'epr', 'udn', 'serial'] as const).some((kind) => k[kind] !== null && k[kind] !== before[kind]);
      if (changed) for (const p of identifierPairs(k)) identifiers.push({ site, kind: p.kind, value: p.value, deviceId: id });
      agents.push({ deviceId: id, agentId: obs.agent, seen: obs.observedAt });
      for (const h of applied.history) history.push({ deviceId: id, at: obs.observedAt, agentId: obs.agent, sweepId: obs.sweep, ...h });
      for (const f of applied.forward) outgoing.push(...enqueue(f, applied.row, receivedAt, obs.agent));
    }
    return {
      ids,
      devices: [...rows.values()].map((row) => ({ row, before: state.get(row.id) })),
      // One row per identifier and per (device, agent) in a batch (two devices of one report at one IP: the last wins).
      identifiers: [...new Map(identifiers.map((r) => [`${r.kind}\u001f${r.value}`, r])).values()],
      agents: [...new Map(agents.map((r) => [`${r.deviceId}\u001f${r.agentId}`, r])).values()],
      history,
      forward: outgoing,
    };
  }

  async function ingestOnce(tx: Tx, report: ReceivedReport, meta: IngestMeta): Promise<IngestResult> {
    const site = report.site ?? '';
    const agent = report.agent.id;
    const sweep = report.sweep;
    const keysOfDevices = report.devices.map(keysOf);
    const lockKeys = new Set<string>();
    for (const k of keysOfDevices) for (const p of identifierPairs(k)) lockKeys.add(`${site}\u001f${p.kind}\u001f${p.value}`);
    let pruneBefore: number | null = null;
    if (meta.signature && meta.receivedAt - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = meta.receivedAt;
      // signatures_t: only the expired rows are visited.
      pruneBefore = Math.floor((meta.receivedAt - meta.signature.windowMs) / 1000) - 1;
    }
    const fresh = await dialect.beginIngest(tx, {
      signature: meta.signature ? { value: meta.signature.value, t: meta.signature.t, pruneBefore } : null,
      lockKeys: [...lockKeys].sort(),
      sweep: {
        agentId: agent,
        sweepId: sweep.id,
        site: report.site,
        startedAt: sweep.startedAt,
        finishedAt: sweep.finishedAt,
        devicesFound: sweep.devicesFound,
        devicesReported: sweep.devicesReported,
        receivedAt: meta.receivedAt,
      },
    });
    if (!fresh) throw new ReplayError('replay');
    // Which device keys are new, and what the devices meet: read under the transaction's locks
    // (the file's write lock, or the advisory locks on every identifier of these devices), so
    // no other process can store one of them in between; the primary key would refuse it anyway.
    const found = await dialect.readIngest(tx, {
      keys: report.devices.map((d) => d.idempotencyKey),
      site,
      pairs: keysOfDevices.flatMap(identifierPairs),
      candidateIds: [...new Set(keysOfDevices.map((k) => centralDeviceId(site, k)))],
    });
    const acceptedIndex = report.devices.flatMap((d, i) => (found.known.has(d.idempotencyKey) ? [] : [i]));
    const accepted = acceptedIndex.map((i) => report.devices[i]!);
    const planned =
      accepted.length === 0
        ? { ids: new Map<string, string>(), devices: [], identifiers: [], agents: [], history: [], forward: [] }
        : await planDevices(
            tx,
            report,
            accepted,
            acceptedIndex.map((i) => keysOfDevices[i]!),
            found,
            meta.receivedAt,
          );
    // An agent's last report time, to the nearest ten seconds (one write per agent per ten seconds, not one per report).
    let agentSeen: IngestPlan['agentSeen'] = null;
    if (meta.agentId !== undefined && meta.receivedAt - (lastReportWritten.get(meta.agentId) ?? 0) >= 10_000) {
      lastReportWritten.set(meta.agentId, meta.receivedAt);
      agentSeen = { id: meta.agentId, at: new Date(meta.receivedAt).toISOString() };
    }
    await dialect.writeIngest(tx, {
      repeats: [...found.known],
      devices: planned.devices,
      identifiers: planned.identifiers,
      agents: planned.agents,
      history: planned.history,
      forward: planned.forward,
      reports: accepted.map((d) => ({
        key: d.idempotencyKey,
        receivedAt: meta.receivedAt,
        agentId: agent,
        site: report.site,
        sweepId: sweep.id,
        sweepStartedAt: sweep.startedAt,
        identity: d.identity,
        ip: d.ip,
        mac: d.mac,
        manufacturer: d.manufacturer,
        brand: d.brand,
        model: d.model,
        kind: d.kind,
        status: d.verdict.status,
        pack: d.verdict.pack ?? null,
        rule: d.verdict.rule ?? null,
        reason: d.verdict.reason,
        deviceId: planned.ids.get(d.idempotencyKey) ?? null,
      })),
      receipt: {
        receivedAt: meta.receivedAt,
        requestKey: report.idempotencyKey,
        agentId: agent,
        sweepId: sweep.id,
        devices: report.devices.length,
        newDevices: accepted.length,
        bytes: meta.bytes,
        remote: meta.remote,
      },
      agentSeen,
    });
    const result: IngestResult = { kind: 'stored', accepted: accepted.length, duplicates: report.devices.length - accepted.length };
    if (report.events === undefined) return result;
    let eventsAccepted = 0;
    for (const e of report.events) {
      const added = await tx.run(
        `INSERT INTO events (key, received_at, agent_id, site, sweep_id, type, device_id, at, ip, mac, manufacturer, model, status, before, after, json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        [
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
        ],
      );
      if (added === 1) eventsAccepted += 1;
      else await tx.run('UPDATE events SET receipts = receipts + 1 WHERE key = ?', [e.idempotencyKey]);
    }
    return { ...result, events: { accepted: eventsAccepted, duplicates: report.events.length - eventsAccepted } };
  }

  const devicesById = async (tx: Tx, ids: readonly string[]): Promise<Map<string, string[]>> => {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = await tx.all(
      `SELECT device_id, agent_id FROM device_agents WHERE device_id IN (${ids.map(() => '?').join(', ')}) ORDER BY agent_id`,
      ids,
      { device_id: 'text', agent_id: 'text' },
    );
    for (const r of rows) out.get(r.device_id)?.push(r.agent_id);
    return out;
  };

  const getState = async (tx: Tx, id: string): Promise<StateRow | undefined> => {
    const [row] = await tx.all(`SELECT ${DEVICE_COLUMNS.join(', ')} FROM devices WHERE id = ?`, [id], DEVICE_ROW);
    return row === undefined ? undefined : toStateRow(row);
  };

  const count = async (sql: string): Promise<number> => (await dialect.read.all(sql, [], { n: 'int?' }))[0]?.n ?? 0;

  return {
    kind: dialect.kind,
    location: dialect.location,

    async ingest(report, meta) {
      try {
        return await dialect.transaction((tx) => ingestOnce(tx, report, meta));
      } catch (err) {
        if (err instanceof ReplayError) return { kind: 'replay' };
        throw err;
      }
    },

    async addAgent(a) {
      await dialect.transaction(async (tx) => {
        const taken = await tx.all('SELECT id FROM agents WHERE id = ?', [a.id], { id: 'text' });
        if (taken.length > 0) throw new DuplicateError('CENTRAL_AGENT_EXISTS', `agent ${a.id} exists already (revoke it, or choose another id)`);
        await tx.run('INSERT INTO agents (id, site, token_hash, cert_fingerprint, created_at) VALUES (?, ?, ?, ?, ?)', [a.id, a.site, a.tokenHash, a.certFingerprint, a.at]);
      });
    },
    listAgents: async () => (await dialect.read.all('SELECT * FROM agents ORDER BY id', [], AGENT_ROW)).map(toAgent),
    getAgent: async (id) => {
      const [r] = await dialect.read.all('SELECT * FROM agents WHERE id = ?', [id], AGENT_ROW);
      return r === undefined ? undefined : toAgent(r);
    },
    agentByTokenHash: async (hash) => {
      const [r] = await dialect.read.all('SELECT * FROM agents WHERE token_hash = ?', [hash], AGENT_ROW);
      return r === undefined ? undefined : toAgent(r);
    },
    revokeAgent: async (id, at) => (await dialect.read.run('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])) > 0,

    async addUser(u) {
      await dialect.transaction(async (tx) => {
        const taken = await tx.all('SELECT name FROM users WHERE name = ?', [u.name], { name: 'text' });
        if (taken.length > 0) throw new DuplicateError('CENTRAL_USER_EXISTS', `user ${u.name} exists already`);
        await tx.run('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)', [u.name, u.role, u.passwordHash, u.at]);
      });
    },
    getUser: async (name) => {
      const [r] = await dialect.read.all('SELECT * FROM users WHERE name = ?', [name], USER_ROW);
      return r === undefined ? undefined : toUser(r);
    },
    listUsers: async () => (await dialect.read.all('SELECT * FROM users ORDER BY name', [], USER_ROW)).map(toUser),
    async addApiToken(t) {
      await dialect.read.run('INSERT INTO api_tokens (token_hash, user_name, created_at) VALUES (?, ?, ?)', [t.tokenHash, t.user, t.at]);
    },
    userByTokenHash: async (hash) => {
      const [r] = await dialect.read.all(
        'SELECT u.name, u.role, u.password_hash, u.created_at FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = ? AND t.revoked_at IS NULL',
        [hash],
        USER_ROW,
      );
      return r === undefined ? undefined : toUser(r);
    },

    async listDevicePage(q) {
      const where: string[] = [];
      const params: Param[] = [];
      if (q.status !== undefined) {
        where.push('d.status = ?');
        params.push(q.status);
      }
      if (q.site !== undefined) {
        where.push('d.site = ?');
        params.push(q.site);
      }
      if (q.agent !== undefined) {
        where.push('EXISTS (SELECT 1 FROM device_agents a WHERE a.device_id = d.id AND a.agent_id = ?)');
        params.push(q.agent);
      }
      if (q.q !== undefined && q.q !== '') {
        const like = likePattern(q.q);
        const cols = ['d.ip', 'd.mac', 'd.manufacturer', 'd.brand', 'd.model', 'd.serial'];
        where.push(`(${cols.map((c) => `lower(COALESCE(${c}, '')) LIKE ? ESCAPE '\\'`).join(' OR ')})`);
        params.push(...cols.map(() => like));
      }
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (cursor !== undefined) {
        where.push('d.id > ?');
        params.push(cursor);
      }
      const rows = await dialect.read.all(
        `SELECT ${DEVICE_COLUMNS.map((c) => `d.${c}`).join(', ')} FROM devices d${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
         ORDER BY d.id LIMIT ?`,
        [...params, q.limit + 1],
        DEVICE_ROW,
      );
      const page = rows.slice(0, q.limit).map(toStateRow);
      const agents = await devicesById(dialect.read, page.map((r) => r.id));
      const last = page[page.length - 1];
      return {
        devices: page.map((r) => summary(r, agents.get(r.id) ?? [])),
        nextCursor: rows.length > q.limit && last !== undefined ? encodeCursor(last.id) : null,
      };
    },

    async getDevice(id) {
      const row = await getState(dialect.read, id);
      if (row === undefined) return undefined;
      const agentsSeen = await dialect.read.all('SELECT agent_id, first_seen, last_seen FROM device_agents WHERE device_id = ? ORDER BY agent_id', [id], {
        agent_id: 'text',
        first_seen: 'text',
        last_seen: 'text',
      });
      const history = await dialect.read.all(
        'SELECT at, agent_id, sweep_id, change, before, after FROM device_history WHERE device_id = ? ORDER BY id DESC LIMIT 500',
        [id],
        { at: 'text', agent_id: 'text', sweep_id: 'text', change: 'text', before: 'text?', after: 'text?' },
      );
      const reviews = await dialect.read.all('SELECT * FROM reviews WHERE device_id = ? ORDER BY id', [id], REVIEW_ROW);
      let document: unknown = null;
      try {
        document = JSON.parse(row.document) as unknown;
      } catch {
        document = null;
      }
      const detail: DeviceDetail = {
        ...summary(
          row,
          agentsSeen.map((a) => a.agent_id),
        ),
        identifiers: { mac: row.mac, epr: row.epr, udn: row.udn, serial: row.serial },
        document,
        agentsSeen: agentsSeen.map((a) => ({ agent: a.agent_id, firstSeen: a.first_seen, lastSeen: a.last_seen })),
        history: history.map((h) => ({ at: h.at, agent: h.agent_id, sweep: h.sweep_id, change: h.change, before: h.before, after: h.after })),
        reviews: reviews.map(toReview),
      };
      return detail;
    },

    review(deviceId, input) {
      return dialect.transaction(async (tx) => {
        await dialect.lockKeys(tx, [`device\u001f${deviceId}`]);
        const before = await getState(tx, deviceId);
        if (before === undefined) return undefined;
        await tx.run('INSERT INTO reviews (device_id, state, note, until, user_name, at) VALUES (?, ?, ?, ?, ?, ?)', [
          deviceId,
          input.state,
          input.note,
          input.until,
          input.by,
          input.at,
        ]);
        const [stored] = await tx.all('SELECT * FROM reviews WHERE device_id = ? ORDER BY id DESC LIMIT 1', [deviceId], REVIEW_ROW);
        const review = toReview(stored!);
        const status = effectiveStatus(before.verdictStatus, { state: input.state, until: input.until }, input.at.slice(0, 10));
        const row: StateRow = { ...before, status, reviewState: input.state, reviewUntil: input.until, reviewBy: input.by, reviewAt: input.at };
        await tx.run('UPDATE devices SET status = ?, review_state = ?, review_until = ?, review_by = ?, review_at = ? WHERE id = ?', [
          status,
          input.state,
          input.until,
          input.by,
          input.at,
          deviceId,
        ]);
        const change: Change = { change: 'review', before: before.reviewState ?? before.status, after: input.state };
        await dialect.insertHistory(tx, [{ deviceId, at: input.at, agentId: `user:${input.by}`, sweepId: '', ...change }]);
        const out = enqueue({ key: `review:${review.id}:${deviceId}`, type: 'review', change }, row, Date.parse(input.at), row.lastAgent, {
          state: input.state,
          note: input.note,
          until: input.until,
          by: input.by,
        });
        if (out.length > 0) await dialect.enqueueForward(tx, out);
        return review;
      });
    },

    expireExceptions(today, at) {
      return dialect.transaction(async (tx) => {
        const due = await tx.all(
          `SELECT ${DEVICE_COLUMNS.join(', ')} FROM devices WHERE review_state = 'exception' AND review_until <= ? AND status = 'exception'`,
          [today],
          DEVICE_ROW,
        );
        for (const raw of due) {
          const before = toStateRow(raw);
          const row: StateRow = { ...before, status: before.verdictStatus };
          await tx.run('UPDATE devices SET status = ? WHERE id = ?', [row.status, row.id]);
          const change: Change = { change: 'exception-expired', before: 'exception', after: row.status };
          await dialect.insertHistory(tx, [{ deviceId: row.id, at, agentId: 'central', sweepId: '', ...change }]);
          const out = enqueue({ key: `exception-expired:${row.id}:${before.reviewUntil ?? ''}:${before.reviewAt ?? ''}`, type: 'exception-expired', change }, row, Date.parse(at), row.lastAgent);
          if (out.length > 0) await dialect.enqueueForward(tx, out);
        }
        return due.length;
      });
    },

    claimForward: (sinks, now, leaseMs, limit) => (sinks.length === 0 ? Promise.resolve([]) : dialect.claimForward(sinks, now, leaseMs, limit)),
    async forwardDelivered(id, now) {
      await dialect.read.run('UPDATE forward_queue SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?', [now, id]);
    },
    async forwardRetry(id, nextAttemptAt, error) {
      await dialect.read.run('UPDATE forward_queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?', [nextAttemptAt, error.slice(0, 1000), id]);
    },
    async forwardDead(id, now, reason) {
      await dialect.read.run('UPDATE forward_queue SET attempts = attempts + 1, dead_at = ?, last_error = ? WHERE id = ?', [now, reason.slice(0, 1000), id]);
    },

    pruneForward: (before) => dialect.read.run('DELETE FROM forward_queue WHERE delivered_at IS NOT NULL AND delivered_at < ?', [before]),

    async gauges() {
      return {
        devices: await count('SELECT COUNT(*) AS n FROM devices'),
        forwardPending: await count('SELECT COUNT(*) AS n FROM forward_queue WHERE delivered_at IS NULL AND dead_at IS NULL'),
        forwardDead: await count('SELECT COUNT(*) AS n FROM forward_queue WHERE dead_at IS NOT NULL'),
      };
    },

    async stats() {
      return {
        requests: await count('SELECT COUNT(*) AS n FROM receipts'),
        deviceReceipts: await count('SELECT SUM(devices) AS n FROM receipts'),
        devices: await count('SELECT COUNT(*) AS n FROM device_reports'),
        sweeps: await count('SELECT COUNT(*) AS n FROM sweeps'),
        deviceStates: await count('SELECT COUNT(*) AS n FROM devices'),
        forwardPending: await count('SELECT COUNT(*) AS n FROM forward_queue WHERE delivered_at IS NULL AND dead_at IS NULL'),
        forwardDead: await count('SELECT COUNT(*) AS n FROM forward_queue WHERE dead_at IS NOT NULL'),
      };
    },

    close: () => dialect.close(),
  };
}
