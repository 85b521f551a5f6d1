import { evidenceList, MAX_EVIDENCE } from '../domain/evidence.ts';
import { PROTOCOLS, type Evidence, type Identifiers, type MergedDevice, type Observation, type Protocol } from '../domain/types.ts';
import { compareIp, isIpv4, macFromEui64, urlHost, withoutZone } from '../util/ip.ts';

/** Bounds that hold a device's record to a fixed size, whatever a host sends. */
export const MAX_EVIDENCE_PER_DEVICE = MAX_EVIDENCE;

export interface MergeInput {
  observations: readonly Observation[];
  /** IP -> MAC from the neighbour table. */
  neighbours?: ReadonlyMap<string, string>;
}

export interface HostGroup {
  ips: string[];
  mac: string | null;
  observations: Observation[];
}

/**
 * All observations merged into one device per host: grouped by source IP, then groups that
 * share a MAC become one device (a host answering from two addresses). Every observation's
 * evidence is kept, deduplicated, in arrival order. Nothing is judged here: the devices name
 * no maker, kind or status (src/sweep/judge.ts does).
 */
export function mergeObservations(input: MergeInput): MergedDevice[] {
  const byIp = new Map<string, HostGroup>();
  for (const obs of input.observations) {
    let group = byIp.get(obs.ip);
    if (!group) {
      group = { ips: [obs.ip], mac: null, observations: [] };
      byIp.set(obs.ip, group);
    }
    group.observations.push(obs);
  }

  const byKey = new Map<string, HostGroup>();
  for (const [ip, group] of byIp) {
    group.mac = neighbourMac(input.neighbours, ip) ?? group.observations.find((o) => o.mac)?.mac ?? null;
    const key = group.mac ? `mac:${group.mac}` : `ip:${ip}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.ips.push(...group.ips);
      existing.observations.push(...group.observations);
    } else {
      byKey.set(key, group);
    }
  }

  const devices = joinAcrossFamilies([...byKey.values()]).map((g) => buildDevice(g, input.neighbours));
  return devices.sort((a, b) => compareIp(a.ip, b.ip));
}

/** Addresses a group's replies advertise for the host itself (XAddrs, LOCATION), without zones. */
function advertised(group: HostGroup): Set<string> {
  const out = new Set<string>();
  for (const obs of group.observations) {
    for (const url of [...(obs.endpoints?.xaddrs ?? []), ...(obs.endpoints?.location === undefined ? [] : [obs.endpoints.location])]) {
      try {
        out.add(withoutZone(urlHost(new URL(url))).toLowerCase());
      } catch {
        // not a URL: names no address
      }
    }
  }
  return out;
}

function identifierSet(group: HostGroup): Set<string> {
  const out = new Set<string>();
  for (const obs of group.observations) {
    for (const key of ['epr', 'udn', 'serial', 'hostname'] as const) {
      const v = obs.identifiers?.[key];
      if (v !== undefined && v !== '') out.add(`${key}:${v.toLowerCase()}`);
    }
  }
  return out;
}

/**
 * One device, one row. A host that answered only over IPv6 link-local, whose MAC the
 * neighbour table does not know (the camera already knew ours and never asked for it: a first
 * sweep, or after entries expire), joins its IPv4 record by evidence that does not depend on
 * the cache, in this order: the MAC its EUI-64 address was built from; an identifier both
 * records carry (WS-Discovery EPR, UPnP UDN, serial, mDNS host name); an address one record
 * advertises for itself (an XAddr or LOCATION naming the other's address). A rule joins only
 * when it names exactly one IPv4 record: two IPv4 hosts are two devices (cloned cameras share
 * identifiers), and an ambiguous reply stays its own row rather than hide a device.
 */
export function joinAcrossFamilies(groups: HostGroup[]): HostGroup[] {
  const v4 = groups.filter((g) => g.ips.some(isIpv4));
  const joined = new Set<HostGroup>();
  for (const g6 of groups) {
    if (g6.ips.some(isIpv4)) continue;
    const own = g6.ips.map((ip) => withoutZone(ip).toLowerCase());
    const eui = own.map(macFromEui64).find((m) => m !== undefined);
    const ids = identifierSet(g6);
    const mine = advertised(g6);
    const rules: Array<(g4: HostGroup) => boolean> = [
      (g4) => eui !== undefined && g4.mac === eui,
      (g4) => g6.mac !== null && g4.mac === g6.mac,
      (g4) => [...identifierSet(g4)].some((id) => ids.has(id)),
      (g4) => g4.ips.some((ip) => mine.has(ip)) || own.some((ip) => advertised(g4).has(ip)),
    ];
    for (const rule of rules) {
      const partners = v4.filter(rule);
      if (partners.length !== 1) continue;
      const g4 = partners[0]!;
      g4.ips.push(...g6.ips);
      g4.observations.push(...g6.observations);
      g4.mac ??= g6.mac ?? eui ?? null;
      joined.add(g6);
      break;
    }
  }
  return groups.filter((g) => !joined.has(g));
}

function buildDevice(group: HostGroup, neighbours: ReadonlyMap<string, string> | undefined): MergedDevice {
  const { list: evidence, push: add } = evidenceList('arp', MAX_EVIDENCE_PER_DEVICE);
  for (const ip of group.ips) {
    const mac = neighbourMac(neighbours, ip);
    if (mac) add({ protocol: 'arp', field: 'mac.address', value: mac });
  }
  const identifiers: Identifiers = {};
  const interfaces = new Set<string>();
  for (const obs of group.observations) {
    if (obs.interface) interfaces.add(obs.interface);
    for (const e of obs.evidence) add(e);
    for (const key of ['epr', 'udn', 'serial', 'hostname'] as const) {
      const v = obs.identifiers?.[key];
      if (v && identifiers[key] === undefined) identifiers[key] = v;
    }
  }

  const model = firstValue(evidence, [
    'onvif.model',
    'sadp.model',
    'dhip.model',
    'upnp.modelName',
    'mdns.txt.usb_mdl',
    'mdns.txt.model',
    'mdns.txt.md',
    'mdns.txt.ty',
    'onvif.scope.hardware',
    'onvif.scope.model',
  ]);
  const firmware = firstValue(evidence, ['onvif.firmware', 'sadp.firmware', 'dhip.firmware', 'mdns.txt.fw', 'mdns.txt.firmware']);
  const serial = identifiers.serial ?? firstValue(evidence, ['onvif.serial', 'sadp.serial', 'dhip.serial', 'upnp.serialNumber', 'mdns.txt.serial', 'mdns.txt.sn']);
  const protocols = protocolsOf(evidence);

  const addresses = [...new Set(group.ips)].sort(compareIp);
  return {
    // IPv4 first: a host that also answered over IPv6 keeps its IPv4 address as its name.
    ip: addresses.find(isIpv4) ?? group.ips[0]!,
    addresses,
    mac: group.mac,
    model,
    firmware,
    serial,
    protocols,
    interfaces: [...interfaces].sort(),
    identifiers,
    evidence,
  };
}

/** The protocols behind a list of evidence, each once, in the order of PROTOCOLS. */
export function protocolsOf(evidence: readonly Evidence[]): Protocol[] {
  const seen = new Set(evidence.map((e) => e.protocol));
  return PROTOCOLS.filter((p) => seen.has(p));
}

/**
 * The neighbour table's MAC for an address. The table holds IPv6 link-local addresses without
 * their zone, replies carry it (`fe80::1%eth0`): look up without it.
 */
export function neighbourMac(neighbours: ReadonlyMap<string, string> | undefined, ip: string): string | undefined {
  if (!neighbours) return undefined;
  const bare = withoutZone(ip);
  return neighbours.get(ip) ?? (bare === ip ? undefined : neighbours.get(bare.toLowerCase()));
}

/** The first non-empty value of the first of `fields` the evidence holds, in the order given. */
export function firstValue(evidence: readonly Evidence[], fields: readonly string[]): string | null {
  for (const field of fields) {
    const hit = evidence.find((e) => e.field === field && e.value !== '');
    if (hit) return hit.value;
  }
  return null;
}
