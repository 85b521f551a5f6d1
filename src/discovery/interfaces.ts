import os from 'node:os';
import { readFileSync } from 'node:fs';
import { UsageError } from '../domain/errors.ts';
import { compressIpv6 } from '../util/ip.ts';
import type { SweepInterface } from '../domain/types.ts';

/** A local IPv4 interface the sweep probes from. */
export interface NetInterface extends SweepInterface {
  /** Prefix length of the address (e.g. 24). */
  prefix: number;
  /** The interface's IPv6 link-local address, when it has one that is usable (not tentative). */
  ipv6?: { address: string; scopeId: string };
}

/** IFA_F_TENTATIVE | IFA_F_DADFAILED: an address that cannot be bound yet (or ever). */
const IFA_UNUSABLE = 0x40 | 0x08;

/** `/proc/net/if_inet6` flags per "address%name", or undefined where it cannot be read. */
function inet6Flags(): Map<string, number> | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/net/if_inet6', 'utf8');
  } catch {
    return undefined;
  }
  const out = new Map<string, number>();
  for (const line of text.split('\n').slice(0, 10_000)) {
    const cols = line.trim().split(/\s+/u);
    const [hex, , , , flags, name] = cols;
    if (!hex || hex.length !== 32 || !flags || !name) continue;
    const groups = hex.match(/.{4}/gu) ?? [];
    const address = groups.map((g) => g.replace(/^0{1,3}/u, '')).join(':');
    out.set(`${compressIpv6(address)}%${name}`, Number.parseInt(flags, 16));
  }
  return out;
}

/** The first usable link-local IPv6 address of each interface. */
export function linkLocalByName(
  source: NodeJS.Dict<os.NetworkInterfaceInfo[]>,
  flags: Map<string, number> | undefined,
): Map<string, { address: string; scopeId: string }> {
  const out = new Map<string, { address: string; scopeId: string }>();
  for (const [name, infos] of Object.entries(source)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv6' || info.internal || !/^fe80:/iu.test(info.address)) continue;
      const f = flags?.get(`${info.address.toLowerCase()}%${name}`);
      if (f !== undefined && (f & IFA_UNUSABLE) !== 0) continue;
      out.set(name, { address: info.address.toLowerCase(), scopeId: name });
      break;
    }
  }
  return out;
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

function sysFlags(name: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
}

/** Every interface with an IPv4 address: the raw material for selection. */
export function listInterfaces(
  source: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
  flags: (name: string) => number | undefined = sysFlags,
  v6Flags: Map<string, number> | undefined = inet6Flags(),
): Array<NetInterface & { up: boolean; loopback: boolean }> {
  const out: Array<NetInterface & { up: boolean; loopback: boolean }> = [];
  const linkLocal = linkLocalByName(source, v6Flags);
  for (const [name, infos] of Object.entries(source)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4') continue;
      const f = flags(name);
      const ipv6 = linkLocal.get(name);
      const prefix = Number.parseInt(info.cidr?.split('/')[1] ?? '32', 10);
      out.push({
        name,
        address: info.address,
        netmask: info.netmask,
        prefix,
        mac: info.mac && info.mac !== '00:00:00:00:00:00' ? info.mac : null,
        up: f === undefined ? true : (f & IFF_UP) !== 0,
        loopback: info.internal || (f !== undefined && (f & IFF_LOOPBACK) !== 0),
        ...(ipv6 ? { ipv6 } : {}),
      });
    }
  }
  return out;
}

/**
 * The interfaces to probe: the named ones (each must exist and carry IPv4), or by default
 * every up, non-loopback interface with an IPv4 address. Loopback is allowed only by name.
 */
export function selectInterfaces(
  names: readonly string[],
  all = listInterfaces(),
): NetInterface[] {
  const strip = ({ up: _up, loopback: _loopback, ...rest }: NetInterface & { up: boolean; loopback: boolean }): NetInterface => rest;
  if (names.length === 0) {
    return all.filter((i) => i.up && !i.loopback).map(strip);
  }
  const chosen: NetInterface[] = [];
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const matches = all.filter((i) => i.name === name);
    if (matches.length === 0) missing.push(name);
    chosen.push(...matches.map(strip));
  }
  if (missing.length > 0) {
    const known = [...new Set(all.map((i) => i.name))].join(', ') || 'none';
    throw new UsageError(`no IPv4 interface named ${missing.join(', ')} (interfaces with IPv4: ${known})`);
  }
  return chosen;
}
