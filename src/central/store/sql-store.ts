import { CamsweepError, ERR } from '../../domain/errors.ts';
import { matchDevices } from '../../inventory/identity.ts';
import type { ReceivedReport } from '../../report/receiver/validate.ts';
import type { RowOf, Shape } from '../../storage/rows.ts';
import { ipSortKey } from '../../util/ip-sort-key.ts';
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
import * as consoleQueries from './console-queries.ts';
import type { CentralStore, ConsoleStore, ForwardSettings, IngestMeta, IngestResult } from './store.ts';

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
  /** Times this key arrived in the batch (a repeat within one batch is counted here). */
  receipts: number;
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
  firstSeen: string;
  lastSeen: string;
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

export interface SweepRow {
  agentId: string;
  sweepId: string;
  site: string | null;
  startedAt: string;
  finishedAt: string;
  devicesFound: number;
  devicesReported: number;
  receivedAt: number;
}

export interface ReceiptRow {
  receivedAt: number;
  requestKey: string;
  agentId: string;
  sweepId: string;
  devices: number;
  newDevices: number;
  bytes: number;
  remote: string | null;
}

/** The start of a batch's transaction. */
export interface IngestStart {
  /** Signatures of the batch's signed reports (distinct). */
  signatures: Array<{ value: string; t: number }>;
  /** Prune the replay table below this time first (null: not this time). */
  pruneBefore: number | null;
  /** Sorted: `site<US>kind<US>value` of every identifier of the batch's devices. */
  lockKeys: string[];
  sweeps: SweepRow[];
}

export interface IngestRead {
  keys: string[];
  pairs: Array<{ site: string; kind: string; value: string }>;
  /** First-choice ids of the devices, should they be new: which are taken. */
  candidateIds: string[];
}

export interface IngestFound {
  known: Set<string>;
  found: StateRow[];
  taken: Set<string>;
}

export interface IngestPlan {
  /** Keys stored before this batch that arrived again, with how often. */
  repeats: Array<{ key: string; n: number }>;
  devices: Array<{ row: StateRow; before: StateRow | undefined }>;
  identifiers: IdentifierRow[];
  agents: DeviceAgentRow[];
  history: HistoryRow[];
  forward: ForwardRow[];
  reports: DeviceReportRow[];
  receipts: ReceiptRow[];
  agentsSeen: Array<{ id: string; at: string }>;
}

export interface Dialect {
  readonly kind: 'embedded' | 'postgres';
  readonly location: string;
  /** Reads outside a transaction. */
  readonly read: Tx;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Serialises transactions touching the same keys across processes (PostgreSQL); a no-op where a transaction locks the whole file. */
  lockKeys(tx: Tx, keys: readonly string[]): Promise<void>;
  /**
   * The start of a batch's transaction: prune expired signatures (when `pruneBefore` is set),
   * record the signatures (returns those not seen before: the others are replays), take the
   * locks, record the sweeps.
   */
  beginIngest(tx: Tx, start: IngestStart): Promise<Set<string>>;
  /** What the batch's devices meet in the store, read after the locks are held. */
  readIngest(tx: Tx, read: IngestRead): Promise<IngestFound>;
  /** Everything the batch changes, written together. */
  writeIngest(tx: Tx, plan: IngestPlan): Promise<void>;
  /** How many batches may be in their transactions at once (1 where a transaction locks the whole file). */
  readonly parallelBatches: number;
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
  /** ipSortKey(ip), written with every ip (stateParams): the list's and the report's address order. Not part of StateRow. */
  ip_key: 'text',
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
    ipSortKey(r.ip),
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

export function summary(r: StateRow, agents: string[]): DeviceSummary {
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

export const likePattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;

/** The agents that have seen each of these devices, by device id. */
export async function agentsOfDevices(tx: Tx, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await tx.all(
    `SELECT device_id, agent_id FROM device_agents WHERE device_id IN (${ids.map(() => '?').join(', ')}) ORDER BY agent_id`,
    ids,
    { device_id: 'text', agent_id: 'text' },
  );
  for (const r of rows) out.get(r.device_id)?.push(r.agent_id);
  return out;
}

export class DuplicateError extends CamsweepError {}

/** How long a replay-table prune is skipped after one ran (the index makes each prune cheap; this makes them rare). */
const PRUNE_EVERY_MS = 1000;
/** At most this many reports share one transaction. */
const MAX_BATCH = 64;

export function createSqlStore(dialect: Dialect, forward: ForwardSettings): CentralStore {
  let lastPrune = 0;
  const lastReportWritten = new Map<string, number>();

  const enqueue = (spec: ForwardSpec, row: StateRow, at: number, agent: string, review?: CentralEvent['review']): ForwardRow[] => {
    if (forward.sinks.length === 0) return [];
    const body = JSON.stringify(buildEvent(spec, row, { at: new Date(at).toISOString(), agent, consoleUrl: forward.consoleUrl, ...(review === undefined ? {} : { review }) }));
    return forward.sinks.map((sink) => ({ sink, key: spec.key, body, createdAt: at }));
  };

  /**
   * One batch of reports in one transaction (the reports that arrived together: see ingest()).
   * Begin (signatures, locks, sweeps), read (known keys, the devices met, taken ids), plan
   * each report in arrival order against the store's state and the batch's own changes (pure
   * but for the rare salted-id lookup), write everything, then the agents' change events.
   */
  async function ingestBatch(tx: Tx, items: readonly Pending[]): Promise<IngestResult[]> {
    const results: Array<IngestResult | undefined> = items.map(() => undefined);
    // A signature twice in one batch: the second is a replay of the first.
    const sigs = new Map<string, { value: string; t: number }>();
    items.forEach((it, i) => {
      const sig = it.meta.signature;
      if (sig === undefined) return;
      if (sigs.has(sig.value)) results[i] = { kind: 'replay' };
      else sigs.set(sig.value, { value: sig.value, t: sig.t });
    });
    const keysOf2 = items.map((it) => it.report.devices.map(keysOf));
    const siteOf = (it: Pending): string => it.report.site ?? '';
    const lockKeys = new Set<string>();
    items.forEach((it, i) => {
      for (const k of keysOf2[i]!) for (const p of identifierPairs(k)) lockKeys.add(`${siteOf(it)}\u001f${p.kind}\u001f${p.value}`);
    });
    let pruneBefore: number | null = null;
    const first = items.find((it) => it.meta.signature !== undefined);
    if (first?.meta.signature && first.meta.receivedAt - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = first.meta.receivedAt;
      // signatures_t: only the expired rows are visited.
      pruneBefore = Math.floor((first.meta.receivedAt - first.meta.signature.windowMs) / 1000) - 1;
    }
    const sweeps = new Map<string, SweepRow>();
    for (const it of items) {
      const w = it.report.sweep;
      sweeps.set(`${it.report.agent.id}\u001f${w.id}`, {
        agentId: it.report.agent.id,
        sweepId: w.id,
        site: it.report.site,
        startedAt: w.startedAt,
        finishedAt: w.finishedAt,
        devicesFound: w.devicesFound,
        devicesReported: w.devicesReported,
        receivedAt: it.meta.receivedAt,
      });
    }
    const fresh = await dialect.beginIngest(tx, { signatures: [...sigs.values()], pruneBefore, lockKeys: [...lockKeys].sort(), sweeps: [...sweeps.values()] });
    items.forEach((it, i) => {
      if (results[i] === undefined && it.meta.signature !== undefined && !fresh.has(it.meta.signature.value)) results[i] = { kind: 'replay' };
    });
    const live = items.flatMap((it, i) => (results[i] === undefined ? [i] : []));

    // Read under the locks (the file's write lock, or the advisory locks on every identifier of
    // these devices): no other process can store one of these keys or devices in between.
    const pairs = new Map<string, { site: string; kind: string; value: string }>();
    const candidates = new Set<string>();
    for (const i of live) {
      const site = siteOf(items[i]!);
      for (const k of keysOf2[i]!) {
        candidates.add(centralDeviceId(site, k));
        for (const p of identifierPairs(k)) pairs.set(`${site}\u001f${p.kind}\u001f${p.value}`, { site, ...p });
      }
    }
    const found = await dialect.readIngest(tx, {
      keys: [...new Set(live.flatMap((i) => items[i]!.report.devices.map((d) => d.idempotencyKey)))],
      pairs: [...pairs.values()],
      candidateIds: [...candidates],
    });

    const stored = new Map<string, StateRow>(found.found.map((r) => [r.id, r]));
    const batchRows = new Map<string, StateRow>();
    const repeats = new Map<string, number>();
    const reports = new Map<string, DeviceReportRow>();
    const identifiers = new Map<string, IdentifierRow>();
    const agents = new Map<string, DeviceAgentRow>();
    const history: HistoryRow[] = [];
    const outgoing = new Map<string, ForwardRow>();
    const receipts: ReceiptRow[] = [];
    const agentsSeen = new Map<string, string>();
    const current = (id: string): StateRow | undefined => batchRows.get(id) ?? stored.get(id);

    for (const i of live) {
      const { report, meta } = items[i]!;
      const site = siteOf(items[i]!);
      const obs: Observation = {
        site,
        agent: report.agent.id,
        sweep: report.sweep.id,
        observedAt: report.sweep.startedAt,
        receivedAt: new Date(meta.receivedAt).toISOString(),
        today: utcDate(meta.receivedAt),
      };
      const acceptedIdx: number[] = [];
      report.devices.forEach((d, j) => {
        const inBatch = reports.get(d.idempotencyKey);
        if (inBatch !== undefined) inBatch.receipts += 1;
        else if (found.known.has(d.idempotencyKey)) repeats.set(d.idempotencyKey, (repeats.get(d.idempotencyKey) ?? 0) + 1);
        else acceptedIdx.push(j);
      });
      const keys = acceptedIdx.map((j) => keysOf2[i]![j]!);
      // The site's devices as they stand now (the store's, updated by earlier reports of the batch).
      const siteRows = [...new Map([...stored, ...batchRows]).values()].filter((r) => r.site === site);
      const matched = matchDevices(
        keys,
        siteRows.map((r) => ({ id: r.id, lastSeen: r.lastSeen, mac: r.mac, epr: r.epr, udn: r.udn, serial: r.serial, ip: r.ip })),
      );
      const claimed = new Set<string>();
      for (let n = 0; n < acceptedIdx.length; n += 1) {
        const d = report.devices[acceptedIdx[n]!]!;
        const k = keys[n]!;
        let id = matched[n];
        if (id === undefined) {
          // A new device: its id is derived from its strongest identifier, salted should it be taken.
          for (let attempt = 0; ; attempt += 1) {
            const candidate = centralDeviceId(site, k, attempt);
            if (current(candidate) !== undefined || claimed.has(candidate)) continue;
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
        claimed.add(id);
        const before = current(id);
        // The latest report's device as sent, less its per-sweep key: unchanged devices keep an unchanged document.
        const { idempotencyKey: _key, ...document } = d;
        const applied = applyObservation(id, before, d, k, obs, JSON.stringify(document));
        batchRows.set(id, applied.row);
        // Identifiers are written when the device is new or one of them changed (steady state: none).
        const changed = before === undefined || k.ip !== before.ip || (['mac', 'epr', 'udn', 'serial'] as const).some((kind) => k[kind] !== null && k[kind] !== before[kind]);
        if (changed) for (const p of identifierPairs(k)) identifiers.set(`${site}\u001f${p.kind}\u001f${p.value}`, { site, kind: p.kind, value: p.value, deviceId: id });
        const agentKey = `${id}\u001f${obs.agent}`;
        const seen = agents.get(agentKey);
        agents.set(agentKey, {
          deviceId: id,
          agentId: obs.agent,
          firstSeen: seen === undefined || obs.observedAt < seen.firstSeen ? obs.observedAt : seen.firstSeen,
          lastSeen: seen === undefined || obs.observedAt > seen.lastSeen ? obs.observedAt : seen.lastSeen,
        });
        for (const h of applied.history) history.push({ deviceId: id, at: obs.observedAt, agentId: obs.agent, sweepId: obs.sweep, ...h });
        for (const f of applied.forward) for (const row of enqueue(f, applied.row, meta.receivedAt, obs.agent)) outgoing.set(`${row.sink}\u001f${row.key}`, row);
        reports.set(d.idempotencyKey, {
          key: d.idempotencyKey,
          receivedAt: meta.receivedAt,
          agentId: obs.agent,
          site: report.site,
          sweepId: obs.sweep,
          sweepStartedAt: report.sweep.startedAt,
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
          deviceId: id,
          receipts: 1,
        });
      }
      receipts.push({
        receivedAt: meta.receivedAt,
        requestKey: report.idempotencyKey,
        agentId: obs.agent,
        sweepId: obs.sweep,
        devices: report.devices.length,
        newDevices: acceptedIdx.length,
        bytes: meta.bytes,
        remote: meta.remote,
      });
      // An agent's last report time, to the nearest ten seconds (one write per agent per ten seconds, not one per report).
      if (meta.agentId !== undefined && meta.receivedAt - (lastReportWritten.get(meta.agentId) ?? 0) >= 10_000) {
        lastReportWritten.set(meta.agentId, meta.receivedAt);
        agentsSeen.set(meta.agentId, new Date(meta.receivedAt).toISOString());
      }
      results[i] = { kind: 'stored', accepted: acceptedIdx.length, duplicates: report.devices.length - acceptedIdx.length };
    }
    await dialect.writeIngest(tx, {
      repeats: [...repeats].map(([key, n]) => ({ key, n })),
      devices: [...batchRows.values()].map((row) => ({ row, before: stored.get(row.id) })),
      identifiers: [...identifiers.values()],
      agents: [...agents.values()],
      history,
      forward: [...outgoing.values()],
      reports: [...reports.values()],
      receipts,
      agentsSeen: [...agentsSeen].map(([id, at]) => ({ id, at })),
    });
    for (const i of live) {
      const events = items[i]!.report.events;
      if (events === undefined) continue;
      const r = results[i];
      if (r?.kind === 'stored') results[i] = { ...r, events: await storeEvents(tx, items[i]!) };
    }
    return results.map((r) => r!);
  }

  /** The agents' change events of one report: one row per event key (a repeat bumps its count). */
  async function storeEvents(tx: Tx, { report, meta }: Pending): Promise<{ accepted: number; duplicates: number }> {
    const events = report.events ?? [];
    let accepted = 0;
    for (const e of events) {
      const added = await tx.run(
        `INSERT INTO events (key, received_at, agent_id, site, sweep_id, type, device_id, at, ip, mac, manufacturer, model, status, before, after, json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        [
          e.idempotencyKey,
          meta.receivedAt,
          report.agent.id,
          report.site,
          report.sweep.id,
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
      if (added === 1) accepted += 1;
      else await tx.run('UPDATE events SET receipts = receipts + 1 WHERE key = ?', [e.idempotencyKey]);
    }
    return { accepted, duplicates: events.length - accepted };
  }

  // Group commit: the reports that arrive together (parsed in the same turn of the event loop,
  // or while the previous batch was committing) share one transaction: one set of statements
  // and one commit for all of them. Each caller learns its outcome only after that commit
  // (stored before acknowledged). Should a batch fail, its reports are retried one by one, so
  // one bad report never fails the others.
  type Pending = { report: ReceivedReport; meta: IngestMeta; resolve: (r: IngestResult) => void; reject: (e: unknown) => void };
  const queue: Pending[] = [];
  let running = 0;
  let scheduled = false;
  const schedule = (): void => {
    if (scheduled || queue.length === 0 || running >= dialect.parallelBatches) return;
    scheduled = true;
    setImmediate(flush);
  };
  const run = (batch: Pending[]): Promise<IngestResult[]> => dialect.transaction((tx) => ingestBatch(tx, batch));
  function flush(): void {
    scheduled = false;
    if (running >= dialect.parallelBatches) return;
    const batch = queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    running += 1;
    void (async () => {
      try {
        const results = await run(batch);
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        else {
          for (const p of batch) {
            try {
              const [r] = await run([p]);
              p.resolve(r!);
            } catch (one) {
              p.reject(one);
            }
          }
        }
      } finally {
        running -= 1;
        schedule();
      }
    })();
    schedule();
  }

  const getState = async (tx: Tx, id: string): Promise<StateRow | undefined> => {
    const [row] = await tx.all(`SELECT ${DEVICE_COLUMNS.join(', ')} FROM devices WHERE id = ?`, [id], DEVICE_ROW);
    return row === undefined ? undefined : toStateRow(row);
  };

  const count = async (sql: string): Promise<number> => (await dialect.read.all(sql, [], { n: 'int?' }))[0]?.n ?? 0;

  return {
    kind: dialect.kind,
    location: dialect.location,

    ingest(report, meta) {
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ report, meta, resolve, reject });
        schedule();
      });
    },

    async addAgent(a) {
      await dialect.transaction(async (tx) => {
        const taken = await tx.all('SELECT id FROM agents WHERE id = ?', [a.id], { id: 'text' });
        if (taken.length > 0) throw new DuplicateError(ERR.CENTRAL_AGENT_EXISTS, `agent ${a.id} exists already (revoke it, or choose another id)`);
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
        if (taken.length > 0) throw new DuplicateError(ERR.CENTRAL_USER_EXISTS, `user ${u.name} exists already`);
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
      const agents = await agentsOfDevices(dialect.read, page.map((r) => r.id));
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

    pruneReports: (before, limit) =>
      dialect.transaction(async (tx) => {
        const reports = await tx.run('DELETE FROM device_reports WHERE key IN (SELECT key FROM device_reports WHERE received_at < ? ORDER BY received_at LIMIT ?)', [before, limit]);
        const receipts = await tx.run('DELETE FROM receipts WHERE id IN (SELECT id FROM receipts WHERE received_at < ? ORDER BY received_at LIMIT ?)', [before, limit]);
        return reports + receipts;
      }),

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

    console: consoleStore(dialect),

    close: () => dialect.close(),
  };
}

function consoleStore(dialect: Dialect): ConsoleStore {
  return {
    devicePage: (q) => consoleQueries.consoleDevicePage(dialect, q),
    devices: (q) => consoleQueries.consoleDevices(dialect, q),
    overview: () => consoleQueries.overviewCounts(dialect),
    exceptions: (o) => consoleQueries.exceptionsInForce(dialect, o),
    restricted: (site) => consoleQueries.restrictedWithDocuments(dialect, site),
    recordDailyCounts: (day) => consoleQueries.recordDailyCounts(dialect, day),
    dailyCounts: (site, from) => consoleQueries.dailyCounts(dialect, site, from),
    createSession: (s) => consoleQueries.createSession(dialect, s),
    session: (h, now) => consoleQueries.sessionByHash(dialect, h, now),
    touchSession: (h, seen, expires) => consoleQueries.touchSession(dialect, h, seen, expires),
    deleteSession: (h) => consoleQueries.deleteSession(dialect, h),
    pruneSessions: (now) => consoleQueries.pruneSessions(dialect, now),
    loginAttempts: (scope, key, since) => consoleQueries.loginAttempts(dialect, scope, key, since),
    addLoginAttempt: (a) => consoleQueries.addLoginAttempt(dialect, a),
    loginSucceeded: (attempt, user) => consoleQueries.loginSucceeded(dialect, attempt, user),
    pruneLoginAttempts: (before) => consoleQueries.pruneLoginAttempts(dialect, before),
  };
}
