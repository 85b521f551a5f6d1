import { ipv4ToInt } from './cidr.ts';

/**
 * The sort key of an IP address (pure): text whose order is the addresses' numeric order, so a
 * database index on it (with the address as written after it) lists addresses as people read
 * them, 10.20.8.2 before 10.20.8.12.
 *
 *   IPv4           '4' and the 32-bit value in 8 lowercase hex digits
 *   IPv6           '6' and the 128-bit value in 32 lowercase hex digits (every written form of
 *                  one address, compressed, expanded, with an embedded dotted quad such as
 *                  ::ffff:10.0.0.1, has the same key), then '%' and the zone if there is one:
 *                  the zone breaks ties, an address without one first
 *   anything else  '9' (the address as written, the column after the key, orders these)
 *
 * The key holds only digits and lowercase hex letters up to the zone, of one length per family,
 * so its order is the same under any collation (bytewise in SQLite, the database's collation
 * in PostgreSQL). '' is never a key: a row whose key is '' was written before keys existed.
 */
export function ipSortKey(ip: string): string {
  const v4 = ipv4ToInt(ip);
  if (v4 !== undefined) return `4${v4.toString(16).padStart(8, '0')}`;
  const v6 = ipv6Hex(ip);
  if (v6 !== undefined) return `6${v6}`;
  return '9';
}

/** The 128-bit value of an IPv6 address in 32 hex digits, and '%zone' if it has one; undefined when not IPv6. */
function ipv6Hex(text: string): string | undefined {
  const pct = text.indexOf('%');
  const addr = pct < 0 ? text : text.slice(0, pct);
  const zone = pct < 0 ? undefined : text.slice(pct + 1);
  if (zone !== undefined && (zone === '' || /[\s%]/u.test(zone))) return undefined;
  if (addr.length > 45 || !addr.includes(':')) return undefined;
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string, last: boolean): string[] | undefined => {
    if (part === '') return [];
    const out: string[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i += 1) {
      const g = items[i]!;
      if (last && i === items.length - 1 && g.includes('.')) {
        const n = ipv4ToInt(g);
        if (n === undefined) return undefined;
        const hex = n.toString(16).padStart(8, '0');
        out.push(hex.slice(0, 4), hex.slice(4));
      } else if (/^[0-9a-f]{1,4}$/iu.test(g)) {
        out.push(g.toLowerCase().padStart(4, '0'));
      } else {
        return undefined;
      }
    }
    return out;
  };
  let all: string[];
  if (halves.length === 1) {
    const g = groups(addr, true);
    if (g === undefined || g.length !== 8) return undefined;
    all = g;
  } else {
    const head = groups(halves[0]!, false);
    const tail = groups(halves[1]!, true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    all = [...head, ...Array<string>(8 - head.length - tail.length).fill('0000'), ...tail];
  }
  return `${all.join('')}${zone === undefined ? '' : `%${zone}`}`;
}
