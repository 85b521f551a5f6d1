import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inventoryPath, openInventory, type InventoryStore } from '../../../src/inventory/store.ts';
import { deviceJson, MAX_DEVICE_JSON, parseDeviceJson } from '../../../src/inventory/device-json.ts';
import type { ChangeEvent, Departure } from '../../../src/inventory/types.ts';
import { amcrestDevice, device, sweep } from './sample.ts';

let dir: string;
const open: InventoryStore[] = [];
const inv = (options: Parameters<typeof openInventory>[1] = {}): InventoryStore => {
  const i = openInventory(dir, { now: () => new Date('2026-11-26T12:00:00Z'), ...options });
  open.push(i);
  return i;
};

beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'camsweep-inventory-')), 'data');
});
afterEach(() => {
  for (const i of open.splice(0)) i.close();
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

const types = (events: readonly ChangeEvent[]): string[] => events.map((e) => `${e.type} ${e.device.ip}`);

const A = (over: Parameters<typeof device>[0] = {}) => device({ ip: '10.66.0.11', mac: '44:19:b6:00:00:0a', ...over });
const B = (over: Parameters<typeof device>[0] = {}) => device({ ip: '10.66.0.12', mac: '44:19:b6:00:00:0b', status: 'restricted', ...over });

describe('openInventory', () => {
  it('creates inventory.db 0600 in a 0700 directory, in WAL mode, with its migration recorded', () => {
    const i = inv();
    i.recordSweep(sweep([A()], '2026-11-20T10:00:00Z'));
    expect(i.file).toBe(inventoryPath(dir));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(i.file).mode & 0o777).toBe(0o600);
    expect(statSync(`${i.file}-wal`).mode & 0o777).toBe(0o600);
    const raw = new DatabaseSync(i.file, { readOnly: true });
    try {
      expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(raw.prepare('SELECT version, name, applied_at FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'devices, records, sweeps, presence, snapshots, events, verdicts', applied_at: '2026-11-26T12:00:00.000Z' },
        { version: 2, name: 'sightings and departures between sweeps (sweeps.kind), devices possibly gone (devices.leaving)', applied_at: '2026-11-26T12:00:00.000Z' },
      ]);
    } finally {
      raw.close();
    }
    expect(i.integrityCheck()).toBe('ok');
  });

  it('refuses a database written by a newer camsweep', () => {
    inv().close();
    const raw = new DatabaseSync(inventoryPath(dir));
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, ?)').run('future', 'x');
    raw.close();
    expect(() => inv()).toThrow(expect.objectContaining({ code: 'INVENTORY_SCHEMA_NEWER' }));
    expect(() => inv({ readOnly: true })).toThrow(expect.objectContaining({ code: 'INVENTORY_SCHEMA_NEWER' }));
  });

  it('a read-only handle reads while the writer writes, and cannot write', () => {
    const w = inv();
    w.recordSweep(sweep([A()], '2026-11-20T10:00:00Z'));
    const r = inv({ readOnly: true });
    expect(r.devices()).toHaveLength(1);
    w.recordSweep(sweep([A(), B()], '2026-11-20T11:00:00Z'));
    expect(r.devices()).toHaveLength(2);
    expect(() => r.recordSweep(sweep([A()], '2026-11-20T12:00:00Z'))).toThrow(expect.objectContaining({ code: 'INVENTORY_READ_ONLY' }));
  });

  it('refuses what is not a sweep result', () => {
    const i = inv();
    expect(() => i.recordSweep({ ...sweep([], '2026-11-20T10:00:00Z'), id: '' })).toThrow(expect.objectContaining({ code: 'INVENTORY_INVALID_SWEEP' }));
    expect(() => i.recordSweep({ ...sweep([], '2026-11-20T10:00:00Z'), schema: 'other' as 'camsweep.sweep/v1' })).toThrow(
      expect.objectContaining({ code: 'INVENTORY_INVALID_SWEEP' }),
    );
  });
});

describe('recordSweep', () => {
  it('stores devices with first and last seen, sweeps and present, and persists across a reopen', () => {
    const s1 = sweep([A(), B()], '2026-11-20T10:00:00Z');
    expect(types(inv().recordSweep(s1))).toEqual(['restricted-new 10.66.0.12', 'device-new 10.66.0.11']);
    open.splice(0).forEach((i) => i.close());

    const i = inv();
    expect(types(i.recordSweep(sweep([A()], '2026-11-21T10:00:00Z')))).toEqual(['device-gone 10.66.0.12']);
    const [a, b] = i.devices();
    expect(a).toMatchObject({ firstSeen: '2026-11-20T10:00:03.000Z', lastSeen: '2026-11-21T10:00:03.000Z', sweeps: 2, present: true, latest: { ip: '10.66.0.11' } });
    expect(b).toMatchObject({ firstSeen: '2026-11-20T10:00:03.000Z', lastSeen: '2026-11-20T10:00:03.000Z', sweeps: 1, present: false });
    expect(i.sweeps().map((s) => [s.startedAt, s.devices, s.restricted, s.review, s.changes])).toEqual([
      ['2026-11-21T10:00:00.000Z', 1, 0, 1, 1],
      ['2026-11-20T10:00:00.000Z', 2, 1, 1, 2],
    ]);
  });

  it('is idempotent per sweep id: the same sweep again returns its stored events and changes nothing', () => {
    const i = inv();
    const s1 = sweep([A()], '2026-11-20T10:00:00Z');
    i.recordSweep(s1);
    const s2 = sweep([A({ ip: '10.66.0.50' }), B()], '2026-11-21T10:00:00Z');
    const first = i.recordSweep(s2);
    expect(types(first)).toEqual(['restricted-new 10.66.0.12', 'ip-changed 10.66.0.50']);
    const before = i.devices();
    expect(i.recordSweep(s2)).toEqual(first);
    expect(i.recordSweep({ ...s2, devices: [] })).toEqual(first);
    expect(i.devices()).toEqual(before);
    expect(i.sweeps()).toHaveLength(2);
    expect(i.sweepEvents(s2.id)).toEqual(first);
  });

  it('follows a device gone and back over four sweeps, and the diffs agree with the live events', () => {
    const i = inv();
    const sweeps = [
      sweep([A(), B()], '2026-11-20T10:00:00Z'),
      sweep([A()], '2026-11-20T11:00:00Z'),
      sweep([A()], '2026-11-20T12:00:00Z'),
      sweep([A(), B({ ip: '10.66.0.13' })], '2026-11-20T13:00:00Z'),
    ];
    const live = sweeps.map((s) => i.recordSweep(s));
    expect(live.map(types)).toEqual([
      ['restricted-new 10.66.0.12', 'device-new 10.66.0.11'],
      ['device-gone 10.66.0.12'],
      [],
      ['device-back 10.66.0.13', 'ip-changed 10.66.0.13'],
    ]);
    const b = i.device('44:19:b6:00:00:0b');
    expect(b).toMatchObject({ sweeps: 2, present: true, latest: { ip: '10.66.0.13' } });
    for (let n = 1; n < sweeps.length; n += 1) expect(i.diff(sweeps[n - 1]!.id, sweeps[n]!.id)).toEqual(live[n]);
    // Default: the last two.
    expect(i.diff()).toEqual(live[3]);
    // Across the gap: B was in both 1 and 4; only its address moved.
    expect(types(i.diff(sweeps[0]!.id, sweeps[3]!.id))).toEqual(['ip-changed 10.66.0.13']);
    // Named the wrong way round: still from the older to the newer.
    const d = i.diffSweeps(sweeps[2]!.id, sweeps[1]!.id);
    expect([d.from.id, d.to.id]).toEqual([sweeps[1]!.id, sweeps[2]!.id]);
    // From one sweep to the latest.
    expect(types(i.diff(sweeps[1]!.id))).toEqual(['device-back 10.66.0.13', 'ip-changed 10.66.0.13']);
    expect(i.diff(sweeps[1]!.id, sweeps[1]!.id)).toEqual([]);
  });

  it('a device first seen after the older sweep is new in the diff', () => {
    const i = inv();
    const s1 = sweep([A()], '2026-11-20T10:00:00Z');
    const s2 = sweep([A(), B({ status: 'review' })], '2026-11-20T11:00:00Z');
    i.recordSweep(s1);
    i.recordSweep(s2);
    expect(types(i.diff(s1.id, s2.id))).toEqual(['device-new 10.66.0.12']);
  });

  it('keeps a device that moved to another IP with the same MAC, or with the same EPR and no MAC', () => {
    const i = inv();
    const epr = 'urn:uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464';
    const noMac = (ip: string) => device({ ip, mac: null, identifiers: { epr } });
    i.recordSweep(sweep([A(), noMac('10.66.0.40')], '2026-11-20T10:00:00Z'));
    const events = i.recordSweep(sweep([A({ ip: '10.66.0.21' }), noMac('10.66.0.41')], '2026-11-20T11:00:00Z'));
    expect(events.map((e) => [e.type, e.before, e.after])).toEqual([
      ['ip-changed', '10.66.0.11', '10.66.0.21'],
      ['ip-changed', '10.66.0.40', '10.66.0.41'],
    ]);
    expect(i.devices()).toHaveLength(2);
    // Found by the new IP, the old one no longer names it.
    expect(i.device('10.66.0.41')?.latest.identifiers.epr).toBe(epr);
    expect(i.device('10.66.0.40')).toBeUndefined();
  });

  it('records a firmware, model and verdict change, and appends to the verdict history only on change', () => {
    const i = inv();
    i.recordSweep(sweep([A()], '2026-11-20T10:00:00Z'));
    i.recordSweep(sweep([A()], '2026-11-20T11:00:00Z'));
    const events = i.recordSweep(sweep([A({ firmware: 'V5.5.0', model: 'DS-2CD2143G0-I', status: 'restricted' })], '2026-11-20T12:00:00Z'));
    expect(events.map((e) => e.type)).toEqual(['verdict-changed', 'firmware-changed', 'model-changed']);
    i.recordSweep(sweep([A({ status: 'restricted', rule: 'hikvision-affiliate' })], '2026-11-20T13:00:00Z'));
    const d = i.device('10.66.0.11')!;
    expect(d.verdicts.map((v) => [v.status, v.rule ?? null])).toEqual([
      ['review', null],
      ['restricted', 'hikvision'],
      ['restricted', 'hikvision-affiliate'],
    ]);
    expect(d.verdicts[1]).toMatchObject({ at: '2026-11-20T12:00:03.000Z', pack: 'us-ndaa-889', reason: expect.stringMatching(/Hikvision/u) });
  });

  it('does not mark devices on an interface a sweep did not cover as gone', () => {
    const i = inv();
    const onEth1 = device({ ip: '10.66.1.5', mac: '44:19:b6:00:01:05', interfaces: ['eth1'] });
    i.recordSweep(sweep([A(), onEth1], '2026-11-20T10:00:00Z', { interfaces: ['eth0', 'eth1'] }));
    expect(i.recordSweep(sweep([A()], '2026-11-20T11:00:00Z', { interfaces: ['eth0'] }))).toEqual([]);
    expect(types(i.recordSweep(sweep([A()], '2026-11-20T12:00:00Z', { interfaces: ['eth0', 'eth1'] })))).toEqual(['device-gone 10.66.1.5']);
  });

  it('bounds growth: keeps the last retainSweeps sweeps and the first and latest verdicts', () => {
    const i = inv({ retainSweeps: 3, maxVerdicts: 3 });
    const statuses = ['review', 'restricted', 'review', 'restricted', 'review', 'clear'] as const;
    const ids = statuses.map((status, n) => {
      const s = sweep([A({ status })], `2026-11-2${n}T10:00:00Z`);
      i.recordSweep(s);
      return s.id;
    });
    expect(i.sweeps().map((s) => s.id)).toEqual(ids.slice(-3).reverse());
    expect(i.sweep(ids[0]!)).toBeUndefined();
    expect(() => i.diff(ids[0], ids[5])).toThrow(expect.objectContaining({ code: 'INVENTORY_UNKNOWN_SWEEP' }));
    const d = i.device('10.66.0.11')!;
    expect(d.sweeps).toBe(6);
    expect(d.firstSeen).toBe('2026-11-20T10:00:03.000Z');
    expect(d.verdicts.map((v) => v.status)).toEqual(['review', 'review', 'clear']);
    expect(d.verdicts[0]!.sweepId).toBe(ids[0]);
    const raw = new DatabaseSync(i.file, { readOnly: true });
    try {
      expect(raw.prepare('SELECT COUNT(*) AS n FROM presence').get()).toEqual({ n: 3 });
      expect(raw.prepare('SELECT COUNT(DISTINCT sweep_seq) AS n FROM events').get()).toEqual({ n: 3 });
    } finally {
      raw.close();
    }
  });

  it('stores a device state once however many sweeps share it, and drops states no kept sweep uses', () => {
    const i = inv({ retainSweeps: 2 });
    const count = (table: string): number => {
      const raw = new DatabaseSync(i.file, { readOnly: true });
      try {
        return (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      } finally {
        raw.close();
      }
    };
    for (let n = 0; n < 10; n += 1) i.recordSweep(sweep([A(), B()], new Date(Date.UTC(2026, 10, 1, n)).toISOString()));
    expect([count('snapshots'), count('presence'), count('records')]).toEqual([2, 4, 2]);
    // A moves every sweep: a new state each time, collected every 50 sweeps.
    for (let n = 10; n < 50; n += 1) i.recordSweep(sweep([A({ ip: `10.66.0.${100 + n}` }), B()], new Date(Date.UTC(2026, 10, 1, n)).toISOString()));
    expect(count('snapshots')).toBe(3);
    expect(count('presence')).toBe(4);
    expect(i.diff().map((e) => e.type)).toEqual(['ip-changed']);
  });

  it('counts devices by latest status from the index', () => {
    const i = inv();
    expect(i.statusCounts()).toEqual({ restricted: 0, review: 0, clear: 0 });
    i.recordSweep(sweep([A(), B(), device({ ip: '10.66.0.40', mac: '64:eb:8c:00:00:01', status: 'clear', kind: 'printer' })], '2026-11-20T10:00:00Z'));
    expect(i.statusCounts()).toEqual({ restricted: 1, review: 1, clear: 1 });
    i.recordSweep(sweep([A({ status: 'restricted' })], '2026-11-20T11:00:00Z'));
    expect(i.statusCounts()).toEqual({ restricted: 2, review: 0, clear: 1 });
  });

  it('lets one writer in at a time: a held write lock makes recordSweep fail as busy, and nothing is half-written', () => {
    const i = inv({ busyTimeoutMs: 50 });
    i.recordSweep(sweep([A()], '2026-11-20T10:00:00Z'));
    const other = new DatabaseSync(i.file, { timeout: 50 });
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(() => i.recordSweep(sweep([A(), B()], '2026-11-20T11:00:00Z'))).toThrow(expect.objectContaining({ code: 'INVENTORY_BUSY' }));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(i.sweeps()).toHaveLength(1);
    expect(i.devices()).toHaveLength(1);
    expect(types(i.recordSweep(sweep([A(), B()], '2026-11-20T12:00:00Z')))).toEqual(['restricted-new 10.66.0.12']);
  });

  it('two handles on one file take turns and see each other’s state', () => {
    const one = inv();
    const two = inv();
    one.recordSweep(sweep([A(), B()], '2026-11-20T10:00:00Z'));
    expect(types(two.recordSweep(sweep([A()], '2026-11-20T11:00:00Z')))).toEqual(['device-gone 10.66.0.12']);
    expect(types(one.recordSweep(sweep([A(), B()], '2026-11-20T12:00:00Z')))).toEqual(['device-back 10.66.0.12']);
    expect(one.sweeps()).toHaveLength(3);
  });
});

describe('sightings and departures between sweeps', () => {
  const bye = (over: Partial<Departure> = {}): Departure => ({ id: `bye-${Math.random().toString(36).slice(2)}`, at: '2026-11-20T10:30:00Z', ip: '10.66.0.12', identifiers: {}, interface: 'eth0', protocol: 'wsd', ...over });

  it('records a sighting apart from the sweeps: not listed, not counted as a sweep, never diffed, and its devices not called gone', () => {
    const i = inv();
    const s1 = sweep([A()], '2026-11-20T10:00:00Z');
    i.recordSweep(s1);
    const seen = sweep([B()], '2026-11-20T10:20:00Z');
    expect(types(i.recordSweep(seen, { partial: true }))).toEqual(['restricted-new 10.66.0.12']);
    const s2 = sweep([A(), B()], '2026-11-20T11:00:00Z');
    expect(i.recordSweep(s2)).toEqual([]);
    expect(i.sweeps().map((s) => s.id)).toEqual([s2.id, s1.id]);
    expect(i.sweep(seen.id)).toBeUndefined();
    expect(i.sightings().map((s) => [s.id, s.kind, s.devices, s.changes])).toEqual([[seen.id, 'sighting', 1, 1]]);
    expect(i.sweepEvents(seen.id).map((e) => e.type)).toEqual(['restricted-new']);
    // The diff of the two sweeps says B is new, as the sweeps alone say it.
    expect(types(i.diff())).toEqual(['restricted-new 10.66.0.12']);
    expect(() => i.diff(seen.id, s2.id)).toThrow(expect.objectContaining({ code: 'INVENTORY_UNKNOWN_SWEEP', message: expect.stringMatching(/a sighting recorded between sweeps/u) }));
    expect(i.device('10.66.0.12')).toMatchObject({ sweeps: 1, present: true, firstSeen: '2026-11-20T10:20:03.000Z' });
    expect(i.device('10.66.0.11')).toMatchObject({ sweeps: 2 });
  });

  it('a sweep does not call gone a device a sighting saw after the sweep started (it came after the sweep looked)', () => {
    const i = inv();
    i.recordSweep(sweep([A()], '2026-11-20T10:00:00Z'));
    i.recordSweep(sweep([B()], '2026-11-20T11:00:02Z'), { partial: true });
    expect(i.recordSweep(sweep([A()], '2026-11-20T11:00:00Z'))).toEqual([]);
    expect(i.device('10.66.0.12')).toMatchObject({ present: true });
    expect(types(i.recordSweep(sweep([A()], '2026-11-20T12:00:00Z')))).toEqual(['device-gone 10.66.0.12']);
  });

  it('a goodbye marks a present device leaving (once); the next covering sweep confirms it gone', () => {
    const i = inv();
    i.recordSweep(sweep([A(), B()], '2026-11-20T10:00:00Z'));
    const d = bye();
    expect(i.recordDeparture(d)).toEqual([
      { type: 'device-leaving', deviceId: i.device('10.66.0.12')!.id, sweepId: d.id, at: '2026-11-20T10:30:00.000Z', device: expect.objectContaining({ ip: '10.66.0.12', status: 'restricted' }) },
    ]);
    // The same record again, and another goodbye (SSDP sends one per service): nothing new.
    expect(i.recordDeparture(d).map((e) => e.type)).toEqual(['device-leaving']);
    expect(i.recordDeparture(bye({ protocol: 'ssdp' }))).toEqual([]);
    expect(i.device('10.66.0.12')).toMatchObject({ present: true, leaving: '2026-11-20T10:30:00.000Z' });
    expect(i.sightings().map((s) => [s.kind, s.devices, s.changes])).toEqual([['departure', 0, 1]]);
    expect(types(i.recordSweep(sweep([A()], '2026-11-20T11:00:00Z')))).toEqual(['device-gone 10.66.0.12']);
    const gone = i.device('10.66.0.12')!;
    expect(gone.present).toBe(false);
    expect(gone.leaving).toBeUndefined();
    // Gone: a goodbye from it now says nothing new.
    expect(i.recordDeparture(bye())).toEqual([]);
  });

  it('a device that said goodbye and is seen again is back (a sighting or a sweep clears it)', () => {
    const i = inv();
    i.recordSweep(sweep([A(), B()], '2026-11-20T10:00:00Z'));
    i.recordDeparture(bye());
    expect(types(i.recordSweep(sweep([B()], '2026-11-20T10:31:00Z'), { partial: true }))).toEqual(['device-back 10.66.0.12']);
    expect(i.device('10.66.0.12')!.leaving).toBeUndefined();
    expect(i.recordSweep(sweep([A(), B()], '2026-11-20T11:00:00Z'))).toEqual([]);
    i.recordDeparture(bye({ at: '2026-11-20T11:10:00Z' }));
    expect(types(i.recordSweep(sweep([A(), B()], '2026-11-20T12:00:00Z')))).toEqual(['device-back 10.66.0.12']);
  });

  it('finds the device a goodbye names by its identifiers before its address, and ignores one it cannot find', () => {
    const i = inv();
    i.recordSweep(sweep([A({ identifiers: { epr: 'urn:uuid:4b1d2a00-3aa0-11b5-8142-4419b621420a' } }), B()], '2026-11-20T10:00:00Z'));
    // The EPR names A, whatever address the Bye came from (its IPv6 link-local one).
    expect(types(i.recordDeparture(bye({ ip: 'fe80::4619:b6ff:fe00:a', identifiers: { epr: 'urn:uuid:4b1d2a00-3aa0-11b5-8142-4419b621420a' } })))).toEqual(['device-leaving 10.66.0.11']);
    expect(i.recordDeparture(bye({ ip: '10.66.0.99' }))).toEqual([]);
    // Same address, another EPR: another device took the address; not B.
    expect(i.recordDeparture(bye({ identifiers: { epr: 'urn:uuid:00000000-1111-2222-3333-444444444444', mac: '02:00:00:00:00:01' } }))).toEqual([]);
    expect(i.sightings()).toHaveLength(1);
  });

  it('retention counts sweeps only, drops what was recorded before the oldest sweep kept, and caps sightings', () => {
    const i = inv({ retainSweeps: 2, retainSightings: 3 });
    const first = sweep([A()], '2026-11-20T10:00:00Z');
    i.recordSweep(first);
    const early = sweep([B()], '2026-11-20T10:10:00Z');
    i.recordSweep(early, { partial: true });
    for (let n = 0; n < 5; n += 1) i.recordSweep(sweep([B({ firmware: `V${n}` })], `2026-11-20T10:2${n}:00Z`), { partial: true });
    expect(i.sightings()).toHaveLength(3);
    expect(i.sweeps()).toHaveLength(1);
    i.recordSweep(sweep([A(), B()], '2026-11-20T11:00:00Z'));
    i.recordSweep(sweep([A(), B()], '2026-11-20T12:00:00Z'));
    expect(i.sweeps()).toHaveLength(2);
    expect(i.sweep(first.id)).toBeUndefined();
    // Every sighting was before the oldest sweep kept.
    expect(i.sightings()).toHaveLength(0);
    expect(() => i.sweepEvents(early.id)).toThrow(expect.objectContaining({ code: 'INVENTORY_UNKNOWN_SWEEP' }));
  });
});

describe('lookups', () => {
  it('finds a device by id, id prefix, IP, any of its addresses, or MAC in any notation', () => {
    const i = inv();
    i.recordSweep(sweep([amcrestDevice(), device({ ip: '10.66.0.7', addresses: ['10.66.0.7', '10.66.0.8'], mac: null })], '2026-11-20T10:00:00Z'));
    const [amcrest] = i.devices({ manufacturer: 'dahua' });
    expect(amcrest?.latest).toMatchObject({ manufacturer: 'Dahua', brand: 'Amcrest' });
    const id = amcrest!.id;
    for (const ref of [id, id.slice(0, 6), id.toUpperCase(), '192.168.1.108', '9C-8E-CD-0A-1B-2C', '9c8e.cd0a.1b2c', ` ${id} `]) {
      expect(i.device(ref)?.id).toBe(id);
    }
    expect(i.device('10.66.0.8')?.latest.ip).toBe('10.66.0.7');
    for (const ref of ['10.66.0.99', 'ffff', 'nothing-here', '', '00:00:00:00:00:00']) expect(i.device(ref)).toBeUndefined();
  });

  it('names sweeps by id or unique prefix and refuses an ambiguous one', () => {
    const i = inv();
    i.recordSweep(sweep([], '2026-11-20T10:00:00Z', { id: 'aaaa1111-x' }));
    i.recordSweep(sweep([], '2026-11-20T11:00:00Z', { id: 'aaaa2222-y' }));
    expect(i.sweep('aaaa1')?.id).toBe('aaaa1111-x');
    expect(i.sweep('aaa')).toBeUndefined();
    expect(() => i.sweep('aaaa')).toThrow(expect.objectContaining({ code: 'INVENTORY_AMBIGUOUS' }));
    expect(i.sweeps(1).map((s) => s.id)).toEqual(['aaaa2222-y']);
  });

  it('needs two sweeps for a diff', () => {
    const i = inv();
    expect(() => i.diff()).toThrow(expect.objectContaining({ code: 'INVENTORY_NOT_ENOUGH_SWEEPS' }));
    i.recordSweep(sweep([A()], '2026-11-20T10:00:00Z'));
    expect(() => i.diff()).toThrow(expect.objectContaining({ code: 'INVENTORY_NOT_ENOUGH_SWEEPS' }));
    expect(() => i.diff('nope', 'nada')).toThrow(expect.objectContaining({ code: 'INVENTORY_UNKNOWN_SWEEP' }));
  });

  it('keeps the judged record whole: evidence, attribution and verdict', () => {
    const i = inv();
    const d = amcrestDevice();
    i.recordSweep(sweep([d], '2026-11-20T10:00:00Z'));
    expect(i.device('192.168.1.108')?.latest).toEqual(d);
  });
});

describe('device records', () => {
  it('cuts an oversized record’s evidence, keeping the verdict, and says so', () => {
    const big = device({ evidence: Array.from({ length: 2000 }, (_, n) => ({ protocol: 'http' as const, field: 'http.header', value: `${n}`.padEnd(400, 'x') })) });
    const json = deviceJson(big);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_DEVICE_JSON);
    const back = parseDeviceJson(json, 'x');
    expect(back.evidenceTruncated).toBe(true);
    expect(back.evidence.length).toBeGreaterThan(0);
    expect(back.verdict).toEqual(big.verdict);
    expect(deviceJson(device())).toBe(JSON.stringify(device()));
  });

  it('reports a damaged record with a stable code', () => {
    expect(() => parseDeviceJson('{', 'abc')).toThrow(expect.objectContaining({ code: 'INVENTORY_CORRUPT' }));
    expect(() => parseDeviceJson('{"ip":"1.2.3.4"}', 'abc')).toThrow(expect.objectContaining({ code: 'INVENTORY_CORRUPT' }));
  });
});

describe('a device leaving, as the review commands print it', () => {
  it('devices says leaving in PRESENT (JSON: leaving, the time); show says when it said goodbye', async () => {
    const { formatDevices } = await import('../../../src/inventory/format.ts');
    const { formatShow } = await import('../../../src/inventory/show.ts');
    const i = inv();
    i.recordSweep(sweep([A(), B()], '2026-11-20T10:00:00Z'));
    i.recordDeparture({ id: 'bye-0001-aaaa', at: '2026-11-20T10:30:00Z', ip: '10.66.0.12', identifiers: {}, protocol: 'mdns' });
    const table = formatDevices(i.devices(), 'table', i.file);
    expect(table.split('\n').find((l) => l.includes('10.66.0.12'))).toMatch(/\bleaving\b/u);
    expect(table.split('\n').find((l) => l.includes('10.66.0.11'))).toMatch(/\byes\b/u);
    expect(JSON.parse(formatDevices(i.devices(), 'json', i.file))[1]).toMatchObject({ present: true, leaving: '2026-11-20T10:30:00.000Z' });
    expect(formatShow(i.device('10.66.0.12')!, 'text').replace(/\s+/gu, ' ')).toMatch(/said goodbye at 2026-11-20T10:30:00Z: possibly gone until the next sweep/u);
  });
});
