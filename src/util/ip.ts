import { isIP } from 'node:net';
import { cidrContains, ipv4ToInt } from './cidr.ts';

/**
 * Addresses (pure): the one home of the small IP helpers every layer needs (ranges and their
 * expansion are in cidr.ts). No name is ever resolved here.
 */

/** A dotted quad (shape only: `999.1.1.1` passes; use ipv4ToInt to check the values). */
export function isIpv4(ip: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/u.test(ip);
}

/** Numeric order for IPv4, IPv4 before anything else, then lexical. */
export function compareIp(a: string, b: string): number {
  const a4 = isIpv4(a);
  const b4 = isIpv4(b);
  if (a4 !== b4) return a4 ? -1 : 1;
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && pa.every(Number.isFinite) && pb.every(Number.isFinite)) {
    for (let i = 0; i < 4; i += 1) {
      const d = pa[i]! - pb[i]!;
      if (d !== 0) return d;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `fe80::1%eth0` -> `fe80::1`; an address without a zone is returned as it is. */
export function withoutZone(ip: string): string {
  const zone = ip.indexOf('%');
  return zone < 0 ? ip : ip.slice(0, zone);
}

/** A URL's host as an address: `[fe80::1]` -> `fe80::1` (URL keeps IPv6 literals bracketed). */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/gu, '');
}

/** True when `url` (as advertised by a device) names exactly `ip`; false for anything unparseable. */
export function urlNamesHost(url: string, ip: string): boolean {
  try {
    return urlHost(new URL(url)) === ip;
  } catch {
    return false;
  }
}

/** Canonical short form of a full 8-group IPv6 address (longest zero run as `::`). */
export function compressIpv6(full: string): string {
  const parts = full.toLowerCase().split(':');
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < parts.length && parts[j] === '0') j += 1;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

/** True when `ip` is inside the IPv4 subnet of an interface address and prefix (`10.66.0.2`, 24). */
export function onSubnet(subnet: { address: string; prefix: number }, ip: string): boolean {
  const base = ipv4ToInt(subnet.address);
  return base !== undefined && cidrContains({ text: subnet.address, base, prefix: subnet.prefix }, ip);
}

/** `localhost`, `::1` or 127.0.0.0/8. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * A listen address, `HOST:PORT` or `[v6]:PORT`: the host an IP literal (IPv4 unbracketed,
 * IPv6 in brackets) or `localhost`, never a name to resolve. `emptyHost`, when given, is the
 * host of `:PORT`; without it `:PORT` is refused.
 */
export function parseListenAddress(text: string, options: { emptyHost?: string } = {}): ListenAddress | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/u.exec(text.trim());
  if (m === null) return undefined;
  const bracketed = m[1];
  const plain = m[2] ?? '';
  const host = bracketed ?? (plain === '' ? options.emptyHost : plain);
  const port = Number(m[3]);
  if (host === undefined || port > 65535) return undefined;
  if (bracketed !== undefined ? isIP(host) !== 6 : host !== 'localhost' && isIP(host) !== 4) return undefined;
  return { host, port };
}

/**
 * The MAC an IPv6 address was built from (modified EUI-64, RFC 4291 appendix A: `ff:fe` in the
 * middle of the interface identifier, the universal/local bit flipped back), or undefined for
 * an address with a random or stable-privacy identifier.
 */
export function macFromEui64(ip: string): string | undefined {
  const bare = withoutZone(ip).toLowerCase();
  if (!bare.includes(':')) return undefined;
  const [head, tail] = bare.split('::');
  const parse = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(':'));
  const left = parse(head);
  const right = parse(tail);
  if (tail === undefined && left.length !== 8) return undefined;
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/u.test(g))) return undefined;
  const iid = groups.slice(4).map((g) => g.padStart(4, '0')).join('');
  if (iid.slice(6, 10) !== 'fffe') return undefined;
  const first = (Number.parseInt(iid.slice(0, 2), 16) ^ 0x02).toString(16).padStart(2, '0');
  const hex = `${first}${iid.slice(2, 6)}${iid.slice(10, 16)}`;
  return hex.match(/../gu)!.join(':');
}
