/**
 * IPv4 ranges (pure): parse `a.b.c.d[/n]`, test membership, and expand target ranges minus
 * exclusions into the host addresses to probe, bounded by a cap that is checked on the count
 * before a single address is produced.
 */
export interface Cidr {
  /** As written (trimmed). */
  text: string;
  /** The address as written, as an unsigned 32-bit integer (host bits are kept; masking is done where used). */
  base: number;
  prefix: number;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit integer, or undefined. */
export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/u.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, ...rest] = text.trim().split('/');
  if (rest.length > 0 || addr === undefined) return undefined;
  const base = ipv4ToInt(addr);
  const prefix = bits === undefined ? 32 : /^\d{1,2}$/u.test(bits) ? Number(bits) : Number.NaN;
  if (base === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { text: text.trim(), base, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipv4ToInt(ip);
  if (n === undefined) return false;
  const m = mask(cidr.prefix);
  return ((n & m) >>> 0) === ((cidr.base & m) >>> 0);
}

/** First and last address of the range (network and broadcast included). */
export function cidrBounds(cidr: Cidr): { first: number; last: number } {
  const first = (cidr.base & mask(cidr.prefix)) >>> 0;
  return { first, last: first + 2 ** (32 - cidr.prefix) - 1 };
}

/**
 * The host addresses of a range, as an interval: a /30 or larger drops its network and
 * broadcast addresses; a /31 is two hosts (RFC 3021), a /32 one.
 */
export function hostBounds(cidr: Cidr): { first: number; last: number } {
  const { first, last } = cidrBounds(cidr);
  return cidr.prefix <= 30 ? { first: first + 1, last: last - 1 } : { first, last };
}

/** True when the two ranges share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  const x = cidrBounds(a);
  const y = cidrBounds(b);
  return x.first <= y.last && y.first <= x.last;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

type Interval = [number, number];

function union(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [first, last] of sorted) {
    const prev = out.at(-1);
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else out.push([first, last]);
  }
  return out;
}

function subtract(from: Interval[], cut: Interval[]): Interval[] {
  let current = from;
  for (const [cFirst, cLast] of cut) {
    const next: Interval[] = [];
    for (const [first, last] of current) {
      if (cLast < first || cFirst > last) {
        next.push([first, last]);
        continue;
      }
      if (cFirst > first) next.push([first, cFirst - 1]);
      if (cLast < last) next.push([cLast + 1, last]);
    }
    current = next;
  }
  return current;
}

/**
 * The host addresses of `include` (each range's own network/broadcast rule) minus every
 * address of `exclude`, in ascending order, each once. Throws a RangeError naming the count
 * when there would be more than `maxAddresses`; nothing is expanded before that check.
 */
export function expandRanges(include: readonly Cidr[], exclude: readonly Cidr[], maxAddresses: number): string[] {
  const hosts = union(
    include.map((c) => {
      const { first, last } = hostBounds(c);
      return [first, last] as Interval;
    }),
  );
  const kept = subtract(
    hosts,
    union(
      exclude.map((c) => {
        const { first, last } = cidrBounds(c);
        return [first, last] as Interval;
      }),
    ),
  );
  const count = kept.reduce((n, [first, last]) => n + (last - first + 1), 0);
  if (count > maxAddresses) throw new RangeError(`${count} addresses, more than the limit of ${maxAddresses}`);
  const out: string[] = [];
  for (const [first, last] of kept) for (let n = first; n <= last; n += 1) out.push(intToIpv4(n));
  return out;
}
