import { createHash } from 'node:crypto';
import type {
  AgentActivity,
  ConsoleQuery,
  ConsoleSort,
  CountRow,
  DailyCount,
  DevicePage,
  DeviceStatus,
  DeviceSummary,
  OverviewCounts,
  SessionRecord,
} from '../types.ts';
import { STATUS_ORDER } from '../types.ts';
import { agentsOfDevices, DEVICE_COLUMNS, DEVICE_ROW, likePattern, summary, toStateRow, type Dialect, type Param, type Tx } from './sql-store.ts';

/**
 * What the console reads, over the same dialects as the rest of the store.
 *
 * The device list is "restricted first": it walks the status groups in STATUS_ORDER and, within
 * a group, the order of the chosen sort. Each step is one keyset range of an index led by
 * status (migration "console": devices_sort_*), so a page costs the same on the first page as
 * on the thousandth, whatever the estate's size. A page that ends a group goes on into the
 * next groups (at most six small queries). The cursor names the group, the sort values and the
 * id of the page's last row.
 */

interface SortSpec {
  /** SQL expressions, matching the index expressions exactly (so the index serves them). */
  exprs: string[];
  /** The row's values of those expressions, for the cursor (ipKey: the row's stored ip_key, not recomputed). */
  values: (d: DeviceSummary, ipKey: string) => string[];
  desc: boolean;
}

const SORTS: Record<ConsoleSort, SortSpec> = {
  // Addresses in numeric order: ip_key (ipSortKey), then the address as written. The cursor
  // carries the stored key, so a row whose key is '' (written before keys existed) pages too.
  site: { exprs: ['site', 'ip_key', 'ip'], values: (d, ipKey) => [d.site ?? '', ipKey, d.ip], desc: false },
  ip: { exprs: ['ip_key', 'ip'], values: (d, ipKey) => [ipKey, d.ip], desc: false },
  maker: { exprs: ["COALESCE(manufacturer, '')", "COALESCE(model, '')"], values: (d) => [d.manufacturer ?? '', d.model ?? ''], desc: false },
  'first-seen': { exprs: ['first_seen'], values: (d) => [d.firstSeen], desc: true },
  // Not last-seen: it moves with every report, and an index on it would be rewritten by each
  // (unindexed, a page took ~850 ms at 100,000 devices on the shared machine).
};

interface Cursor {
  group: number;
  values: string[];
  id: string;
}

export function encodeConsoleCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.group, c.values, c.id])).toString('base64url');
}

export function decodeConsoleCursor(text: string, sort: ConsoleSort): Cursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return undefined;
    const [group, values, id] = v as [unknown, unknown, unknown];
    if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group >= STATUS_ORDER.length) return undefined;
    if (!Array.isArray(values) || values.length !== SORTS[sort].exprs.length || !values.every((x) => typeof x === 'string' && x.length <= 1000)) return undefined;
    if (typeof id !== 'string' || !/^[0-9a-f]{16}$/u.test(id)) return undefined;
    return { group, values: values as string[], id };
  } catch {
    return undefined;
  }
}

/**
 * The devices columns of a list row: everything but the document (read on the device page
 * only). Computed on first use: sql-store.ts imports this module (an import cycle).
 */
let listColumns: string | undefined;
const LIST = (): string => (listColumns ??= DEVICE_COLUMNS.map((c) => (c === 'document' ? "'' AS document" : c)).join(', '));

function filters(q: ConsoleQuery): { where: string[]; params: Param[] } {
  const where: string[] = [];
  const params: Param[] = [];
  const eq = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  eq('site', q.site);
  eq('manufacturer', q.maker);
  // Brands as the overview groups them (summary.ts nameKey): case aside, so that the list
  // behind a bar holds the devices it counted whichever spelling they stated. (Makers are the
  // vocabulary's canonical names: one spelling each.)
  if (q.brand !== undefined) {
    where.push('lower(brand) = lower(?)');
    params.push(q.brand);
  }
  eq('kind', q.kind);
  if (q.review === 'none') where.push('review_state IS NULL');
  else eq('review_state', q.review);
  if (q.agent !== undefined) {
    where.push('EXISTS (SELECT 1 FROM device_agents a WHERE a.device_id = devices.id AND a.agent_id = ?)');
    params.push(q.agent);
  }
  if (q.q !== undefined && q.q !== '') {
    // The match is found by a scan of devices_search (narrow), not of the device rows.
    const like = likePattern(q.q);
    const cols = ['ip', 'mac', 'model', 'serial'];
    where.push(`id IN (SELECT id FROM devices WHERE ${cols.map((c) => `lower(COALESCE(${c}, '')) LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    params.push(...cols.map(() => like));
  }
  return { where, params };
}

const RANK = `CASE status ${STATUS_ORDER.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

/**
 * A search: the matching ids come from one scan of the search index, so the status groups are
 * one query ordered by rank (a few rows to sort) instead of one scan per group.
 */
async function searchPage(dialect: Dialect, q: ConsoleQuery, spec: SortSpec, cursor: Cursor | undefined): Promise<Array<{ row: ReturnType<typeof toStateRow>; group: number; ipKey: string }>> {
  const f = filters(q);
  const where = [...f.where];
  const params: Param[] = [...f.params];
  if (q.status !== undefined) {
    where.push('status = ?');
    params.push(q.status);
  }
  if (cursor !== undefined) {
    const keys = [...spec.exprs, 'id'];
    where.push(`(${RANK} > ? OR (${RANK} = ? AND (${keys.join(', ')}) ${spec.desc ? '<' : '>'} (${keys.map(() => '?').join(', ')})))`);
    params.push(cursor.group, cursor.group, ...cursor.values, cursor.id);
  }
  const dir = spec.desc ? 'DESC' : 'ASC';
  const rows = await dialect.read.all(
    `SELECT ${LIST()}, ${RANK} AS rank FROM devices WHERE ${where.join(' AND ')} ORDER BY ${RANK}, ${[...spec.exprs, 'id'].map((e) => `${e} ${dir}`).join(', ')} LIMIT ?`,
    [...params, q.limit + 1],
    { ...DEVICE_ROW, rank: 'int' },
  );
  return rows.map((r) => ({ row: toStateRow(r), group: r.rank, ipKey: r.ip_key }));
}

export async function consoleDevicePage(dialect: Dialect, q: ConsoleQuery): Promise<DevicePage> {
  const spec = SORTS[q.sort];
  const f = filters(q);
  const cursor = q.cursor === undefined ? undefined : decodeConsoleCursor(q.cursor, q.sort);
  const groups = q.status === undefined ? STATUS_ORDER.map((s, i) => ({ status: s, index: i })) : [{ status: q.status, index: STATUS_ORDER.indexOf(q.status) }];
  const dir = spec.desc ? 'DESC' : 'ASC';
  const order = [...spec.exprs, 'id'].map((e) => `${e} ${dir}`).join(', ');
  const out: ReturnType<typeof toStateRow>[] = [];
  const groupOf = new Map<string, number>();
  const ipKeyOf = new Map<string, string>();
  let more = false;
  if (q.q !== undefined && q.q !== '') {
    for (const { row, group, ipKey } of await searchPage(dialect, q, spec, cursor)) {
      out.push(row);
      groupOf.set(row.id, group);
      ipKeyOf.set(row.id, ipKey);
    }
    more = out.length > q.limit;
  }
  for (const g of q.q !== undefined && q.q !== '' ? [] : groups) {
    if (cursor !== undefined && g.index < cursor.group) continue;
    const where = ['status = ?', ...f.where];
    const params: Param[] = [g.status, ...f.params];
    if (cursor !== undefined && g.index === cursor.group) {
      where.push(`(${[...spec.exprs, 'id'].join(', ')}) ${spec.desc ? '<' : '>'} (${[...spec.exprs, 'id'].map(() => '?').join(', ')})`);
      params.push(...cursor.values, cursor.id);
    }
    const room = q.limit + 1 - out.length;
    const rows = await dialect.read.all(`SELECT ${LIST()} FROM devices WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`, [...params, room], DEVICE_ROW);
    for (const r of rows) {
      out.push(toStateRow(r));
      groupOf.set(r.id, g.index);
      ipKeyOf.set(r.id, r.ip_key);
    }
    if (out.length > q.limit) {
      more = true;
      break;
    }
  }
  const page = out.slice(0, q.limit);
  const agents = await agentsOfDevices(dialect.read, page.map((r) => r.id));
  const devices = page.map((r) => summary(r, agents.get(r.id) ?? []));
  const last = devices[devices.length - 1];
  return {
    devices,
    nextCursor: more && last !== undefined ? encodeConsoleCursor({ group: groupOf.get(last.id)!, values: spec.values(last, ipKeyOf.get(last.id)!), id: last.id }) : null,
  };
}

/** Every device of the view, page after page (exports). */
export async function* consoleDevices(dialect: Dialect, q: Omit<ConsoleQuery, 'limit' | 'cursor'>, pageSize = 1000): AsyncGenerator<DeviceSummary[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await consoleDevicePage(dialect, { ...q, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    if (page.devices.length > 0) yield page.devices;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

export async function overviewCounts(dialect: Dialect): Promise<OverviewCounts> {
  const read = dialect.read;
  // One scan of devices_counts (a covering index): no device row is read.
  const counts = await read.all(
    'SELECT site, status, manufacturer, brand, kind, COUNT(*) AS devices FROM devices GROUP BY site, status, manufacturer, brand, kind',
    [],
    { site: 'text', status: 'text', manufacturer: 'text?', brand: 'text?', kind: 'text', devices: 'int' },
  );
  // Each agent's latest sweep and last report, from one scan of sweeps_agent (an index: one entry per sweep).
  const swept = await read.all('SELECT agent_id, MAX(site) AS site, MAX(first_received_at) AS at FROM sweeps GROUP BY agent_id', [], {
    agent_id: 'text',
    site: 'text?',
    at: 'int?',
  });
  // New since the last sweep: devices an agent first saw in its latest sweep (device_agents_first)
  // that no agent had seen before (their first sighting is that one).
  const fresh = await read.all(
    `SELECT d.site AS site, d.status AS status, COUNT(DISTINCT d.id) AS devices
     FROM (SELECT agent_id, MAX(started_at) AS latest FROM sweeps GROUP BY agent_id) w
     JOIN device_agents da ON da.agent_id = w.agent_id AND da.first_seen = w.latest
     JOIN devices d ON d.id = da.device_id AND d.first_seen = da.first_seen
     GROUP BY d.site, d.status`,
    [],
    { site: 'text', status: 'text', devices: 'int' },
  );
  const registered = await read.all('SELECT id, site, revoked_at, last_report_at FROM agents', [], { id: 'text', site: 'text', revoked_at: 'text?', last_report_at: 'text?' });
  const agents = new Map<string, AgentActivity>();
  const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
  for (const s of swept) {
    agents.set(s.agent_id, { agent: s.agent_id, site: s.site, registered: false, revoked: false, lastReportAt: s.at === null ? null : new Date(s.at).toISOString() });
  }
  for (const r of registered) {
    const seen = agents.get(r.id);
    agents.set(r.id, { agent: r.id, site: r.site, registered: true, revoked: r.revoked_at !== null, lastReportAt: later(seen?.lastReportAt ?? null, r.last_report_at) });
  }
  return {
    counts: counts.map((c): CountRow => ({ ...c, status: c.status as DeviceStatus })),
    newSinceLastSweep: fresh.map((r) => ({ site: r.site, status: r.status as DeviceStatus, devices: r.devices })),
    agents: [...agents.values()].sort((a, b) => (a.lastReportAt ?? '').localeCompare(b.lastReportAt ?? '') || a.agent.localeCompare(b.agent)),
  };
}

/** Exceptions in force (status still `exception`) ending on or before `until` (all of them when null), soonest first. */
export async function exceptionsInForce(dialect: Dialect, o: { site?: string; until?: string; limit: number }): Promise<Array<DeviceSummary & { note: string }>> {
  const where = ["review_state = 'exception'", "status = 'exception'"];
  const params: Param[] = [];
  if (o.until !== undefined) {
    where.push('review_until <= ?');
    params.push(o.until);
  }
  if (o.site !== undefined) {
    where.push('site = ?');
    params.push(o.site);
  }
  const rows = await dialect.read.all(
    `SELECT ${LIST()}, (SELECT r.note FROM reviews r WHERE r.device_id = devices.id ORDER BY r.id DESC LIMIT 1) AS note
     FROM devices WHERE ${where.join(' AND ')} ORDER BY review_until, id LIMIT ?`,
    [...params, o.limit],
    { ...DEVICE_ROW, note: 'text?' },
  );
  const agents = await agentsOfDevices(dialect.read, rows.map((r) => r.id));
  return rows.map((r) => ({ ...summary(toStateRow(r), agents.get(r.id) ?? []), note: r.note ?? '' }));
}

/** Restricted devices with their documents (the report), in site and numeric IP order (devices_sort_site), a chunk at a time. */
export async function* restrictedWithDocuments(dialect: Dialect, site: string | undefined, chunk = 500): AsyncGenerator<Array<{ device: DeviceSummary; document: unknown }>> {
  let after: [string, string, string, string] | undefined;
  for (;;) {
    const where = ["status = 'restricted'"];
    const params: Param[] = [];
    if (site !== undefined) {
      where.push('site = ?');
      params.push(site);
    }
    if (after !== undefined && site !== undefined) {
      // Within one site: a range of devices_sort_site after (status, site), not a scan of the site's entries.
      where.push('(ip_key, ip, id) > (?, ?, ?)');
      params.push(...after.slice(1));
    } else if (after !== undefined) {
      where.push('(site, ip_key, ip, id) > (?, ?, ?, ?)');
      params.push(...after);
    }
    const rows = await dialect.read.all(`SELECT ${DEVICE_COLUMNS.join(', ')} FROM devices WHERE ${where.join(' AND ')} ORDER BY site, ip_key, ip, id LIMIT ?`, [...params, chunk], DEVICE_ROW);
    if (rows.length === 0) return;
    const agents = await agentsOfDevices(dialect.read, rows.map((r) => r.id));
    yield rows.map((r) => {
      let document: unknown = null;
      try {
        document = JSON.parse(r.document) as unknown;
      } catch {
        document = null;
      }
      return { device: summary(toStateRow(r), agents.get(r.id) ?? []), document };
    });
    const last = rows[rows.length - 1]!;
    if (rows.length < chunk) return;
    after = [last.site, last.ip_key, last.ip, last.id];
  }
}

/** Today's counts by status, for the estate and each site (rewritten until the day ends). */
export async function recordDailyCounts(dialect: Dialect, day: string): Promise<void> {
  await dialect.transaction(async (tx: Tx) => {
    await tx.run('DELETE FROM counts_daily WHERE day = ?', [day]);
    await tx.run(
      `INSERT INTO counts_daily (scope, day, status, devices)
       SELECT 'site:' || site, ?, status, COUNT(*) FROM devices GROUP BY site, status`,
      [day],
    );
    await tx.run(`INSERT INTO counts_daily (scope, day, status, devices) SELECT 'estate', ?, status, COUNT(*) FROM devices GROUP BY status`, [day]);
  });
}

export async function dailyCounts(dialect: Dialect, site: string | undefined, fromDay: string): Promise<DailyCount[]> {
  const rows = await dialect.read.all('SELECT day, status, devices FROM counts_daily WHERE scope = ? AND day >= ? ORDER BY day', [site === undefined ? 'estate' : `site:${site}`, fromDay], {
    day: 'text',
    status: 'text',
    devices: 'int',
  });
  return rows.map((r) => ({ day: r.day, status: r.status as DeviceStatus, devices: r.devices }));
}

// Sessions: the cookie holds 256 random bits; the store keeps only their SHA-256.

export const sessionHash = (token: string): string => createHash('sha256').update(`camsweep.session\u0000${token}`).digest('hex');

const SESSION_ROW = {
  user_name: 'text',
  csrf: 'text',
  created_at: 'int',
  seen_at: 'int',
  expires_at: 'int',
  name: 'text',
  role: 'text',
  password_hash: 'text',
  user_created_at: 'text',
} as const;

export async function createSession(dialect: Dialect, s: { idHash: string; user: string; csrf: string; now: number; expiresAt: number }): Promise<void> {
  await dialect.read.run('INSERT INTO console_sessions (id_hash, user_name, csrf, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [
    s.idHash,
    s.user,
    s.csrf,
    s.now,
    s.now,
    s.expiresAt,
  ]);
}

export async function sessionByHash(dialect: Dialect, idHash: string, now: number): Promise<SessionRecord | undefined> {
  const [r] = await dialect.read.all(
    `SELECT s.user_name, s.csrf, s.created_at, s.seen_at, s.expires_at, u.name, u.role, u.password_hash, u.created_at AS user_created_at
     FROM console_sessions s JOIN users u ON u.name = s.user_name WHERE s.id_hash = ? AND s.expires_at > ?`,
    [idHash, now],
    SESSION_ROW,
  );
  if (r === undefined) return undefined;
  return {
    user: { name: r.name, role: r.role as SessionRecord['user']['role'], passwordHash: r.password_hash, createdAt: r.user_created_at },
    csrf: r.csrf,
    createdAt: r.created_at,
    seenAt: r.seen_at,
    expiresAt: r.expires_at,
  };
}

export async function touchSession(dialect: Dialect, idHash: string, seenAt: number, expiresAt: number): Promise<void> {
  await dialect.read.run('UPDATE console_sessions SET seen_at = ?, expires_at = ? WHERE id_hash = ?', [seenAt, expiresAt, idHash]);
}

export async function deleteSession(dialect: Dialect, idHash: string): Promise<void> {
  await dialect.read.run('DELETE FROM console_sessions WHERE id_hash = ?', [idHash]);
}

export const pruneSessions = (dialect: Dialect, now: number): Promise<number> => dialect.read.run('DELETE FROM console_sessions WHERE expires_at <= ?', [now]);

/** Sign-in attempts of one scope and key since `since` (ms), and the oldest of them. */
export async function loginAttempts(dialect: Dialect, scope: 'address' | 'user', key: string, since: number): Promise<{ n: number; oldest: number | null }> {
  const [r] = await dialect.read.all('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_attempts WHERE scope = ? AND key = ? AND at > ?', [scope, key, since], {
    n: 'int',
    oldest: 'int?',
  });
  return { n: r?.n ?? 0, oldest: r?.oldest ?? null };
}

export async function addLoginAttempt(dialect: Dialect, a: { attempt: string; address: string; user: string; at: number }): Promise<void> {
  await dialect.read.run("INSERT INTO login_attempts (attempt, scope, key, at) VALUES (?, 'address', ?, ?), (?, 'user', ?, ?)", [
    a.attempt,
    a.address,
    a.at,
    a.attempt,
    a.user,
    a.at,
  ]);
}

/** A successful sign-in: its own attempt is forgotten, and the user's failures with it. */
export async function loginSucceeded(dialect: Dialect, attempt: string, user: string): Promise<void> {
  await dialect.read.run("DELETE FROM login_attempts WHERE attempt = ? OR (scope = 'user' AND key = ?)", [attempt, user]);
}

export const pruneLoginAttempts = (dialect: Dialect, before: number): Promise<number> => dialect.read.run('DELETE FROM login_attempts WHERE at <= ?', [before]);
