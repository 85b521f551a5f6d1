import { createHash } from 'node:crypto';
import type { Device } from '../domain/types.ts';
import { normaliseMac } from '../util/text.ts';

/**
 * Which inventory device a swept device is. Identifiers, strongest first:
 *
 *   1. MAC address (the neighbour table or the reply itself);
 *   2. WS-Discovery EndpointReference (urn:uuid:...);
 *   3. UPnP UDN (uuid:...);
 *   4. serial number;
 *   5. IP address, the last resort.
 *
 * Matching runs one identifier at a time over the whole sweep, strongest first, so a device
 * that keeps its MAC or EPR and changes its IP is the same device (an ip-changed event). A
 * candidate is refused when an identifier stronger than the one matched is known on both
 * sides and differs (same IP, another MAC: the address went to another device), and each
 * inventory device is taken at most once per sweep. An identifier shared by two devices of
 * one sweep (cloned firmware UUIDs, placeholder serials) identifies neither and is ignored,
 * as are placeholders such as all-zero UUIDs. Among several candidates the one at the same IP
 * wins, then the one seen last.
 */

export const ID_KINDS = ['mac', 'epr', 'udn', 'serial'] as const;
export type IdKind = (typeof ID_KINDS)[number];

export interface IdentityKeys {
  mac: string | null;
  epr: string | null;
  udn: string | null;
  serial: string | null;
  ip: string;
}

export interface KnownIdentity extends IdentityKeys {
  id: string;
  lastSeen: string;
}

const PLACEHOLDER = /^(unknown|none|null|nil|n\/?a|default|serial|serialnumber|serial ?no|not ?available|to be filled by o\.e\.m\.?|0123456789|123456789|1234567890)$/iu;

/** A value that can identify one device: not empty, not a placeholder, not one repeated digit. */
export function usableId(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim().toLowerCase();
  if (v.length < 4 || v.length > 256 || PLACEHOLDER.test(v)) return null;
  const core = v.replace(/^(urn:)?uuid:/u, '').replace(/[^0-9a-z]/gu, '');
  if (core.length < 4 || /^(.)\1*$/u.test(core)) return null;
  return v;
}

export function identityOf(device: Device): IdentityKeys {
  return {
    mac: normaliseMac(device.mac) ?? null,
    epr: usableId(device.identifiers.epr),
    udn: usableId(device.identifiers.udn),
    serial: usableId(device.identifiers.serial ?? device.serial),
    ip: device.ip,
  };
}

/** The swept devices' keys with every identifier two of them share removed. */
export function withoutShared(swept: readonly IdentityKeys[]): IdentityKeys[] {
  const counts = new Map<string, number>();
  for (const k of swept) {
    for (const kind of ID_KINDS) {
      const v = k[kind];
      if (v !== null) counts.set(`${kind}\u0000${v}`, (counts.get(`${kind}\u0000${v}`) ?? 0) + 1);
    }
  }
  return swept.map((k) => {
    const out = { ...k };
    for (const kind of ID_KINDS) {
      const v = out[kind];
      if (v !== null && (counts.get(`${kind}\u0000${v}`) ?? 0) > 1) out[kind] = null;
    }
    return out;
  });
}

/** True when an identifier stronger than `upTo` (exclusive) is known on both sides and differs. */
function contradicts(a: IdentityKeys, b: IdentityKeys, upTo: IdKind | 'ip'): boolean {
  for (const kind of ID_KINDS) {
    if (kind === upTo) return false;
    const [x, y] = [a[kind], b[kind]];
    if (x !== null && y !== null && x !== y) return true;
  }
  return false;
}

/**
 * For each swept device (in order), the id of the inventory device it is, or undefined when
 * it is new. Pure; see the module comment for the rules.
 */
export function matchDevices(swept: readonly IdentityKeys[], known: readonly KnownIdentity[]): Array<string | undefined> {
  const keys = withoutShared(swept);
  const result: Array<string | undefined> = keys.map(() => undefined);
  const claimed = new Set<string>();
  for (const kind of [...ID_KINDS, 'ip'] as const) {
    const index = new Map<string, KnownIdentity[]>();
    for (const k of known) {
      const v = k[kind];
      if (v === null) continue;
      const list = index.get(v);
      if (list) list.push(k);
      else index.set(v, [k]);
    }
    keys.forEach((d, i) => {
      const v = d[kind];
      if (result[i] !== undefined || v === null) return;
      const candidates = (index.get(v) ?? []).filter((c) => !claimed.has(c.id) && !contradicts(d, c, kind));
      const best = candidates.sort((a, b) => Number(b.ip === d.ip) - Number(a.ip === d.ip) || (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0) || (a.id < b.id ? -1 : 1))[0];
      if (best) {
        result[i] = best.id;
        claimed.add(best.id);
      }
    });
  }
  return result;
}

/** The strongest identifier of a device, as `kind:value`: what a new device's id is made from. */
export function identityKey(keys: IdentityKeys): string {
  for (const kind of ID_KINDS) {
    const v = keys[kind];
    if (v !== null) return `${kind}:${v}`;
  }
  return `ip:${keys.ip}`;
}

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * A new device's inventory id: 12 hex digits of a hash of its strongest identifier, so the
 * same device recorded in two data directories gets the same id. Should that id be taken (an
 * IP-only device where another once was), the sweep id salts the hash.
 */
export function newDeviceId(key: string, taken: (id: string) => boolean, salt: string): string {
  let id = hash(`camsweep.inventory\u0000${key}`);
  for (let n = 1; taken(id); n += 1) id = hash(`camsweep.inventory\u0000${key}\u0000${salt}\u0000${n}`);
  return id;
}
