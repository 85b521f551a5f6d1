import type { Device } from '../domain/types.ts';
import type { Announcement } from '../discovery/announcement.ts';
import { isIpv4 } from '../util/ip.ts';
import { changedMark, learnMarks, marksOf, type Marks } from './marks.ts';

/**
 * The hosts the daemon knows between sweeps (pure; the clock is the caller's): for each, the
 * marks of what it was when last identified (marks.ts), seeded from every sweep and from the
 * inventory at start, and whether it said goodbye since. It decides what an announcement
 * means:
 *
 * - from a host never identified: identify it (`new`);
 * - from a known host whose marks changed (a new EPR, MetadataVersion, BOOTID, CONFIGID,
 *   LOCATION, SERVER, firmware...): identify it (`changed`); marks it did not carry before
 *   are learnt, not a change;
 * - from a known host that said goodbye: identify it (`back`);
 * - a goodbye from a known host not already leaving: a departure to record, when it comes from
 *   the host's own address (its IPv4 address, or an IPv6 address a sweep saw for it) and what
 *   it names does not contradict what the host is known by (an EPR when the host is known by
 *   other EPRs only: another service on that address, or a forgery). Anyone on the link can
 *   claim an EPR, a UDN or a host name heard on the group: that alone never makes a known
 *   device look gone.
 *
 * Hosts are IPv4 addresses. An IPv6 announcement belongs to the IPv4 host that shares an
 * identifier with it (EPR, UDN, host name, MAC, serial) or an address (a sweep's device lists
 * its IPv6 addresses); otherwise it is a host of its own (identified from what it said only:
 * IPv6 hosts are not contacted); at most IPV6_ONLY_SHARE of `maxHosts` are IPv6-only
 * hosts. Memory is bounded: at most `maxHosts` hosts and
 * 4 x `maxHosts` identifiers in the index, the least recently heard dropped first, and
 * MAX_HOST_IDENTIFIERS identifiers per host.
 */
export type AliveDecision = { identify: false; full?: true } | { identify: true; reason: 'new' | 'changed' | 'back'; mark?: { mark: string; value: string } };

export interface HostTable {
  /** The host an announcement belongs to (its IPv4 host when an identifier or address says so). */
  resolve(a: Pick<Announcement, 'ip' | 'identifiers'>): string;
  /**
   * What an alive announcement with these marks means for `key`; learns the marks it did not
   * know. `full`: a new IPv6-only host while IPV6_ONLY_SHARE of `maxHosts` are already held:
   * not taken on, nothing to do.
   */
  alive(key: string, heard: Marks): AliveDecision;
  /** The host a goodbye from `ip` can be about: an IPv4 address itself; an IPv6 one, the host a sweep saw it on, else itself. */
  source(ip: string): string;
  /**
   * A goodbye naming `identifiers` (index keys, identityKeys): true when the host was known and
   * present and they do not contradict its own (sameIdentity): a departure to record; the host
   * is then marked leaving.
   */
  bye(key: string, identifiers: readonly string[]): boolean;
  /** After an identification: the host is known as `marks` say (replacing what each mark said), with its identifiers. */
  identified(key: string, marks: Marks, identifiers: readonly string[]): void;
  /** Known hosts from a sweep (or the inventory): `replace` forgets every other host `keep` does not hold on to. */
  seed(devices: readonly Device[], options: { replace: boolean; keep?: (key: string) => boolean }): void;
  known(key: string): boolean;
  readonly size: number;
}

interface Entry {
  marks: Marks;
  known: boolean;
  leaving: boolean;
  /** The identifiers it was known by (index keys), the oldest dropped past MAX_HOST_IDENTIFIERS. */
  ids: Set<string>;
}

/**
 * The part of `maxHosts` IPv6-only hosts may take (at least one). A link-local address costs
 * nothing to mint: a forger sending each Hello from a new one would otherwise be a new device
 * to identify and record at the gate's rate, for ever, and push the known IPv4 hosts out of the
 * table. Past it, a new IPv6-only host is not taken on until a sweep settles the ones held.
 */
export const IPV6_ONLY_SHARE = 1 / 8;

/** Identifiers remembered per host, to check a goodbye against. */
export const MAX_HOST_IDENTIFIERS = 16;

const kindOf = (id: string): string => id.slice(0, id.indexOf(':'));

/**
 * Whether identifiers a message names (index keys) can be those of a host known by `known`:
 * for each kind it names (EPR, UDN, host name, serial, MAC), the host is known by none of
 * that kind, or by one of those named. A message naming nothing contradicts nothing.
 */
export function sameIdentity(known: ReadonlySet<string>, named: readonly string[]): boolean {
  for (const kind of new Set(named.map(kindOf))) {
    const ours = [...known].filter((id) => kindOf(id) === kind);
    if (ours.length > 0 && !named.some((id) => kindOf(id) === kind && known.has(id))) return false;
  }
  return true;
}

/** The identifiers an announcement or a device gives, as index keys. */
export function identityKeys(ids: { epr?: string | undefined; udn?: string | undefined; hostname?: string | undefined; serial?: string | null | undefined; mac?: string | null | undefined }): string[] {
  const out: string[] = [];
  for (const kind of ['epr', 'udn', 'hostname', 'serial', 'mac'] as const) {
    const v = ids[kind];
    if (typeof v === 'string' && v.trim().length >= 4) out.push(`${kind}:${v.trim().toLowerCase()}`);
  }
  return out;
}

export function createHostTable(options: { maxHosts: number }): HostTable {
  const hosts = new Map<string, Entry>();
  const index = new Map<string, string>();
  const maxIndex = options.maxHosts * 4;
  const maxIpv6Only = Math.max(1, Math.floor(options.maxHosts * IPV6_ONLY_SHARE));
  /** IPv6-only hosts held. */
  let ipv6Only = 0;

  const drop = (key: string): void => {
    if (hosts.delete(key) && !isIpv4(key)) ipv6Only -= 1;
  };

  const touch = (key: string): Entry => {
    let e = hosts.get(key);
    if (e !== undefined) {
      hosts.delete(key);
    } else {
      if (hosts.size >= options.maxHosts) {
        const oldest = hosts.keys().next().value;
        if (oldest !== undefined) drop(oldest);
      }
      e = { marks: new Map(), known: false, leaving: false, ids: new Set() };
      if (!isIpv4(key)) ipv6Only += 1;
    }
    hosts.set(key, e);
    return e;
  };

  const link = (id: string, key: string): void => {
    index.delete(id);
    if (index.size >= maxIndex) {
      const oldest = index.keys().next().value;
      if (oldest !== undefined) index.delete(oldest);
    }
    index.set(id, key);
  };

  const table: HostTable = {
    resolve(a) {
      if (isIpv4(a.ip)) return a.ip;
      for (const id of [`addr:${a.ip.toLowerCase()}`, ...identityKeys(a.identifiers)]) {
        const key = index.get(id);
        if (key !== undefined && hosts.has(key)) return key;
      }
      return a.ip;
    },
    alive(key, heard) {
      if (!isIpv4(key) && !hosts.has(key) && ipv6Only >= maxIpv6Only) return { identify: false, full: true };
      const e = touch(key);
      if (!e.known) return { identify: true, reason: 'new' };
      if (e.leaving) return { identify: true, reason: 'back' };
      const changed = changedMark(e.marks, heard);
      if (changed !== undefined) return { identify: true, reason: 'changed', mark: changed };
      learnMarks(e.marks, heard);
      return { identify: false };
    },
    source(ip) {
      if (isIpv4(ip)) return ip;
      const key = index.get(`addr:${ip.toLowerCase()}`);
      return key !== undefined && hosts.has(key) ? key : ip;
    },
    bye(key, identifiers) {
      const e = hosts.get(key);
      if (e === undefined || !e.known || e.leaving) return false;
      if (!sameIdentity(e.ids, identifiers)) return false;
      e.leaving = true;
      return true;
    },
    identified(key, marks, identifiers) {
      const e = touch(key);
      for (const [name, values] of marks) e.marks.set(name, [...values]);
      e.known = true;
      e.leaving = false;
      for (const id of identifiers) {
        link(id, key);
        e.ids.delete(id);
        e.ids.add(id);
        if (e.ids.size > MAX_HOST_IDENTIFIERS) e.ids.delete(e.ids.values().next().value!);
      }
    },
    seed(devices, opts) {
      const seeded = new Set<string>();
      for (const d of devices) {
        if (!isIpv4(d.ip)) continue;
        seeded.add(d.ip);
        table.identified(d.ip, marksOf(d.evidence), identityKeys({ ...d.identifiers, serial: d.identifiers.serial ?? d.serial, mac: d.mac }));
        for (const a of d.addresses) if (a !== d.ip) link(`addr:${a.toLowerCase()}`, d.ip);
      }
      if (!opts.replace) return;
      for (const key of [...hosts.keys()]) if (!seeded.has(key) && opts.keep?.(key) !== true) drop(key);
    },
    known: (key) => hosts.get(key)?.known === true,
    get size() {
      return hosts.size;
    },
  };
  return table;
}
