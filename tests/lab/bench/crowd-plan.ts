/**
 * The crowd (pure): N simulated devices that share one namespace. Each device gets a macvlan
 * interface of its own on the crowd's eth0, with its own MAC (a Hikvision, Dahua or Axis OUI by
 * index) and one address, so the agent's neighbour table sees N hosts, as on a real LAN.
 */

export type CrowdVendor = 'hikvision' | 'dahua' | 'axis';

export interface CrowdDevice {
  index: number;
  ip: string;
  mac: string;
  vendor: CrowdVendor;
  ifname: string;
}

const VENDORS: readonly CrowdVendor[] = ['hikvision', 'dahua', 'axis'];
const OUI: Record<CrowdVendor, string> = { hikvision: '44:19:b6', dahua: '4c:11:bf', axis: 'ac:cc:8e' };

/** Most devices a crowd may hold (the addresses must fit after `first` in the /22). */
export const MAX_CROWD = 1000;

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Adds `offset` to a dotted IPv4 address. */
export function ipPlus(ip: string, offset: number): string {
  const parts = ip.split('.').map(Number);
  const value = (((parts[0] ?? 0) << 24) >>> 0) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0) + offset;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** N devices with consecutive addresses from `first`, vendors rotating by index. */
export function crowdDevices(n: number, first: string): CrowdDevice[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CROWD) throw new Error(`crowd: size must be 1..${MAX_CROWD}, got ${n}`);
  return Array.from({ length: n }, (_, index) => {
    const vendor = VENDORS[index % VENDORS.length] ?? 'hikvision';
    return {
      index,
      ip: ipPlus(first, index),
      mac: `${OUI[vendor]}:7c:${hex((index >> 8) & 255)}:${hex(index & 255)}`,
      vendor,
      ifname: `mv${index}`,
    };
  });
}

/**
 * `ip -n <crowd> -batch` lines: eth0 up without an address, one macvlan (bridge mode) per
 * device with its MAC and address, and the multicast route on the first device's interface
 * (where the responder joins the groups).
 */
export function crowdLines(devices: readonly CrowdDevice[], prefix: number, agent?: { ip: string; mac: string }): string[] {
  const lines = ['link set lo up', 'link set eth0 up'];
  for (const d of devices) {
    lines.push(
      `link add ${d.ifname} link eth0 address ${d.mac} type macvlan mode bridge`,
      `addr add ${d.ip}/${prefix} dev ${d.ifname}`,
      `link set ${d.ifname} up`,
      // N real cameras each keep the agent in their own ARP cache; here they would all share the
      // kernel's one neighbour table (gc_thresh3 = 1024 entries for every namespace together) with
      // the agent's own N entries and overflow it. Permanent entries are not counted.
      ...(agent === undefined ? [] : [`neigh replace ${agent.ip} lladdr ${agent.mac} dev ${d.ifname} nud permanent`]),
    );
  }
  const first = devices[0];
  if (first !== undefined) lines.push(`route add 224.0.0.0/4 dev ${first.ifname}`);
  return lines;
}
