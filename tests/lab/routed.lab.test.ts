/**
 * Routed networks, end to end: the real CLI in the agent's namespace on segment A
 * (10.66.0.0/24, an Epson printer beside it), a router (10.66.0.1 / 10.68.0.1, forwarding on),
 * and Hikvision, Dahua and two Axis cameras on segment B (10.68.0.0/24). Multicast stays on A,
 * so only unicast probes to a target range find B; an excluded address gets nothing at all.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, routedLab, ROUTED_DEVICES, type DeviceHit, type Lab } from './netns.ts';
import type { Device, SweepResult } from '../../src/domain/types.ts';
import type { AuditEntry } from '../../src/domain/audit.ts';
import { cidrContains, parseCidr } from '../../src/util/cidr.ts';
import { UNICAST_REPLY_MS } from '../../src/discovery/unicast/prober.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const WINDOW_S = 3;
/** Faster than the default 100/s to keep the suite short; scripts/bench-routed.ts times the default. */
const RATE = 400;
const FAR = parseCidr('10.68.0.0/24')!;
const NEAR = parseCidr('10.66.0.0/24')!;
const EXCLUDED = '10.68.0.13';
const ROUTER_MACS = ['02:66:00:00:00:01', '02:68:00:00:00:01'];
// IPv6 link-local groups too: WS-Discovery, SSDP and mDNS also probe ff02::c and ff02::fb (docs/decisions/ipv6.md).
const MULTICAST = new Set(['239.255.255.250', '239.255.255.251', '224.0.0.251', '255.255.255.255', 'ff02::c', 'ff02::fb']);
/** 10.68.0.1-254 minus the excluded one. */
const PROBED = 253;
const PER_ADDRESS = ['wsd', 'wsd', 'ssdp', 'sadp', 'dhip', 'mdns'];

let lab: Lab;

const ip = (name: string): string => ROUTED_DEVICES.find((d) => d.name === name)!.ip;
const mac = (name: string): string => ROUTED_DEVICES.find((d) => d.name === name)!.mac;
const byIp = (result: SweepResult, address: string): Device => {
  const d = result.devices.find((x) => x.ip === address);
  if (!d) throw new Error(`no device ${address} in ${result.devices.map((x) => x.ip).join(', ')}`);
  return d;
};
const readAudit = (file: string): AuditEntry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);

async function sweep(args: string[], timeoutMs = 60_000): Promise<Awaited<ReturnType<Lab['execAgent']>>> {
  return lab.execAgent([process.execPath, CLI, 'sweep', '--interface', 'eth0', '--timeout', String(WINDOW_S), '--log-level', 'warn', '--format', 'json', ...args], {
    timeoutMs,
  });
}

beforeAll(async () => {
  lab = await createLab(routedLab());
  await lab.startDevices();
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

describe('the routed lab', () => {
  it('routes unicast between the segments through the router', async () => {
    const route = await lab.execAgent(['ip', 'route', 'get', '10.68.0.12']);
    expect(route.stdout).toMatch(/^10\.68\.0\.12 via 10\.66\.0\.1 dev eth0/u);
    const get = await lab.execAgent(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', 'http://10.68.0.12/']);
    expect(get.stdout).toMatch(/^[1-5]\d\d$/u);
    expect(lab.routers.map((r) => r.interfaces.map((i) => `${i.ifname} ${i.bridge} ${i.ip}`))).toEqual([['eth0 lan 10.66.0.1', 'eth1 far 10.68.0.1']]);
  });
});

describe('a sweep without targets', () => {
  let result: SweepResult;
  let audit: AuditEntry[];
  const hits = new Map<string, DeviceHit[]>();

  beforeAll(async () => {
    const before = new Map<string, number>();
    for (const d of ROUTED_DEVICES) before.set(d.name, (await lab.deviceHits(d.name)).length);
    const file = path.join(lab.dir, 'no-target.audit.jsonl');
    const run = await sweep(['--audit-file', file]);
    expect(run.code, run.stderr).toBe(0);
    result = JSON.parse(run.stdout) as SweepResult;
    audit = readAudit(file);
    for (const d of ROUTED_DEVICES) hits.set(d.name, (await lab.deviceHits(d.name)).slice(before.get(d.name)));
  }, 60_000);

  it('finds only the device on its own segment: multicast does not cross the router', () => {
    expect(result.devices.map((d) => d.ip)).toEqual([ip('epson')]);
    for (const d of ROUTED_DEVICES.filter((x) => x.bridge === 'far')) expect(hits.get(d.name), d.name).toEqual([]);
  });

  it('sends nothing to segment B', () => {
    expect(audit.filter((e) => cidrContains(FAR, e.destination))).toEqual([]);
  });
});

describe('a sweep with --target 10.68.0.0/24 --exclude 10.68.0.13/32', () => {
  let result: SweepResult;
  let audit: AuditEntry[];
  let run: Awaited<ReturnType<Lab['execAgent']>>;
  const before = new Map<string, number>();

  beforeAll(async () => {
    for (const d of ROUTED_DEVICES) before.set(d.name, (await lab.deviceHits(d.name)).length);
    const file = path.join(lab.dir, 'target.audit.jsonl');
    run = await sweep(['--target', '10.68.0.0/24', '--exclude', `${EXCLUDED}/32`, '--rate', String(RATE), '--audit-file', file]);
    expect(run.code, run.stderr).toBe(0);
    result = JSON.parse(run.stdout) as SweepResult;
    audit = readAudit(file);
  }, 90_000);

  const newHits = async (name: string): Promise<DeviceHit[]> => (await lab.deviceHits(name)).slice(before.get(name) ?? 0);

  it('finds the devices behind the router by unicast, with the MAC their own replies carry (never the router’s)', () => {
    expect(result.devices.map((d) => d.ip)).toEqual([ip('epson'), ip('hikvision'), ip('dahua'), ip('axis-2')]);
    expect(byIp(result, ip('epson')).interfaces).toEqual(['eth0']);
    const hik = byIp(result, ip('hikvision'));
    const dahua = byIp(result, ip('dahua'));
    const axis = byIp(result, ip('axis-2'));
    for (const d of [hik, dahua, axis]) {
      // On no local segment: no interface, no neighbour-table MAC.
      expect(d.interfaces).toEqual([]);
      expect(d.protocols).not.toContain('arp');
      expect(ROUTER_MACS).not.toContain(d.mac);
      expect(d.protocols).toContain('http');
    }
    // The MAC comes from the device's own reply, and that field is in the evidence.
    expect(hik.mac).toBe(mac('hikvision'));
    expect(hik.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.mac', value: mac('hikvision') });
    expect(dahua.mac).toBe(mac('dahua'));
    expect(dahua.evidence.some((e) => e.field === 'dhip.mac')).toBe(true);
    expect(axis.mac).toBe(mac('axis-2'));
    expect(axis.evidence).toContainEqual({ protocol: 'mdns', field: 'mdns.txt.macaddress', value: 'ACCC8E20360E' });
    // The protocols that answered by unicast.
    expect(hik.protocols).toEqual(expect.arrayContaining(['wsd', 'onvif', 'http']));
    expect(dahua.protocols).toEqual(expect.arrayContaining(['wsd', 'ssdp', 'dhip', 'upnp', 'http']));
    expect(axis.protocols).toEqual(expect.arrayContaining(['wsd', 'ssdp', 'mdns', 'http']));
    expect(hik).toMatchObject({ manufacturer: 'Hikvision', status: 'restricted' });
    expect(dahua).toMatchObject({ manufacturer: 'Dahua', status: 'restricted' });
    expect(axis).toMatchObject({ manufacturer: 'Axis', status: 'clear' });
  });

  it('never touches the excluded address: no datagram, no request, no device', async () => {
    expect(audit.filter((e) => e.destination === EXCLUDED)).toEqual([]);
    expect(await newHits('axis')).toEqual([]);
    expect(result.devices.some((d) => d.ip === EXCLUDED)).toBe(false);
  });

  it('sends the six read-only probes to every target address once, by unicast, and nothing outside the segment and the target', () => {
    const unicast = audit.filter((e) => e.transport === 'udp' && cidrContains(FAR, e.destination));
    const byAddress = new Map<string, string[]>();
    for (const e of unicast) byAddress.set(e.destination, [...(byAddress.get(e.destination) ?? []), e.protocol]);
    expect(byAddress.size).toBe(PROBED);
    expect(byAddress.has('10.68.0.0') || byAddress.has('10.68.0.255')).toBe(false);
    for (const [address, protocols] of byAddress) {
      expect(protocols.slice(0, 6), address).toEqual(PER_ADDRESS);
      // Anything more is an mDNS follow-up, only ever to a host that answered mDNS.
      const extra = protocols.slice(6);
      expect(extra.every((p) => p === 'mdns') && (extra.length === 0 || address === ip('axis-2')), `${address}: ${extra.join(',')}`).toBe(true);
    }
    for (const e of unicast) {
      expect(Object.hasOwn(e, 'interface')).toBe(false);
      expect(e.message).not.toMatch(/v1/u);
    }
    for (const e of audit) {
      const allowed = MULTICAST.has(e.destination) || cidrContains(NEAR, e.destination) || cidrContains(FAR, e.destination);
      expect(allowed, `${e.transport} ${e.destination}:${e.port}`).toBe(true);
    }
    // Requests beyond discovery go only to hosts that replied.
    const contacted = new Set(audit.filter((e) => e.transport === 'tcp').map((e) => e.destination));
    expect([...contacted].sort()).toEqual([ip('epson'), ip('hikvision'), ip('dahua'), ip('axis-2')].sort());
  });

  it('keeps to the rate, and the sweep lasts the sending time plus the last replies\' due time, less than its window', () => {
    const times = audit
      .filter((e) => e.transport === 'udp' && cidrContains(FAR, e.destination))
      .map((e) => Date.parse(e.at))
      .sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while (times[i]! - times[j]! >= 1000) j += 1;
      most = Math.max(most, i - j + 1);
    }
    // The limiter saves up 50 ms worth (20 datagrams); requests to routed hosts share it.
    expect(most).toBeLessThanOrEqual(RATE + RATE / 20 + 2);
    const sendMs = times.at(-1)! - times[0]!;
    expect(sendMs).toBeGreaterThanOrEqual(((PROBED * 6) / RATE) * 1000 - 200);
    const sweepMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
    // Adaptive: the unicast listen closes once the last probe's replies are due (1.1 s) and 0.3 s
    // passed without one, well before the 3 s window (measured: 1.2 s after the last probe).
    expect(sweepMs).toBeGreaterThanOrEqual(sendMs + UNICAST_REPLY_MS - 100);
    expect(sweepMs).toBeLessThan(sendMs + WINDOW_S * 1000);
  });

  it('is seen by the devices as probes from the agent, each protocol on its port, mDNS as a legacy unicast query', async () => {
    const hik = await newHits('hikvision');
    expect(hik.filter((h) => h.proto === 'wsd').map((h) => h.kind)).toEqual(['Probe', 'Probe']);
    expect(hik.filter((h) => h.proto === 'sadp').map((h) => h.kind)).toEqual(['inquiry']);
    const dahua = await newHits('dahua');
    expect(dahua.filter((h) => h.proto === 'dhip').map((h) => h.kind)).toEqual(['DHDiscover.search']);
    expect(dahua.filter((h) => h.proto === 'ssdp').map((h) => `${h.kind} ${h.detail ?? ''}`)).toEqual(['M-SEARCH ssdp:all']);
    const axis = await newHits('axis-2');
    const mdns = axis.filter((h) => h.proto === 'mdns');
    expect(mdns.length).toBeGreaterThanOrEqual(1);
    for (const h of mdns) expect(h.port).not.toBe(5353);
    for (const h of [...hik, ...dahua, ...axis]) expect(h.from).toBe('10.66.0.2');
    for (const h of [...hik, ...dahua, ...axis]) expect(h.kind).not.toBe('junk');
  });

  it('records no error: every target either answered well or stayed silent', () => {
    // The Hikvision camera answers SADP only to the group, which stays on segment B.
    expect(result.errors.filter((e) => e.code !== 'DHIP_MALFORMED')).toEqual([]);
    expect(run.stderr).not.toMatch(/probed \d+\/\d+/u);
  });
});

describe('the CLI around targets', () => {
  it('refuses loopback, multicast and oversized targets as usage errors, before sending anything', async () => {
    for (const [target, word] of [
      ['127.0.0.1', 'loopback'],
      ['224.0.0.251', 'multicast'],
      ['10.0.0.0/8', 'more than the limit'],
    ] as const) {
      const file = path.join(lab.dir, `refused-${word.replace(/\W/gu, '')}.audit.jsonl`);
      const r = await sweep(['--target', target, '--audit-file', file], 20_000);
      expect(r.code, target).toBe(2);
      expect(r.stderr).toContain(word);
      expect(() => readFileSync(file, 'utf8')).toThrow();
    }
    const badRate = await sweep(['--target', '10.68.0.12', '--rate', '0'], 20_000);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('--rate must be');
  });

  it('shows progress on a terminal (probing with rate and time left, then listening), cleared before the output, and not with --quiet', async () => {
    const args = [process.execPath, CLI, 'sweep', '--interface', 'eth0', '--timeout', '0.5', '--format', 'json', '--no-enrich', '--target', '10.68.0.8/29', '--rate', '30'];
    const shell = (a: string[]): string => a.map((x) => `'${x}'`).join(' ');
    const onTty = await lab.execAgent(['script', '-qefc', `${shell(args)} 2>&1 >/dev/null`, '/dev/null'], { timeoutMs: 30_000 });
    expect(onTty.code, onTty.stdout).toBe(0);
    // eslint-disable-next-line no-control-regex -- the terminal's own escape: clear the line
    expect(onTty.stdout).toMatch(/\r\u001b\[Kprobing \d\/6 addresses · \d+\/s/u);
    // eslint-disable-next-line no-control-regex -- as above
    expect(onTty.stdout).toMatch(/\r\u001b\[Klistening \d\.\d s · ≤\d\.\d s left/u);
    expect(onTty.stdout.endsWith('\r\u001b[K')).toBe(true);
    const quiet = await lab.execAgent(['script', '-qefc', `${shell([...args, '--quiet'])} 2>&1 >/dev/null`, '/dev/null'], { timeoutMs: 30_000 });
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.stdout).not.toMatch(/probing|listening/u);
  });
});
