import type { LabDeviceSpec, LabSpec } from './lab-spec.ts';

/**
 * The standard lab on 10.66.0.0/24: five ordinary devices on .11-.15 and seven hostile ones on
 * .101-.107, each with its own MAC (vendor OUIs for the real makers, locally administered
 * 02:66:... for the made-up hostile ones), and the agent on .2.
 */

export const STANDARD_SUBNET = '10.66.0.0/24';
export const STANDARD_AGENT = { ip: '10.66.0.2', mac: '02:66:00:00:00:02' } as const;

export interface StandardDevice extends LabDeviceSpec {
  profile: string;
  hostile: boolean;
}

export const STANDARD_DEVICES: readonly StandardDevice[] = [
  { name: 'hikvision', ip: '10.66.0.11', mac: '44:19:b6:21:42:0b', profile: 'hikvision-ds-2cd2142fwd', hostile: false },
  { name: 'dahua', ip: '10.66.0.12', mac: '4c:11:bf:22:28:0c', profile: 'dahua-ipc-hfw2228m', hostile: false },
  { name: 'axis', ip: '10.66.0.13', mac: 'ac:cc:8e:20:36:0d', profile: 'axis-m2036-le', hostile: false },
  { name: 'epson', ip: '10.66.0.14', mac: 'ac:18:26:84:1a:46', profile: 'epson-xp-410', hostile: false },
  { name: 'chromecast', ip: '10.66.0.15', mac: '54:60:09:15:ca:57', profile: 'chromecast', hostile: false },
  { name: 'not-xml', ip: '10.66.0.101', mac: '02:66:00:00:01:01', profile: 'hostile-not-xml', hostile: true },
  { name: 'xml-bomb', ip: '10.66.0.102', mac: '02:66:00:00:01:02', profile: 'hostile-xml-bomb', hostile: true },
  { name: 'two-matches', ip: '10.66.0.103', mac: '02:66:00:00:01:03', profile: 'hostile-two-matches', hostile: true },
  { name: 'big-60k', ip: '10.66.0.104', mac: '02:66:00:00:01:04', profile: 'hostile-60k', hostile: true },
  { name: 'lf-ssdp', ip: '10.66.0.105', mac: '00:09:18:6e:64:40', profile: 'hostile-lf-ssdp', hostile: true },
  { name: 'foreign-location', ip: '10.66.0.106', mac: '02:66:00:00:01:06', profile: 'hostile-foreign-location', hostile: true },
  { name: 'endless-http', ip: '10.66.0.107', mac: '02:66:00:00:01:07', profile: 'hostile-endless-http', hostile: true },
];

export interface StandardLabOptions {
  /** Include the hostile devices (default true). */
  hostile?: boolean;
  /** Only these device names (applied after `hostile`). */
  only?: string[];
}

export function standardDevice(name: string): StandardDevice {
  const d = STANDARD_DEVICES.find((x) => x.name === name);
  if (d === undefined) throw new Error(`no standard lab device named ${name}`);
  return d;
}

/** A LabSpec with the standard devices; pass it to createLab(). */
export function standardLab(options: StandardLabOptions = {}): LabSpec {
  const devices = STANDARD_DEVICES.filter((d) => options.hostile !== false || !d.hostile)
    .filter((d) => options.only === undefined || options.only.includes(d.name))
    .map(({ name, ip, mac, profile }) => ({ name, ip, mac, profile }));
  return { subnet: STANDARD_SUBNET, agent: { ...STANDARD_AGENT }, devices };
}

/** The routed lab's far segment, behind the router. */
export const ROUTED_FAR_SUBNET = '10.68.0.0/24';
export const ROUTED_ROUTER = { name: 'router', near: '10.66.0.1', far: '10.68.0.1' } as const;

export const ROUTED_DEVICES: readonly LabDeviceSpec[] = [
  // Segment A, beside the agent: found by multicast.
  { name: 'epson', ip: '10.66.0.14', mac: 'ac:18:26:84:1a:46', profile: 'epson-xp-410' },
  // Segment B, behind the router: only unicast reaches them.
  { name: 'hikvision', ip: '10.68.0.11', mac: '44:19:b6:21:42:0b', profile: 'hikvision-ds-2cd2142fwd', bridge: 'far' },
  { name: 'dahua', ip: '10.68.0.12', mac: '4c:11:bf:22:28:0c', profile: 'dahua-ipc-hfw2228m', bridge: 'far' },
  { name: 'axis', ip: '10.68.0.13', mac: 'ac:cc:8e:20:36:0d', profile: 'axis-m2036-le', bridge: 'far' },
  { name: 'axis-2', ip: '10.68.0.14', mac: 'ac:cc:8e:20:36:0e', profile: 'axis-m2036-le', bridge: 'far' },
];

/**
 * A routed building: the agent (10.66.0.2) and an Epson printer on segment A (10.66.0.0/24),
 * a router (10.66.0.1 / 10.68.0.1, forwarding on), and Hikvision, Dahua and two Axis cameras
 * on segment B (10.68.0.0/24). The agent's route to B goes via the router; B's devices route
 * back the same way. Multicast and broadcast stay on their segment.
 */
export function routedLab(options: { only?: string[] } = {}): LabSpec {
  return {
    subnet: STANDARD_SUBNET,
    agent: { ...STANDARD_AGENT },
    bridges: [{ name: 'far', subnet: ROUTED_FAR_SUBNET }],
    routers: [
      {
        name: ROUTED_ROUTER.name,
        interfaces: [
          { bridge: 'lan', ip: ROUTED_ROUTER.near, mac: '02:66:00:00:00:01' },
          { bridge: 'far', ip: ROUTED_ROUTER.far, mac: '02:68:00:00:00:01' },
        ],
      },
    ],
    devices: ROUTED_DEVICES.filter((d) => options.only === undefined || options.only.includes(d.name)).map((d) => ({ ...d })),
  };
}
