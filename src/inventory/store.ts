import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { DeviceStatus, SweepResult } from '../domain/types.ts';
import { ERR, CamsweepError, errorMessage } from '../domain/errors.ts';
import { integrityCheck, query, transaction } from '../storage/sqlite.ts';
import type { RowOf } from '../storage/rows.ts';
import { normaliseMac } from '../util/text.ts';
import { isIP } from 'node:net';
import { compareIp } from '../util/ip.ts';
import type { ChangeEvent, Departure, DeviceFilter, Inventory, InventoryDevice, SweepSummary } from './types.ts';
import { openInventoryDb } from './db.ts';
import { computeChanges, covers, departureChange, type FoundDevice, type KnownState } from './changes.ts';
import { identityKey, identityOf, matchDevices, newDeviceId, usableId, withoutShared } from './identity.ts';
import { carryForward, parseSnapshot, snapshotOf, type Snapshot } from './snapshot.ts';
import { deviceJson, parseDeviceJson } from './device-json.ts';
import { matchesFilter } from './filter.ts';

/**
 * The inventory: every device across sweeps, in `inventory.db` under the data directory.
 *
 * - `recordSweep` stores a sweep in one transaction: the sweep's summary, each device's row
 *   (identity: see identity.ts; first and last seen, sweep count, present or gone) and latest
 *   record (rewritten only when it changed, capped at 256 KiB), a presence row per device, the
 *   verdict history (a row when the status, pack or rule changes, and the first), and the
 *   change events it computed (changes.ts). The same sweep id again changes nothing and
 *   returns the events stored for it the first time, so a caller that crashed before sending
 *   them can send them again.
 * - `recordSweep(result, { partial: true })` stores a sighting (devices identified from their
 *   announcements between sweeps) and `recordDeparture` a goodbye (the device is marked
 *   leaving: possibly gone until a sweep says): records of their own kind in the same sequence
 *   as sweeps, with their presence rows and events, which `sweeps`, `diff`, the SWEEPS count
 *   of a device and retention leave out.
 * - Growth is bounded: the last `retainSweeps` sweeps (default 2000: 83 days of hourly
 *   sweeps) keep their summary, presence rows and events; older ones, and the sightings and
 *   departures older than the oldest sweep kept, are deleted as new ones arrive; at most
 *   `retainSightings` sightings and departures are kept in all. A presence row points at a deduplicated state (snapshots table), so an unchanged
 *   device costs a few dozen bytes per sweep. A device keeps one row however often it is seen,
 *   and at most `maxVerdicts` history entries (the first and the latest ones).
 * - Sweeps are taken in the order they are recorded; SQLite lets one writer in at a time.
 */

export const INVENTORY_FILE = 'inventory.db';
export const DEFAULT_RETAIN_SWEEPS = 2000;
export const DEFAULT_MAX_VERDICTS = 100;
/** Sightings and departures kept (between the sweeps kept). */
export const DEFAULT_RETAIN_SIGHTINGS = 10_000;

/** What a record in the sweeps table is. */
export type RecordKind = 'sweep' | 'sighting' | 'departure';

export interface InventoryOptions {
  now?: () => Date;
  /** Sweeps whose presence rows and events are kept (at least 2). */
  retainSweeps?: number;
  /** Sightings and departures kept (at least 1). */
  retainSightings?: number;
  /** Verdict history entries kept per device (at least 2). */
  maxVerdicts?: number;
  /** Open for reading only (the review commands): nothing is created or migrated. */
  readOnly?: boolean;
  busyTimeoutMs?: number;
}

/** The contract plus what the review commands and operators need. */
export interface InventoryStore extends Inventory {
  readonly file: string;
  /** A stored sweep by id or unique id prefix (4 characters or more); never a sighting. */
  sweep(ref: string): SweepSummary | undefined;
  /** The events stored when a sweep (or a sighting, or a departure) was recorded. */
  sweepEvents(ref: string): ChangeEvent[];
  /** Sightings and departures recorded between sweeps, newest first. */
  sightings(limit?: number): Array<SweepSummary & { kind: Exclude<RecordKind, 'sweep'> }>;
  /** Devices by their latest status, from an index: cheap enough to run after every sweep. */
  statusCounts(): Record<DeviceStatus, number>;
  /** `diff`, with the two sweeps compared (older first, in recording order). */
  diffSweeps(from?: string, to?: string): SweepDiff;
  integrityCheck(): string;
}

export interface SweepDiff {
  from: SweepSummary;
  to: SweepSummary;
  changes: ChangeEvent[];
}

const DEVICE_ROW = {
  id: 'text',
  mac: 'text?',
  epr: 'text?',
  udn: 'text?',
  serial: 'text?',
  ip: 'text',
  first_seen: 'text',
  last_seen: 'text',
  first_seq: 'int',
  last_seq: 'int',
  sweeps: 'int',
  present: 'int',
  status: 'text',
  snapshot: 'text',
  leaving: 'text?',
} as const;

/** A device row with its latest record (the `records` table). */
const FULL_ROW = { ...DEVICE_ROW, json: 'text' } as const;
type FullRow = RowOf<typeof FULL_ROW>;

const KNOWN_ROW = { id: 'text', mac: 'text?', epr: 'text?', udn: 'text?', serial: 'text?', ip: 'text', last_seen: 'text', present: 'int', status: 'text', snapshot: 'text', leaving: 'text?' } as const;
type KnownRow = RowOf<typeof KNOWN_ROW>;

const SWEEP_ROW = {
  seq: 'int',
  id: 'text',
  started_at: 'text',
  finished_at: 'text',
  devices: 'int',
  restricted: 'int',
  review: 'int',
  clear: 'int',
  errors: 'int',
  changes: 'int',
  interfaces: 'text',
  kind: 'text',
} as const;
type SweepRow = RowOf<typeof SWEEP_ROW>;

const recordKind = (r: SweepRow): RecordKind => (r.kind === 'sighting' || r.kind === 'departure' ? r.kind : 'sweep');

const VERDICT_ROW = { device_id: 'text', sweep_id: 'text', at: 'text', status: 'text', reason: 'text', pack: 'text?', rule: 'text?' } as const;
type VerdictRow = RowOf<typeof VERDICT_ROW>;

const verdictStatus = (s: string): DeviceStatus => (s === 'restricted' || s === 'review' ? s : 'clear');

export function inventoryPath(dataDir: string): string {
  return path.join(dataDir, INVENTORY_FILE);
}

/** Device rows with their latest record. */
const FULL = 'SELECT d.*, r.json FROM devices d JOIN records r ON r.device_id = d.id';

/** Sweeps between two collections of unused snapshots. */
const SNAPSHOT_GC_EVERY = 50;

const knownState = (r: KnownRow): KnownState => ({ snapshot: rowSnapshot(r), present: r.present === 1, ...(r.leaving === null ? {} : { leaving: true }) });

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

const SWEEP_ID = /^[\x21-\x7e]{1,200}$/u;

function stringList(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function summary(r: SweepRow): SweepSummary {
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    devices: r.devices,
    restricted: r.restricted,
    review: r.review,
    clear: r.clear,
    errors: r.errors,
    interfaces: stringList(r.interfaces),
    changes: r.changes,
  };
}

/** A device row's snapshot; a row someone damaged falls back to what its columns say. */
function rowSnapshot(r: KnownRow): Snapshot {
  const s = parseSnapshot(r.snapshot);
  if (s !== undefined) return s;
  const status = r.status === 'restricted' || r.status === 'review' ? r.status : 'clear';
  return { ip: r.ip, mac: r.mac, manufacturer: null, brand: null, model: null, firmware: null, kind: 'other', status, pack: null, rule: null, interfaces: [] };
}

const iso = (text: string, fallback: Date): string => {
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback.toISOString();
};

function checkSweep(result: SweepResult): void {
  if (result === null || typeof result !== 'object' || result.schema !== 'camsweep.sweep/v1') {
    throw new CamsweepError(ERR.INVENTORY_INVALID_SWEEP, 'not a camsweep.sweep/v1 result');
  }
  if (typeof result.id !== 'string' || !SWEEP_ID.test(result.id)) throw new CamsweepError(ERR.INVENTORY_INVALID_SWEEP, 'the sweep has no usable id');
  if (!Array.isArray(result.devices) || !Array.isArray(result.interfaces) || !Array.isArray(result.errors)) {
    throw new CamsweepError(ERR.INVENTORY_INVALID_SWEEP, `sweep ${result.id} lacks its devices, interfaces or errors`);
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return code === 5 || code === 6 || /database is (locked|busy)/iu.test(errorMessage(err));
}

export function openInventory(dataDir: string, options: InventoryOptions = {}): InventoryStore {
  const now = options.now ?? (() => new Date());
  const retain = Math.max(2, Math.floor(options.retainSweeps ?? DEFAULT_RETAIN_SWEEPS));
  const retainSightings = Math.max(1, Math.floor(options.retainSightings ?? DEFAULT_RETAIN_SIGHTINGS));
  const maxVerdicts = Math.max(2, Math.floor(options.maxVerdicts ?? DEFAULT_MAX_VERDICTS));
  const readOnly = options.readOnly === true;
  const file = inventoryPath(dataDir);
  const db: DatabaseSync = openInventoryDb(file, {
    readOnly,
    now,
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });

  const q = {
    sweepById: query(db, 'SELECT * FROM sweeps WHERE id = ?', SWEEP_ROW),
    sweepsByPrefix: query(db, 'SELECT * FROM sweeps WHERE substr(id, 1, length(?)) = ? ORDER BY seq DESC LIMIT 10', SWEEP_ROW),
    sweepsDesc: query(db, "SELECT * FROM sweeps WHERE kind = 'sweep' ORDER BY seq DESC LIMIT ?", SWEEP_ROW),
    sightingsDesc: query(db, "SELECT * FROM sweeps WHERE kind <> 'sweep' ORDER BY seq DESC LIMIT ?", SWEEP_ROW),
    sweepBefore: query(db, "SELECT * FROM sweeps WHERE kind = 'sweep' AND seq < ? ORDER BY seq DESC LIMIT 1", SWEEP_ROW),
    events: query(db, 'SELECT event FROM events WHERE sweep_seq = ? ORDER BY ord', { event: 'text' }),
    allDevices: query(db, `${FULL} ORDER BY d.id`, FULL_ROW),
    // What matching and change computation need: no device records.
    knownDevices: query(db, 'SELECT id, mac, epr, udn, serial, ip, last_seen, present, status, snapshot, leaving FROM devices', KNOWN_ROW),
    deviceById: query(db, `${FULL} WHERE d.id = ?`, FULL_ROW),
    devicesByMac: query(db, `${FULL} WHERE d.mac = ? ORDER BY d.last_seen DESC, d.id`, FULL_ROW),
    devicesByIp: query(db, `${FULL} WHERE d.ip = ? ORDER BY d.last_seen DESC, d.id`, FULL_ROW),
    devicesByAddress: query(db, `${FULL} WHERE EXISTS (SELECT 1 FROM json_each(r.json, '$.addresses') a WHERE a.value = ?) ORDER BY d.last_seen DESC, d.id`, FULL_ROW),
    devicesByPrefix: query(db, `${FULL} WHERE substr(d.id, 1, length(?)) = ? ORDER BY d.id LIMIT 10`, FULL_ROW),
    verdictsOf: query(db, 'SELECT * FROM verdicts WHERE device_id = ? ORDER BY id', VERDICT_ROW),
    allVerdicts: query(db, 'SELECT * FROM verdicts ORDER BY id', VERDICT_ROW),
    presenceAt: query(db, 'SELECT p.device_id, s.json AS snapshot FROM presence p JOIN snapshots s ON s.id = p.snapshot_id WHERE p.sweep_seq = ?', { device_id: 'text', snapshot: 'text' }),
    presenceBefore: query(
      db,
      'SELECT s.json AS snapshot FROM presence p JOIN snapshots s ON s.id = p.snapshot_id WHERE p.device_id = ? AND p.sweep_seq < ? ORDER BY p.sweep_seq DESC LIMIT 1',
      { snapshot: 'text' },
    ),
    firstSeqs: query(db, 'SELECT id, first_seq FROM devices', { id: 'text', first_seq: 'int' }),
    statusCounts: query(db, 'SELECT status, COUNT(*) AS n FROM devices GROUP BY status', { status: 'text', n: 'int' }),
  };
  // Write statements need a writable handle.
  const w = readOnly
    ? undefined
    : {
        insertSweep: db.prepare(
          `INSERT INTO sweeps (id, started_at, finished_at, recorded_at, devices, restricted, review, clear, errors, changes, interfaces, kind)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        // `sweeps` counts sweeps: a sighting passes 0. Being found clears a goodbye.
        upsertDevice: db.prepare(
          `INSERT INTO devices (id, mac, epr, udn, serial, ip, first_seen, last_seen, first_seq, last_seq, sweeps, present, status, snapshot, leaving)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL)
           ON CONFLICT (id) DO UPDATE SET
             mac = COALESCE(excluded.mac, devices.mac), epr = COALESCE(excluded.epr, devices.epr),
             udn = COALESCE(excluded.udn, devices.udn), serial = COALESCE(excluded.serial, devices.serial),
             ip = excluded.ip, first_seen = MIN(devices.first_seen, excluded.first_seen),
             last_seen = MAX(devices.last_seen, excluded.last_seen), last_seq = excluded.last_seq,
             sweeps = devices.sweeps + excluded.sweeps, present = 1, status = excluded.status,
             snapshot = excluded.snapshot, leaving = NULL`,
        ),
        leaving: db.prepare('UPDATE devices SET leaving = ? WHERE id = ?'),
        // A record is rewritten only when it changed: most devices look the same sweep after sweep.
        record: db.prepare(
          `INSERT INTO records (device_id, hash, json) VALUES (?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET hash = excluded.hash, json = excluded.json WHERE records.hash <> excluded.hash`,
        ),
        snapshot: db.prepare('INSERT INTO snapshots (hash, json) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING'),
        snapshotId: query(db, 'SELECT id FROM snapshots WHERE hash = ?', { id: 'int' }),
        dropSnapshots: db.prepare('DELETE FROM snapshots WHERE id NOT IN (SELECT snapshot_id FROM presence)'),
        gone: db.prepare('UPDATE devices SET present = 0, leaving = NULL WHERE id = ?'),
        presence: db.prepare('INSERT INTO presence (sweep_seq, device_id, snapshot_id) VALUES (?, ?, ?)'),
        event: db.prepare('INSERT INTO events (sweep_seq, ord, type, device_id, event) VALUES (?, ?, ?, ?, ?)'),
        lastVerdict: query(db, 'SELECT status, pack, rule FROM verdicts WHERE device_id = ? ORDER BY id DESC LIMIT 1', { status: 'text', pack: 'text?', rule: 'text?' }),
        verdict: db.prepare('INSERT INTO verdicts (device_id, sweep_id, at, status, reason, pack, rule) VALUES (?, ?, ?, ?, ?, ?, ?)'),
        capVerdicts: db.prepare(
          `DELETE FROM verdicts WHERE device_id = ?
             AND id NOT IN (SELECT id FROM verdicts WHERE device_id = ? ORDER BY id DESC LIMIT ?)
             AND id <> (SELECT MIN(id) FROM verdicts WHERE device_id = ?)`,
        ),
        oldestKept: query(db, "SELECT seq FROM sweeps WHERE kind = 'sweep' ORDER BY seq DESC LIMIT 1 OFFSET ?", { seq: 'int' }),
        pruneSweeps: db.prepare('DELETE FROM sweeps WHERE seq < ?'),
        prunePresence: db.prepare('DELETE FROM presence WHERE sweep_seq < ?'),
        pruneEvents: db.prepare('DELETE FROM events WHERE sweep_seq < ?'),
        oldestSightingKept: query(db, "SELECT seq FROM sweeps WHERE kind <> 'sweep' ORDER BY seq DESC LIMIT 1 OFFSET ?", { seq: 'int' }),
        pruneSightingPresence: db.prepare("DELETE FROM presence WHERE sweep_seq IN (SELECT seq FROM sweeps WHERE kind <> 'sweep' AND seq < ?)"),
        pruneSightingEvents: db.prepare("DELETE FROM events WHERE sweep_seq IN (SELECT seq FROM sweeps WHERE kind <> 'sweep' AND seq < ?)"),
        pruneSightings: db.prepare("DELETE FROM sweeps WHERE kind <> 'sweep' AND seq < ?"),
      };

  /** One write transaction; a busy database is INVENTORY_BUSY. */
  const write = <T>(fn: () => T): T => {
    try {
      return transaction(db, fn);
    } catch (err) {
      if (isBusy(err)) throw new CamsweepError(ERR.INVENTORY_BUSY, `${file} is busy (another camsweep is writing it): ${errorMessage(err)}`, { cause: err });
      throw err;
    }
  };

  const storedEvents = (seq: number): ChangeEvent[] =>
    q.events.all(seq).map((r) => JSON.parse(r.event) as ChangeEvent);

  const findSweep = (ref: string): SweepRow | undefined => {
    const exact = q.sweepById.get(ref);
    if (exact !== undefined || ref.length < 4) return exact;
    const rows = q.sweepsByPrefix.all(ref, ref);
    if (rows.length > 1) throw new CamsweepError(ERR.INVENTORY_AMBIGUOUS, `sweep ${ref} is ambiguous: ${rows.map((r) => r.id).join(', ')}`);
    return rows[0];
  };

  /** A sweep (never a sighting or departure) by id or prefix; a `diff` is between sweeps. */
  const mustSweep = (ref: string): SweepRow => {
    const row = findSweep(ref);
    if (row !== undefined && recordKind(row) !== 'sweep') {
      throw new CamsweepError(ERR.INVENTORY_UNKNOWN_SWEEP, `${ref} is a ${recordKind(row)} recorded between sweeps, not a sweep (see \`camsweep sweeps\`)`);
    }
    if (row === undefined) throw new CamsweepError(ERR.INVENTORY_UNKNOWN_SWEEP, `no sweep ${ref} in the inventory (see \`camsweep sweeps\`)`);
    return row;
  };

  /** Any record (sweep, sighting, departure) by id or prefix. */
  const mustRecord = (ref: string): SweepRow => {
    const row = findSweep(ref);
    if (row === undefined) throw new CamsweepError(ERR.INVENTORY_UNKNOWN_SWEEP, `no sweep ${ref} in the inventory (see \`camsweep sweeps\`)`);
    return row;
  };

  const toInventoryDevice = (r: FullRow, verdicts: readonly VerdictRow[]): InventoryDevice => ({
    id: r.id,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    sweeps: r.sweeps,
    present: r.present === 1,
    ...(r.leaving === null ? {} : { leaving: r.leaving }),
    latest: parseDeviceJson(r.json, r.id),
    verdicts: verdicts.map((v) => ({
      sweepId: v.sweep_id,
      at: v.at,
      status: verdictStatus(v.status),
      reason: v.reason,
      ...(v.pack === null ? {} : { pack: v.pack }),
      ...(v.rule === null ? {} : { rule: v.rule }),
    })),
  });

  const withVerdicts = (r: FullRow): InventoryDevice => toInventoryDevice(r, q.verdictsOf.all(r.id));

  /** The summary row of a record; returns its sequence number. */
  const insertRecord = (result: SweepResult, kind: RecordKind, at: string, recordedAt: Date, changes: number, interfaces: readonly string[]): number => {
    if (w === undefined) throw new CamsweepError(ERR.INVENTORY_READ_ONLY, `${file} is open read-only`);
    const count = { restricted: 0, review: 0, clear: 0 };
    for (const d of result.devices) count[d.verdict.status] += 1;
    return Number(
      w.insertSweep.run(
        result.id,
        iso(result.startedAt, recordedAt),
        at,
        recordedAt.toISOString(),
        result.devices.length,
        count.restricted,
        count.review,
        count.clear,
        result.errors.length,
        changes,
        JSON.stringify(interfaces),
        kind,
      ).lastInsertRowid,
    );
  };

  /**
   * Retention: the last `retain` sweeps, with whatever was recorded between them, and at most
   * `retainSightings` sightings and departures.
   */
  const prune = (seq: number): void => {
    if (w === undefined) return;
    const oldest = w.oldestKept.get(retain - 1);
    if (oldest !== undefined) {
      w.pruneSweeps.run(oldest.seq);
      w.prunePresence.run(oldest.seq);
      w.pruneEvents.run(oldest.seq);
    }
    const oldestSighting = w.oldestSightingKept.get(retainSightings - 1);
    if (oldestSighting !== undefined) {
      w.pruneSightingPresence.run(oldestSighting.seq);
      w.pruneSightingEvents.run(oldestSighting.seq);
      w.pruneSightings.run(oldestSighting.seq);
    }
    // Snapshots no presence row uses any more: swept now and then, it reads every presence row.
    if ((oldest !== undefined || oldestSighting !== undefined) && seq % SNAPSHOT_GC_EVERY === 0) w.dropSnapshots.run();
  };

  function record(result: SweepResult, partial: boolean): ChangeEvent[] {
    if (w === undefined) throw new CamsweepError(ERR.INVENTORY_READ_ONLY, `${file} is open read-only`);
    const existing = q.sweepById.get(result.id);
    if (existing !== undefined) return storedEvents(existing.seq);

    const recordedAt = now();
    const at = iso(result.finishedAt, recordedAt);
    const rows = q.knownDevices.all();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const keys = withoutShared(result.devices.map(identityOf));
    const matched = matchDevices(
      keys,
      rows.map((r) => ({ id: r.id, mac: r.mac, epr: r.epr, udn: r.udn, serial: r.serial, ip: r.ip, lastSeen: r.last_seen })),
    );
    const taken = new Set(byId.keys());
    const found: Array<FoundDevice & { index: number }> = result.devices.map((device, index) => {
      const id = matched[index] ?? newDeviceId(identityKey(keys[index]!), (x) => taken.has(x), result.id);
      taken.add(id);
      const row = byId.get(id);
      const known: KnownState | undefined = row === undefined ? undefined : knownState(row);
      return { id, index, snapshot: snapshotOf(device), ...(known === undefined ? {} : { known }) };
    });
    const foundIds = new Set(found.map((f) => f.id));
    // A partial record (devices identified between sweeps) says nothing of the devices it lacks;
    // nor does a sweep of a device a sighting saw after it started (it came after the sweep looked).
    const started = iso(result.startedAt, recordedAt);
    const missing = partial ? [] : rows.filter((r) => !foundIds.has(r.id) && r.last_seen < started).map((r) => ({ id: r.id, known: knownState(r) }));
    const interfaces = result.interfaces.map((i) => i.name);
    const events = computeChanges({ sweep: { id: result.id, at, interfaces }, found, missing });
    const seq = insertRecord(result, partial ? 'sighting' : 'sweep', at, recordedAt, events.length, interfaces);

    for (const f of found) {
      const device = result.devices[f.index]!;
      const k = keys[f.index]!;
      const stored = JSON.stringify(carryForward(f.snapshot, f.known?.snapshot));
      w.upsertDevice.run(f.id, k.mac, k.epr, k.udn, k.serial, device.ip, at, at, seq, seq, partial ? 0 : 1, device.verdict.status, stored);
      const json = deviceJson(device);
      w.record.run(f.id, hash(json), json);
      const snapshotHash = hash(stored);
      w.snapshot.run(snapshotHash, stored);
      w.presence.run(seq, f.id, w.snapshotId.get(snapshotHash)!.id);
      const v = device.verdict;
      const last = w.lastVerdict.get(f.id);
      if (last === undefined || last.status !== v.status || last.pack !== (v.pack ?? null) || last.rule !== (v.rule ?? null)) {
        w.verdict.run(f.id, result.id, at, v.status, v.reason, v.pack ?? null, v.rule ?? null);
        w.capVerdicts.run(f.id, f.id, maxVerdicts - 1, f.id);
      }
    }
    events.forEach((e, ord) => {
      if (e.type === 'device-gone') w.gone.run(e.deviceId);
      w.event.run(seq, ord, e.type, e.deviceId, JSON.stringify(e));
    });

    prune(seq);
    return events;
  }

  function depart(d: Departure): ChangeEvent[] {
    if (w === undefined) throw new CamsweepError(ERR.INVENTORY_READ_ONLY, `${file} is open read-only`);
    const existing = q.sweepById.get(d.id);
    if (existing !== undefined) return storedEvents(existing.seq);
    const rows = q.knownDevices.all();
    const keys = {
      mac: normaliseMac(d.identifiers.mac) ?? null,
      epr: usableId(d.identifiers.epr),
      udn: usableId(d.identifiers.udn),
      serial: usableId(d.identifiers.serial),
      ip: d.ip,
    };
    const [id] = matchDevices(
      [keys],
      rows.map((r) => ({ id: r.id, mac: r.mac, epr: r.epr, udn: r.udn, serial: r.serial, ip: r.ip, lastSeen: r.last_seen })),
    );
    const row = id === undefined ? undefined : rows.find((r) => r.id === id);
    if (row === undefined) return [];
    const recordedAt = now();
    const at = iso(d.at, recordedAt);
    const event = departureChange({ id: d.id, at, deviceId: row.id, known: knownState(row) });
    if (event === undefined) return [];
    const interfaces = d.interface === undefined ? [] : [d.interface];
    const seq = insertRecord({ schema: 'camsweep.sweep/v1', id: d.id, startedAt: at, finishedAt: at, interfaces: [], devices: [], errors: [] }, 'departure', at, recordedAt, 1, interfaces);
    w.leaving.run(at, row.id);
    w.event.run(seq, 0, event.type, event.deviceId, JSON.stringify(event));
    prune(seq);
    return [event];
  }

  const presence = (seq: number): Map<string, Snapshot> => {
    const out = new Map<string, Snapshot>();
    for (const r of q.presenceAt.all(seq)) {
      const s = parseSnapshot(r.snapshot);
      if (s !== undefined) out.set(r.device_id, s);
    }
    return out;
  };

  /** The changes from sweep a to the later sweep b. */
  function diffRows(a: SweepRow, b: SweepRow): ChangeEvent[] {
    if (a.seq === b.seq) return [];
    const [inA, inB] = [presence(a.seq), presence(b.seq)];
    const aInterfaces = stringList(a.interfaces);
    const firstSeq = new Map(q.firstSeqs.all().map((r) => [r.id, r.first_seq]));
    const found: FoundDevice[] = [];
    for (const [id, snapshot] of inB) {
      const before = inA.get(id);
      if (before !== undefined) {
        found.push({ id, snapshot, known: { snapshot: before, present: true } });
      } else if ((firstSeq.get(id) ?? b.seq) > a.seq) {
        found.push({ id, snapshot });
      } else {
        // Seen before A but not in A: back, unless A did not look where it was.
        const row = q.presenceBefore.get(id, a.seq);
        const last = row === undefined ? undefined : parseSnapshot(row.snapshot);
        found.push({ id, snapshot, known: last === undefined ? { snapshot, present: false } : { snapshot: last, present: !covers(aInterfaces, last.interfaces) } });
      }
    }
    const missing = [...inA].filter(([id]) => !inB.has(id)).map(([id, snapshot]) => ({ id, known: { snapshot, present: true } }));
    return computeChanges({ sweep: { id: b.id, at: b.finished_at, interfaces: stringList(b.interfaces) }, found, missing });
  }

  function diffSweeps(from?: string, to?: string): SweepDiff {
    let a: SweepRow | undefined;
    let b: SweepRow | undefined;
    if (to !== undefined) b = mustSweep(to.trim());
    else [b] = q.sweepsDesc.all(1);
    if (from !== undefined) a = mustSweep(from.trim());
    else if (b !== undefined) a = q.sweepBefore.get(b.seq);
    if (a === undefined || b === undefined) {
      throw new CamsweepError(ERR.INVENTORY_NOT_ENOUGH_SWEEPS, 'a diff needs two recorded sweeps (see `camsweep sweeps`)');
    }
    if (a.seq > b.seq) [a, b] = [b, a];
    return { from: summary(a), to: summary(b), changes: diffRows(a, b) };
  }

  return {
    file,
    recordSweep(result, options = {}) {
      checkSweep(result);
      return write(() => record(result, options.partial === true));
    },

    recordDeparture(departure) {
      if (typeof departure.id !== 'string' || !SWEEP_ID.test(departure.id)) throw new CamsweepError(ERR.INVENTORY_INVALID_SWEEP, 'the departure has no usable id');
      return write(() => depart(departure));
    },

    devices(filter: DeviceFilter = {}) {
      const verdicts = new Map<string, VerdictRow[]>();
      for (const v of q.allVerdicts.all()) {
        const list = verdicts.get(v.device_id);
        if (list) list.push(v);
        else verdicts.set(v.device_id, [v]);
      }
      return q.allDevices
        .all()
        .map((r) => toInventoryDevice(r, verdicts.get(r.id) ?? []))
        .filter((d) => matchesFilter(d, filter))
        .sort((a, b) => compareIp(a.latest.ip, b.latest.ip) || (a.id < b.id ? -1 : 1));
    },

    device(ref) {
      const text = ref.trim();
      if (text === '') return undefined;
      const exact = q.deviceById.get(text.toLowerCase());
      if (exact !== undefined) return withVerdicts(exact);
      if (isIP(text) !== 0) {
        const row = q.devicesByIp.all(text)[0] ?? q.devicesByAddress.all(text)[0];
        return row === undefined ? undefined : withVerdicts(row);
      }
      const mac = normaliseMac(text);
      if (mac !== undefined) {
        const row = q.devicesByMac.all(mac)[0];
        return row === undefined ? undefined : withVerdicts(row);
      }
      if (/^[0-9a-f]{4,11}$/iu.test(text)) {
        const prefix = text.toLowerCase();
        const rows = q.devicesByPrefix.all(prefix, prefix);
        if (rows.length > 1) throw new CamsweepError(ERR.INVENTORY_AMBIGUOUS, `device ${prefix} is ambiguous: ${rows.map((r) => r.id).join(', ')}`);
        return rows[0] === undefined ? undefined : withVerdicts(rows[0]);
      }
      return undefined;
    },

    sweeps(limit) {
      const n = limit === undefined || !Number.isFinite(limit) || limit <= 0 ? -1 : Math.floor(limit);
      return q.sweepsDesc.all(n).map(summary);
    },

    sweep(ref) {
      const row = findSweep(ref.trim());
      return row === undefined || recordKind(row) !== 'sweep' ? undefined : summary(row);
    },

    sweepEvents(ref) {
      return storedEvents(mustRecord(ref.trim()).seq);
    },

    sightings(limit) {
      const n = limit === undefined || !Number.isFinite(limit) || limit <= 0 ? -1 : Math.floor(limit);
      return q.sightingsDesc.all(n).map((r) => ({ ...summary(r), kind: recordKind(r) === 'departure' ? 'departure' : 'sighting' }));
    },

    diff(from, to) {
      return diffSweeps(from, to).changes;
    },

    diffSweeps,

    statusCounts() {
      const counts: Record<DeviceStatus, number> = { restricted: 0, review: 0, clear: 0 };
      for (const r of q.statusCounts.all()) {
        if (r.status === 'restricted' || r.status === 'review' || r.status === 'clear') counts[r.status] = r.n;
      }
      return counts;
    },

    integrityCheck: () => integrityCheck(db),

    close() {
      if (db.isOpen) db.close();
    },
  };
}
