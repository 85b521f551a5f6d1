import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CentralStore, ForwardSettings } from '../../../src/central/store/store.ts';
import { device, devices, received, STORE_KINDS } from './helpers.ts';

const AT = Date.UTC(2026, 10, 26, 11, 0, 0);
const meta = (over: object = {}) => ({ receivedAt: AT, bytes: 100, remote: '127.0.0.1', ...over });

describe.each(STORE_KINDS)('central store ($name)', (kind) => {
  let store: CentralStore;
  let again: (f?: ForwardSettings) => Promise<CentralStore>;
  let cleanup: () => Promise<void>;
  const forward: ForwardSettings = { sinks: ['webhook:test'], consoleUrl: 'https://central.example' };

  beforeEach(async () => {
    ({ store, again, cleanup } = await kind.open(forward));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('stores a report once per device key and keeps one latest state per device', async () => {
    const r = received();
    expect(await store.ingest(r, meta())).toEqual({ kind: 'stored', accepted: 3, duplicates: 0 });
    expect(await store.ingest(r, meta())).toEqual({ kind: 'stored', accepted: 0, duplicates: 3 });
    // The next sweep reports the same three devices under new keys: still three devices.
    const next = received({ startedAt: '2026-11-26T11:00:00.000Z' });
    expect(await store.ingest(next, meta())).toEqual({ kind: 'stored', accepted: 3, duplicates: 0 });
    const s = await store.stats();
    expect(s).toMatchObject({ requests: 3, deviceReceipts: 9, devices: 6, sweeps: 2, deviceStates: 3 });
    const page = await store.listDevicePage({ limit: 10 });
    expect(page.devices).toHaveLength(3);
    expect(page.devices[0]).toMatchObject({ site: 'HQ', status: 'restricted', rule: 'hikvision', pack: 'us-ndaa-889', firstSeen: '2026-11-26T10:00:00.000Z', lastSeen: '2026-11-26T11:00:00.000Z', agents: ['agent-01'] });
  });

  it('reports that arrive together share a transaction: repeats and replays within it are counted as such', async () => {
    const r = received();
    const other = received({ agent: 'agent-02', startedAt: '2026-11-26T10:05:00.000Z' });
    const sig = { value: 'b'.repeat(64), t: Math.floor(AT / 1000), windowMs: 300_000 };
    const results = await Promise.all([store.ingest(r, meta()), store.ingest(r, meta()), store.ingest(other, meta({ signature: sig })), store.ingest(other, meta({ signature: sig }))]);
    expect(results).toEqual([
      { kind: 'stored', accepted: 3, duplicates: 0 },
      { kind: 'stored', accepted: 0, duplicates: 3 },
      { kind: 'stored', accepted: 3, duplicates: 0 },
      { kind: 'replay' },
    ]);
    expect(await store.stats()).toMatchObject({ requests: 3, deviceReceipts: 9, devices: 6, deviceStates: 3 });
    const [d] = (await store.listDevicePage({ limit: 1 })).devices;
    expect(d!.agents).toEqual(['agent-01', 'agent-02']);
  });

  it('refuses a replayed signature and keeps nothing of that request', async () => {
    const sig = { value: 'a'.repeat(64), t: Math.floor(AT / 1000), windowMs: 300_000 };
    expect((await store.ingest(received(), meta({ signature: sig }))).kind).toBe('stored');
    expect(await store.ingest(received({ startedAt: '2026-11-26T12:00:00.000Z' }), meta({ signature: sig }))).toEqual({ kind: 'replay' });
    expect((await store.stats()).requests).toBe(1);
  });

  it('follows a device across an IP change and across agents (identity by MAC), scoped by site', async () => {
    const cam = device();
    await store.ingest(received({ devices: [cam] }), meta());
    await store.ingest(received({ agent: 'agent-02', startedAt: '2026-11-26T10:30:00.000Z', devices: [{ ...cam, ip: '10.66.9.9', addresses: ['10.66.9.9'], firmware: 'V5.5.0' }] }), meta());
    // The same MAC at another site is another device.
    await store.ingest(received({ agent: 'agent-03', site: 'Annex', devices: [cam] }), meta());
    const page = await store.listDevicePage({ limit: 10 });
    expect(page.devices).toHaveLength(2);
    const hq = page.devices.find((d) => d.site === 'HQ')!;
    expect(hq).toMatchObject({ ip: '10.66.9.9', firmware: 'V5.5.0', agents: ['agent-01', 'agent-02'] });
    const detail = (await store.getDevice(hq.id))!;
    expect(detail.history.map((h) => h.change).sort()).toEqual(['firmware-changed', 'first-seen', 'ip-changed']);
    // An older observation arriving late does not roll the latest state back.
    await store.ingest(received({ agent: 'agent-04', startedAt: '2026-11-26T09:00:00.000Z', devices: [{ ...cam, ip: '10.66.1.1', addresses: ['10.66.1.1'] }] }), meta());
    const later = (await store.getDevice(hq.id))!;
    expect(later).toMatchObject({ ip: '10.66.9.9', firstSeen: '2026-11-26T09:00:00.000Z', lastSeen: '2026-11-26T10:30:00.000Z' });
    expect(later.agents).toEqual(['agent-01', 'agent-02', 'agent-04']);
  });

  it('filters by status, site, agent and text, and pages with a cursor', async () => {
    await store.ingest(received({ devices: devices(25, ['restricted', 'clear', 'review']) }), meta());
    await store.ingest(received({ agent: 'agent-02', site: 'Annex', devices: devices(5) }), meta());
    const restricted = await store.listDevicePage({ status: 'restricted', limit: 100 });
    expect(restricted.devices).toHaveLength(9 + 5);
    expect((await store.listDevicePage({ site: 'Annex', limit: 100 })).devices).toHaveLength(5);
    expect((await store.listDevicePage({ agent: 'agent-02', limit: 100 })).devices).toHaveLength(5);
    expect((await store.listDevicePage({ q: '10.66.1.12', limit: 100 })).devices.map((d) => d.ip)).toEqual(['10.66.1.12']);
    expect((await store.listDevicePage({ q: 'DS-2CD', site: 'Annex', limit: 100 })).devices).toHaveLength(5);
    expect((await store.listDevicePage({ q: '%', limit: 100 })).devices).toHaveLength(0);
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await store.listDevicePage({ limit: 7, ...(cursor === undefined ? {} : { cursor }) });
      for (const d of page.devices) seen.add(d.id);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(30);
  });

  it('records reviews append-only; an exception holds until its date, then the device is restricted again', async () => {
    await store.ingest(received({ devices: [device()] }), meta());
    const [d] = (await store.listDevicePage({ limit: 1 })).devices;
    const review = await store.review(d!.id, { state: 'exception', note: 'lab unit, isolated VLAN', until: '2026-12-01', by: 'alice', at: '2026-11-26T12:00:00.000Z' });
    expect(review).toMatchObject({ state: 'exception', by: 'alice', until: '2026-12-01' });
    expect((await store.getDevice(d!.id))!.status).toBe('exception');
    expect((await store.listDevicePage({ status: 'restricted', limit: 10 })).devices).toHaveLength(0);
    expect(await store.expireExceptions('2026-11-30', '2026-11-30T00:00:00.000Z')).toBe(0);
    expect(await store.expireExceptions('2026-12-01', '2026-12-01T00:00:00.000Z')).toBe(1);
    const after = (await store.getDevice(d!.id))!;
    expect(after.status).toBe('restricted');
    expect(after.reviews).toHaveLength(1);
    expect(after.history.map((h) => h.change)).toContain('exception-expired');
    await store.review(d!.id, { state: 'confirmed', note: '', until: null, by: 'bob', at: '2026-12-02T00:00:00.000Z' });
    expect((await store.getDevice(d!.id))!.reviews.map((r) => r.state)).toEqual(['exception', 'confirmed']);
    expect(await store.review('nope', { state: 'confirmed', note: '', until: null, by: 'bob', at: '2026-12-02T00:00:00.000Z' })).toBeUndefined();
  });

  it('queues one event per sink and key for forwarding, claimed once', async () => {
    await store.ingest(received({ devices: devices(2, ['restricted', 'clear']) }), meta());
    await store.ingest(received({ devices: devices(2, ['restricted', 'clear']) }), meta());
    const items = await store.claimForward(['webhook:test'], AT, 60_000, 100);
    expect(items).toHaveLength(1);
    expect(JSON.parse(items[0]!.body)).toMatchObject({ type: 'restricted-new', site: 'HQ', maker: 'Hikvision', rule: 'hikvision', pack: 'us-ndaa-889', agent: 'agent-01' });
    expect(JSON.parse(items[0]!.body).link).toMatch(/^https:\/\/central\.example\/devices\/[0-9a-f]{16}$/u);
    expect(await store.claimForward(['webhook:test'], AT, 60_000, 100)).toHaveLength(0);
    await store.forwardDelivered(items[0]!.id, AT);
    expect(await store.stats()).toMatchObject({ forwardPending: 0, forwardDead: 0 });
    expect(await store.gauges()).toEqual({ devices: 2, forwardPending: 0, forwardDead: 0 });
    expect(await store.pruneForward(AT)).toBe(0);
    expect(await store.pruneForward(AT + 1)).toBe(1);
  });

  it('prunes per-report rows older than the retention, oldest first and a batch at a time, and keeps device state', async () => {
    await store.ingest(received(), meta({ receivedAt: AT - 3_000 }));
    await store.ingest(received({ startedAt: '2026-11-26T11:00:00.000Z' }), meta({ receivedAt: AT - 2_000 }));
    await store.ingest(received({ startedAt: '2026-11-26T12:00:00.000Z' }), meta({ receivedAt: AT }));
    expect(await store.stats()).toMatchObject({ requests: 3, devices: 9, deviceStates: 3 });
    expect(await store.pruneReports(AT - 3_000, 100)).toBe(0);
    // At most two of each kind: two of the six old device reports, and both old receipts.
    expect(await store.pruneReports(AT - 1_000, 2)).toBe(4);
    expect(await store.stats()).toMatchObject({ requests: 1, devices: 7 });
    expect(await store.pruneReports(AT - 1_000, 100)).toBe(4);
    expect(await store.pruneReports(AT - 1_000, 100)).toBe(0);
    expect(await store.stats()).toMatchObject({ requests: 1, devices: 3, deviceStates: 3 });
    const page = await store.listDevicePage({ limit: 10 });
    expect(page.devices.map((d) => d.firstSeen)).toEqual(['2026-11-26T10:00:00.000Z', '2026-11-26T10:00:00.000Z', '2026-11-26T10:00:00.000Z']);
    // The newest report is still known: sent again, it is a duplicate.
    expect(await store.ingest(received({ startedAt: '2026-11-26T12:00:00.000Z' }), meta({ receivedAt: AT + 1 }))).toEqual({ kind: 'stored', accepted: 0, duplicates: 3 });
  });

  it('agents, users and API tokens', async () => {
    await store.addAgent({ id: 'a1', site: 'HQ', tokenHash: 'h1', certFingerprint: null, at: '2026-11-26T00:00:00.000Z' });
    await expect(store.addAgent({ id: 'a1', site: 'HQ', tokenHash: 'h2', certFingerprint: null, at: '2026-11-26T00:00:00.000Z' })).rejects.toThrow(/exists/u);
    expect(await store.agentByTokenHash('h1')).toMatchObject({ id: 'a1', site: 'HQ', revokedAt: null });
    expect(await store.revokeAgent('a1', '2026-11-27T00:00:00.000Z')).toBe(true);
    expect(await store.revokeAgent('a1', '2026-11-27T00:00:00.000Z')).toBe(false);
    expect((await store.listAgents())[0]).toMatchObject({ id: 'a1', revokedAt: '2026-11-27T00:00:00.000Z' });
    await store.addUser({ name: 'alice', role: 'reviewer', passwordHash: 'x', at: '2026-11-26T00:00:00.000Z' });
    await store.addApiToken({ user: 'alice', tokenHash: 't1', at: '2026-11-26T00:00:00.000Z' });
    expect(await store.userByTokenHash('t1')).toMatchObject({ name: 'alice', role: 'reviewer' });
    expect(await store.userByTokenHash('t2')).toBeUndefined();
  });

  // Several processes may share one database: PostgreSQL by its row and advisory locks, the
  // embedded store's file by SQLite's write lock (BEGIN IMMEDIATE).
  it('two handles on one database (two processes) ingesting the same reports at once store each device once', async () => {
    const other = await again(forward);
    const reports = Array.from({ length: 12 }, (_, i) => received({ agent: `agent-${i % 3}`, startedAt: new Date(Date.UTC(2026, 10, 26, 10, i)).toISOString(), devices: devices(4) }));
    await Promise.all(reports.flatMap((r) => [store.ingest(r, meta()), other.ingest(r, meta())]));
    const s = await store.stats();
    expect(s.devices).toBe(48);
    expect(s.deviceStates).toBe(4);
    expect(s.requests).toBe(24);
    expect(s.deviceReceipts).toBe(96);
    const items = await store.claimForward(['webhook:test'], AT, 1000, 100);
    expect(items.filter((i) => JSON.parse(i.body).type === 'restricted-new')).toHaveLength(4);
  });
});
