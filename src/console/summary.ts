import type { AgentActivity, CountRow, DailyCount, DeviceStatus, OverviewCounts } from '../central/types.ts';
import { DEVICE_STATUSES, STATUS_ORDER } from '../central/types.ts';

/**
 * The overview's figures from the store's counts, pure: per status, per maker and brand, per
 * site, new since the last sweep, agents not heard from, and the series of the chart. The same
 * figures head the printed report.
 */

export type StatusCounts = Record<DeviceStatus, number>;

export const emptyCounts = (): StatusCounts => Object.fromEntries(DEVICE_STATUSES.map((s) => [s, 0])) as StatusCounts;

/** An agent is "not heard from" when its latest report is older than this. */
export const SILENT_AFTER_MS = 24 * 3600_000;
/** Exceptions ending within this many days are "expiring soon". */
export const EXPIRING_DAYS = 30;

export interface SiteLine {
  site: string;
  counts: StatusCounts;
  total: number;
  fresh: StatusCounts;
  agents: number;
  lastReportAt: string | null;
}

export interface Summary {
  /** null: the whole estate. */
  site: string | null;
  counts: StatusCounts;
  total: number;
  fresh: StatusCounts;
  freshTotal: number;
  /** Restricted (and under review) devices by maker of record and by brand, most first. */
  byMaker: Array<{ name: string; restricted: number; review: number; total: number }>;
  byBrand: Array<{ name: string; restricted: number; review: number; total: number }>;
  kinds: string[];
  sites: SiteLine[];
  agents: AgentActivity[];
  silent: AgentActivity[];
}

/**
 * The key two spellings of one brand share: ASCII case folded, as SQL's lower() does (the
 * list's brand filter compares lower() to lower() on both stores), so a bar and the list it
 * links to count the same devices.
 */
export function nameKey(name: string): string {
  return name.replace(/[A-Z]+/gu, (c) => c.toLowerCase());
}

/**
 * Devices per name, most restricted first. Names are stated by devices (a brand is the label a
 * device gives itself: "ANNKE", "Annke"): spellings that differ only in case are one bar, shown
 * with the spelling most devices use (the first alphabetically on a tie).
 */
function tally(rows: readonly CountRow[], key: (r: CountRow) => string | null, fold: boolean): Array<{ name: string; restricted: number; review: number; total: number }> {
  const m = new Map<string, { restricted: number; review: number; total: number; spellings: Map<string, number> }>();
  for (const r of rows) {
    const name = key(r) ?? '(unknown)';
    const k = fold ? nameKey(name) : name;
    let e = m.get(k);
    if (e === undefined) {
      e = { restricted: 0, review: 0, total: 0, spellings: new Map() };
      m.set(k, e);
    }
    if (r.status === 'restricted') e.restricted += r.devices;
    if (r.status === 'review') e.review += r.devices;
    e.total += r.devices;
    e.spellings.set(name, (e.spellings.get(name) ?? 0) + r.devices);
  }
  const shown = (spellings: Map<string, number>): string =>
    [...spellings].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]![0];
  return [...m.values()]
    .map((e) => ({ name: shown(e.spellings), restricted: e.restricted, review: e.review, total: e.total }))
    .sort((a, b) => b.restricted - a.restricted || b.review - a.review || b.total - a.total || a.name.localeCompare(b.name));
}

export function summarise(o: OverviewCounts, site: string | null, now: number): Summary {
  const rows = site === null ? o.counts : o.counts.filter((r) => r.site === site);
  const counts = emptyCounts();
  for (const r of rows) counts[r.status] += r.devices;
  const fresh = emptyCounts();
  for (const r of o.newSinceLastSweep) if (site === null || r.site === site) fresh[r.status] += r.devices;
  const agents = site === null ? o.agents : o.agents.filter((a) => a.site === site);
  const bySite = new Map<string, SiteLine>();
  const line = (name: string): SiteLine => {
    let l = bySite.get(name);
    if (l === undefined) {
      l = { site: name, counts: emptyCounts(), total: 0, fresh: emptyCounts(), agents: 0, lastReportAt: null };
      bySite.set(name, l);
    }
    return l;
  };
  for (const r of rows) {
    const l = line(r.site);
    l.counts[r.status] += r.devices;
    l.total += r.devices;
  }
  for (const r of o.newSinceLastSweep) if (site === null || r.site === site) line(r.site).fresh[r.status] += r.devices;
  for (const a of agents) {
    if (a.site === null) continue;
    const l = line(a.site);
    l.agents += 1;
    if (a.lastReportAt !== null && (l.lastReportAt === null || a.lastReportAt > l.lastReportAt)) l.lastReportAt = a.lastReportAt;
  }
  const sites = [...bySite.values()].sort((a, b) => b.counts.restricted - a.counts.restricted || b.counts.review - a.counts.review || a.site.localeCompare(b.site));
  const silent = agents.filter((a) => !a.revoked && (a.lastReportAt === null || now - Date.parse(a.lastReportAt) > SILENT_AFTER_MS));
  return {
    site,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    fresh,
    freshTotal: Object.values(fresh).reduce((a, b) => a + b, 0),
    // Makers are canonical names; brands are stated by devices, in any case.
    byMaker: tally(rows, (r) => r.manufacturer, false),
    byBrand: tally(rows, (r) => r.brand, true),
    kinds: [...new Set(rows.map((r) => r.kind))].sort(),
    sites,
    agents,
    silent,
  };
}

/** Every day from `from` to `to` (inclusive) with the counts of the restricted, review and exception series (a day without a record carries the previous one). */
export function series(counts: readonly DailyCount[], from: string, to: string): { days: string[]; restricted: number[]; review: number[]; exception: number[] } {
  const byDay = new Map<string, StatusCounts>();
  for (const c of counts) {
    const e = byDay.get(c.day) ?? emptyCounts();
    e[c.status] += c.devices;
    byDay.set(c.day, e);
  }
  const days: string[] = [];
  const first = [...byDay.keys()].sort()[0];
  const start = first !== undefined && first > from ? first : from;
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  const out = { days: [] as string[], restricted: [] as number[], review: [] as number[], exception: [] as number[] };
  if (byDay.size === 0) return out;
  let carry: StatusCounts | undefined;
  for (const d of days) {
    carry = byDay.get(d) ?? carry;
    if (carry === undefined) continue;
    out.days.push(d);
    out.restricted.push(carry.restricted);
    out.review.push(carry.review);
    out.exception.push(carry.exception);
  }
  return out;
}

export const statusOrder = STATUS_ORDER;
