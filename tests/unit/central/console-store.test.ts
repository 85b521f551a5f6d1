import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedPath, openEmbeddedStore } from '../../../src/central/store/embedded.ts';
import { openPostgresStore } from '../../../src/central/store/postgres.ts';
import { decodeConsoleCursor, encodeConsoleCursor, sessionHash } from '../../../src/central/store/console-queries.ts';
import type { CentralStore } from '../../../src/central/store/store.ts';
import { CONSOLE_SORTS, STATUS_ORDER, type DeviceSummary } from '../../../src/central/types.ts';
import { addUser } from '../../../src/central/admin.ts';
import { checkReportBody } from '../../../src/central/validate.ts';
import { serializeReport } from '../../../src/report/payload.ts';
import { ipSortKey } from '../../../src/util/ip-sort-key.ts';
import { estateReports, seedEstate, siteDevices, siteName } from '../../helpers/console-estate.ts';
import { freshPgDatabase, STORE_KINDS } from './helpers.ts';
import { summarise } from '../../../src/console/summary.ts';
import { LoginLimiter } from '../../../src/console/login-limit.ts';

/** The console's reads on both stores: the list in status groups and keyset pages, filters, search, the overview's counts, daily counts, sessions. */

const NOW = Date.parse('2026-12-01T12:00:00Z');

async function all(store: CentralStore, q: Parameters<CentralStore['console']['devicePage']>[0]): Promise<DeviceSummary[]> {
  const out: DeviceSummary[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 1000; n += 1) {
    const page = await store.console.devicePage({ ...q, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.devices);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('no end');
}

// Devices of one kind (so one status group) at one site, a MAC each (identity), by address.
// (An address that is neither IPv4 nor IPv6 sorts last, but the intake refuses one: see ip-sort-key.test.ts.)
const IPS = ['fe80::1%eth0', '10.20.8.12', '2001:db8::1', '10.20.9.1', '10.20.8.2', '10.20.8.200', 'fe80::1', '2001:db8::10', '9.1.1.1'];
const IP_ORDER = ['9.1.1.1', '10.20.8.2', '10.20.8.12', '10.20.8.200', '10.20.9.1', '2001:db8::1', '2001:db8::10', 'fe80::1', 'fe80::1%eth0'];
const IP_DEVICES = IPS.map((ip, i) => ({
  ...structuredClone(siteDevices(7, 1)[0]!),
  ip,
  addresses: [ip],
  mac: `02:00:00:00:10:${String(i).padStart(2, '0')}`,
  serial: `ipsort-${i}`,
  identifiers: { serial: `ipsort-${i}` },
}));

async function ingestIps(store: CentralStore, list: typeof IP_DEVICES, startedAt: string): Promise<void> {
  for (const r of estateReports('agent-ipsort', 'IP Site', list, startedAt)) {
    const body = serializeReport(r);
    const checked = checkReportBody(Buffer.from(body));
    if (!checked.ok) throw new Error(`${checked.error} ${JSON.stringify(checked.problems)}`);
    await store.ingest(checked.report, { receivedAt: Date.parse(startedAt), bytes: body.length, remote: null, agentId: 'agent-ipsort' });
  }
}

/** A store with a way around it to its database (rows as an older camsweep left them). */
interface RawStore {
  store: CentralStore;
  sql(text: string): Promise<void>;
  reopen(): Promise<CentralStore>;
  cleanup(): Promise<void>;
}

const RAW: Array<{ name: string; open: () => Promise<RawStore> }> = [
  {
    name: 'embedded',
    open: async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-ipkey-'));
      let store: CentralStore = openEmbeddedStore(dir);
      return Promise.resolve({
        store,
        sql: async (text) => {
          const db = new DatabaseSync(embeddedPath(dir));
          try {
            db.exec(text);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
        reopen: async () => {
          await store.close();
          store = openEmbeddedStore(dir);
          return store;
        },
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const url = await freshPgDatabase();
      let store = await openPostgresStore(url, { poolSize: 2 });
      return {
        store,
        sql: async (text) => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(text);
          } finally {
            await client.end();
          }
        },
        reopen: async () => {
          await store.close();
          store = await openPostgresStore(url, { poolSize: 2 });
          return store;
        },
        cleanup: async () => store.close(),
      };
    },
  },
];

describe.each(RAW)('address keys of rows from before the key ($name)', (kind) => {
  it("pages over rows keyed '' (first in their group), and the store fills their keys when it opens", async () => {
    const raw = await kind.open();
    try {
      await ingestIps(raw.store, IP_DEVICES, '2026-11-30T10:00:00.000Z');
      await raw.sql("UPDATE devices SET ip_key = '' WHERE ip IN ('10.20.8.12', '10.20.9.1', '2001:db8::1')");
      const legacyFirst = ['10.20.8.12', '10.20.9.1', '2001:db8::1', '9.1.1.1', '10.20.8.2', '10.20.8.200', '2001:db8::10', 'fe80::1', 'fe80::1%eth0'];
      for (const sort of ['site', 'ip'] as const) {
        for (const limit of [1, 2, 4]) expect((await all(raw.store, { sort, limit })).map((d) => d.ip), `${sort} ${limit}`).toEqual(legacyFirst);
      }
      const reopened = await raw.reopen();
      for (const sort of ['site', 'ip'] as const) expect((await all(reopened, { sort, limit: 2 })).map((d) => d.ip), sort).toEqual(IP_ORDER);
    } finally {
      await raw.cleanup();
    }
  });
});

describe.each(STORE_KINDS)('console reads ($name)', (kind) => {
  let store: CentralStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.open());
    await seedEstate(store, { sites: 3, perSite: 30, days: 3, now: NOW, hostile: true });
  });
  afterEach(async () => cleanup());

  it('pages through every device once, restricted first, in each sort, whatever the page size', async () => {
    const total = (await store.stats()).deviceStates;
    expect(total).toBe(3 * 30 + 2);
    for (const sort of CONSOLE_SORTS) {
      for (const limit of [7, 100]) {
        const seen = await all(store, { sort, limit });
        expect(seen).toHaveLength(total);
        expect(new Set(seen.map((d) => d.id)).size).toBe(total);
        const ranks = seen.map((d) => STATUS_ORDER.indexOf(d.status));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(seen[0]!.status).toBe('restricted');
      }
    }
    // Within a site, addresses in numeric order (ipSortKey), not as text.
    const bySite = await all(store, { sort: 'site', limit: 10, status: 'restricted' });
    const keys = bySite.map((d) => `${d.site}\u0000${ipSortKey(d.ip)}\u0000${d.ip}`);
    expect(keys).toEqual([...keys].sort());
    const octets = bySite.filter((d) => d.site === siteName(0)).map((d) => Number(d.ip.split('.')[3]));
    expect(octets.some((n) => n < 10) && octets.some((n) => n >= 10)).toBe(true);
    expect(octets).toEqual([...octets].sort((a, b) => a - b));
  });

  it('lists addresses in numeric order, IPv4 then IPv6 (a zone last), across pages, and follows an ip change', async () => {
    const fresh = await kind.open();
    try {
      const s = fresh.store;
      await ingestIps(s, IP_DEVICES, '2026-11-30T10:00:00.000Z');
      for (const sort of ['site', 'ip'] as const) {
        for (const limit of [1, 2, 3, 100]) expect((await all(s, { sort, limit })).map((d) => d.ip), `${sort} ${limit}`).toEqual(IP_ORDER);
      }
      // The export walks the same pages.
      const exported: string[] = [];
      for await (const page of s.console.devices({ sort: 'site' })) exported.push(...page.map((d) => d.ip));
      expect(exported).toEqual(IP_ORDER);

      // 10.20.8.200 moves to 10.20.8.3: its key is written with its ip (as text, .3 would sort after .12).
      const moved = IP_DEVICES.map((d) => (d.ip === '10.20.8.200' ? { ...d, ip: '10.20.8.3', addresses: ['10.20.8.3'] } : d));
      await ingestIps(s, moved, '2026-12-01T10:00:00.000Z');
      const after = ['9.1.1.1', '10.20.8.2', '10.20.8.3', '10.20.8.12', '10.20.9.1', '2001:db8::1', '2001:db8::10', 'fe80::1', 'fe80::1%eth0'];
      for (const sort of ['site', 'ip'] as const) expect((await all(s, { sort, limit: 2 })).map((d) => d.ip), sort).toEqual(after);
      // The report's restricted devices, in the same order.
      const restricted: string[] = [];
      for await (const chunk of s.console.restricted('IP Site')) restricted.push(...chunk.map((r) => r.device.ip));
      expect(restricted).toEqual(after);
    } finally {
      await fresh.cleanup();
    }
  });

  it('filters by site, status, maker, brand, kind, review state and agent; searches IP, MAC, model and serial', async () => {
    const site = siteName(1);
    const atSite = await all(store, { sort: 'site', limit: 50, site });
    expect(atSite).toHaveLength(30);
    expect(atSite.every((d) => d.site === site)).toBe(true);
    expect((await all(store, { sort: 'ip', limit: 50, maker: 'Dahua' })).every((d) => d.manufacturer === 'Dahua')).toBe(true);
    const lorex = await all(store, { sort: 'maker', limit: 50, brand: 'Lorex' });
    expect(lorex.length).toBeGreaterThan(0);
    expect(lorex.every((d) => d.brand === 'Lorex' && d.manufacturer === 'Dahua')).toBe(true);
    expect((await all(store, { sort: 'site', limit: 50, kind: 'recorder' })).every((d) => d.kind === 'recorder')).toBe(true);
    expect((await all(store, { sort: 'site', limit: 50, agent: 'agent-0003' })).every((d) => d.agents.includes('agent-0003'))).toBe(true);
    const [target] = await all(store, { sort: 'site', limit: 5, site, status: 'restricted' });
    for (const q of [target!.ip, target!.mac!.toUpperCase(), target!.serial!.slice(-9), 'ds-2cd2142']) {
      const found = await all(store, { sort: 'site', limit: 50, q: q.toLowerCase() });
      expect(found.length, q).toBeGreaterThan(0);
      expect(found.every((d) => [d.ip, d.mac, d.model, d.serial].some((v) => (v ?? '').toLowerCase().includes(q.toLowerCase()))), q).toBe(true);
    }
    // A search is still in status groups, and pages.
    const wide = await all(store, { sort: 'first-seen', limit: 4, q: '10.' });
    expect(wide).toHaveLength(92);
    const ranks = wide.map((d) => STATUS_ORDER.indexOf(d.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(await all(store, { sort: 'site', limit: 5, q: "%_'\\" })).toEqual([]);

    await store.review(target!.id, { state: 'exception', note: 'waiver 12', until: '2027-01-31', by: 'rita', at: new Date(NOW).toISOString() });
    const excepted = await all(store, { sort: 'site', limit: 50, review: 'exception' });
    expect(excepted.map((d) => d.id)).toEqual([target!.id]);
    expect(excepted[0]!.status).toBe('exception');
    expect((await all(store, { sort: 'site', limit: 200, review: 'none' })).some((d) => d.id === target!.id)).toBe(false);
    const exceptions = await store.console.exceptions({ until: '2027-02-01', limit: 10 });
    expect(exceptions.map((d) => [d.id, d.note])).toEqual([[target!.id, 'waiver 12']]);
    expect(await store.console.exceptions({ until: '2027-01-01', limit: 10 })).toEqual([]);
  });

  it('groups a brand stated in another case with its spelling, on the overview and in the list behind its bar', async () => {
    const lorex = await all(store, { sort: 'maker', limit: 50, brand: 'Lorex' });
    // A device stating its label in capitals (devices state labels as they like).
    const shouting = { ...structuredClone(siteDevices(7, 1)[0]!), brand: 'LOREX', mac: '02:00:00:00:20:01', serial: 'shouting-1', identifiers: { serial: 'shouting-1' }, ip: '10.20.9.77', addresses: ['10.20.9.77'] };
    await ingestIps(store, [shouting], new Date(NOW).toISOString());
    const both = await all(store, { sort: 'maker', limit: 50, brand: 'lorex' });
    expect(both).toHaveLength(lorex.length + 1);
    expect(new Set(both.map((d) => d.brand))).toEqual(new Set(['Lorex', 'LOREX']));
    expect(await all(store, { sort: 'maker', limit: 50, brand: 'LOREX' })).toHaveLength(lorex.length + 1);
    const bars = summarise(await store.console.overview(), null, NOW).byBrand.filter((b) => b.name.toLowerCase() === 'lorex');
    // One bar, under the spelling most devices state, counting every spelling.
    expect(bars).toHaveLength(1);
    expect(bars[0]!.name).toBe('Lorex');
    expect(bars[0]!.total).toBe(lorex.length + 1);
  });

  it('refuses a cursor that is not one of its own', async () => {
    const first = await store.console.devicePage({ sort: 'site', limit: 5 });
    expect(decodeConsoleCursor(first.nextCursor!, 'site')).toBeDefined();
    expect(decodeConsoleCursor(first.nextCursor!, 'ip')).toBeUndefined();
    for (const bad of ['x', encodeConsoleCursor({ group: 9, values: ['a', 'b'], id: '0123456789abcdef' }), Buffer.from('[0,["a","b"],"not-an-id"]').toString('base64url')]) {
      expect(decodeConsoleCursor(bad, 'site')).toBeUndefined();
      // A page with a cursor it cannot read starts from the beginning.
      expect((await store.console.devicePage({ sort: 'site', limit: 5, cursor: bad })).devices).toEqual(first.devices);
    }
  });

  it('counts per site, status, maker, brand and kind; new since the last sweep; agents with their last report', async () => {
    const o = await store.console.overview();
    const total = o.counts.reduce((a, c) => a + c.devices, 0);
    expect(total).toBe(92);
    expect(o.counts.filter((c) => c.site === siteName(0)).reduce((a, c) => a + c.devices, 0)).toBe(32);
    // The estate grew on the last day: 30 a site, 28 the day before (see seedEstate).
    const fresh = o.newSinceLastSweep.reduce((a, c) => a + c.devices, 0);
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(20);
    expect(o.agents.map((a) => a.agent).sort()).toEqual(['agent-0001', 'agent-0002', 'agent-0003']);
    expect(o.agents.every((a) => a.lastReportAt === new Date(NOW).toISOString())).toBe(true);
    const daily = await store.console.dailyCounts(undefined, '2026-11-01');
    expect([...new Set(daily.map((d) => d.day))]).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    const last = daily.filter((d) => d.day === '2026-12-01').reduce((a, d) => a + d.devices, 0);
    expect(last).toBe(92);
    const site = await store.console.dailyCounts(siteName(2), '2026-11-01');
    expect(site.filter((d) => d.day === '2026-12-01').reduce((a, d) => a + d.devices, 0)).toBe(30);
    // Recording a day again replaces it.
    await store.console.recordDailyCounts('2026-12-01');
    expect((await store.console.dailyCounts(undefined, '2026-12-01')).reduce((a, d) => a + d.devices, 0)).toBe(92);
  });

  it('shares sign-in attempts between processes: two limiters on one store grant the allowance once', async () => {
    let now = NOW;
    const rule = { perUser: { max: 3, windowMs: 60_000 }, perAddress: { max: 10, windowMs: 60_000 } };
    const a = new LoginLimiter({ now: () => now, shared: store.console, ...rule });
    const b = new LoginLimiter({ now: () => now, shared: store.console, ...rule });
    const fail = async (l: LoginLimiter, address: string, user: string): Promise<void> => {
      const g = await l.begin(address, user);
      expect(g.ok).toBe(true);
      if (g.ok) g.release();
      l.failed(address, user);
    };
    await fail(a, '10.0.0.1', 'rita');
    await fail(a, '10.0.0.1', 'rita');
    await fail(b, '10.0.0.2', 'Rita');
    // Neither process alone has seen three failures; the store has.
    expect(await b.begin('10.0.0.3', 'rita')).toMatchObject({ ok: false, why: 'user', retryAfterS: 60 });
    expect(await a.begin('10.0.0.3', 'rita')).toMatchObject({ ok: false, why: 'user' });
    now += 61_000;
    expect((await b.begin('10.0.0.3', 'rita')).ok).toBe(true);
    // Attempts still being checked in the other process count too.
    const held = await a.begin('10.0.0.4', 'zed');
    expect(held.ok).toBe(true);
    expect((await b.begin('10.0.0.5', 'zed')).ok).toBe(true);
    expect((await b.begin('10.0.0.6', 'zed')).ok).toBe(true);
    expect(await b.begin('10.0.0.7', 'zed')).toMatchObject({ ok: false, why: 'user' });
    // A success forgets its own attempt and the user's failures, in every process.
    await fail(a, '10.0.0.8', 'sam');
    const ok = await b.begin('10.0.0.8', 'sam');
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      ok.release();
      await b.succeeded('sam', ok.attempt);
    }
    expect(await store.console.loginAttempts('user', 'sam', 0)).toEqual({ n: 0, oldest: null });
    // Old attempts are pruned by time.
    expect(await store.console.pruneLoginAttempts(now + 1)).toBeGreaterThan(0);
    expect((await store.console.loginAttempts('user', 'zed', 0)).n).toBe(0);
  });

  it('keeps sessions by hash, ends them at their expiry, and follows the user', async () => {
    await addUser(store, { name: 'rita', role: 'reviewer', password: 'a long enough password', now: new Date(NOW) });
    const h = sessionHash('token-1');
    await store.console.createSession({ idHash: h, user: 'rita', csrf: 'c1', now: NOW, expiresAt: NOW + 1000 });
    expect(await store.console.session(h, NOW)).toMatchObject({ csrf: 'c1', user: { name: 'rita', role: 'reviewer' } });
    expect(await store.console.session(sessionHash('token-2'), NOW)).toBeUndefined();
    expect(await store.console.session(h, NOW + 1000)).toBeUndefined();
    await store.console.touchSession(h, NOW + 500, NOW + 5000);
    expect(await store.console.session(h, NOW + 1000)).toMatchObject({ seenAt: NOW + 500 });
    expect(await store.console.pruneSessions(NOW + 5000)).toBe(1);
    await store.console.createSession({ idHash: h, user: 'rita', csrf: 'c2', now: NOW, expiresAt: NOW + 1000 });
    await store.console.deleteSession(h);
    expect(await store.console.session(h, NOW)).toBeUndefined();
  });
});
