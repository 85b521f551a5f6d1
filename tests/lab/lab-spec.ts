import { isIPv4 } from 'node:net';
import type { DeviceProfile } from './simulator/profile.ts';

/**
 * What a lab looks like (pure): the spec a test writes, its validation, and the plan of
 * namespaces, bridges and veth pairs with the `ip -batch` lines that build it.
 */

export interface LabDeviceSpec {
  /** Unique in the lab; [a-z0-9-], at most 32 characters. */
  name: string;
  ip: string;
  mac: string;
  /** A profile name (tests/lab/profiles/<name>.json) or a profile object. */
  profile: string | DeviceProfile;
  /** Which bridge the device's eth0 is on (default 'lan'). */
  bridge?: string;
}

export interface LabInterfaceSpec {
  /** Interface name in the agent namespace, e.g. 'eth1'. */
  ifname: string;
  bridge: string;
  ip: string;
  mac?: string;
  /** Add the 224.0.0.0/4 route on this interface too (default false: only eth0 has it). */
  multicastRoute?: boolean;
}

export interface LabAgentSpec {
  ip: string;
  mac?: string;
  /** More interfaces for a multi-homed agent, each on a bridge from `bridges`. */
  extraInterfaces?: LabInterfaceSpec[];
}

export interface LabBridgeSpec {
  /** Referenced by devices and agent interfaces; 'lan' is the default bridge. */
  name: string;
  /** e.g. '10.67.0.0/24'. */
  subnet: string;
}

export interface LabRouterInterfaceSpec {
  bridge: string;
  ip: string;
  mac?: string;
}

export interface LabRouterSpec {
  /** Unique among devices and routers; [a-z0-9-], at most 32 characters. */
  name: string;
  /** One interface per bridge (eth0, eth1... in this order), at least two; IPv4 forwarding is on. */
  interfaces: LabRouterInterfaceSpec[];
}

export interface LabSpec {
  /** The 'lan' bridge's subnet (default 10.66.0.0/24). */
  subnet?: string;
  agent: LabAgentSpec;
  devices: LabDeviceSpec[];
  /** Bridges besides 'lan' (isolated L2 segments: a second VLAN, a second NIC's network). */
  bridges?: LabBridgeSpec[];
  /**
   * Routers between bridges. Every host (agent or device) on a bridge a router is on gets a
   * route to each of the router's other bridges' subnets via the router's address on its own
   * bridge (unless it is on that subnet itself or already has a route there). The router
   * forwards unicast only: multicast and broadcast stay on their segment, as in a real
   * routed network.
   */
  routers?: LabRouterSpec[];
}

export const DEFAULT_SUBNET = '10.66.0.0/24';

export interface PlannedLink {
  /** Name inside the host namespace (eth0, eth1...). */
  ifname: string;
  /** veth end enslaved to the bridge, inside the lan namespace (at most 15 characters). */
  peer: string;
  bridgeDev: string;
  mac: string | undefined;
  cidr: string;
  multicastRoute: boolean;
}

export interface PlannedRoute {
  /** Network address / prefix, e.g. 10.68.0.0/24. */
  to: string;
  via: string;
}

export interface PlannedHost {
  role: 'agent' | 'device' | 'router';
  name: string;
  ns: string;
  links: PlannedLink[];
  /** Routes through the lab's routers (after the links are up). */
  routes: PlannedRoute[];
  /** IPv4 forwarding (routers only). */
  forwarding: boolean;
}

export interface LabPlan {
  id: string;
  lanNs: string;
  agentNs: string;
  bridges: Array<{ name: string; dev: string; subnet: string }>;
  hosts: PlannedHost[];
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseSubnet(subnet: string): { base: number; prefix: number } {
  const [addr = '', prefixText = ''] = subnet.split('/');
  const prefix = Number(prefixText);
  if (!isIPv4(addr) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new Error(`lab: bad subnet ${subnet} (want a.b.c.d/8..30)`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ipToInt(addr) & mask) >>> 0, prefix };
}

function inSubnet(ip: string, subnet: { base: number; prefix: number }): boolean {
  const mask = (0xffffffff << (32 - subnet.prefix)) >>> 0;
  const n = ipToInt(ip);
  const host = (n & ~mask) >>> 0;
  return ((n & mask) >>> 0) === subnet.base && host !== 0 && host !== (~mask >>> 0);
}

function checkMac(mac: string, what: string): string {
  const m = mac.toLowerCase();
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/u.test(m)) throw new Error(`lab: ${what}: bad MAC ${mac}`);
  if ((Number.parseInt(m.slice(0, 2), 16) & 1) === 1) throw new Error(`lab: ${what}: multicast MAC ${mac}`);
  return m;
}

/** Checks a spec and returns every problem at once. */
export function validateLabSpec(spec: LabSpec): void {
  const problems: string[] = [];
  const subnets = new Map<string, { base: number; prefix: number }>();
  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  attempt(() => subnets.set('lan', parseSubnet(spec.subnet ?? DEFAULT_SUBNET)));
  for (const b of spec.bridges ?? []) {
    if (!/^[a-z0-9-]{1,32}$/u.test(b.name) || subnets.has(b.name)) problems.push(`lab: bad or duplicate bridge name ${b.name}`);
    attempt(() => subnets.set(b.name, parseSubnet(b.subnet)));
  }
  const ips = new Set<string>();
  const macs = new Set<string>();
  const names = new Set<string>();
  const checkAddr = (what: string, ip: string, mac: string | undefined, bridge: string): void => {
    const subnet = subnets.get(bridge);
    if (subnet === undefined) problems.push(`lab: ${what}: unknown bridge ${bridge}`);
    else if (!isIPv4(ip) || !inSubnet(ip, subnet)) problems.push(`lab: ${what}: ${ip} is not a host address of bridge ${bridge}`);
    if (ips.has(ip)) problems.push(`lab: ${what}: duplicate IP ${ip}`);
    ips.add(ip);
    if (mac !== undefined) {
      attempt(() => {
        const m = checkMac(mac, what);
        if (macs.has(m)) throw new Error(`lab: ${what}: duplicate MAC ${mac}`);
        macs.add(m);
      });
    }
  };
  checkAddr('agent', spec.agent.ip, spec.agent.mac, 'lan');
  const ifnames = new Set(['eth0']);
  for (const i of spec.agent.extraInterfaces ?? []) {
    if (!/^[a-z][a-z0-9]{0,14}$/u.test(i.ifname) || ifnames.has(i.ifname)) problems.push(`lab: agent: bad or duplicate interface ${i.ifname}`);
    ifnames.add(i.ifname);
    checkAddr(`agent ${i.ifname}`, i.ip, i.mac, i.bridge);
  }
  for (const d of spec.devices) {
    if (!/^[a-z0-9-]{1,32}$/u.test(d.name) || names.has(d.name) || d.name === 'lan' || d.name === 'agent') {
      problems.push(`lab: bad or duplicate device name ${JSON.stringify(d.name)}`);
    }
    names.add(d.name);
    checkAddr(`device ${d.name}`, d.ip, d.mac, d.bridge ?? 'lan');
  }
  for (const r of spec.routers ?? []) {
    if (!/^[a-z0-9-]{1,32}$/u.test(r.name) || names.has(r.name) || r.name === 'lan' || r.name === 'agent') {
      problems.push(`lab: bad or duplicate router name ${JSON.stringify(r.name)}`);
    }
    names.add(r.name);
    const bridges = r.interfaces.map((i) => i.bridge);
    if (r.interfaces.length < 2 || new Set(bridges).size !== bridges.length) {
      problems.push(`lab: router ${r.name}: needs at least two interfaces, each on a different bridge`);
    }
    r.interfaces.forEach((i, n) => checkAddr(`router ${r.name} eth${n}`, i.ip, i.mac, i.bridge));
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

export function planLab(spec: LabSpec, id: string): LabPlan {
  validateLabSpec(spec);
  const prefixOf = (bridge: string): number =>
    parseSubnet(bridge === 'lan' ? (spec.subnet ?? DEFAULT_SUBNET) : (spec.bridges?.find((b) => b.name === bridge)?.subnet ?? '')).prefix;
  const bridges = [
    { name: 'lan', dev: 'br0', subnet: spec.subnet ?? DEFAULT_SUBNET },
    ...(spec.bridges ?? []).map((b, i) => ({ name: b.name, dev: `br${i + 1}`, subnet: b.subnet })),
  ];
  const devOf = (bridge: string): string => bridges.find((b) => b.name === bridge)?.dev ?? 'br0';
  const agentLinks: PlannedLink[] = [
    { ifname: 'eth0', peer: 'va0', bridgeDev: 'br0', mac: spec.agent.mac, cidr: `${spec.agent.ip}/${prefixOf('lan')}`, multicastRoute: true },
    ...(spec.agent.extraInterfaces ?? []).map((i, n) => ({
      ifname: i.ifname,
      peer: `va${n + 1}`,
      bridgeDev: devOf(i.bridge),
      mac: i.mac,
      cidr: `${i.ip}/${prefixOf(i.bridge)}`,
      multicastRoute: i.multicastRoute ?? false,
    })),
  ];
  const subnetOf = (bridge: string): string => {
    const { base, prefix } = parseSubnet(bridges.find((b) => b.name === bridge)?.subnet ?? '');
    return `${intToIp(base)}/${prefix}`;
  };
  /** Routes for a host whose interfaces are on `onBridges`, through every router on those bridges. */
  const routesFor = (onBridges: readonly string[]): PlannedRoute[] => {
    const direct = new Set(onBridges.map(subnetOf));
    const routes: PlannedRoute[] = [];
    for (const router of spec.routers ?? []) {
      for (const near of router.interfaces.filter((i) => onBridges.includes(i.bridge))) {
        for (const far of router.interfaces.filter((i) => i.bridge !== near.bridge)) {
          const to = subnetOf(far.bridge);
          if (direct.has(to) || routes.some((r) => r.to === to)) continue;
          routes.push({ to, via: near.ip });
        }
      }
    }
    return routes;
  };
  const hosts: PlannedHost[] = [
    {
      role: 'agent',
      name: 'agent',
      ns: `csw-${id}-agent`,
      links: agentLinks,
      routes: routesFor(['lan', ...(spec.agent.extraInterfaces ?? []).map((i) => i.bridge)]),
      forwarding: false,
    },
    ...spec.devices.map((d, n) => ({
      role: 'device' as const,
      name: d.name,
      ns: `csw-${id}-${d.name}`,
      links: [
        {
          ifname: 'eth0',
          peer: `vd${n}`,
          bridgeDev: devOf(d.bridge ?? 'lan'),
          mac: d.mac.toLowerCase(),
          cidr: `${d.ip}/${prefixOf(d.bridge ?? 'lan')}`,
          multicastRoute: true,
        },
      ],
      routes: routesFor([d.bridge ?? 'lan']),
      forwarding: false,
    })),
    ...(spec.routers ?? []).map((r, n) => ({
      role: 'router' as const,
      name: r.name,
      ns: `csw-${id}-${r.name}`,
      links: r.interfaces.map((i, k) => ({
        ifname: `eth${k}`,
        peer: `vr${n}i${k}`,
        bridgeDev: devOf(i.bridge),
        mac: i.mac?.toLowerCase(),
        cidr: `${i.ip}/${prefixOf(i.bridge)}`,
        multicastRoute: false,
      })),
      routes: [],
      forwarding: true,
    })),
  ];
  return { id, lanNs: `csw-${id}-lan`, agentNs: `csw-${id}-agent`, bridges, hosts };
}

/** `ip -batch` lines run in the root of the private namespace: create every namespace. */
export function namespaceAddLines(plan: LabPlan): string[] {
  return [plan.lanNs, ...plan.hosts.map((h) => h.ns)].map((ns) => `netns add ${ns}`);
}

export function namespaceDeleteLines(plan: LabPlan): string[] {
  return [...plan.hosts.map((h) => h.ns), plan.lanNs].map((ns) => `netns del ${ns}`);
}

/** `ip -n <lan> -batch` lines: bridges (no multicast snooping: every port sees every group) and veth pairs. */
export function lanLines(plan: LabPlan): string[] {
  const lines = ['link set lo up'];
  for (const b of plan.bridges) lines.push(`link add ${b.dev} type bridge mcast_snooping 0`, `link set ${b.dev} up`);
  for (const h of plan.hosts) {
    for (const l of h.links) {
      const address = l.mac === undefined ? '' : ` address ${l.mac}`;
      lines.push(`link add ${l.peer} type veth peer name ${l.ifname}${address} netns ${h.ns}`);
      lines.push(`link set ${l.peer} master ${l.bridgeDev} up`);
    }
  }
  return lines;
}

/** `ip -n <host> -batch` lines: loopback, addresses, links up, the multicast route, routes via the lab's routers. */
export function hostLines(host: PlannedHost): string[] {
  const lines = ['link set lo up'];
  for (const l of host.links) {
    lines.push(`addr add ${l.cidr} dev ${l.ifname}`, `link set ${l.ifname} up`);
    if (l.multicastRoute) lines.push(`route add 224.0.0.0/4 dev ${l.ifname}`);
  }
  for (const r of host.routes) lines.push(`route add ${r.to} via ${r.via}`);
  return lines;
}
