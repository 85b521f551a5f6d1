/**
 * mDNS records -> Observation (pure). The observation is about the datagram's source address,
 * whatever the records claim. A reply may carry records for other hosts (a sleep proxy, a
 * gateway answering for its clients): a service whose SRV target resolves, in the same reply,
 * only to other addresses is treated as foreign and contributes nothing but `mdns.address`.
 */
import { MAX_EVIDENCE } from '../../domain/evidence.ts';
import type { Evidence, Observation } from '../../domain/types.ts';
import { cleanText, normaliseMac } from '../../util/text.ts';
import { ENUMERATION_TYPE, isHostName, nameKey, serviceTypeOf, splitInstanceName } from './names.ts';
import type { MdnsRecord, MdnsRecords } from './records.ts';
import { parseTxt } from './txt.ts';

/** Service types whose SRV port is an HTTP server worth a banner fetch. */
export const HTTP_SERVICE_TYPES: ReadonlySet<string> = new Set(['_http._tcp', '_axis-video._tcp']);
/** TXT keys that carry the device's MAC (Axis `macaddress`, Synology `mac_address`). */
export const MAC_TXT_KEYS: readonly string[] = ['macaddress', 'mac_address'];

const ENUMERATION_KEY = `${ENUMERATION_TYPE}.local`;

function reverseName(ip: string): string | undefined {
  const parts = ip.split('.');
  return parts.length === 4 ? `${parts.reverse().join('.')}.in-addr.arpa` : undefined;
}

function macFrom(value: string | null): string | undefined {
  if (!value) return undefined;
  for (const candidate of value.split(/[|,;\s]+/u)) {
    const mac = normaliseMac(candidate);
    if (mac) return mac;
  }
  return undefined;
}

class EvidenceList {
  readonly items: Evidence[] = [];
  private readonly seen = new Set<string>();

  add(field: string, value: string): void {
    // One 9 KB reply can carry 20 TXT records of 64 keys each: the cap holds whatever it sends.
    if (this.items.length >= MAX_EVIDENCE) return;
    const v = cleanText(value);
    const f = cleanText(field, 128);
    const k = `${f}\u0000${v}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.items.push({ protocol: 'mdns', field: f, value: v });
  }
}

export function mdnsToObservations(
  input: MdnsRecords | readonly MdnsRecord[],
  from: { ip: string; iface?: string },
): Observation[] {
  const records: readonly MdnsRecord[] = Array.isArray(input)
    ? input
    : (input as MdnsRecords).kind === 'response'
      ? (input as MdnsRecords).records
      : [];
  if (records.length === 0) return [];

  const ipv4ByHost = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.type !== 'A') continue;
    const key = nameKey(r.name);
    const set = ipv4ByHost.get(key) ?? new Set<string>();
    set.add(r.data);
    ipv4ByHost.set(key, set);
  }
  const ownHost = (host: string): boolean => {
    const addrs = ipv4ByHost.get(nameKey(host));
    return !addrs || addrs.has(from.ip);
  };
  const foreign = new Set<string>();
  for (const r of records) {
    if (r.type === 'SRV' && !ownHost(r.data.target)) foreign.add(nameKey(r.name));
  }

  const ev = new EvidenceList();
  const addressHosts: string[] = [];
  const srvHosts: string[] = [];
  const httpPorts: number[] = [];
  let mac: string | undefined;
  const reverse = reverseName(from.ip);

  const addInstance = (fullName: string): boolean => {
    if (foreign.has(nameKey(fullName))) return false;
    const split = splitInstanceName(fullName);
    if (split) {
      ev.add('mdns.type', split.type);
      ev.add('mdns.instance', split.instance);
    }
    return true;
  };

  for (const r of records) {
    switch (r.type) {
      case 'PTR': {
        const owner = nameKey(r.name);
        if (owner === ENUMERATION_KEY) {
          const type = serviceTypeOf(r.data);
          if (type && !splitInstanceName(r.data)) ev.add('mdns.type', type);
        } else if (reverse && owner === reverse) {
          if (isHostName(r.data)) addressHosts.push(nameKey(r.data));
        } else {
          const type = serviceTypeOf(r.name);
          if (type && addInstance(r.data)) ev.add('mdns.type', type);
        }
        break;
      }
      case 'SRV': {
        if (!addInstance(r.name)) break;
        const type = splitInstanceName(r.name)?.type ?? serviceTypeOf(r.name);
        if (type) {
          ev.add(`mdns.port.${type}`, String(r.data.port));
          if (HTTP_SERVICE_TYPES.has(type) && r.data.port > 0 && !httpPorts.includes(r.data.port)) httpPorts.push(r.data.port);
        }
        if (isHostName(r.data.target)) srvHosts.push(nameKey(r.data.target));
        break;
      }
      case 'TXT': {
        if (!addInstance(r.name)) break;
        for (const { key, value } of parseTxt(r.data)) {
          ev.add(`mdns.txt.${key}`, value ?? '');
          if (!mac && MAC_TXT_KEYS.includes(key)) mac = macFrom(value);
        }
        break;
      }
      case 'A':
      case 'AAAA': {
        ev.add('mdns.address', r.data);
        if (r.type === 'A' && r.data === from.ip && isHostName(r.name)) addressHosts.push(nameKey(r.name));
        break;
      }
    }
  }

  const hostnames = [...new Set([...addressHosts, ...srvHosts])];
  for (const h of hostnames) ev.add('mdns.hostname', h);
  if (ev.items.length === 0) return [];

  const obs: Observation = { protocol: 'mdns', ip: from.ip, evidence: ev.items };
  if (from.iface !== undefined) obs.interface = from.iface;
  if (mac) obs.mac = mac;
  const hostname = hostnames[0];
  if (hostname) obs.identifiers = { hostname: cleanText(hostname) };
  if (httpPorts.length > 0) obs.endpoints = { httpPorts };
  return [obs];
}
