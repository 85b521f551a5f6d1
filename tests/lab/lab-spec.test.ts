import { describe, expect, it } from 'vitest';
import { hostLines, lanLines, namespaceAddLines, planLab, validateLabSpec } from './lab-spec.ts';
import type { LabSpec } from './lab-spec.ts';
import { routedLab, standardLab } from './standard-lab.ts';

const small: LabSpec = {
  agent: { ip: '10.66.0.2' },
  devices: [
    { name: 'cam', ip: '10.66.0.11', mac: '44:19:B6:00:00:01', profile: 'hikvision-ds-2cd2142fwd' },
    { name: 'printer', ip: '10.66.0.14', mac: 'ac:18:26:00:00:02', profile: 'epson-xp-410' },
  ],
};

describe('validateLabSpec', () => {
  it('accepts the standard lab', () => {
    expect(() => validateLabSpec(standardLab())).not.toThrow();
  });

  it('reports every problem at once', () => {
    const bad: LabSpec = {
      agent: { ip: '10.66.0.11' },
      devices: [
        { name: 'cam', ip: '10.66.0.11', mac: '44:19:b6:00:00:01', profile: 'x' },
        { name: 'cam', ip: '10.67.0.3', mac: '44:19:B6:00:00:01', profile: 'x' },
        { name: 'Bad_Name', ip: '10.66.0.255', mac: '01:00:5e:00:00:01', profile: 'x', bridge: 'nowhere' },
      ],
    };
    let message = '';
    try {
      validateLabSpec(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('duplicate IP 10.66.0.11');
    expect(message).toContain('duplicate MAC 44:19:B6:00:00:01');
    expect(message).toContain('duplicate device name "cam"');
    expect(message).toContain('10.67.0.3 is not a host address of bridge lan');
    expect(message).toContain('bad or duplicate device name "Bad_Name"');
    expect(message).toContain('unknown bridge nowhere');
    expect(message).toContain('multicast MAC 01:00:5e:00:00:01');
  });
});

describe('planLab', () => {
  it('names namespaces with the lab id and keeps veth names short', () => {
    const plan = planLab(small, 'ab12c');
    expect(plan.lanNs).toBe('csw-ab12c-lan');
    expect(plan.hosts.map((h) => h.ns)).toEqual(['csw-ab12c-agent', 'csw-ab12c-cam', 'csw-ab12c-printer']);
    for (const h of plan.hosts) for (const l of h.links) expect(l.peer.length).toBeLessThanOrEqual(15);
    expect(namespaceAddLines(plan)).toEqual([
      'netns add csw-ab12c-lan',
      'netns add csw-ab12c-agent',
      'netns add csw-ab12c-cam',
      'netns add csw-ab12c-printer',
    ]);
  });

  it('builds a bridge without multicast snooping, veths with the device MACs, and the multicast route', () => {
    const plan = planLab(small, 'ab12c');
    expect(lanLines(plan)).toEqual([
      'link set lo up',
      'link add br0 type bridge mcast_snooping 0',
      'link set br0 up',
      'link add va0 type veth peer name eth0 netns csw-ab12c-agent',
      'link set va0 master br0 up',
      'link add vd0 type veth peer name eth0 address 44:19:b6:00:00:01 netns csw-ab12c-cam',
      'link set vd0 master br0 up',
      'link add vd1 type veth peer name eth0 address ac:18:26:00:00:02 netns csw-ab12c-printer',
      'link set vd1 master br0 up',
    ]);
    const cam = plan.hosts[1];
    expect(cam === undefined ? [] : hostLines(cam)).toEqual([
      'link set lo up',
      'addr add 10.66.0.11/24 dev eth0',
      'link set eth0 up',
      'route add 224.0.0.0/4 dev eth0',
    ]);
  });

  it('plans a multi-homed agent on a second bridge', () => {
    const spec: LabSpec = {
      ...small,
      bridges: [{ name: 'cams', subnet: '10.67.0.0/24' }],
      agent: { ip: '10.66.0.2', extraInterfaces: [{ ifname: 'eth1', bridge: 'cams', ip: '10.67.0.2' }] },
      devices: [...small.devices, { name: 'far', ip: '10.67.0.11', mac: '44:19:b6:00:00:03', profile: 'x', bridge: 'cams' }],
    };
    const plan = planLab(spec, 'zz');
    expect(plan.bridges.map((b) => b.dev)).toEqual(['br0', 'br1']);
    const agent = plan.hosts[0];
    expect(agent?.links.map((l) => [l.ifname, l.bridgeDev, l.cidr, l.multicastRoute])).toEqual([
      ['eth0', 'br0', '10.66.0.2/24', true],
      ['eth1', 'br1', '10.67.0.2/24', false],
    ]);
    expect(plan.hosts.find((h) => h.name === 'far')?.links[0]?.bridgeDev).toBe('br1');
  });
});

describe('routers', () => {
  it('plans a router with an interface per bridge, forwarding on, and routes through it for every host', () => {
    const plan = planLab(routedLab({ only: ['epson', 'dahua'] }), 'rt');
    const router = plan.hosts.find((h) => h.role === 'router');
    expect(router).toMatchObject({ name: 'router', ns: 'csw-rt-router', forwarding: true, routes: [] });
    expect(router?.links.map((l) => [l.ifname, l.peer, l.bridgeDev, l.cidr, l.mac, l.multicastRoute])).toEqual([
      ['eth0', 'vr0i0', 'br0', '10.66.0.1/24', '02:66:00:00:00:01', false],
      ['eth1', 'vr0i1', 'br1', '10.68.0.1/24', '02:68:00:00:00:01', false],
    ]);
    const agent = plan.hosts.find((h) => h.role === 'agent');
    expect(agent?.routes).toEqual([{ to: '10.68.0.0/24', via: '10.66.0.1' }]);
    expect(agent === undefined ? [] : hostLines(agent)).toEqual([
      'link set lo up',
      'addr add 10.66.0.2/24 dev eth0',
      'link set eth0 up',
      'route add 224.0.0.0/4 dev eth0',
      'route add 10.68.0.0/24 via 10.66.0.1',
    ]);
    expect(plan.hosts.find((h) => h.name === 'dahua')?.routes).toEqual([{ to: '10.66.0.0/24', via: '10.68.0.1' }]);
    expect(plan.hosts.find((h) => h.name === 'epson')?.routes).toEqual([{ to: '10.68.0.0/24', via: '10.66.0.1' }]);
    expect(namespaceAddLines(plan)).toContain('netns add csw-rt-router');
    expect(lanLines(plan)).toContain('link add vr0i1 type veth peer name eth1 address 02:68:00:00:00:01 netns csw-rt-router');
  });

  it('adds no route to a subnet the host is on itself', () => {
    const spec: LabSpec = {
      ...routedLab({ only: [] }),
      agent: { ip: '10.66.0.2', extraInterfaces: [{ ifname: 'eth1', bridge: 'far', ip: '10.68.0.2' }] },
    };
    expect(planLab(spec, 'mh').hosts.find((h) => h.role === 'agent')?.routes).toEqual([]);
  });

  it('reports bad routers with every other problem', () => {
    const spec: LabSpec = {
      ...small,
      bridges: [{ name: 'far', subnet: '10.68.0.0/24' }],
      routers: [
        { name: 'cam', interfaces: [{ bridge: 'lan', ip: '10.66.0.1' }] },
        { name: 'r2', interfaces: [{ bridge: 'lan', ip: '10.66.0.11' }, { bridge: 'nowhere', ip: '10.68.0.1' }] },
      ],
    };
    let message = '';
    try {
      validateLabSpec(spec);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('bad or duplicate router name "cam"');
    expect(message).toContain('router cam: needs at least two interfaces, each on a different bridge');
    expect(message).toContain('router r2 eth0: duplicate IP 10.66.0.11');
    expect(message).toContain('router r2 eth1: unknown bridge nowhere');
  });
});
