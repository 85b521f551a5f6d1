import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPrivateNamespace, createLab } from './netns.ts';
import type { Lab, LabSpec } from './netns.ts';
import { standardLab } from './standard-lab.ts';
import { pidsMentioning } from './proc-scan.ts';

const WSD_PROBE = new URL('./clients/wsd_probe.py', import.meta.url).pathname;
const labs: Lab[] = [];

async function lab(spec: LabSpec): Promise<Lab> {
  const l = await createLab(spec);
  labs.push(l);
  return l;
}

afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.stop()));
});

async function netnsList(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
}

describe('assertPrivateNamespace', () => {
  it('passes inside scripts/private-netns.sh and refuses without the marker', () => {
    expect(() => assertPrivateNamespace()).not.toThrow();
    const saved = process.env.CAMSWEEP_PRIVATE_NETNS;
    try {
      delete process.env.CAMSWEEP_PRIVATE_NETNS;
      expect(() => assertPrivateNamespace()).toThrow(/not inside scripts\/private-netns.sh/u);
    } finally {
      process.env.CAMSWEEP_PRIVATE_NETNS = saved;
    }
  });
});

describe('createLab', () => {
  it('gives every device its IP and MAC: ICMP ping answers and the agent neighbour table holds the right MACs', async () => {
    const l = await lab(standardLab({ hostile: false }));
    console.info(`lab build, 5 devices + agent: ${l.buildMs} ms`);
    const ips = l.devices.map((d) => d.ip);
    const ping = await l.execAgent(['nmap', '-n', '-sn', '-PE', '--disable-arp-ping', '--send-ip', ...ips]);
    expect(ping.code, ping.stderr).toBe(0);
    expect(ping.stdout).toContain('(5 hosts up)');
    const neigh = JSON.parse((await l.execAgent(['ip', '-j', 'neigh', 'show', 'dev', 'eth0'])).stdout) as Array<{ dst: string; lladdr?: string }>;
    for (const d of l.devices) expect(neigh.find((n) => n.dst === d.ip)?.lladdr).toBe(d.mac);
    const addr = await l.execDevice('hikvision', ['ip', '-br', 'addr', 'show', 'dev', 'eth0']);
    expect(addr.stdout).toMatch(/^eth0@\S+\s+UP\s+10\.66\.0\.11\/24 fe80::4619:b6ff:fe21:420b\/64/u);
    const route = await l.execDevice('hikvision', ['ip', 'route', 'show', '224.0.0.0/4']);
    expect(route.stdout).toContain('224.0.0.0/4 dev eth0');
  });

  it('starts simulators, records what they receive, and stop() leaves no namespace, process or file', async () => {
    const l = await lab(standardLab({ only: ['hikvision', 'epson'] }));
    const { ms } = await l.startDevices();
    console.info(`simulator start, 2 devices: ${ms} ms`);
    expect(pidsMentioning(l.dir).length).toBe(2);
    const get = await l.execAgent(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://10.66.0.11/']);
    expect(get.stdout).toBe('401');
    const hits = await l.deviceHits('hikvision');
    expect(hits).toContainEqual(expect.objectContaining({ proto: 'http', from: '10.66.0.2', kind: 'GET', detail: '80 /' }));
    expect(await l.deviceHits('epson')).toEqual([]);

    const id = l.id;
    await l.stop();
    await l.stop();
    expect(await netnsList()).not.toContain(`csw-${id}-`);
    expect(pidsMentioning(l.dir)).toEqual([]);
    expect(existsSync(l.dir)).toBe(false);
    await expect(l.execAgent(['true'])).rejects.toThrow(/stopped/u);
  });

  it('lets two labs with the same addresses exist side by side, isolated', async () => {
    const [a, b] = await Promise.all([lab(standardLab({ only: ['hikvision'] })), lab(standardLab({ only: ['hikvision'] }))]);
    if (a === undefined || b === undefined) throw new Error('labs not built');
    expect(a.id).not.toBe(b.id);
    await Promise.all([a.startDevices(), b.startDevices()]);
    await a.execAgent(['curl', '-s', '-o', '/dev/null', 'http://10.66.0.11/only-a']);
    await b.execAgent(['curl', '-s', '-o', '/dev/null', 'http://10.66.0.11/only-b']);
    expect((await a.deviceHits('hikvision')).map((h) => h.detail)).toEqual(['80 /only-a']);
    expect((await b.deviceHits('hikvision')).map((h) => h.detail)).toEqual(['80 /only-b']);
  });

  it('builds a multi-homed agent: a probe leaving one interface reaches only that segment', async () => {
    const l = await lab({
      agent: { ip: '10.66.0.2', extraInterfaces: [{ ifname: 'eth1', bridge: 'cams', ip: '10.67.0.2', mac: '02:66:00:00:00:03' }] },
      bridges: [{ name: 'cams', subnet: '10.67.0.0/24' }],
      devices: [
        { name: 'near', ip: '10.66.0.11', mac: '44:19:b6:00:00:11', profile: 'hikvision-ds-2cd2142fwd' },
        { name: 'far', ip: '10.67.0.12', mac: '4c:11:bf:00:00:12', profile: 'dahua-ipc-hfw2228m', bridge: 'cams' },
      ],
    });
    await l.startDevices();
    const probe = async (ip: string): Promise<string[]> => {
      const r = await l.execAgent(['/usr/bin/python3', WSD_PROBE, '--ip', ip, '--seconds', '1']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { replies: Array<{ from: string }> }).replies.map((x) => x.from);
    };
    expect(await probe('10.66.0.2')).toEqual(['10.66.0.11']);
    expect(await probe('10.67.0.2')).toEqual(['10.67.0.12']);
  });

  it('kills every simulator when one is not ready in time, and kills timed-out commands with their children', async () => {
    const l = await lab(standardLab({ only: ['hikvision', 'dahua', 'axis'] }));
    await expect(l.startDevices({ timeoutMs: 1 })).rejects.toThrow(/not ready after 1 ms/u);
    expect(pidsMentioning(l.dir)).toEqual([]);
    expect(l.stoppedDevices()).toEqual(['hikvision', 'dahua', 'axis']);

    const marker = `camsweep-marker-${l.id}`;
    const slow = await l.execAgent(['sh', '-c', `sleep 30 & sleep 30; echo ${marker}`], { timeoutMs: 300 });
    expect(slow.timedOut).toBe(true);
    expect(slow.ms).toBeLessThan(5000);
    expect(pidsMentioning(marker)).toEqual([]);

    const daemon = l.spawnAgent(['sh', '-c', `sleep 60; echo ${marker}-2`]);
    expect(daemon.running).toBe(true);
    await l.stop();
    expect(daemon.running).toBe(false);
    expect(pidsMentioning(`${marker}-2`)).toEqual([]);
  });
});
