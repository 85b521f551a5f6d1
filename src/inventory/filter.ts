import { isIP } from 'node:net';
import { ERR, CamsweepError } from '../domain/errors.ts';
import { cidrContains, parseCidr, type Cidr } from '../config/load.ts';
import type { DeviceFilter, InventoryDevice } from './types.ts';

/**
 * Which inventory devices a filter keeps. Every criterion given must hold:
 * - status: the latest verdict's status is one of those listed;
 * - manufacturer: the manufacturer of record or the brand, case-insensitively
 *   (`--manufacturer Dahua` lists the Amcrest-labelled Dahua cameras too);
 * - kind: one of those listed;
 * - seenSince: last seen at or after this time;
 * - network: an IPv4 CIDR (`10.0.0.0/24`, or one address) holding one of the device's
 *   addresses, else the name of an interface it answered on.
 */

export type NetworkFilter = { kind: 'cidr'; cidr: Cidr } | { kind: 'interface'; name: string };

/** An IPv4 CIDR or address, else an interface name; undefined when it is neither. */
export function parseNetwork(text: string): NetworkFilter | undefined {
  const t = text.trim();
  if (t.includes('/') || isIP(t) !== 0 || /^\d+(\.\d+){3}$/u.test(t)) {
    const cidr = parseCidr(t);
    return cidr === undefined ? undefined : { kind: 'cidr', cidr };
  }
  return /^[\w.:@-]{1,64}$/u.test(t) ? { kind: 'interface', name: t } : undefined;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `24h`, `30m`, `2w`, `90s` before `now`, or an ISO date/time; as ISO, or undefined. */
export function parseSince(text: string, now: Date): string | undefined {
  const t = text.trim();
  const rel = /^(\d{1,6})([smhdw])$/u.exec(t);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/u.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function matchesFilter(device: InventoryDevice, filter: DeviceFilter): boolean {
  const d = device.latest;
  if (filter.status !== undefined && filter.status.length > 0 && !filter.status.includes(d.verdict.status)) return false;
  if (filter.kind !== undefined && filter.kind.length > 0 && !filter.kind.includes(d.kind)) return false;
  if (filter.manufacturer !== undefined && filter.manufacturer.trim() !== '') {
    const want = filter.manufacturer.trim().toLowerCase();
    if (![d.manufacturer, d.brand].some((v) => v !== null && v.toLowerCase() === want)) return false;
  }
  if (filter.seenSince !== undefined) {
    const since = Date.parse(filter.seenSince);
    if (!Number.isFinite(since)) throw new CamsweepError(ERR.INVENTORY_FILTER, `seenSince is not a time: ${filter.seenSince}`);
    if (!(Date.parse(device.lastSeen) >= since)) return false;
  }
  if (filter.network !== undefined) {
    const net = parseNetwork(filter.network);
    if (net === undefined) throw new CamsweepError(ERR.INVENTORY_FILTER, `network is neither an IPv4 CIDR nor an interface name: ${filter.network}`);
    if (net.kind === 'interface' && !d.interfaces.includes(net.name)) return false;
    if (net.kind === 'cidr' && ![d.ip, ...d.addresses].some((ip) => cidrContains(net.cidr, ip))) return false;
  }
  return true;
}
