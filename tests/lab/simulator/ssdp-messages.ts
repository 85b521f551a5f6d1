import type { SsdpProfile, UpnpProfile } from './profile.ts';

/** SSDP search handling (pure): parse an M-SEARCH, pick the targets it asks for, build replies. */

export interface MSearch {
  st: string;
  /** Seconds; undefined when absent or not a number. */
  mx: number | undefined;
  man: string | undefined;
}

const MAX_SEARCH_BYTES = 8 * 1024;

export function parseMSearch(message: Buffer | string): MSearch | undefined {
  const text = (typeof message === 'string' ? message : message.toString('latin1')).slice(0, MAX_SEARCH_BYTES);
  const lines = text.split(/\r?\n/u);
  if (!/^M-SEARCH \* HTTP\/1\.[01]\s*$/iu.test(lines[0] ?? '')) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const st = headers.get('st');
  if (st === undefined || st === '') return undefined;
  const mxText = headers.get('mx');
  const mx = mxText !== undefined && /^\d{1,3}$/u.test(mxText) ? Number(mxText) : undefined;
  return { st, mx, man: headers.get('man') };
}

export interface SearchTarget {
  st: string;
  usn: string;
}

/** Everything the device advertises: root device, its UUID, device type, services. */
export function advertisedTargets(ssdp: SsdpProfile): SearchTarget[] {
  const uuid = `uuid:${ssdp.uuid}`;
  return [
    { st: 'upnp:rootdevice', usn: `${uuid}::upnp:rootdevice` },
    { st: uuid, usn: uuid },
    { st: ssdp.deviceType, usn: `${uuid}::${ssdp.deviceType}` },
    ...ssdp.services.map((s) => ({ st: s, usn: `${uuid}::${s}` })),
  ];
}

export function targetsFor(search: MSearch, ssdp: SsdpProfile): SearchTarget[] {
  const all = advertisedTargets(ssdp);
  if (search.st === 'ssdp:all') return all;
  return all.filter((t) => t.st.toLowerCase() === search.st.toLowerCase());
}

export function locationOf(ssdp: SsdpProfile, upnp: UpnpProfile | undefined, ip: string): string {
  if (ssdp.location !== undefined) return ssdp.location;
  if (upnp === undefined) throw new Error('ssdp without upnp needs a location');
  return `http://${ip}:${upnp.port}${upnp.path}`;
}

const DEFAULT_HEADERS: Array<[string, string]> = [
  ['CACHE-CONTROL', 'max-age={maxAge}'],
  ['DATE', '{date}'],
  ['EXT', ''],
  ['LOCATION', '{location}'],
  ['SERVER', '{server}'],
  ['ST', '{st}'],
  ['USN', '{usn}'],
];

export function buildSearchResponse(ssdp: SsdpProfile, target: SearchTarget, location: string, now: Date): string {
  const values: Record<string, string> = {
    '{st}': target.st,
    '{usn}': target.usn,
    '{location}': location,
    '{server}': ssdp.server,
    '{maxAge}': String(ssdp.maxAge),
    '{date}': now.toUTCString(),
  };
  const eol = ssdp.lineEnding === 'lf' ? '\n' : '\r\n';
  const lines = [ssdp.statusLine];
  for (const [name, template] of ssdp.headers ?? DEFAULT_HEADERS) {
    const value = template.replace(/\{(st|usn|location|server|maxAge|date)\}/gu, (m) => values[m] ?? m);
    lines.push(value === '' ? `${name}:` : `${name}: ${value}`);
  }
  return `${lines.join(eol)}${eol}${eol}`;
}
