/**
 * A multi-homed agent: eth0 on one segment, eth1 on another (two bridges, no routing between
 * them). `camsweep sweep` with no --interface probes from every up, non-loopback IPv4
 * interface; every device must be found once, with the interface it was seen on. The classic
 * bug this guards against: probes that leave through one interface only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from './netns.ts';
import type { SweepResult } from '../../src/domain/types.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
let lab: Lab;

beforeAll(async () => {
  lab = await createLab({
    agent: { ip: '10.66.0.2', mac: '02:66:00:00:00:02', extraInterfaces: [{ ifname: 'eth1', bridge: 'cams', ip: '10.67.0.2', mac: '02:66:00:00:00:03' }] },
    bridges: [{ name: 'cams', subnet: '10.67.0.0/24' }],
    devices: [
      { name: 'hikvision', ip: '10.66.0.11', mac: '44:19:b6:21:42:0b', profile: 'hikvision-ds-2cd2142fwd' },
      { name: 'epson', ip: '10.66.0.14', mac: 'ac:18:26:84:1a:46', profile: 'epson-xp-410' },
      { name: 'dahua', ip: '10.67.0.12', mac: '4c:11:bf:22:28:0c', profile: 'dahua-ipc-hfw2228m', bridge: 'cams' },
      { name: 'axis', ip: '10.67.0.13', mac: 'ac:cc:8e:20:36:0d', profile: 'axis-m2036-le', bridge: 'cams' },
      { name: 'chromecast', ip: '10.67.0.15', mac: '54:60:09:15:ca:57', profile: 'chromecast', bridge: 'cams' },
    ],
  });
  await lab.startDevices();
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

describe('camsweep sweep on a multi-homed agent', () => {
  it('probes from both interfaces by default and finds every device once, on its own interface', async () => {
    const run = await lab.execAgent([process.execPath, CLI, 'sweep', '--timeout', '2', '--format', 'json', '--quiet'], { timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as SweepResult;
    expect(result.interfaces.map((i) => [i.name, i.address]).sort()).toEqual([
      ['eth0', '10.66.0.2'],
      ['eth1', '10.67.0.2'],
    ]);
    expect(result.devices.map((d) => [d.ip, d.mac, d.interfaces])).toEqual([
      ['10.66.0.11', '44:19:b6:21:42:0b', ['eth0']],
      ['10.66.0.14', 'ac:18:26:84:1a:46', ['eth0']],
      ['10.67.0.12', '4c:11:bf:22:28:0c', ['eth1']],
      ['10.67.0.13', 'ac:cc:8e:20:36:0d', ['eth1']],
      ['10.67.0.15', '54:60:09:15:ca:57', ['eth1']],
    ]);
  }, 60_000);

  it('probes only the named interface with --interface', async () => {
    const run = await lab.execAgent([process.execPath, CLI, 'sweep', '--interface', 'eth1', '--timeout', '2', '--format', 'json', '--quiet'], { timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as SweepResult;
    expect(result.devices.map((d) => d.ip)).toEqual(['10.67.0.12', '10.67.0.13', '10.67.0.15']);
  }, 60_000);
});
